"""The Word building blocks (python-docx ≥ 1.1): our page, styles and the few OOXML details.

An A4 document with our styles, properties, running header and "page X of
Y" footer (:func:`new_document`), text and tables written the way every
Word export of workshop writes them, and the schema-ordered XML that Word
insists on.  Shared by the workshop compte-rendu (:mod:`.docx`) and the
event's combined document (:mod:`.event_docx`).

Tables repeat their header row on every page, the footer numbers pages
("Page 3 sur 9") and the document language is set, so Word checks the
French spelling.
"""

from __future__ import annotations

from datetime import UTC, datetime

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .i18n import Wording

ACCENT = RGBColor(0x1F, 0x4E, 0x79)
MUTED = RGBColor(0x5B, 0x64, 0x70)
ACCENT_FILL = "1F4E79"
SOFT_FILL = "E8F0F8"
KEPT = RGBColor(0x1D, 0x6B, 0x4F)
INK = RGBColor(0x1B, 0x1F, 0x24)
LANG_TAGS = {"fr": "fr-FR", "en": "en-GB"}


# --------------------------------------------------------------------------- low-level helpers

# Child order the OOXML schema requires (Word refuses files that break it; LibreOffice forgives).
TCPR_ORDER = (
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
)
TBLPR_ORDER = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)


def put(parent, tag: str, order: tuple[str, ...], **attrs: str):
    """Set child ``w:tag`` of a properties element (replacing it), at its schema position."""
    for old in parent.findall(qn(f"w:{tag}")):
        parent.remove(old)
    el = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    later = order[order.index(tag) + 1 :]
    for i, child in enumerate(parent):
        if child.tag.split("}")[-1] in later:
            parent.insert(i, el)
            return el
    parent.append(el)
    return el


def shade(cell, fill: str) -> None:
    put(cell._tc.get_or_add_tcPr(), "shd", TCPR_ORDER, val="clear", color="auto", fill=fill)


def vertical(cell) -> None:
    """Text written bottom to top: long stakeholder-group names in a narrow column."""
    put(cell._tc.get_or_add_tcPr(), "textDirection", TCPR_ORDER, val="btLr")


def row_flag(row, tag: str) -> None:
    el = OxmlElement(tag)
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def row_height(row, cm: float) -> None:
    el = OxmlElement("w:trHeight")
    el.set(qn("w:val"), str(int(cm * 567)))
    el.set(qn("w:hRule"), "atLeast")
    row._tr.get_or_add_trPr().append(el)


def set_widths(table, widths: list[float]) -> None:
    """Column widths in cm, in the grid (what Word and LibreOffice lay out) and in every cell."""
    table.autofit = False  # fixed layout
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)
    margins = put(table._tbl.tblPr, "tblCellMar", TBLPR_ORDER)
    for side, twips in (("top", 45), ("left", 85), ("bottom", 45), ("right", 85)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(twips))
        el.set(qn("w:type"), "dxa")
        margins.append(el)


def field(paragraph, instr: str, size: float, color: RGBColor) -> None:
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


def set_language(doc, lang: str) -> None:
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    el = rpr.find(qn("w:lang"))
    if el is None:
        el = OxmlElement("w:lang")
        rpr.append(el)
    el.set(qn("w:val"), LANG_TAGS[lang])


def font(style, name: str, size: float | None = None, color: RGBColor | None = None) -> None:
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


def add_text(paragraph, text: str, *, bold: bool = False, italic: bool = False, color: RGBColor | None = None, size: float | None = None):
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


def cell_text(cell, text: str, *, right: bool = False, center: bool = False, **style):
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.space_before = Pt(0)
    if right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text(p, text, **style)


def header_cell(cell, text: str, *, right: bool = False, center: bool = False) -> None:
    shade(cell, ACCENT_FILL)
    cell_text(cell, text, right=right, center=center, bold=True, color=WHITE, size=8.5)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM


def add_table(
    doc, header: list[str], rows: list[list[str]], widths: list[float], numeric: set[int] = frozenset(), total: list[str] | None = None
):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    row_flag(head, "w:tblHeader")
    for i, label in enumerate(header):
        header_cell(head.cells[i], label, right=i in numeric)
    for values in rows + ([total] if total else []):
        row = table.add_row()
        row_flag(row, "w:cantSplit")
        for i, value in enumerate(values):
            cell = row.cells[i]
            cell_text(cell, str(value), right=i in numeric, size=9, bold=values is total)
            if values is total:
                shade(cell, SOFT_FILL)
    set_widths(table, widths)
    doc.add_paragraph()
    return table


# --------------------------------------------------------------------------- the document


USABLE_WIDTH_CM = 17.0  # A4 minus 2 cm margins


def new_document(
    report: dict, t: Wording, *, subject: str, comments: str, heading_sizes: tuple[tuple[int, float], ...] = ((1, 17), (2, 13.5), (3, 11.5))
):
    """An A4 document with our styles, properties, running header and "page X of Y" footer.

    ``heading_sizes`` lists (level, size) and the deepest level is set in ink,
    the others in the accent colour.
    """
    lang = t.lang
    doc = Document()
    set_language(doc, lang)
    font(doc.styles["Normal"], "Arial", 10.5)
    deepest = max(level for level, _ in heading_sizes)
    for level, size in heading_sizes:
        style = doc.styles[f"Heading {level}"]
        font(style, "Arial", size, ACCENT if level < deepest else INK)
        style.paragraph_format.space_before = Pt(18 if level == 1 else 12)
        style.paragraph_format.space_after = Pt(6 if level == 1 else 3)
    font(doc.styles["Title"], "Arial", 28, INK)
    for name in ("List Bullet", "Table Grid"):
        font(doc.styles[name], "Arial")

    props = doc.core_properties
    props.title = report["title"]
    props.subject = subject
    props.language = LANG_TAGS[lang]
    props.author = "workshop"
    if report.get("tags"):
        props.keywords = ", ".join(report["tags"])
    props.comments = comments
    if report["date"]:
        try:
            stamp = datetime.fromisoformat(report["date"]).replace(tzinfo=UTC)
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
    add_text(header, " · ".join(x for x in (report["title"], report["territory"], report["date_label"]) if x), color=MUTED, size=8)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add_text(footer, t._("Page") + " ", color=MUTED, size=8)
    field(footer, "PAGE", 8, MUTED)
    add_text(footer, " " + t._("of") + " ", color=MUTED, size=8)
    field(footer, "NUMPAGES", 8, MUTED)
    return doc
