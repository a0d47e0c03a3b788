"""Exports: pure functions from a workshop snapshot to a document.

``export(snapshot, fmt, lang="fr", **options) -> bytes`` where ``snapshot`` is
what :meth:`workshop.services.WorkshopService.full_snapshot` returns.  No
Flask, no database, no clock: the same snapshot always gives the same bytes
(the DOCX container aside), which is what the golden-file tests check.

Formats:

* ``json`` — the complete, re-importable archive (``workshop-export/1``,
  see :mod:`.json_export`; option ``personal_data=True`` keeps pseudonyms);
* ``markdown``, ``html``, ``docx`` — the summary (compte-rendu) for people:
  only visible ideas, only stakeholder groups, vote results with the breakdown
  by group and the equal-weight ranking when the workshop uses it;
* ``csv`` — one table per file for a spreadsheet (option ``table=`` one of
  :data:`CSV_TABLES`, default ``"ideas"``; see :mod:`.csv_export`).

Words are French by default (gettext catalogue, see :mod:`.i18n`), English with ``lang="en"``.
"""

from __future__ import annotations

from typing import Any

from ..errors import ValidationError
from .common import slugify
from .i18n import check_lang, wording

FORMATS = {"json", "markdown", "csv", "html", "docx"}
CSV_TABLES = ("ideas", "themes", "actions", "votes", "participation", "polls")

MEDIA_TYPES = {
    "json": "application/json",
    "markdown": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EXTENSIONS = {"json": "json", "markdown": "md", "csv": "csv", "html": "html", "docx": "docx"}


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationError("invalid_field", field="format")
    return fmt


def media_type(fmt: str) -> str:
    """The Content-Type to serve a format with."""
    return MEDIA_TYPES[_check_format(fmt)]


def extension(fmt: str) -> str:
    """The file extension of a format, without the dot."""
    return EXTENSIONS[_check_format(fmt)]


def filename(snapshot: dict, fmt: str, lang: str = "fr", *, table: str = "ideas") -> str:
    """A download name: 'compte-rendu-quelle-politique-de-la-ville-demain-2020-11-03.docx'."""
    t = wording(check_lang(lang))
    w = snapshot["workshop"]
    tables = {
        "ideas": t.pgettext("file name", "ideas"),
        "themes": t.pgettext("file name", "themes"),
        "actions": t.pgettext("file name", "actions"),
        "votes": t.pgettext("file name", "votes"),
        "participation": t.pgettext("file name", "participation"),
        "polls": t.pgettext("file name", "polls"),
    }
    archive, summary = t.pgettext("file name", "workshop"), t.pgettext("file name", "summary")
    kind = {"json": archive, "csv": tables.get(table, table)}.get(_check_format(fmt), summary)
    parts = [kind, slugify(w.get("title") or "")]
    if w.get("date"):
        parts.append(w["date"])
    return "-".join(parts) + "." + EXTENSIONS[fmt]


def export(snapshot: dict, fmt: str, lang: str = "fr", **options: Any) -> bytes:
    """Render ``snapshot`` in ``fmt`` ('json', 'markdown', 'csv', 'html' or 'docx')."""
    _check_format(fmt)
    check_lang(lang)
    if fmt == "json":
        from .json_export import render
    elif fmt == "markdown":
        from .markdown import render
    elif fmt == "csv":
        from .csv_export import render
    elif fmt == "html":
        from .html import render
    else:
        from .docx import render
    return render(snapshot, lang, **options)


__all__ = ["FORMATS", "CSV_TABLES", "MEDIA_TYPES", "EXTENSIONS", "export", "media_type", "extension", "filename"]
