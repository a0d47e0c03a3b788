"""HTTP adapter for events and the observatory.

* ``GET /p/<event code>`` — the plenary screen: the event's ateliers side by
  side, live (the page opens one Socket.IO connection per atelier as a
  ``screen``: the existing protocol, no server-side socket change);
* ``GET /e/<organiser token>/export/<fmt>`` — the combined compte-rendu
  (markdown, html, docx, json), for the organiser only: the token is the
  secret, anything else is a 404;
* ``GET /observatory`` (+ ``.csv``, ``.json``) — workshops whose restitution
  is published, compared side by side, filtered by territory and tag.

Thin: it reads the request, calls :class:`workshop.gatherings.GatheringService`
and renders; the rules live in the service.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..errors import WorkshopError
from ..gatherings import GatheringService
from .http import _download, base_url

bp = Blueprint("gatherings", __name__)


def _gatherings() -> GatheringService:
    return current_app.extensions["workshop.gatherings"]


def _lang() -> str:
    return str(get_locale() or "fr")


@bp.get("/p/<code>")
def plenary(code: str):
    """The plenary screen (projector, read-only): every atelier's synthesis and action plan, live."""
    try:
        event = _gatherings().event_view(code)
    except WorkshopError:
        return render_template("not_found.html", code="", message=_("No event has this code."), show_form=False), 404
    workshops = [{k: w[k] for k in ("code", "title", "territory", "status")} for w in event["workshops"]]
    from ..exports.common import format_date

    event["date_label"] = format_date(event["date"], _lang())
    page = {
        "role": "plenary",
        "code": event["code"],
        "event": {k: event[k] for k in ("title", "territory", "date")},
        "workshops": workshops,
        "base_url": base_url(),
    }
    return render_template("plenary.html", event=event, workshops=workshops, page=page)


@bp.get("/e/<token>/export/<fmt>")
def event_export(token: str, fmt: str):
    """The event's combined compte-rendu, for its organiser only."""
    from ..exports import event as event_exports

    try:
        event = _gatherings().event_for_organiser(token)
    except WorkshopError:
        abort(404)
    if fmt not in event_exports.FORMATS:
        abort(404)
    lang = request.args.get("lang", "fr")
    if lang not in ("fr", "en"):
        abort(400)
    body, mimetype, name = _gatherings().event_export(event["code"], fmt, lang)
    inline = fmt == "html" and request.args.get("view") == "1"
    return _download(body, mimetype, name, inline=inline)


def _filters() -> dict[str, str]:
    return {
        "territory": (request.args.get("territory") or "").strip()[:200],
        "tag": (request.args.get("tag") or "").strip()[:60],
    }


def _public_rows(filters: dict[str, str]) -> list[dict]:
    """Only published restitutions: public data, never a pseudonym, a hidden idea or a code."""
    return _gatherings().observatory(filters["territory"] or None, filters["tag"] or None, published_only=True, lang=_lang())


@bp.get("/observatory")
def observatory():
    """Published workshops compared: participation by stakeholder group, kept themes and actions."""
    from ..exports.common import format_date
    from ..exports.observatory import groups_of, kept_themes, top_actions

    lang = _lang()
    filters = _filters()
    rows = _public_rows(filters)
    query = {k: v for k, v in filters.items() if v}
    return render_template(
        "observatory.html",
        rows=rows,
        filters=filters,
        options=_gatherings().observatory_filters(published_only=True),
        groups=groups_of(rows),
        kept_themes=kept_themes,
        top_actions=top_actions,
        date_label=lambda value: format_date(value, lang),
        csv_url=url_for("gatherings.observatory_csv", **query),
        json_url=url_for("gatherings.observatory_json", **query),
    )


@bp.get("/observatory.csv")
def observatory_csv():
    from ..exports.observatory import render_csv

    lang = _lang()
    body = render_csv(_public_rows(_filters()), lang)
    return _download(body, "text/csv; charset=utf-8", "observatoire.csv" if lang == "fr" else "observatory.csv")


@bp.get("/observatory.json")
def observatory_json():
    from ..exports.observatory import render_json

    filters = _filters()
    body = render_json(_public_rows(filters), filters)
    return _download(body, "application/json", "observatoire.json" if _lang() == "fr" else "observatory.json")


def init_app(app) -> None:
    app.extensions["workshop.gatherings"] = GatheringService(app.extensions["workshop.service"])
    app.register_blueprint(bp)
