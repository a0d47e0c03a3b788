"""The ``workshop`` commands: serve, new, list, export, import, erase, backup, restore, db upgrade, observatory, event.

Imports are lazy: ``workshop --help`` loads click and this file, not Flask,
SQLAlchemy or the exports (the app is built only by a command that needs it).
A new sub-command in its own module is registered in :data:`LAZY_COMMANDS`
(imported only when it runs) or with ``cli.add_command`` at the end of this file.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import json
import os
import socket
import sys
from pathlib import Path

import click

from . import __version__
from .errors import NotFound, WorkshopError
from .resources import DEFAULT_PLAN_NAME, shipped_plans

# name -> ("module:attribute", one-line help shown by `workshop --help` without importing the module)
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "purge": ("workshop.purge:purge", "Erase the personal data of workshops past their retention period."),
}


def cli_lang() -> str:
    """The CLI speaks French unless ``WORKSHOP_LANG=en`` asks for English."""
    lang = os.environ.get("WORKSHOP_LANG", "").strip().lower()[:2]
    return lang if lang in ("fr", "en") else "fr"


def _catalogue():
    from .translations import translations

    return translations(cli_lang())


def _(message: str, **params: object) -> str:
    """A sentence of the catalogue in the CLI's language."""
    text = _catalogue().gettext(message)
    return text % params if params else text


def npgettext(context: str, singular: str, plural: str, num: int, **params: object) -> str:
    return _catalogue().npgettext(context, singular, plural, num) % {"num": num, **params}


def _app(**config):
    from .app import create_app

    return create_app(config or None)


def _service(app):
    return app.extensions["workshop.service"]


def create_from_plan(app, plan_path: Path) -> dict:
    """Create a workshop from a plan file; returns the service's creation result."""
    from .plans import load_plan

    plan = load_plan(plan_path)
    created = _service(app).create_workshop(
        plan.title,
        rounds=[{"question": r.question, "timings": dict(r.timings)} for r in plan.rounds],
        territory=plan.territory,
        place=plan.place,
        facilitator=plan.facilitator,
        date=plan.date,
        language=plan.language,
        description=plan.description,
        tags=list(plan.tags),
        settings=plan.settings,
        polls=[p.spec() for p in plan.polls] + [{**p.spec(), "section": "evaluation"} for p in plan.evaluation],
    )
    if plan.catalogue is not None:  # the grouping assistant's themes for this workshop
        from .assist.catalogue import save_workshop_catalogue

        save_workshop_catalogue(app.instance_path, created["workshop"]["code"], plan.catalogue)
    return created


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


def port_is_free(host: str, port: int) -> None:
    """Fail early, in plain words, when another program already listens on the port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    probe = socket.socket(family, socket.SOCK_STREAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind((host, port))
    except OSError as error:
        raise click.ClickException(
            _(
                "cannot listen on %(address)s (%(reason)s): another program uses this port; try: %(command)s",
                address=f"{host}:{port}",
                reason=error.strerror,
                command=f"workshop serve --port {port + 1}",
            )
        ) from None
    finally:
        probe.close()


DARK, LIGHT = "\x1b[38;5;16m", "\x1b[48;5;231m"  # black ink on a white ground, from the 256-colour cube (themes leave it alone)
RESET = "\x1b[0m"
QUIET_ZONE = 4  # modules of light margin the QR standard asks for (ISO/IEC 18004)


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code of ``url`` as rows of modules (True = dark), quiet zone included."""
    import qrcode

    qr = qrcode.QRCode(border=QUIET_ZONE, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.get_matrix()


def qr_text(url: str, colour: bool) -> str:
    """The QR code for a terminal, two module rows per line (half blocks).

    ``colour``: black on white forced with ANSI colours, so it scans on dark
    and light terminals alike.  Without colour (a log file, a pipe) the glyphs
    are the ink: dark modules on a light page.
    """
    rows = qr_matrix(url)
    if len(rows) % 2:
        rows = [*rows, [False] * len(rows[0])]
    glyphs = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2]):
        line = "".join(glyphs[pair] for pair in zip(top, bottom))
        lines.append(f"{DARK}{LIGHT}{line}{RESET}" if colour else line)
    return "\n".join(lines) + "\n"


def wants_colour(stream) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


def print_qr(url: str, stream=None) -> None:
    stream = stream or sys.stdout
    stream.write(qr_text(url, wants_colour(stream)))


def write_qr_image(url: str, path: Path) -> Path:
    """The same QR code as an SVG file (to print, or to open on a second screen)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=QUIET_ZONE, box_size=20)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        image.save(out)
    return path


def fail(error: WorkshopError) -> None:
    """Stop with the error's readable sentence, its code in brackets (for scripts and support)."""
    from .messages import error_message

    message = error_message(error, lambda msgid: _catalogue().gettext(msgid), fallback="cli_error")
    raise click.ClickException(f"{message} ({error.code})")


class LazyGroup(click.Group):
    """A click group that imports the modules of :data:`LAZY_COMMANDS` only when one of them runs."""

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and name in LAZY_COMMANDS:
            module, _sep, attribute = LAZY_COMMANDS[name][0].partition(":")
            command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            if name in LAZY_COMMANDS and super().get_command(ctx, name) is None:
                rows.append((name, LAZY_COMMANDS[name][1]))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - max(len(n) for n in self.list_commands(ctx)))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.version_option(version=__version__, prog_name="workshop")
def cli():
    """workshop — live collective-intelligence workshops (diverge → define → converge)."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Use 0.0.0.0 to let phones on the local network join.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="8000 by default (5000 is often taken by macOS AirPlay).",
)
@click.option("--async-mode", type=click.Choice(["eventlet", "gevent", "threading"]), default="eventlet", show_default=True)
@click.option("--plan", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Create a workshop from this plan first.")
@click.option("--code", help="Show the links of this workshop (default: the most recent open one).")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    envvar="WORKSHOP_LOG_FORMAT",
    default="text",
    show_default=True,
    help="Logs go to stdout; json gives one object per line.",
)
def serve(host, port, async_mode, plan, code, log_format):
    """Run the server, print the facilitator link, the join link and a QR code."""
    from .config import configure_logging

    port_is_free(host, port)
    open_files = raise_open_files_limit()
    # A commit acknowledged to a phone survives a power cut or a dying laptop battery, unless the operator chose otherwise.
    app = _app(ASYNC_MODE=async_mode, LOG_FORMAT=log_format, SQLITE_SYNCHRONOUS=os.environ.get("WORKSHOP_SQLITE_SYNCHRONOUS") or "FULL")
    configure_logging(app.config["LOG_LEVEL"], log_format)
    service = _service(app)
    for expired in service.purge_expired():
        click.echo(_("retention period over: personal data of %(workshop)s erased", workshop=expired))
    try:
        if code and not any(w["code"] == code.upper() for w in service.list_workshops()):
            raise NotFound("unknown_code")
        if plan:
            created = create_from_plan(app, plan)["workshop"]
            code = created["code"]
        workshops = [w for w in service.list_workshops() if w["status"] == "open"]
        default_plan = shipped_plans() / f"{DEFAULT_PLAN_NAME}.toml"
        if not workshops and not code and default_plan.exists():
            create_from_plan(app, default_plan)
            workshops = [w for w in service.list_workshops() if w["status"] == "open"]
    except WorkshopError as error:
        fail(error)
    if code:
        chosen = next(w for w in service.list_workshops() if w["code"] == code.upper())
        workshops = [chosen, *(w for w in workshops if w["code"] != chosen["code"])]
    else:
        chosen = workshops[-1] if workshops else None
    address = lan_address() if host in ("0.0.0.0", "::") else host
    base = app.config.get("PUBLIC_URL") or f"http://{address}:{port}"
    # QR codes and links must carry the address phones can reach, even when the
    # laptop itself opened the projector page as http://127.0.0.1:…
    app.config["PUBLIC_URL"] = base
    database = app.config["DATABASE_URL"].split("://")[0]
    click.echo(_("workshop — %(url)s  (async mode: %(mode)s, database: %(database)s)", url=base, mode=async_mode, database=database))
    click.echo("  " + _("instance folder: %(path)s", path=app.instance_path))
    assistant = app.extensions["workshop.assist"]
    if assistant.available:
        assistant.warm_up()
        click.echo("  " + _("Grouping assistant: on (%(model)s, on this computer)", model=assistant.embedder.name))
    else:
        from .assist import INSTALL_HINT

        click.echo("  " + _("Grouping assistant: not installed; to offer it in the console: %(command)s", command=INSTALL_HINT))
    if chosen:
        join = f"{base}/j/{chosen['code']}"
        click.echo("\n  " + _("%(title)s — code %(code)s", title=chosen["title"], code=chosen["code"]))
        if chosen["status"] != "open":
            click.echo("  " + _("(this workshop is %(status)s)", status=chosen["status"]))
        click.echo("  " + _("Facilitation (secret): %(url)s", url=f"{base}/f/{chosen['facilitator_token']}"))
        links = service.team_links(chosen["id"])
        if links["moderator"]:
            click.echo("  " + _("Moderation (secret):   %(url)s", url=f"{base}/m/{links['moderator']}"))
        if links["scribe"]:
            click.echo("  " + _("Scribe (secret):       %(url)s", url=f"{base}/e/{links['scribe']}"))
        click.echo("  " + _("Screen / projector:    %(url)s", url=f"{base}/s/{chosen['code']}"))
        click.echo("  " + _("Participants:          %(url)s", url=join) + "\n")
        sys.stdout.flush()
        print_qr(join)
        image = write_qr_image(join, Path(app.instance_path) / f"qr-{chosen['code']}.svg")
        click.echo("  " + _("QR code image: %(path)s", path=image))
        for w in workshops:
            if w is not chosen and w["status"] == "open":
                click.echo("  " + _("other open workshop: %(code)s — %(title)s", code=w["code"], title=w["title"]))
    if host in ("127.0.0.1", "localhost"):
        click.echo("  " + _("(local only: use --host 0.0.0.0 so that phones on the same Wi-Fi can join)"))
    if open_files is not None and open_files < LOW_OPEN_FILES:
        click.echo(
            _(
                "warning: this system lets the server open %(limit)s files: at most about %(phones)s phones at once "
                "(raise the hard limit: ulimit -Hn, LimitNOFILE= for systemd)",
                limit=open_files,
                phones=reachable_phones(open_files),
            )
        )
    sys.stdout.flush()
    run_server(app, host, port, async_mode)


#: below this many open files (sockets included) ``serve`` warns that a plenary will not fit
LOW_OPEN_FILES = 4096
#: files the process keeps open besides the phones' sockets (database, WAL, logs, listening socket, Redis…)
RESERVED_FILES = 64
#: the soft limit asked for when the hard limit is "unlimited" (Linux refuses more than fs.nr_open anyway)
UNLIMITED_FILES = 1 << 20
#: connections waiting to be accepted: a join storm of a whole plenary arrives within a second or two
LISTEN_BACKLOG = 2048


def reachable_phones(open_files: int) -> int:
    """How many phones fit in ``open_files`` descriptors: one WebSocket each, after the server's own files."""
    return max(0, open_files - RESERVED_FILES)


def raise_open_files_limit() -> int | None:
    """Raise the soft limit of open files to the hard limit; returns the limit now in force (None: unknown).

    Every connected phone holds a socket, and the usual soft limit (1,024)
    would refuse the 1,025th phone whatever the server can do.
    """
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = UNLIMITED_FILES if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        for wanted in (target, UNLIMITED_FILES // 2, 65536):
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, target), hard))
                break
            except (ValueError, OSError):
                continue
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return None if soft == resource.RLIM_INFINITY else soft


def run_server(app, host: str, port: int, async_mode: str) -> None:
    """Serve until stopped, with no cap on concurrent connections but the system's.

    Flask-SocketIO's ``run`` keeps eventlet's defaults: at most 1,024
    connections at once (``max_size``; the 1,025th phone waits for a free slot
    and its join times out) and a listen backlog of 50.  gevent's server has no
    connection cap; it gets the same backlog.
    """
    socketio = app.extensions["socketio"]
    if async_mode == "eventlet":
        import eventlet
        import eventlet.wsgi

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = eventlet.listen((host, port), family, backlog=LISTEN_BACKLOG)
        eventlet.wsgi.server(listener, app, log_output=False, max_size=sys.maxsize, keepalive=True)
    elif async_mode == "gevent":
        socketio.run(app, host=host, port=port, log_output=False, backlog=LISTEN_BACKLOG)
    else:
        socketio.run(app, host=host, port=port, log_output=False, allow_unsafe_werkzeug=True)


def resolve_plan(name: str | None, path: Path | None) -> Path:
    """``--plan FILE`` or the name of a plan shipped in sessions/ (``villes-moyennes``)."""
    if path:
        return path
    if not name:
        raise click.UsageError(_("give a plan: %(command)s (or its name)", command="workshop new --plan sessions/<file>.toml"))
    candidate = Path(name)
    if candidate.is_file():
        return candidate
    sessions = shipped_plans()
    shipped = sessions / f"{name.removesuffix('.toml')}.toml"
    if shipped.is_file():
        return shipped
    names = ", ".join(p.stem for p in sorted(sessions.glob("*.toml")))
    raise click.UsageError(_("no plan named %(name)s; shipped plans: %(names)s", name=repr(name), names=names))


@cli.command()
@click.argument("name", required=False)
@click.option("--plan", "plan_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A plan file.")
def new(name, plan_path):
    """Create a workshop from a plan: a file, or the name of a shipped one (villes-moyennes…)."""
    plan_path = resolve_plan(name, plan_path)
    app = _app()
    try:
        created = create_from_plan(app, plan_path)
    except WorkshopError as error:
        fail(error)
    w = created["workshop"]
    click.echo(f"{w['code']}\t{w['title']}")
    click.echo(_("facilitator token: %(token)s", token=created["facilitator_token"]))
    click.echo(_("facilitator page:  %(path)s", path=f"/f/{created['facilitator_token']}"))
    click.echo(_("join page:         %(path)s", path=f"/j/{w['code']}"))


@cli.command("list")
def list_():
    """List workshops with their codes and facilitator links (local operator only)."""
    app = _app()
    workshops = _service(app).list_workshops()
    if not workshops:
        click.echo(
            _(
                "no workshop yet in %(path)s; create one: %(command)s",
                path=app.instance_path,
                command="workshop new villes-moyennes",
            )
        )
        return
    for w in workshops:
        click.echo(f"{w['code']}\t{w['status']}\t/f/{w['facilitator_token']}\t{w['title']}")


@cli.command()
@click.argument("code")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown", "csv", "html", "docx", "snapshot"]),
    default="json",
    show_default=True,
    help="json: re-importable archive; markdown/html/docx: the compte-rendu; csv: one table; snapshot: the raw engine state.",
)
@click.option(
    "--table",
    type=click.Choice(["ideas", "themes", "actions", "votes", "participation"]),
    default="ideas",
    show_default=True,
    help="For csv.",
)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: a file named after the workshop; '-' for stdout).",
)
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
    click.echo(_("written %(file)s", file=target), err=True)


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(path):
    """Recreate a workshop from a JSON export (new code and links, same content)."""
    from .importer import import_snapshot

    app = _app()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(_("%(path)s: not a JSON export (%(error)s)", path=path, error=error)) from None
    try:
        created = import_snapshot(app.extensions["workshop.db"], data)
    except WorkshopError as error:
        fail(error)
    w = created["workshop"]
    click.echo(f"{w['code']}\t{w['title']}")
    click.echo(_("facilitator page:  %(path)s", path=f"/f/{created['facilitator_token']}"))


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
        click.confirm(
            _("Erase the pseudonyms and access links of %(code)s? Ideas and the action plan stay.", code=code.upper()), abort=True
        )
    done = service.erase_personal_data(workshop_id)
    click.echo(
        npgettext(
            "cli",
            "erased: %(num)s participant anonymised, workshop archived",
            "erased: %(num)s participants anonymised, workshop archived",
            done["participants"],
        )
    )


@cli.group()
def db():
    """Database maintenance."""


@db.command()
def upgrade():
    """Create the database or bring its schema to the latest version."""
    app = _app()  # create_app already upgrades
    click.echo(_("database up to date: %(database)s", database=app.config["DATABASE_URL"].split("://")[0]))


# --------------------------------------------------------------------------- backup and restore


def _sqlite_file(app) -> Path:
    """The SQLite file of this instance, or a clear refusal for PostgreSQL (pg_dump does it better)."""
    from sqlalchemy.engine import make_url

    url = make_url(app.config["DATABASE_URL"])
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        raise click.ClickException(
            _(
                "this instance uses %(database)s: back it up with %(command)s (see docs/deploy.md)",
                database=url.drivername.split("+")[0],
                command="pg_dump --format=custom --file=workshop.dump DATABASE",
            )
        )
    return Path(url.database)


def _stamp() -> str:
    return _dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while the server writes (WAL included)."""
    import sqlite3

    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def _check_backup(path: Path) -> int:
    """The number of workshops in a backup file; refuses a file that is not one."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "workshops"} <= tables:
                raise sqlite3.DatabaseError("no workshop tables")
            return conn.execute("SELECT count(*) FROM workshops").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise click.ClickException(_("%(path)s: not a workshop backup (%(error)s)", path=path, error=error)) from None


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: <instance>/backups/workshop-<date>.db).",
)
def backup(output):
    """Copy the SQLite database, safely, even while the server runs."""
    app = _app()
    source = _sqlite_file(app)
    target = output or Path(app.instance_path) / "backups" / f"workshop-{_stamp()}.db"
    if target.exists():
        raise click.ClickException(_("%(path)s exists already", path=target))
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy_sqlite(source, target)
    count = _check_backup(target)
    click.echo(npgettext("cli", "backed up %(num)s workshop to %(path)s", "backed up %(num)s workshops to %(path)s", count, path=target))


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(path, yes):
    """Replace the database with a backup (stop the server first; the current one is kept aside)."""
    app = _app()
    target = _sqlite_file(app)
    count = _check_backup(path)
    if not yes:
        click.confirm(_("Replace %(database)s with %(backup)s? Stop the server first.", database=target, backup=path), abort=True)
    aside = Path(app.instance_path) / "backups" / f"before-restore-{_stamp()}.db"
    aside.parent.mkdir(parents=True, exist_ok=True)
    _copy_sqlite(target, aside)
    app.extensions["workshop.db"].dispose()
    _copy_sqlite(path, target)
    _app()  # migrates a backup made by an older version
    click.echo(npgettext("cli", "restored %(num)s workshop from %(path)s", "restored %(num)s workshops from %(path)s", count, path=path))
    click.echo(_("the previous database is kept in %(path)s", path=aside))


# --------------------------------------------------------------------------- events and the observatory


def _gatherings(app):
    from .gatherings import GatheringService

    return GatheringService(_service(app))


def _write_output(body: bytes, output: Path | None, default_name: str | None) -> None:
    """Write to ``output`` ('-' or no default name: stdout), else to a file named ``default_name``."""
    if (output is not None and str(output) == "-") or (output is None and default_name is None):
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    target = output or Path(default_name)
    target.write_bytes(body)
    click.echo(_("written %(file)s", file=target), err=True)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--territory", help="Only the workshops of this territory (case-insensitive).")
@click.option("--tag", help="Only the workshops with this keyword (case-insensitive).")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
def observatory(fmt, territory, tag, lang, output):
    """Compare workshops: participation by stakeholder group, kept themes, prioritised actions.

    For the local analyst: every workshop of this instance (published or not),
    with its join code; still no pseudonym, token or hidden idea.
    """
    from .exports.observatory import render_csv, render_json

    rows = _gatherings(_app()).observatory(territory, tag, published_only=False, lang=lang)
    body = render_csv(rows, lang) if fmt == "csv" else render_json(rows, {"territory": territory, "tag": tag})
    _write_output(body, output, None)


@cli.group()
def event():
    """Events: parallel ateliers that meet in a plenary (one screen, one combined compte-rendu)."""


def _print_event(view: dict, token: str | None = None) -> None:
    click.echo(f"{view['code']}\t{view['title']}")
    click.echo(_("plenary screen:    %(path)s", path=f"/p/{view['code']}"))
    if token:
        click.echo(_("organiser token:   %(token)s", token=token))
        click.echo(_("organiser export:  %(path)s  (or markdown, html, json)", path=f"/e/{token}/export/docx"))
    for n, w in enumerate(view["workshops"], start=1):
        click.echo("  " + _("workshop %(n)s: %(code)s", n=n, code=w["code"]) + f"\t{w['title']}")


@event.command("new")
@click.option("--title", required=True, help="The event's title (e.g. the day's theme).")
@click.option("--territory", default="", help="Town, conurbation, département or region.")
@click.option("--date", help="YYYY-MM-DD")
@click.argument("codes", nargs=-1)
def event_new(title, territory, date, codes):
    """Create an event grouping the workshops with these join CODES."""
    try:
        created = _gatherings(_app()).create_event(title, territory, date, list(codes))
    except WorkshopError as error:
        fail(error)
    _print_event(created["event"], created["organiser_token"])


@event.command("add")
@click.argument("event_code")
@click.argument("codes", nargs=-1, required=True)
def event_add(event_code, codes):
    """Add workshops (by join code) to the event EVENT_CODE."""
    try:
        view = _gatherings(_app()).add_workshop(event_code, list(codes))
    except WorkshopError as error:
        fail(error)
    _print_event(view)


@event.command("remove")
@click.argument("event_code")
@click.argument("codes", nargs=-1, required=True)
def event_remove(event_code, codes):
    """Take workshops out of the event EVENT_CODE (the workshops are kept)."""
    try:
        view = _gatherings(_app()).remove_workshop(event_code, list(codes))
    except WorkshopError as error:
        fail(error)
    _print_event(view)


@event.command("list")
def event_list():
    """List events with their plenary and organiser links (local operator only)."""
    for e in _gatherings(_app()).list_events():
        count = npgettext("cli", "%(num)s workshop", "%(num)s workshops", len(e["workshops"]))
        click.echo(f"{e['code']}\t/p/{e['code']}\t/e/{e['organiser_token']}/export/docx\t{count}\t{e['title']}")


@event.command("export")
@click.argument("event_code")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html", "docx", "json"]), default="docx", show_default=True)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: a file named after the event; '-' for stdout).",
)
def event_export(event_code, fmt, lang, output):
    """The combined compte-rendu of an event: a title page, then each atelier's section."""
    try:
        body, _media, name = _gatherings(_app()).event_export(event_code, fmt, lang)
    except WorkshopError as error:
        fail(error)
    _write_output(body, output, name)


def _register_assist() -> None:
    """``workshop assist …`` lives in its own module (workshop/assist/cli.py)."""
    from .assist.cli import assist

    cli.add_command(assist)


_register_assist()
