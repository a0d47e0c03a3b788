"""The summary (compte-rendu) as one self-contained, print-ready HTML file, from Jinja templates.

This is a document, not the app: no script, no external resource (fonts,
images, styles are all inline), so it can be e-mailed, archived, opened
offline, or printed to PDF ("Imprimer → Enregistrer au format PDF") to be
sent to the town hall.  The embedded print stylesheet lays it out on A4 with a
cover page, running headers (title, territory, date), page numbers
("Page 3 sur 9"), each round and the annex starting on a new page, and action
sheets never split across pages.

The markup lives in ``templates/`` (``summary.html``, the partials
``_workshop.html``, ``_round.html`` and ``_macros.html``, the stylesheets
``summary.css`` and ``page.css``), so a town can restyle its documents
without touching Python; the event's combined document (:mod:`.event`)
includes the same partials.  This module owns the standalone Jinja
environment (no Flask): autoescaping, the gettext catalogue of the document's
language, and the filters the templates use.
"""

from __future__ import annotations

from functools import cache
from html import escape as html_escape

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from . import agreement, polls
from .common import build_report, group_dots, kept_or_defined
from .i18n import wording


def escape(value: object) -> Markup:
    """Text made HTML (``&#x27;``, ``&quot;``: the escaping the documents have always used)."""
    if hasattr(value, "__html__"):
        return Markup(value)
    return Markup(html_escape(str(value), quote=True))


def multiline(text: str) -> Markup:
    """User text with its line breaks kept (escaped first, so nothing typed becomes markup)."""
    return Markup("<br>").join(escape(line) for line in str(text).split("\n"))


def css_string(text: str) -> Markup:
    """A CSS string literal (for running headers) that cannot close the string or the <style>."""
    out = []
    for ch in str(text):
        if ch in '"\\<>&' or ord(ch) < 0x20:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')


@cache
def environment(lang: str) -> Environment:
    """The templates' environment for one language (built once)."""
    env = Environment(
        loader=PackageLoader("workshop.exports", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        finalize=escape,
    )
    env.install_gettext_translations(wording(lang).translations, newstyle=False)  # translations are escaped like any text
    env.filters.update(multiline=multiline, css_string=css_string)
    env.globals.update(group_dots=group_dots, kept_or_defined=kept_or_defined)
    env.globals.update(
        poll_summary=polls.summary_line, poll_table=polls.html_table, poll_chapters=polls.chapters
    )  # quick polls (_polls.html)
    env.globals.update(agreement_sections=agreement.html_sections)  # agreement across groups (_agreement.html)
    return env


def render_template(name: str, lang: str, **context) -> bytes:
    return environment(lang).get_template(name).render(lang=lang, t=wording(lang), **context).encode("utf-8")


def running_right(kind: str, report: dict) -> str:
    """The running header on the right of every page: 'Compte-rendu · Occitanie · 3 novembre 2020'."""
    return " · ".join(x for x in (kind, report["territory"], report["date_label"]) if x)


def render(snapshot: dict, lang: str = "fr") -> bytes:
    report = build_report(snapshot, lang)
    kind = wording(lang).pgettext("document", "Summary")
    return render_template("summary.html", lang, report=report, running_left=report["title"], running_right=running_right(kind, report))
