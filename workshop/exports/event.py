"""The combined compte-rendu of an event: one document for all its parallel ateliers.

``export(event, snapshots, fmt, lang="fr") -> bytes`` where ``event`` is the
event's public view (title, territory, date — see
:meth:`workshop.gatherings.GatheringService.event_view`) and ``snapshots`` the
``workshop-snapshot/1`` of each atelier, in order.  Pure functions, composed
from the same pieces as the per-workshop exports: a title page for the event
(its ateliers, their questions, the totals), then each atelier's sections as
its own document writes them — the same report model
(:func:`.common.build_report`), the same Markdown section writer, the same
Jinja partials, the same Word section writer — one heading level down so the
event is the top of the outline.  Same privacy rules, therefore: visible ideas
only, stakeholder groups only, no pseudonym, token or code.

Formats: ``markdown``, ``html`` (self-contained, print-ready), ``docx``
(:mod:`.event_docx`) and ``json`` (``workshop-event-export/1``: the event and
each atelier's compte-rendu content as data — not the re-importable archive,
which keeps moderated ideas; ``workshop export --format json`` gives that per
workshop).
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import ValidationError
from . import MEDIA_TYPES
from . import markdown as md
from .common import build_report, slugify
from .i18n import Wording, check_lang, wording

FORMATS = ("markdown", "html", "docx", "json")
EXTENSIONS = {"markdown": "md", "html": "html", "docx": "docx", "json": "json"}
SCHEMA_ID = "workshop-event-export/1"


# --------------------------------------------------------------------------- the model


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationError("invalid_field", field="format")
    return fmt


def media_type(fmt: str) -> str:
    return MEDIA_TYPES[_check_format(fmt)]


def filename(event: dict, fmt: str, lang: str = "fr") -> str:
    """'compte-rendu-rencontre-quelle-politique-de-la-ville-demain-2020-11-03.docx'."""
    t = wording(check_lang(lang))
    kind = t.pgettext("file name", "event") if _check_format(fmt) == "json" else t.pgettext("file name", "event-summary")
    parts = [kind, slugify(event.get("title") or "")]
    if event.get("date"):
        parts.append(event["date"])
    return "-".join(parts) + "." + EXTENSIONS[fmt]


def build_event_report(event: dict, snapshots: list[dict], lang: str = "fr") -> dict[str, Any]:
    """The title page's content (the event's facts, one line per atelier, the totals) and each atelier's report."""
    t = wording(check_lang(lang))
    ateliers = []
    for n, snapshot in enumerate(snapshots, start=1):
        report = build_report(snapshot, lang)
        ateliers.append(
            {
                "n": n,
                "label": t._("Workshop %(n)s", n=n),
                "title": report["title"],
                "territory": report["territory"],
                "date_label": report["date_label"],
                "questions": [r["question"] for r in report["rounds"]],
                **{k: report["totals"][k] for k in ("participants", "contributions", "kept_themes", "actions")},
                "report": report,
            }
        )
    count = len(ateliers)
    return {
        "lang": lang,
        "title": event.get("title") or "",
        "territory": event.get("territory") or "",
        "date": event.get("date"),
        "date_label": t.date(event.get("date")),
        "count_label": t.ngettext("%(num)s workshop", "%(num)s parallel workshops", count),
        "ateliers": ateliers,
        "totals": {
            "ateliers": count,
            **{k: sum(a[k] for a in ateliers) for k in ("participants", "contributions", "kept_themes", "actions")},
        },
    }


# --------------------------------------------------------------------------- Markdown


def _atelier_heading(atelier: dict, t: Wording) -> str:
    """'Atelier 2 — Transitions', unless the title is already numbered ('Atelier 2 - Droit…')."""
    title = md.inline(atelier["title"])
    if title.casefold().startswith(t._("Workshop").casefold()):
        return title
    return f"{atelier['label']} — {title}"


def render_markdown(event: dict, snapshots: list[dict], lang: str = "fr") -> bytes:
    report = build_event_report(event, snapshots, lang)
    t = wording(lang)
    out = [md.heading("#", md.inline(report["title"])), "", "*" + t._("Event summary") + f" — {report['count_label']}*", ""]
    out += md.facts(report, t, tags=False)
    out += [t.event_intro(), "", md.heading("##", t._("The workshops")), ""]
    if not report["ateliers"]:
        out += [t._("No workshop belongs to this event."), ""]
    else:
        rows = [
            [
                str(a["n"]),
                md.inline(a["title"]),
                " / ".join(md.inline(q) for q in a["questions"]),
                str(a["participants"]),
                str(a["contributions"]),
                str(a["kept_themes"]),
                str(a["actions"]),
            ]
            for a in report["ateliers"]
        ]
        totals = report["totals"]
        rows.append(
            ["", "**" + md.esc(t._("Total")) + "**", ""]
            + [f"**{totals[k]}**" for k in ("participants", "contributions", "kept_themes", "actions")]
        )
        header = [
            t._("No."),
            t._("Workshop"),
            t._("Question asked"),
            t._("Participants"),
            t._("Contributions"),
            t._("Themes kept"),
            t._("Actions"),
        ]
        out += md.table(header, rows, ["r", "l", "l", "r", "r", "r", "r"]) + [""]
    for a in report["ateliers"]:
        out += [md.heading("##", _atelier_heading(a, t)), ""] + md.workshop_lines(a["report"], t, depth=2)
    return md.finish(out + md.colophon(t, event=True))


# --------------------------------------------------------------------------- HTML


def render_html(event: dict, snapshots: list[dict], lang: str = "fr") -> bytes:
    from .html import render_template, running_right

    report = build_event_report(event, snapshots, lang)
    kind = wording(lang).pgettext("document", "Summary")
    return render_template("event.html", lang, event=report, running_left=report["title"], running_right=running_right(kind, report))


# --------------------------------------------------------------------------- JSON


def to_event_export(event: dict, snapshots: list[dict], lang: str = "fr") -> dict[str, Any]:
    """``workshop-event-export/1``: the event's facts and, per atelier, the content of its
    compte-rendu as data (the report every document is built from).

    Like the documents — and unlike a workshop's re-importable archive — it holds
    only what may circulate: visible ideas, stakeholder groups, themes, actions
    and votes; no hidden idea, pseudonym, participant, join code or token.
    """
    from .. import __version__

    report = build_event_report(event, snapshots, lang)
    ateliers = [{"n": a["n"], **{k: v for k, v in a["report"].items() if k != "lang"}} for a in report["ateliers"]]
    return {
        "schema": SCHEMA_ID,
        "generator": f"workshop {__version__}",
        "lang": lang,
        "event": {
            "title": report["title"],
            "territory": report["territory"],
            "date": report["date"],
            "totals": report["totals"],
        },
        "workshops": ateliers,
    }


def render_json(event: dict, snapshots: list[dict], lang: str = "fr") -> bytes:
    return (json.dumps(to_event_export(event, snapshots, lang), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- entry point


def render_docx(event: dict, snapshots: list[dict], lang: str = "fr") -> bytes:
    from .event_docx import render

    return render(build_event_report(event, snapshots, lang), wording(lang))


RENDERERS = {"markdown": render_markdown, "html": render_html, "docx": render_docx, "json": render_json}


def export(event: dict, snapshots: list[dict], fmt: str, lang: str = "fr") -> bytes:
    """The combined document of an event in ``fmt`` ('markdown', 'html', 'docx' or 'json')."""
    _check_format(fmt)
    check_lang(lang)
    return RENDERERS[fmt](event, snapshots, lang)


__all__ = ["FORMATS", "SCHEMA_ID", "build_event_report", "export", "filename", "media_type", "to_event_export"]
