"""The summary (compte-rendu) as a Word document: the sections of one workshop.

What organisers send to the town hall and keep editing: a title page, the
context, participation by stakeholder group, then one chapter per round (the
question, ideas by theme, objectives and success criteria, vote results and
one action sheet per action with its lineage) and an annex with every visible
idea.  Headings use Word's own "Heading 1/2/3" styles, so the navigation pane
and an automatic table of contents work.

:func:`write_workshop` writes one workshop at any heading depth: the
workshop's own document (:func:`render`) and the event's combined one
(:mod:`.event_docx`) both call it.  The page, styles and OOXML details are
in :mod:`.docx_base`.
"""

from __future__ import annotations

import io

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Pt

from . import agreement, polls
from . import docx_base as word
from .common import build_report, group_dots, kept_or_defined
from .docx_base import ACCENT, KEPT, MUTED, SOFT_FILL, USABLE_WIDTH_CM, add_text, cell_text, shade
from .i18n import Wording, wording


def glance(doc, cells: list[tuple[int, str]]) -> None:
    """The 'at a glance' figures of a title page: four numbers and what they count."""
    table = doc.add_table(rows=2, cols=len(cells))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (value, label) in enumerate(cells):
        top, bottom = table.rows[0].cells[i], table.rows[1].cells[i]
        for cell in (top, bottom):
            shade(cell, SOFT_FILL)
        cell_text(top, str(value), bold=True, color=ACCENT, size=22)
        cell_text(bottom, label, color=MUTED, size=9)
    word.set_widths(table, [USABLE_WIDTH_CM / len(cells)] * len(cells))


def save(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _vote_table(doc, items: list[dict], groups: list[dict], report: dict, t: Wording) -> None:
    """Like the HTML: rank, proposal, dots, voters, one narrow column per group
    (names written vertically under 'Par collège'), equal-weight score and rank."""
    width = USABLE_WIDTH_CM
    ew = report["equal_weight"]
    cols = [t._("Rank"), t._("Proposal"), t._("Dots"), t._("Voters")] + [g["label"] for g in groups]
    tail_w = [1.7, 1.6] if ew else []
    fixed = [1.2, 1.8, 1.6] + [0.7] * len(groups) + tail_w
    widths = [1.2, max(width - sum(fixed), 4.5), 1.8, 1.6] + [0.7] * len(groups) + tail_w
    if ew:
        cols += [t._("Equal weight"), t._("Equal-weight rank")]
    table = doc.add_table(rows=2 if groups else 1, cols=len(cols))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row in table.rows:
        word.row_flag(row, "w:tblHeader")
    first_group, after_groups = 4, 4 + len(groups)
    for i, label in enumerate(cols):
        if groups and first_group <= i < after_groups:
            cell = table.rows[1].cells[i]
            word.header_cell(cell, label)
            word.vertical(cell)
            continue
        cell = table.rows[0].cells[i]
        if groups:
            cell = cell.merge(table.rows[1].cells[i])
        word.header_cell(cell, label, right=i != 1)
    if groups:
        span = table.rows[0].cells[first_group].merge(table.rows[0].cells[after_groups - 1])
        word.header_cell(span, t._("By group"), center=True)
        word.row_height(table.rows[1], 2.3)
    for item in sorted(items, key=lambda x: x["rank"]):
        values = [item["rank_label"], item["title"], item["dots"], item["voters"]] + [group_dots(item, g["group"]) for g in groups]
        if ew:
            values += [t.score(item["equal_weight"]), item["equal_weight_rank"]]
        row = table.add_row()
        word.row_flag(row, "w:cantSplit")
        for i, value in enumerate(values):
            group_col = first_group <= i < after_groups
            moved = ew and i == len(values) - 1 and item["equal_weight_rank"] != item["rank"]
            cell_text(
                row.cells[i],
                str(value),
                right=i != 1 and not group_col,
                center=group_col,
                size=9,
                bold=moved,
                color=ACCENT if moved else (MUTED if group_col and value == 0 else None),
            )
    word.set_widths(table, widths)
    if ew:
        add_text(
            doc.add_paragraph(),
            t._("Equal weight") + t.colon + " " + t._("every stakeholder group weighs the same") + ".",
            italic=True,
            color=MUTED,
            size=8.5,
        )
    else:
        doc.add_paragraph()


def _idea_item(doc, idea: dict, t: Wording, *, numbered_first: bool = False) -> None:
    p = doc.add_paragraph(style="List Bullet")
    if numbered_first:
        add_text(p, t.idea_number(idea["no"]) + t.colon + " ", bold=True)
    add_text(p, idea["text"])
    bits = [idea["group_label"]]
    if not numbered_first:
        bits += t.idea_extras(idea) + [t.idea_number(idea["no"])]
    add_text(p, f" — {' · '.join(bits)}", italic=True, color=MUTED, size=9)


def _action(doc, a: dict, t: Wording, level: int) -> None:
    c = t.colon
    h = doc.add_heading(f"{a['rank_label']}. {a['title']}", level=level)
    h.paragraph_format.keep_with_next = True
    if a["description"]:
        add_text(doc.add_paragraph(), a["description"])
    sheet = doc.add_table(rows=0, cols=2)
    sheet.style = doc.styles["Table Grid"]
    missing = t.missing()
    for label, value in t.sheet_rows(a):
        row = sheet.add_row()
        word.row_flag(row, "w:cantSplit")
        shade(row.cells[0], SOFT_FILL)
        cell_text(row.cells[0], label, bold=True, color=ACCENT, size=9.5)
        cell_text(row.cells[1], value, size=9.5, italic=value == missing, color=MUTED if value == missing else None)
        for cell in row.cells:  # Word's way of keeping a table on one page
            cell.paragraphs[0].paragraph_format.keep_with_next = True
    word.set_widths(sheet, [4.2, USABLE_WIDTH_CM - 4.2])
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(6)
    add_text(p, t._("Vote") + c + " ", bold=True)
    add_text(p, t.vote_line(a))
    p = doc.add_paragraph()
    add_text(p, t._("Origin") + c + " ", bold=True)
    add_text(p, t._("theme") + " " + t.quote(a["theme"]))
    if a["objective"]:
        add_text(p, " — " + t._("objective") + f"{c} {a['objective']}")
    if a["ideas"]:
        add_text(doc.add_paragraph(), t._("Source ideas") + c, italic=True)
        for idea in a["ideas"]:
            _idea_item(doc, idea, t, numbered_first=True)


def _round(doc, r: dict, report: dict, t: Wording, level: int) -> None:
    c = t.colon
    heading = doc.add_heading(f"{r['title']} — {r['question']}", level=level)
    heading.paragraph_format.page_break_before = True
    add_text(doc.add_paragraph(), t._("State") + f"{c} {r['phase_label']}. " + t.round_stats(r["stats"]), color=MUTED, size=9.5)

    doc.add_heading(t._("Ideas by theme"), level=level + 1)
    if not r["themes"] and not r["unsorted"]:
        doc.add_paragraph(t._("No ideas."))
    for theme in r["themes"]:
        h = doc.add_heading(f"{theme['title']} ", level=level + 2)
        status = h.add_run("(" + (t._("kept") if theme["kept"] else t._("not kept")) + ")")
        status.font.color.rgb = KEPT if theme["kept"] else MUTED
        status.font.size = Pt(9.5)
        if r["theme_votes"]:
            add_text(doc.add_paragraph(), t.vote_line(theme), color=MUTED, size=9)
        for idea in theme["ideas"]:
            _idea_item(doc, idea, t)
        if not theme["ideas"]:
            add_text(doc.add_paragraph(), t._("No ideas."), italic=True, color=MUTED)
    if r["unsorted"]:
        doc.add_heading(t._("Unsorted ideas"), level=level + 2)
        for idea in r["unsorted"]:
            _idea_item(doc, idea, t)

    kept = kept_or_defined(r["themes"])
    doc.add_heading(t._("Objectives and success criteria"), level=level + 1)
    if not kept:
        doc.add_paragraph(t._("No themes."))
    for theme in kept:
        doc.add_heading(theme["title"], level=level + 2)
        p = doc.add_paragraph()
        add_text(p, t._("Objective") + c + " ", bold=True)
        add_text(p, theme["objective"] or t.missing())
        add_text(doc.add_paragraph(), t._("Success criteria") + c, bold=True)
        for criterion in theme["criteria"] or [t.missing()]:
            add_text(doc.add_paragraph(style="List Bullet"), criterion)

    if r["theme_votes"]:
        doc.add_heading(t._("Choice of themes: vote results"), level=level + 1)
        _vote_table(doc, r["themes"], r["vote_groups"]["theme"], report, t)

    doc.add_heading(t._("Priority actions"), level=level + 1)
    if not r["actions"]:
        doc.add_paragraph(t._("No actions proposed."))
    if r["action_votes"]:
        add_text(doc.add_paragraph(), t._("Prioritisation of actions: vote results"), bold=True)
        _vote_table(doc, r["actions"], r["vote_groups"]["action"], report, t)
    for a in r["actions"]:
        _action(doc, a, t, level + 2)


def _essentials(doc, report: dict, t: Wording, level: int) -> None:
    """The one-page summary: questions, participation, kept themes, first actions and who carries them."""
    c, e = t.colon, report["essentials"]
    doc.add_heading(t._("Summary"), level=level)
    for q in e["questions"]:
        p = doc.add_paragraph()
        add_text(p, q["title"] + c + " ", bold=True, color=ACCENT)
        add_text(p, q["question"])
    p = doc.add_paragraph()
    add_text(p, t._("Participation") + c + " ", bold=True)
    add_text(p, t.participation_intro(e["participation"]["total"]))
    groups = t.list_sep.join(f"{r['label']} {r['participants']}" for r in e["participation"]["rows"] if r["participants"])
    if groups:
        p = doc.add_paragraph()
        add_text(p, t._("By group") + c + " ", bold=True)
        add_text(p, groups)
    doc.add_heading(t.kept_themes_label(len(e["themes"])), level=level + 1)
    if not e["themes"]:
        doc.add_paragraph(t._("No themes."))
    for x in e["themes"]:
        p = doc.add_paragraph(style="List Bullet")
        add_text(p, x["title"], bold=True)
        if x["objective"]:
            add_text(p, " — " + x["objective"])
    doc.add_heading(t._("Priority actions"), level=level + 1)
    if not e["actions"]:
        doc.add_paragraph(t._("No actions proposed."))
    else:
        several = len(e["questions"]) > 1
        word.add_table(
            doc,
            ([t._("Round")] if several else []) + [t._("Rank"), t._("Action"), t._("Owner"), t._("Deadline")],
            [
                ([str(a["round"])] if several else [])
                + [a["rank_label"], a["title"], a["owner"] or t.missing(), a["deadline"] or t.missing()]
                for a in e["actions"]
            ],
            ([1.2] if several else []) + [2.2, 7.6 if several else 8.0, 3.6 if several else 4.0, 2.8],
            numeric={0, 1} if several else {0},
        )


def write_workshop(doc, report: dict, t: Wording, depth: int = 0) -> None:
    """One workshop's pages, title page to annex; its title is the Title (``depth`` 0) or a Heading ``depth``."""
    c = t.colon
    top = depth + 1  # the level of its chapters
    kicker = doc.add_paragraph()
    kicker.paragraph_format.space_before = Pt(90)
    add_text(kicker, t._("Participatory workshop summary").upper(), bold=True, color=ACCENT, size=10)
    if depth:
        doc.add_heading(report["title"], level=depth)
    else:
        doc.add_paragraph(report["title"], style="Title")
    facts = " · ".join(x for x in (report["territory"], report["place"], report["date_label"]) if x)
    if facts:
        add_text(doc.add_paragraph(), facts, color=MUTED, size=14)
    if report["facilitator"]:
        add_text(doc.add_paragraph(), t._("Facilitation") + c + " " + report["facilitator"], color=MUTED, size=12)
    for para in report["description"].split("\n\n") if report["description"] else []:
        add_text(doc.add_paragraph(), para)
    doc.add_paragraph()
    totals = report["totals"]
    glance(
        doc,
        [
            (totals["participants"], t._("Participants")),
            (totals["contributions"], t._("Contributions")),
            (totals["kept_themes"], t.kept_themes_label(totals["kept_themes"])),
            (totals["actions"], t._("Priority actions")),
        ],
    )

    doc.add_page_break()
    _essentials(doc, report, t, top)
    doc.add_page_break()
    doc.add_heading(t._("Context and method"), level=top)
    doc.add_paragraph(t.method())
    if report["dot_budget"]:
        doc.add_paragraph(t.vote_rule(report["dot_budget"], report["dot_cap"]))
    if report["equal_weight"]:
        doc.add_paragraph(t.equal_weight_note())
    if report["tags"]:
        p = doc.add_paragraph()
        add_text(p, t._("Keywords") + c + " ", bold=True)
        add_text(p, ", ".join(report["tags"]))
    add_text(doc.add_paragraph(), t.privacy_note(), italic=True, color=MUTED, size=9)

    doc.add_heading(t._("Participation"), level=top)
    part = report["participation"]
    doc.add_paragraph(t.participation_intro(part["total"]))
    word.add_table(
        doc,
        [t._("Stakeholder group"), t._("Participants"), t._("Contributions"), t._("Dots cast")],
        [[r["label"], r["participants"], r["contributions"], r["dots"]] for r in part["rows"]],
        [6.5, 3.5, 3.5, 3.5],
        numeric={1, 2, 3},
        total=[t._("Total"), part["total"]["participants"], part["total"]["contributions"], part["total"]["dots"]],
    )

    for r in report["rounds"]:
        _round(doc, r, report, t, top)

    agreement.docx_section(doc, report, t, top)
    polls.docx_section(doc, report, t, top)
    heading = doc.add_heading(t._("Appendix: every idea"), level=top)
    heading.paragraph_format.page_break_before = True
    doc.add_paragraph(t.annex_intro())
    rows = []
    for i in report["annex"]:
        extras = t.idea_extras(i)
        text = i["text"] + (f" ({', '.join(extras)})" if extras else "")
        rows.append([str(i["no"]), str(i["round"]), text, i["group_label"], i["theme"] or "—"])
    word.add_table(
        doc,
        [t._("No."), t._("Round"), t._("Idea"), t._("Stakeholder group"), t._("Theme")],
        rows,
        [1.2, 1.3, 8.5, 2.6, 3.4],
        numeric={0, 1},
    )


def colophon(doc, text: str) -> None:
    add_text(doc.add_paragraph(), text, italic=True, color=MUTED, size=8.5)


def render(snapshot: dict, lang: str = "fr") -> bytes:
    report = build_report(snapshot, lang)
    t = wording(lang)
    doc = word.new_document(report, t, subject=t._("Participatory workshop summary"), comments=t.generated_by())
    write_workshop(doc, report, t)
    colophon(doc, t.generated_by())
    return save(doc)
