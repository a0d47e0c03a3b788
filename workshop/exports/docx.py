"""The summary (compte-rendu) as a Word document (python-docx ≥ 1.1).

What organisers send to the town hall and keep editing: a title page, the
context, participation by stakeholder group, then one chapter per round (the
question, ideas by theme, objectives and success criteria, vote results and
one action sheet per action with its lineage) and an annex with every visible
idea.  Headings use Word's own "Heading 1/2/3" styles, so the navigation pane
and an automatic table of contents work; tables repeat their header row on
every page; the footer numbers pages ("Page 3 sur 9") and the document
language is set, so Word checks the French spelling.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .common import build_report, by_group_text, colon, equal_weight_text, format_score, group_dots, quote, sheet_rows

ACCENT = RGBColor(0x1F, 0x4E, 0x79)
MUTED = RGBColor(0x5B, 0x64, 0x70)
ACCENT_FILL = "1F4E79"
SOFT_FILL = "E8F0F8"
KEPT = RGBColor(0x1D, 0x6B, 0x4F)
INK = RGBColor(0x1B, 0x1F, 0x24)
LANG_TAGS = {"fr": "fr-FR", "en": "en-GB"}


# --------------------------------------------------------------------------- low-level helpers

# Child order the OOXML schema requires (Word refuses files that break it; LibreOffice forgives).
TCPR_ORDER = ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
              "textDirection", "tcFitText", "vAlign", "hideMark")
TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
               "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook")
WHITE = RGBColor(0xFF, 0xFF, 0xFF)


def _put(parent, tag: str, order: tuple[str, ...], **attrs: str):
    """Set child ``w:tag`` of a properties element (replacing it), at its schema position."""
    for old in parent.findall(qn(f"w:{tag}")):
        parent.remove(old)
    el = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    later = order[order.index(tag) + 1:]
    for i, child in enumerate(parent):
        if child.tag.split("}")[-1] in later:
            parent.insert(i, el)
            return el
    parent.append(el)
    return el


def _shade(cell, fill: str) -> None:
    _put(cell._tc.get_or_add_tcPr(), "shd", TCPR_ORDER, val="clear", color="auto", fill=fill)


def _vertical(cell) -> None:
    """Text written bottom to top: long stakeholder-group names in a narrow column."""
    _put(cell._tc.get_or_add_tcPr(), "textDirection", TCPR_ORDER, val="btLr")


def _row_flag(row, tag: str) -> None:
    el = OxmlElement(tag)
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _row_height(row, cm: float) -> None:
    el = OxmlElement("w:trHeight")
    el.set(qn("w:val"), str(int(cm * 567)))
    el.set(qn("w:hRule"), "atLeast")
    row._tr.get_or_add_trPr().append(el)


def _widths(table, widths: list[float]) -> None:
    """Column widths in cm, in the grid (what Word and LibreOffice lay out) and in every cell."""
    table.autofit = False  # fixed layout
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)
    margins = _put(table._tbl.tblPr, "tblCellMar", TBLPR_ORDER)
    for side, twips in (("top", 45), ("left", 85), ("bottom", 45), ("right", 85)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(twips))
        el.set(qn("w:type"), "dxa")
        margins.append(el)


def _field(paragraph, instr: str, size: float, color: RGBColor) -> None:
    """A Word field (PAGE, NUMPAGES…), updated by Word when the page is laid out."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    c = OxmlElement("w:color")
    c.set(qn("w:val"), str(color))
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(int(size * 2)))
    rpr.extend([c, sz])
    text = OxmlElement("w:t")
    text.text = "1"
    run.extend([rpr, text])
    fld.append(run)
    paragraph._p.append(fld)


def _set_language(doc, lang: str) -> None:
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    el = rpr.find(qn("w:lang"))
    if el is None:
        el = OxmlElement("w:lang")
        rpr.append(el)
    el.set(qn("w:val"), LANG_TAGS[lang])


def _font(style, name: str, size: float | None = None, color: RGBColor | None = None) -> None:
    """Give a style a plain font, dropping the theme fonts that would otherwise win over it."""
    style.font.name = name
    rfonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
    if rfonts is not None:
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            rfonts.attrib.pop(qn(f"w:{attr}"), None)
        rfonts.set(qn("w:eastAsia"), name)
        rfonts.set(qn("w:cs"), name)
    if size is not None:
        style.font.size = Pt(size)
    if color is not None:
        style.font.color.rgb = color


def _text(paragraph, text: str, *, bold: bool = False, italic: bool = False, color: RGBColor | None = None, size: float | None = None):
    """Add user text, keeping its line breaks."""
    for n, line in enumerate(text.split("\n")):
        run = paragraph.add_run()
        if n:
            run.add_break()
        run.add_text(line)
        run.bold = bold or None
        run.italic = italic or None
        if color is not None:
            run.font.color.rgb = color
        if size is not None:
            run.font.size = Pt(size)
    return paragraph


def _cell_text(cell, text: str, *, right: bool = False, center: bool = False, **style):
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.space_before = Pt(0)
    if right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _text(p, text, **style)


def _header_cell(cell, text: str, *, right: bool = False, center: bool = False) -> None:
    _shade(cell, ACCENT_FILL)
    _cell_text(cell, text, right=right, center=center, bold=True, color=WHITE, size=8.5)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM


def _table(doc, header: list[str], rows: list[list[str]], widths: list[float], numeric: set[int] = frozenset(), total: list[str] | None = None):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    _row_flag(head, "w:tblHeader")
    for i, label in enumerate(header):
        _header_cell(head.cells[i], label, right=i in numeric)
    for values in rows + ([total] if total else []):
        row = table.add_row()
        _row_flag(row, "w:cantSplit")
        for i, value in enumerate(values):
            cell = row.cells[i]
            _cell_text(cell, str(value), right=i in numeric, size=9, bold=values is total)
            if values is total:
                _shade(cell, SOFT_FILL)
    _widths(table, widths)
    doc.add_paragraph()
    return table


# --------------------------------------------------------------------------- the document


USABLE_WIDTH_CM = 17.0  # A4 minus 2 cm margins


def new_document(report: dict, lang: str, heading_sizes: tuple[tuple[int, float], ...] = ((1, 17), (2, 13.5), (3, 11.5))):
    """An A4 document with our styles, properties, running header and "page X of Y" footer.

    Shared by the workshop compte-rendu and the event's combined document;
    ``heading_sizes`` lists (level, size) and the deepest level is set in ink,
    the others in the accent colour.
    """
    L = report["labels"]
    doc = Document()
    _set_language(doc, lang)
    _font(doc.styles["Normal"], "Arial", 10.5)
    deepest = max(level for level, _ in heading_sizes)
    for level, size in heading_sizes:
        style = doc.styles[f"Heading {level}"]
        _font(style, "Arial", size, ACCENT if level < deepest else INK)
        style.paragraph_format.space_before = Pt(18 if level == 1 else 12)
        style.paragraph_format.space_after = Pt(6 if level == 1 else 3)
    _font(doc.styles["Title"], "Arial", 28, INK)
    for name in ("List Bullet", "Table Grid"):
        _font(doc.styles[name], "Arial")

    props = doc.core_properties
    props.title = report["title"]
    props.subject = L["doc_kind"]
    props.language = LANG_TAGS[lang]
    props.author = "workshop"
    if report.get("tags"):
        props.keywords = ", ".join(report["tags"])
    props.comments = L["generated_by"]
    if report["date"]:
        try:
            stamp = datetime.fromisoformat(report["date"]).replace(tzinfo=timezone.utc)
            props.created = props.modified = stamp
        except ValueError:
            pass
    props.last_modified_by = "workshop"
    props.revision = 1

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2)
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    _text(header, " · ".join(x for x in (report["title"], report["territory"], report["date_label"]) if x), color=MUTED, size=8)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _text(footer, f"{L['page']} ", color=MUTED, size=8)
    _field(footer, "PAGE", 8, MUTED)
    _text(footer, f" {L['of']} ", color=MUTED, size=8)
    _field(footer, "NUMPAGES", 8, MUTED)
    return doc


def render(snapshot: dict, lang: str = "fr") -> bytes:
    report = build_report(snapshot, lang)
    L = report["labels"]
    c = colon(lang)
    doc = new_document(report, lang)
    width = USABLE_WIDTH_CM

    # ---- title page
    kicker = doc.add_paragraph()
    kicker.paragraph_format.space_before = Pt(90)
    _text(kicker, L["doc_kind"].upper(), bold=True, color=ACCENT, size=10)
    doc.add_paragraph(report["title"], style="Title")
    facts = " · ".join(x for x in (report["territory"], report["date_label"]) if x)
    if facts:
        _text(doc.add_paragraph(), facts, color=MUTED, size=14)
    for para in report["description"].split("\n\n") if report["description"] else []:
        _text(doc.add_paragraph(), para)
    doc.add_paragraph()
    totals = report["totals"]
    glance = doc.add_table(rows=2, cols=4)
    glance.alignment = WD_TABLE_ALIGNMENT.CENTER
    kept_label = f"{L['theme']}s {L['kept']}s" if lang == "fr" else f"{L['theme']}s {L['kept']}"
    for i, (value, label) in enumerate(
        ((totals["participants"], L["participants"]), (totals["contributions"], L["contributions"]),
         (totals["kept_themes"], kept_label), (totals["actions"], L["actions"]))
    ):
        top, bottom = glance.rows[0].cells[i], glance.rows[1].cells[i]
        for cell in (top, bottom):
            _shade(cell, SOFT_FILL)
        _cell_text(top, str(value), bold=True, color=ACCENT, size=22)
        _cell_text(bottom, label, color=MUTED, size=9)
    _widths(glance, [width / 4] * 4)

    # ---- context
    doc.add_page_break()
    doc.add_heading(L["context"], level=1)
    doc.add_paragraph(L["method"])
    if report["dot_budget"]:
        doc.add_paragraph(L["vote_rule"].format(budget=report["dot_budget"], cap=report["dot_cap"]))
    if report["equal_weight"]:
        doc.add_paragraph(L["equal_weight_note"])
    if report["tags"]:
        p = doc.add_paragraph()
        _text(p, f"{L['keywords']}{c} ", bold=True)
        _text(p, ", ".join(report["tags"]))
    _text(doc.add_paragraph(), L["privacy_note"], italic=True, color=MUTED, size=9)

    doc.add_heading(L["participation"], level=1)
    part = report["participation"]
    doc.add_paragraph(L["participation_intro"].format(participants=part["total"]["participants"], contributions=part["total"]["contributions"], dots=part["total"]["dots"]))
    _table(
        doc,
        [L["group"], L["participants"], L["contributions"], L["dots_cast"]],
        [[r["label"], r["participants"], r["contributions"], r["dots"]] for r in part["rows"]],
        [6.5, 3.5, 3.5, 3.5],
        numeric={1, 2, 3},
        total=[L["total"], part["total"]["participants"], part["total"]["contributions"], part["total"]["dots"]],
    )

    # ---- rounds
    def vote_table(items: list[dict], groups: list[dict]) -> None:
        """Like the HTML: rank, proposal, dots, voters, one narrow column per group
        (names written vertically under 'Par collège'), equal-weight score and rank."""
        ew = report["equal_weight"]
        cols = [L["rank"], L["item"], L["dots"], L["voters"]] + [g["label"] for g in groups]
        tail_w = [1.7, 1.6] if ew else []
        fixed = [1.2, 1.8, 1.6] + [0.7] * len(groups) + tail_w
        widths = [1.2, max(width - sum(fixed), 4.5), 1.8, 1.6] + [0.7] * len(groups) + tail_w
        if ew:
            cols += [L["equal_weight"], L["equal_weight_rank"]]
        table = doc.add_table(rows=2 if groups else 1, cols=len(cols))
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for row in table.rows:
            _row_flag(row, "w:tblHeader")
        first_group, after_groups = 4, 4 + len(groups)
        for i, label in enumerate(cols):
            if groups and first_group <= i < after_groups:
                cell = table.rows[1].cells[i]
                _header_cell(cell, label)
                _vertical(cell)
                continue
            cell = table.rows[0].cells[i]
            if groups:
                cell = cell.merge(table.rows[1].cells[i])
            _header_cell(cell, label, right=i != 1)
        if groups:
            span = table.rows[0].cells[first_group].merge(table.rows[0].cells[after_groups - 1])
            _header_cell(span, L["by_group"], center=True)
            _row_height(table.rows[1], 2.3)
        for item in sorted(items, key=lambda x: x["rank"]):
            values = [item["rank"], item["title"], item["dots"], item["voters"]] + [group_dots(item, g["group"]) for g in groups]
            if ew:
                values += [format_score(item["equal_weight"], lang), item["equal_weight_rank"]]
            row = table.add_row()
            _row_flag(row, "w:cantSplit")
            for i, value in enumerate(values):
                group_col = first_group <= i < after_groups
                moved = ew and i == len(values) - 1 and item["equal_weight_rank"] != item["rank"]
                _cell_text(row.cells[i], str(value), right=i != 1 and not group_col, center=group_col, size=9,
                           bold=moved, color=ACCENT if moved else (MUTED if group_col and value == 0 else None))
        _widths(table, widths)
        if ew:
            _text(doc.add_paragraph(), f"{L['equal_weight']}{c} {L['equal_weight_long']}.", italic=True, color=MUTED, size=8.5)
        else:
            doc.add_paragraph()

    def vote_line(item: dict) -> str:
        text = L["dots_line"].format(dots=item["dots"], voters=item["voters"])
        if item["by_group"]:
            text += f" ({by_group_text(item['by_group'], lang)})"
        if item["equal_weight"] is not None:
            text += f" — {equal_weight_text(item, lang)}"
        return text

    def idea_item(idea: dict, *, numbered_first: bool = False) -> None:
        p = doc.add_paragraph(style="List Bullet")
        if numbered_first:
            _text(p, f"{L['no_short']}\u00a0{idea['no']}{c} ", bold=True)
        _text(p, idea["text"])
        bits = [idea["group_label"]]
        if not numbered_first:
            if idea["count"] > 1:
                bits.append(L["times"].format(n=idea["count"]))
            if idea["on_behalf"]:
                bits.append(L["on_behalf"])
            bits.append(f"{L['no_short']}\u00a0{idea['no']}")
        _text(p, f" — {' · '.join(bits)}", italic=True, color=MUTED, size=9)

    for r in report["rounds"]:
        heading = doc.add_heading(f"{r['title']} — {r['question']}", level=1)
        heading.paragraph_format.page_break_before = True
        p = doc.add_paragraph()
        _text(p, f"{L['state']}{c} {r['phase_label']}. {L['round_stats'].format(**r['stats'])}", color=MUTED, size=9.5)

        doc.add_heading(L["ideas_by_theme"], level=2)
        if not r["themes"] and not r["unsorted"]:
            doc.add_paragraph(L["no_ideas"])
        for t in r["themes"]:
            h = doc.add_heading(f"{t['title']} ", level=3)
            status = h.add_run(f"({L['kept'] if t['kept'] else L['not_kept']})")
            status.font.color.rgb = KEPT if t["kept"] else MUTED
            status.font.size = Pt(9.5)
            if r["theme_votes"]:
                _text(doc.add_paragraph(), vote_line(t), color=MUTED, size=9)
            for idea in t["ideas"]:
                idea_item(idea)
            if not t["ideas"]:
                _text(doc.add_paragraph(), L["no_ideas"], italic=True, color=MUTED)
        if r["unsorted"]:
            doc.add_heading(L["unsorted"], level=3)
            for idea in r["unsorted"]:
                idea_item(idea)

        kept = [t for t in r["themes"] if t["kept"]] or [t for t in r["themes"] if t["objective"] or t["criteria"]]
        doc.add_heading(L["objectives"], level=2)
        if not kept:
            doc.add_paragraph(L["no_themes"])
        for t in kept:
            doc.add_heading(t["title"], level=3)
            p = doc.add_paragraph()
            _text(p, f"{L['objective']}{c} ", bold=True)
            _text(p, t["objective"] or L["to_be_defined"])
            p = doc.add_paragraph()
            _text(p, f"{L['criteria']}{c}", bold=True)
            for criterion in t["criteria"] or [L["to_be_defined"]]:
                _text(doc.add_paragraph(style="List Bullet"), criterion)

        if r["theme_votes"]:
            doc.add_heading(L["theme_votes"], level=2)
            vote_table(r["themes"], r["vote_groups"]["theme"])

        doc.add_heading(L["actions"], level=2)
        if not r["actions"]:
            doc.add_paragraph(L["no_actions"])
        if r["action_votes"]:
            _text(doc.add_paragraph(), L["action_votes"], bold=True)
            vote_table(r["actions"], r["vote_groups"]["action"])
        for a in r["actions"]:
            h = doc.add_heading(f"{a['rank']}. {a['title']}", level=3)
            h.paragraph_format.keep_with_next = True
            if a["description"]:
                _text(doc.add_paragraph(), a["description"])
            sheet = doc.add_table(rows=0, cols=2)
            sheet.style = doc.styles["Table Grid"]
            missing = L["to_be_defined"]
            for label, value in sheet_rows(a, lang):
                row = sheet.add_row()
                _row_flag(row, "w:cantSplit")
                _shade(row.cells[0], SOFT_FILL)
                _cell_text(row.cells[0], label, bold=True, color=ACCENT, size=9.5)
                _cell_text(row.cells[1], value, size=9.5, italic=value == missing, color=MUTED if value == missing else None)
                for cell in row.cells:  # Word's way of keeping a table on one page
                    cell.paragraphs[0].paragraph_format.keep_with_next = True
            _widths(sheet, [4.2, width - 4.2])
            p = doc.add_paragraph()
            p.paragraph_format.space_before = Pt(6)
            _text(p, f"{L['vote']}{c} ", bold=True)
            _text(p, vote_line(a))
            p = doc.add_paragraph()
            _text(p, f"{L['lineage']}{c} ", bold=True)
            _text(p, f"{L['serves_theme'].lower()} {quote(a['theme'], lang)}")
            if a["objective"]:
                _text(p, f" — {L['objective'].lower()}{c} {a['objective']}")
            if a["ideas"]:
                _text(doc.add_paragraph(), f"{L['from_ideas']}{c}", italic=True)
                for idea in a["ideas"]:
                    idea_item(idea, numbered_first=True)

    # ---- annex
    heading = doc.add_heading(L["annex"], level=1)
    heading.paragraph_format.page_break_before = True
    doc.add_paragraph(L["annex_intro"])
    rows = []
    for i in report["annex"]:
        extra = []
        if i["count"] > 1:
            extra.append(L["times"].format(n=i["count"]))
        if i["on_behalf"]:
            extra.append(L["on_behalf"])
        text = i["text"] + (f" ({', '.join(extra)})" if extra else "")
        rows.append([str(i["no"]), str(i["round"]), text, i["group_label"], i["theme"] or "—"])
    _table(doc, [L["number"], L["csv.round"], L["idea"], L["group"], L["theme"]], rows, [1.2, 1.3, 8.5, 2.6, 3.4], numeric={0, 1})
    _text(doc.add_paragraph(), L["generated_by"], italic=True, color=MUTED, size=8.5)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()

