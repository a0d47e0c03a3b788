"""The ``workshop`` commands: serve, new, list, export, db upgrade."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import click

from .app import ROOT, create_app
from .errors import WorkshopError

SESSIONS = ROOT / "sessions"
DEFAULT_PLAN = SESSIONS / "politique-de-la-ville-2030.toml"


def _app(**config):
    return create_app(config or None)


def _service(app):
    return app.extensions["workshop.service"]


def create_from_plan(app, plan_path: Path) -> dict:
    """Create a workshop from a plan file; returns the service's creation result."""
    from .plans import load_plan

    plan = load_plan(plan_path)
    return _service(app).create_workshop(
        plan.title,
        rounds=[{"question": r.question, "timings": dict(r.timings)} for r in plan.rounds],
        territory=plan.territory,
        date=plan.date,
        language=plan.language,
        description=plan.description,
        tags=list(plan.tags),
        settings=plan.settings,
    )


def lan_address() -> str:
    """This machine's address on the local network, for phones to reach it.

    Connecting a UDP socket sends no packet: it only asks the kernel which
    interface would be used.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1, never routed anywhere
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def print_qr(url: str) -> None:
    import qrcode

    qr = qrcode.QRCode(border=1)
    qr.add_data(url)
    qr.make(fit=True)
    qr.print_ascii(out=sys.stdout, invert=True)


def fail(error: WorkshopError) -> None:
    detail = ", ".join(f"{k}={v}" for k, v in error.params.items())
    raise click.ClickException(f"{error.code}{': ' + detail if detail else ''}")


@click.group()
@click.version_option(package_name="workshop")
def cli():
    """workshop — live collective-intelligence workshops (diverge → define → converge)."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Use 0.0.0.0 to let phones on the local network join.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--async-mode", type=click.Choice(["eventlet", "gevent", "threading"]), default="eventlet", show_default=True)
@click.option("--plan", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Create a workshop from this plan first.")
@click.option("--code", help="Show the links of this workshop (default: the most recent open one).")
def serve(host, port, async_mode, plan, code):
    """Run the server, print the facilitator link, the join link and a QR code."""
    app = _app(ASYNC_MODE=async_mode)
    service = _service(app)
    for expired in service.purge_expired():
        click.echo(f"retention period over: personal data of {expired} erased")
    try:
        if plan:
            created = create_from_plan(app, plan)["workshop"]
            code = created["code"]
        workshops = [w for w in service.list_workshops() if w["status"] == "open"]
        if not workshops and DEFAULT_PLAN.exists():
            workshops = [{**create_from_plan(app, DEFAULT_PLAN)["workshop"]}]
            workshops = [w for w in service.list_workshops() if w["status"] == "open"]
    except WorkshopError as error:
        fail(error)
    chosen = next((w for w in workshops if w["code"] == (code or "").upper()), workshops[-1] if workshops else None)
    address = lan_address() if host in ("0.0.0.0", "::") else host
    base = app.config.get("PUBLIC_URL") or f"http://{address}:{port}"
    click.echo(f"workshop — {base}  (async mode: {async_mode}, database: {app.config['DATABASE_URL'].split('://')[0]})")
    if chosen:
        click.echo(f"\n  {chosen['title']} — code {chosen['code']}")
        click.echo(f"  Animation (secret) : {base}/f/{chosen['facilitator_token']}")
        click.echo(f"  Écran / projecteur : {base}/s/{chosen['code']}")
        click.echo(f"  Participants       : {base}/j/{chosen['code']}\n")
        print_qr(f"{base}/j/{chosen['code']}")
        others = [w for w in workshops if w is not chosen]
        for w in others:
            click.echo(f"  autre atelier ouvert : {w['code']} — {w['title']}")
    if host in ("127.0.0.1", "localhost"):
        click.echo("  (local only: use --host 0.0.0.0 so that phones on the same Wi-Fi can join)")
    sys.stdout.flush()
    socketio = app.extensions["socketio"]
    socketio.run(app, host=host, port=port, log_output=False, allow_unsafe_werkzeug=async_mode == "threading")


def resolve_plan(name: str | None, path: Path | None) -> Path:
    """``--plan FILE`` or the name of a plan shipped in sessions/ (``villes-moyennes``)."""
    if path:
        return path
    if not name:
        raise click.UsageError("give a plan: workshop new --plan sessions/<file>.toml (or its name)")
    candidate = Path(name)
    if candidate.is_file():
        return candidate
    shipped = SESSIONS / f"{name.removesuffix('.toml')}.toml"
    if shipped.is_file():
        return shipped
    names = ", ".join(p.stem for p in sorted(SESSIONS.glob("*.toml")))
    raise click.UsageError(f"no plan named {name!r}; shipped plans: {names}")


@cli.command()
@click.argument("name", required=False)
@click.option("--plan", "plan_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A plan file.")
def new(name, plan_path):
    """Create a workshop from a plan: a file, or the name of one in sessions/."""
    plan_path = resolve_plan(name, plan_path)
    app = _app()
    try:
        created = create_from_plan(app, plan_path)
    except WorkshopError as error:
        fail(error)
    w = created["workshop"]
    click.echo(f"{w['code']}\t{w['title']}")
    click.echo(f"facilitator token: {created['facilitator_token']}")
    click.echo(f"facilitator page:  /f/{created['facilitator_token']}")
    click.echo(f"join page:         /j/{w['code']}")


@cli.command("list")
def list_():
    """List workshops with their codes and facilitator links (local operator only)."""
    app = _app()
    for w in _service(app).list_workshops():
        click.echo(f"{w['code']}\t{w['status']}\t/f/{w['facilitator_token']}\t{w['title']}")


@cli.command()
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["json", "markdown", "csv", "html", "docx", "snapshot"]), default="json", show_default=True,
              help="json: re-importable archive; markdown/html/docx: the compte-rendu; csv: one table; snapshot: the raw engine state.")
@click.option("--table", type=click.Choice(["ideas", "themes", "actions", "votes", "participation"]), default="ideas", show_default=True, help="For csv.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: a file named after the workshop; '-' for stdout).")
def export(code, fmt, table, lang, output):
    """Export a workshop: summary (compte-rendu), tables, or the complete archive."""
    from . import exports

    app = _app()
    service = _service(app)
    try:
        snapshot = service.full_snapshot(service.workshop_id_for_code(code))
    except WorkshopError as error:
        fail(error)
    if fmt == "snapshot":
        body = (json.dumps(snapshot, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        name = f"atelier-{snapshot['workshop']['code']}.json"
    else:
        body = exports.export(snapshot, fmt, lang=lang, **({"table": table} if fmt == "csv" else {}))
        name = exports.filename(snapshot, fmt, lang, table=table)
    if output is not None and str(output) == "-":
        click.get_binary_stream("stdout").write(body)
        return
    target = output or Path(name)
    target.write_bytes(body)
    click.echo(f"written {target}", err=True)


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(path):
    """Recreate a workshop from a JSON export (new code and links, same content)."""
    from .importer import import_snapshot

    app = _app()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(f"{path}: not a JSON export ({error})") from None
    try:
        created = import_snapshot(app.extensions["workshop.db"], data)
    except WorkshopError as error:
        fail(error)
    w = created["workshop"]
    click.echo(f"{w['code']}\t{w['title']}")
    click.echo(f"facilitator page:  /f/{created['facilitator_token']}")


@cli.command()
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(code, yes):
    """Erase a workshop's personal data (pseudonyms, access links) and archive it."""
    app = _app()
    service = _service(app)
    try:
        workshop_id = service.workshop_id_for_code(code)
    except WorkshopError as error:
        fail(error)
    if not yes:
        click.confirm(f"Erase the pseudonyms and access links of {code.upper()}? Ideas and the action plan stay.", abort=True)
    done = service.erase_personal_data(workshop_id)
    click.echo(f"erased: {done['participants']} participants anonymised, workshop archived")


@cli.group()
def db():
    """Database maintenance."""


@db.command()
def upgrade():
    """Create the database or bring its schema to the latest version."""
    app = _app()  # create_app already upgrades
    click.echo(f"database up to date: {app.config['DATABASE_URL'].split('://')[0]}")
