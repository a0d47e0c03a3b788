"""The event's combined compte-rendu as a Word document.

A title page for the event (its ateliers, their questions, the totals), then
each atelier written by the same section writer as its own document
(:func:`.docx.write_workshop`), one heading level down: Heading 1 is an
atelier (its title), Heading 4 an item.
"""

from __future__ import annotations

from docx.enum.text import WD_BREAK
from docx.shared import Pt

from . import docx_base as word
from .docx import colophon, glance, save, write_workshop
from .docx_base import ACCENT, KEPT, MUTED, add_text
from .i18n import Wording


def render(report: dict, t: Wording) -> bytes:
    """``report`` is :func:`.event.build_event_report`'s."""
    doc = word.new_document(
        report, t, subject=t._("Event summary"), comments=t.generated_by(event=True), heading_sizes=((1, 20), (2, 17), (3, 13.5), (4, 11.5))
    )

    kicker = doc.add_paragraph()
    kicker.paragraph_format.space_before = Pt(60)
    add_text(kicker, (t._("Event summary") + f" — {report['count_label']}").upper(), bold=True, color=ACCENT, size=10)
    doc.add_paragraph(report["title"], style="Title")
    facts = " · ".join(x for x in (report["territory"], report["date_label"]) if x)
    if facts:
        add_text(doc.add_paragraph(), facts, color=MUTED, size=14)
    add_text(doc.add_paragraph(), t.event_intro())
    totals = report["totals"]
    glance(
        doc,
        [
            (totals["ateliers"], t.npgettext("document", "Workshop", "Workshops", totals["ateliers"])),
            (totals["participants"], t._("Participants")),
            (totals["contributions"], t._("Contributions")),
            (totals["actions"], t._("Actions")),
        ],
    )
    doc.add_paragraph()
    doc.add_heading(t._("The workshops"), level=1)
    if not report["ateliers"]:
        doc.add_paragraph(t._("No workshop belongs to this event."))
    else:
        word.add_table(
            doc,
            [t._("No."), t._("Workshop"), t._("Question asked"), t._("Participants"), t._("Themes kept"), t._("Actions")],
            [
                [a["n"], a["title"], "\n".join(a["questions"]), a["participants"], a["kept_themes"], a["actions"]]
                for a in report["ateliers"]
            ],
            [1.0, 4.0, 6.5, 2.3, 1.7, 1.5],
            numeric={0, 3, 4, 5},
            total=["", t._("Total"), "", totals["participants"], totals["kept_themes"], totals["actions"]],
        )

    for a in report["ateliers"]:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        add_text(doc.add_paragraph(), a["label"].upper(), bold=True, color=KEPT, size=11)
        write_workshop(doc, a["report"], t, depth=1)
    colophon(doc, t.generated_by(event=True))
    return save(doc)
