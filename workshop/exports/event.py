"""The combined compte-rendu of an event: one document for all its parallel ateliers.

``export(event, snapshots, fmt, lang="fr") -> bytes`` where ``event`` is the
event's public view (title, territory, date — see
:meth:`workshop.gatherings.GatheringService.event_view`) and ``snapshots`` the
``workshop-snapshot/1`` of each atelier, in order.  Pure functions, like the
per-workshop exports they are built from: a title page for the event (its
ateliers, their questions, the totals), then each atelier's compte-rendu
exactly as its own document says it — same content, same privacy rules
(visible ideas only, stakeholder groups only, no pseudonym, token or code) —
with its headings moved one level down so the event is the top of the outline.

Formats: ``markdown``, ``html`` (self-contained, print-ready), ``docx`` and
``json`` (``workshop-event-export/1``: the event and each atelier's
compte-rendu content as data — not the re-importable archive, which keeps
moderated ideas; ``workshop export --format json`` gives that per workshop).
"""

from __future__ import annotations

import copy
import io
import json
import re
from typing import Any

from ..errors import ValidationError
from . import MEDIA_TYPES
from .common import build_report, check_lang, colon, format_date, slugify

FORMATS = ("markdown", "html", "docx", "json")
EXTENSIONS = {"markdown": "md", "html": "html", "docx": "docx", "json": "json"}
SCHEMA_ID = "workshop-event-export/1"

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "doc_kind": "Compte-rendu de la rencontre",
        "summary_short": "compte-rendu",
        "ateliers_count_one": "{n} atelier",
        "ateliers_count_many": "{n} ateliers en parallèle",
        "ateliers": "Les ateliers",
        "atelier": "Atelier {n}",
        "atelier_col": "Atelier",
        "questions": "Question posée",
        "participants": "Participants",
        "contributions": "Contributions",
        "kept_themes": "Thèmes retenus",
        "actions": "Actions",
        "at_a_glance": "En bref",
        "territory": "Territoire",
        "date": "Date",
        "intro": (
            "Ce document réunit les comptes-rendus des ateliers qui se sont tenus en parallèle. "
            "Chacun a sa propre partie : la question posée, les idées regroupées par thème, les objectifs "
            "et critères de réussite des thèmes retenus, puis les actions prioritaires avec leur fiche."
        ),
        "no_workshops": "Aucun atelier n'est rattaché à cette rencontre.",
        "generated_by": "Document produit avec workshop, à partir des contributions saisies pendant les ateliers.",
        "page": "Page",
        "of": "sur",
        "file.summary": "compte-rendu-rencontre",
        "file.archive": "rencontre",
    },
    "en": {
        "doc_kind": "Event summary",
        "summary_short": "summary",
        "ateliers_count_one": "{n} workshop",
        "ateliers_count_many": "{n} parallel workshops",
        "ateliers": "The workshops",
        "atelier": "Workshop {n}",
        "atelier_col": "Workshop",
        "questions": "Question asked",
        "participants": "Participants",
        "contributions": "Contributions",
        "kept_themes": "Themes kept",
        "actions": "Actions",
        "at_a_glance": "At a glance",
        "territory": "Territory",
        "date": "Date",
        "intro": (
            "This document brings together the summaries of the workshops held in parallel. Each has its own "
            "part: the question asked, the ideas grouped by theme, the objectives and success criteria of the "
            "themes kept, then the priority actions with their sheet."
        ),
        "no_workshops": "No workshop belongs to this event.",
        "generated_by": "Document produced with workshop from the contributions typed in during the workshops.",
        "page": "Page",
        "of": "of",
        "file.summary": "event-summary",
        "file.archive": "event",
    },
}


# --------------------------------------------------------------------------- the model


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationError("invalid_field", field="format")
    return fmt


def media_type(fmt: str) -> str:
    return MEDIA_TYPES[_check_format(fmt)]


def filename(event: dict, fmt: str, lang: str = "fr") -> str:
    """'compte-rendu-rencontre-quelle-politique-de-la-ville-demain-2020-11-03.docx'."""
    L = LABELS[check_lang(lang)]
    kind = L["file.archive"] if _check_format(fmt) == "json" else L["file.summary"]
    parts = [kind, slugify(event.get("title") or "")]
    if event.get("date"):
        parts.append(event["date"])
    return "-".join(parts) + "." + EXTENSIONS[fmt]


def build_event_report(event: dict, snapshots: list[dict], lang: str = "fr") -> dict[str, Any]:
    """The title page's content: the event's facts, one line per atelier, the totals."""
    L = LABELS[check_lang(lang)]
    ateliers = []
    for n, snapshot in enumerate(snapshots, start=1):
        report = build_report(snapshot, lang)
        ateliers.append(
            {
                "n": n,
                "label": L["atelier"].format(n=n),
                "title": report["title"],
                "territory": report["territory"],
                "date_label": report["date_label"],
                "questions": [r["question"] for r in report["rounds"]],
                "participants": report["totals"]["participants"],
                "contributions": report["totals"]["contributions"],
                "kept_themes": report["totals"]["kept_themes"],
                "actions": report["totals"]["actions"],
            }
        )
    count = len(ateliers)
    return {
        "lang": lang,
        "labels": L,
        "title": event.get("title") or "",
        "territory": event.get("territory") or "",
        "date": event.get("date"),
        "date_label": format_date(event.get("date"), lang),
        "count_label": L["ateliers_count_one" if count == 1 else "ateliers_count_many"].format(n=count),
        "ateliers": ateliers,
        "totals": {
            "ateliers": count,
            **{k: sum(a[k] for a in ateliers) for k in ("participants", "contributions", "kept_themes", "actions")},
        },
    }


# --------------------------------------------------------------------------- Markdown


_MD_HEADING = re.compile(r"^(#{1,5}) ", re.MULTILINE)


def _atelier_markdown(snapshot: dict, n: int, lang: str) -> str:
    """One atelier's Markdown compte-rendu, its headings one level down and its colophon left to the event."""
    from .markdown import render

    L = LABELS[lang]
    text = render(snapshot, lang).decode("utf-8")
    first, _, rest = text.partition("\n")
    # User text is escaped by the Markdown export ('#' becomes '\#'), so a line starting
    # with '#' is always one of its own headings.
    rest = _MD_HEADING.sub(lambda m: "#" + m.group(1) + " ", rest)
    colophon = f"\n---\n\n*{_common_labels(lang)['generated_by']}*\n"
    if rest.endswith(colophon):
        rest = rest[: -len(colophon)]
    title = first[2:]
    if not title.casefold().startswith(L["atelier_col"].casefold()):  # "Atelier 2 - Droit…" is already numbered
        title = f"{L['atelier'].format(n=n)} — {title}"
    return f"## {title}\n{rest.rstrip()}\n"


def _common_labels(lang: str) -> dict[str, str]:
    from .common import LABELS as WORKSHOP_LABELS

    return WORKSHOP_LABELS[lang]


def render_markdown(event: dict, snapshots: list[dict], lang: str = "fr") -> bytes:
    from .markdown import _table, esc, inline

    report = build_event_report(event, snapshots, lang)
    L = report["labels"]
    c = colon(lang)
    out: list[str] = [f"# {inline(report['title'])}", "", f"*{L['doc_kind']} — {report['count_label']}*", ""]
    facts = []
    if report["territory"]:
        facts.append(f"**{L['territory']}{c}** {inline(report['territory'])}")
    if report["date_label"]:
        facts.append(f"**{L['date']}{c}** {report['date_label']}")
    if facts:
        out += ["  \n".join(facts), ""]
    out += [L["intro"], "", f"## {L['ateliers']}", ""]
    if not report["ateliers"]:
        out += [L["no_workshops"], ""]
    else:
        rows = [
            [
                str(a["n"]),
                inline(a["title"]),
                " / ".join(inline(q) for q in a["questions"]),
                str(a["participants"]),
                str(a["contributions"]),
                str(a["kept_themes"]),
                str(a["actions"]),
            ]
            for a in report["ateliers"]
        ]
        t = report["totals"]
        rows.append(["", f"**{esc(_common_labels(lang)['total'])}**", "", f"**{t['participants']}**", f"**{t['contributions']}**",
                     f"**{t['kept_themes']}**", f"**{t['actions']}**"])
        out += _table(
            [_common_labels(lang)["number"], L["atelier_col"], L["questions"], L["participants"], L["contributions"], L["kept_themes"], L["actions"]],
            rows,
            ["r", "l", "l", "r", "r", "r", "r"],
        )
        out.append("")
    for n, snapshot in enumerate(snapshots, start=1):
        out += [_atelier_markdown(snapshot, n, lang)]
    out += ["---", "", f"*{L['generated_by']}*"]
    return ("\n".join(out).rstrip("\n") + "\n").encode("utf-8")


# --------------------------------------------------------------------------- HTML


EVENT_STYLE = """
/* the event's title page */
.event-cover .lead { font-size: 11.5pt; max-width: 160mm; }
.event-cover .glance div { border-top-color: var(--kept); background: var(--kept-soft); }
.event-cover .glance strong { color: var(--kept); }
.toc .q { display: block; margin-left: 5.5em; font-size: 9.5pt; color: var(--muted); }
/* each atelier: its own compte-rendu, headings one level down */
.atelier { border-top: 6px solid var(--accent); margin-top: 12mm; padding-top: 2mm; }
.atelier .cover { min-height: 0; }
.atelier .cover .band { border-top: 0; padding-top: 4mm; }
.atelier .cover h2 { font-size: 24pt; color: var(--ink); border: 0; margin: 0 0 .3em; padding: 0; }
.atelier h3 { font-size: 17pt; border-bottom: 2px solid var(--accent); padding-bottom: .2em; margin: 1.2em 0 .4em; color: var(--accent); }
.atelier h4 { font-size: 13pt; margin: 1.4em 0 .4em; color: var(--accent); }
.atelier h5 { font-size: 11.5pt; color: var(--ink); margin: 1em 0 .3em; line-height: 1.2; }
.atelier .theme h5 { margin-top: 2mm; }
.atelier .action h5 { display: flex; gap: 3mm; align-items: baseline; border-bottom: 1px solid var(--rule); padding-bottom: 1.5mm; }
.atelier-label { display: inline-block; background: var(--accent); color: #fff; font-weight: 700; font-size: 9pt;
                 letter-spacing: .06em; text-transform: uppercase; padding: .5mm 2.5mm; border-radius: 1mm; margin: 0; }
@media print {
  .atelier { break-before: page; border-top: 0; margin-top: 0; padding-top: 0; }
  .atelier .cover { min-height: 247mm; }
  h5 { break-after: avoid; }
}
"""

_HTML_HEADING = re.compile(r"<(/?)h([1-5])([ >])")
_HTML_ID = re.compile(r'\b(id|href)="(#?)([^"]+)"')


def _atelier_html(snapshot: dict, n: int, lang: str) -> str:
    """One atelier's HTML compte-rendu as a section: body only, headings one level down, ids made unique."""
    from .html import render

    page = render(snapshot, lang).decode("utf-8")
    body = page.split("<body>\n", 1)[1].split('\n<footer class="colophon">', 1)[0]
    # Everything people typed was escaped by the HTML export ('<' is '&lt;', '"' is '&quot;'),
    # so these patterns only ever meet the export's own markup.
    body = _HTML_HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}{m.group(3)}", body)
    body = _HTML_ID.sub(lambda m: f'{m.group(1)}="{m.group(2)}a{n}-{m.group(3)}"', body)
    body = body.replace("<main>", '<div class="atelier-body">').replace("</main>", "</div>")
    return body


def render_html(event: dict, snapshots: list[dict], lang: str = "fr") -> bytes:
    from .html import STYLE, css_string, e, multiline

    report = build_event_report(event, snapshots, lang)
    L = report["labels"]
    out: list[str] = []
    add = out.append
    right = css_string(" · ".join(x for x in (L["summary_short"].capitalize(), report["territory"], report["date_label"]) if x))
    page_style = f"""
@page {{ size: A4; margin: 20mm 17mm 18mm 17mm;
  @top-left {{ content: {css_string(report['title'])}; font-size: 8pt; color: #5b6470; }}
  @top-right {{ content: {right}; font-size: 8pt; color: #5b6470; }}
  @bottom-right {{ content: {css_string(L['page'] + ' ')} counter(page) {css_string(' ' + L['of'] + ' ')} counter(pages); font-size: 8pt; color: #5b6470; }}
}}
@page :first {{ @top-left {{ content: none; }} @top-right {{ content: none; }} @bottom-right {{ content: none; }} }}
"""
    add("<!DOCTYPE html>")
    add(f'<html lang="{e(lang)}">')
    add("<head>")
    add('<meta charset="utf-8">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add('<meta name="generator" content="workshop">')
    add(f"<title>{e(L['summary_short'].capitalize())} — {e(report['title'])}</title>")
    add(f"<style>{STYLE}{EVENT_STYLE}{page_style}</style>")
    add("</head>")
    add("<body>")

    facts = " · ".join(e(x) for x in (report["territory"], report["date_label"]) if x)
    add('<header class="cover event-cover"><div class="band">')
    add(f'<p class="kicker">{e(L["doc_kind"])} — {e(report["count_label"])}</p>')
    add(f"<h1>{e(report['title'])}</h1>")
    if facts:
        add(f'<p class="facts">{facts}</p>')
    add(f'<p class="lead">{e(L["intro"])}</p>')
    t = report["totals"]
    add(f'<div class="glance" role="list" aria-label="{e(L["at_a_glance"])}">')
    for value, label in (
        (t["ateliers"], L["atelier_col"] + ("s" if t["ateliers"] != 1 else "")),
        (t["participants"], L["participants"]),
        (t["contributions"], L["contributions"]),
        (t["actions"], L["actions"]),
    ):
        add(f'<div role="listitem"><strong>{value}</strong><span>{e(label)}</span></div>')
    add("</div></div>")
    add(f'<nav class="toc" aria-label="{e(L["ateliers"])}"><p class="kicker">{e(L["ateliers"])}</p><ol>')
    if not report["ateliers"]:
        add(f"<li>{e(L['no_workshops'])}</li>")
    for a in report["ateliers"]:
        questions = "".join(f'<span class="q">{multiline(q)}</span>' for q in a["questions"])
        add(f'<li><a href="#atelier-{a["n"]}"><span class="n">{e(a["label"])}</span>{e(a["title"])}</a>{questions}</li>')
    add("</ol></nav></header>")

    add("<main>")
    for n, snapshot in enumerate(snapshots, start=1):
        add(f'<section class="atelier" id="atelier-{n}" aria-label="{e(L["atelier"].format(n=n))}">')
        add(f'<p class="atelier-label">{e(L["atelier"].format(n=n))}</p>')
        add(_atelier_html(snapshot, n, lang))
        add("</section>")
    add("</main>")
    add(f'<footer class="colophon"><p class="note">{e(L["generated_by"])}</p></footer>')
    add("</body>")
    add("</html>")
    return ("\n".join(out) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- Word


_STYLE_DOWN = {"Title": "Heading1", "Heading1": "Heading2", "Heading2": "Heading3", "Heading3": "Heading4"}


def render_docx(event: dict, snapshots: list[dict], lang: str = "fr") -> bytes:
    """A title page for the event, then each atelier's Word compte-rendu appended (headings one level down)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from . import docx as word

    report = build_event_report(event, snapshots, lang)
    L = report["labels"]
    W = _common_labels(lang)
    # One level more than a workshop's document: Heading 1 is an atelier (its title), 4 an item.
    doc = word.new_document(report, lang, heading_sizes=((1, 20), (2, 17), (3, 13.5), (4, 11.5)))
    width = word.USABLE_WIDTH_CM

    # ---- the event's title page
    kicker = doc.add_paragraph()
    kicker.paragraph_format.space_before = Pt(60)
    word._text(kicker, f"{L['doc_kind']} — {report['count_label']}".upper(), bold=True, color=word.ACCENT, size=10)
    doc.add_paragraph(report["title"], style="Title")
    facts = " · ".join(x for x in (report["territory"], report["date_label"]) if x)
    if facts:
        word._text(doc.add_paragraph(), facts, color=word.MUTED, size=14)
    word._text(doc.add_paragraph(), L["intro"])
    totals = report["totals"]
    glance = doc.add_table(rows=2, cols=4)
    glance.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (value, label) in enumerate(
        ((totals["ateliers"], L["atelier_col"] + ("s" if totals["ateliers"] != 1 else "")), (totals["participants"], L["participants"]),
         (totals["contributions"], L["contributions"]), (totals["actions"], L["actions"]))
    ):
        top, bottom = glance.rows[0].cells[i], glance.rows[1].cells[i]
        for cell in (top, bottom):
            word._shade(cell, word.SOFT_FILL)
        word._cell_text(top, str(value), bold=True, color=word.ACCENT, size=22)
        word._cell_text(bottom, label, color=word.MUTED, size=9)
    word._widths(glance, [width / 4] * 4)
    doc.add_paragraph()
    doc.add_heading(L["ateliers"], level=1)
    if not report["ateliers"]:
        doc.add_paragraph(L["no_workshops"])
    else:
        word._table(
            doc,
            [W["number"], L["atelier_col"], L["questions"], L["participants"], L["kept_themes"], L["actions"]],
            [[a["n"], a["title"], "\n".join(a["questions"]), a["participants"], a["kept_themes"], a["actions"]] for a in report["ateliers"]],
            [1.0, 4.0, 6.5, 2.3, 1.7, 1.5],
            numeric={0, 3, 4, 5},
            total=["", W["total"], "", totals["participants"], totals["kept_themes"], totals["actions"]],
        )

    # ---- each atelier's own document, appended
    body = doc.element.body
    final_section = body[-1] if body[-1].tag == qn("w:sectPr") else None
    for n, snapshot in enumerate(snapshots, start=1):
        page_break = doc.add_paragraph()
        page_break.add_run().add_break(WD_BREAK.PAGE)
        label = doc.add_paragraph()
        word._text(label, L["atelier"].format(n=n).upper(), bold=True, color=word.KEPT, size=11)
        sub = Document(io.BytesIO(word.render(snapshot, lang)))
        for element in list(sub.element.body):
            if element.tag == qn("w:sectPr"):
                continue
            element = copy.deepcopy(element)
            for style in element.iter(qn("w:pStyle")):
                value = style.get(qn("w:val"))
                if value in _STYLE_DOWN:
                    style.set(qn("w:val"), _STYLE_DOWN[value])
            if final_section is not None:
                final_section.addprevious(element)
            else:
                body.append(element)
    word._text(doc.add_paragraph(), L["generated_by"], italic=True, color=word.MUTED, size=8.5)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


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
    ateliers = []
    for n, snapshot in enumerate(snapshots, start=1):
        data = {k: v for k, v in build_report(snapshot, lang).items() if k not in ("labels", "lang")}
        ateliers.append({"n": n, **data})
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

RENDERERS = {"markdown": render_markdown, "html": render_html, "docx": render_docx, "json": render_json}


def export(event: dict, snapshots: list[dict], fmt: str, lang: str = "fr") -> bytes:
    """The combined document of an event in ``fmt`` ('markdown', 'html', 'docx' or 'json')."""
    _check_format(fmt)
    check_lang(lang)
    return RENDERERS[fmt](event, snapshots, lang)


__all__ = ["FORMATS", "SCHEMA_ID", "build_event_report", "export", "filename", "media_type", "to_event_export"]
