"""HTTP adapter: pages, QR codes, health and the facilitator's JSON export."""

from __future__ import annotations

import io
import json

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..domain.visibility import public_workshop
from ..errors import WorkshopError
from ..services import FACILITATOR, MODERATOR, SCRIBE, STAFF, normalize_code

bp = Blueprint("http", __name__)


def _service():
    return current_app.extensions["workshop.service"]


def base_url() -> str:
    """The address people reach this server at (PUBLIC_URL behind a proxy)."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def join_url(code: str) -> str:
    return f"{base_url()}/j/{code}"


def restitution_url(code: str) -> str:
    """The public restitution page: what became of the room's words (once published)."""
    return f"{base_url()}/r/{code}"


def qr_svg(data: str) -> bytes:
    """A QR code as SVG (scales to a projector without blur)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


@bp.get("/healthz")
def healthz():
    return jsonify(ok=True)


@bp.get("/")
def home():
    code = request.args.get("code")
    if code:
        return redirect(url_for("http.participant", code=code.strip().upper().replace(" ", "")))
    return render_template("home.html")


def _find_workshop_or_none(code: str):
    try:
        return _service().find_workshop(code)
    except WorkshopError:
        return None


@bp.get("/j/<code>")
def participant(code: str):
    """The phone page: the QR code's target."""
    workshop = _find_workshop_or_none(code)
    if workshop is None:
        return render_template("not_found.html", code=code), 404
    page = {
        "role": "participant",
        "code": workshop["code"],
        "workshop": public_workshop(workshop),
        "restitution_url": restitution_url(workshop["code"]),
    }
    return render_template("participant.html", workshop=workshop, page=page, join_url=join_url(workshop["code"]))


@bp.get("/s/<code>")
def screen(code: str):
    """The projector page: read-only, no controls."""
    workshop = _find_workshop_or_none(code)
    if workshop is None:
        return render_template("not_found.html", code=code), 404
    page = {
        "role": "screen",
        "code": workshop["code"],
        "workshop": public_workshop(workshop),
        "join_url": join_url(workshop["code"]),
        "qr_url": url_for("http.qr", code=workshop["code"]),
        "restitution_url": restitution_url(workshop["code"]),
        "restitution_qr_url": url_for("http.restitution_qr", code=workshop["code"]),
    }
    return render_template("screen.html", workshop=workshop, page=page, join_url=join_url(workshop["code"]))


def may_send(role: str) -> list[str]:
    """The writes ``role`` may send, from the server's own table: the page shows only the controls the server allows."""
    from .sockets import WRITE_EVENTS

    writes = [event for event, use_case in WRITE_EVENTS.items() if role in getattr(use_case, "roles", ())]
    extra = ["export"] if role == FACILITATOR else []  # the documents (HTTP, the facilitator's link only)
    return sorted(writes) + extra


def _link_gone(message: str):
    return render_template("not_found.html", code="", message=message, show_form=False), 404


@bp.get("/f/<token>")
def console(token: str):
    """The facilitator console; the token in the URL is the secret."""
    try:
        actor = _service().authenticate(facilitator_token=token)
    except WorkshopError:
        return _link_gone(_("This facilitator link is not valid. Ask whoever created the workshop for it (command: workshop list)."))
    return _console_page(actor, token)


@bp.get("/m/<token>")
def moderator_console(token: str):
    """The console as a moderator sees it: the inbox, the wall, the board; no phase, reveal or publication controls."""
    try:
        actor = _service().authenticate(moderator_token=token)
    except WorkshopError:
        return _link_gone(_("This moderator link is not valid any more. Ask the facilitator for the current one."))
    return _console_page(actor, token)


def _console_page(actor, token: str):
    workshop = _service().snapshot(actor)["workshop"]
    page = {
        "role": actor.role,
        "may": may_send(actor.role),
        "code": workshop["code"],
        "token": token,
        "workshop": workshop,
        "join_url": join_url(workshop["code"]),
        "screen_url": f"{base_url()}/s/{workshop['code']}",
        "qr_url": url_for("http.qr", code=workshop["code"]),
        "restitution_url": restitution_url(workshop["code"]),
        "restitution_qr_url": url_for("http.restitution_qr", code=workshop["code"]),
    }
    if actor.role == FACILITATOR:
        page["export_url"] = url_for("http.export_json", token=token)
        # the links' tokens (then the snapshot's and the `team` broadcasts'); the page prefixes them, never builds them
        page["team"] = _service().team_links(actor.workshop_id)
        page["team_url"] = {role: team_url(role, "") for role in STAFF}
        page["team_qr"] = {role: url_for("http.team_qr", token=token, role=role) for role in STAFF}
    response = make_response(render_template("console.html", workshop=workshop, page=page))
    response.headers["Cache-Control"] = "no-store"
    return response


#: where each team role's page is: ``/m/<secret>``, ``/e/<secret>``
TEAM_PATHS = {MODERATOR: "m", SCRIBE: "e"}


def team_url(role: str, secret: str) -> str:
    return f"{base_url()}/{TEAM_PATHS[role]}/{secret}"


@bp.get("/e/<token>")
def scribe(token: str):
    """The scribe's phone page: type the paper notes of people without a phone, choosing their group each time."""
    try:
        actor = _service().authenticate(scribe_token=token)
    except WorkshopError:
        return _link_gone(_("This scribe link is not valid any more. Ask the facilitator for the current one."))
    workshop = _service().snapshot(actor)["workshop"]
    page = {"role": SCRIBE, "may": may_send(SCRIBE), "code": workshop["code"], "token": token, "workshop": workshop}
    response = make_response(render_template("scribe.html", workshop=workshop, page=page))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/f/<token>/team/<role>.svg")
def team_qr(token: str, role: str):
    """The QR code of a team link (moderator, scribe), for the facilitator to hand it to a helper's phone."""
    actor = _facilitator_or_404(token)
    if role not in STAFF:
        abort(404)
    secret = _service().team_links(actor.workshop_id)[role]
    if not secret:
        abort(404)
    response = Response(qr_svg(team_url(role, secret)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/qr/<code>.svg")
def qr(code: str):
    return _qr_response(code, join_url)


@bp.get("/r/<code>")
def restitution(code: str):
    """The public restitution ("ce qu'est devenue votre parole"): server-rendered, no script.

    Only once the facilitator published it; otherwise (and for an unknown
    code) a 404 page that says so.  Nothing here comes from a pseudonym, a
    hidden idea or a token: the page is built from ``domain.restitution``'s
    whitelist.
    """
    from .i18n import format_day as format_date  # every phone language, not only the documents' two

    try:
        data = _service().restitution(code)
    except WorkshopError:
        response = make_response(render_template("restitution.html", data=None), 404)
    else:
        lang = _locale()
        published = (data["workshop"]["published_at"] or "")[:10]
        response = make_response(
            render_template(
                "restitution.html",
                data=data,
                date_label=lambda day: format_date(day, lang),
                published_label=format_date(published, lang),
                public_url=restitution_url(normalize_code(code)),
                qr_src=url_for("http.restitution_qr", code=normalize_code(code)),
            )
        )
    response.headers["Cache-Control"] = "no-cache"
    return response


# The accessibility statement says what was tested: keep these with tests/browser/vendor/axe-core and the tests.
AXE_VERSION = "4.14.1"
STATEMENT_DATE = "2026-12-04"


@bp.get("/accessibilite")
def accessibility():
    """The accessibility statement (RGAA-style): status, what was tested and how, known gaps, contact and appeal."""
    from ..exports.i18n import format_date

    return render_template("accessibility.html", axe_version=AXE_VERSION, statement_date=format_date(STATEMENT_DATE, _locale()))


@bp.get("/qr/r/<code>.svg")
def restitution_qr(code: str):
    """QR code of the restitution page (for the projector, the phones, a printed poster)."""
    return _qr_response(code, restitution_url)


def _qr_response(code: str, url_for_code) -> Response:
    """The QR code (SVG) of one of a workshop's public addresses; 404 for an unknown code."""
    workshop = _find_workshop_or_none(code)
    if workshop is None:
        abort(404)
    response = Response(qr_svg(url_for_code(workshop["code"])), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _locale() -> str:
    from .i18n import select_locale

    return select_locale()


@bp.get("/api/workshops/<code>")
def workshop_info(code: str):
    """Public facts needed by the join page (title, question, groups offered)."""
    try:
        workshop = _service().find_workshop(code)
    except WorkshopError as error:
        return jsonify(ok=False, error={"code": error.code}), 404
    public = {k: workshop[k] for k in ("code", "title", "territory", "date", "language")}
    public["groups"] = workshop["settings"]["groups"]
    public["anonymous"] = workshop["settings"]["anonymous"]
    public["join_url"] = join_url(workshop["code"])
    return jsonify(ok=True, data=public)


@bp.get("/f/<token>/export.json")
def export_json(token: str):
    """The complete engine snapshot, for the facilitator only (the token is the secret)."""
    actor = _facilitator_or_404(token)
    snapshot = _service().full_snapshot(actor.workshop_id)
    body = json.dumps(snapshot, ensure_ascii=False, indent=2)
    return _download(body.encode("utf-8"), "application/json", f"atelier-{snapshot['workshop']['code']}.json")


@bp.get("/f/<token>/export/<fmt>")
def export_document(token: str, fmt: str):
    """Summary and data exports (docx, html, markdown, csv, json archive), facilitator only."""
    from .. import exports

    actor = _facilitator_or_404(token)
    if fmt not in exports.FORMATS:
        abort(404)
    lang = request.args.get("lang", "fr")
    table = request.args.get("table", "ideas")
    if lang not in ("fr", "en") or table not in exports.CSV_TABLES:
        abort(400)
    snapshot = _service().full_snapshot(actor.workshop_id)
    body = exports.export(snapshot, fmt, lang=lang, **({"table": table} if fmt == "csv" else {}))
    name = exports.filename(snapshot, fmt, lang, table=table)
    inline = fmt == "html" and request.args.get("view") == "1"
    return _download(body, exports.media_type(fmt), name, inline=inline)


def _facilitator_or_404(token: str):
    try:
        actor = _service().authenticate(facilitator_token=token)
    except WorkshopError:
        abort(404)
    assert actor.role == FACILITATOR
    return actor


def _download(body: bytes, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    """A document as an attachment (or inline), with exactly the Content-Type its format names.

    ``mimetype`` may carry its charset already (``text/csv; charset=utf-8``): it is passed as
    ``content_type``, which werkzeug sends as is (``mimetype=`` would append a second charset).
    """
    disposition = "inline" if inline else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{filename}"', "Cache-Control": "no-store"}
    if mimetype.startswith("text/html"):
        # A self-contained document with its own print stylesheet and no script.
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return Response(body, content_type=mimetype, headers=headers)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def security_headers(response):
    """No third-party anything; facilitator URLs carry a secret, so never send a Referer."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def page_not_found(_error):
    """A mistyped address gets the styled page in the person's language, with the code form."""
    if request.path.startswith("/api/"):
        return jsonify(ok=False, error={"code": "not_found"}), 404
    message = _("This address leads nowhere. Check the link, or type the code shown on the screen.")
    return render_template("not_found.html", code="", message=message), 404


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(404, page_not_found)
    app.after_request(security_headers)
