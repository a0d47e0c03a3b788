"""French is the default language: every user-facing string has a French translation, compiled."""

from __future__ import annotations

import gettext
import subprocess
import sys

from babel.messages.pofile import read_po
from support import ROOT

TRANSLATIONS = ROOT / "workshop" / "translations"
PO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"


def _catalog():
    with open(PO, "rb") as f:
        return read_po(f)


def test_every_string_in_the_code_is_in_the_french_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(TRANSLATIONS / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "nplural:1,2",
            "-o",
            str(pot),
            "workshop",
            "templates",
            "static/js",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    assert len(extracted) > 200, "extraction found the strings"
    known = {m.id for m in _catalog() if m.id}
    missing = extracted - known
    assert not missing, f"run `python -m workshop.translations.update` and translate: {sorted(missing)[:10]}"


def test_every_french_entry_is_translated_and_compiled():
    catalog = _catalog()
    untranslated = [m.id for m in catalog if m.id and (not m.string or "fuzzy" in m.flags)]
    assert untranslated == []
    with open(PO.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    def compiled_string(m):
        return compiled.pgettext(m.context, m.id) if m.context else compiled.gettext(m.id)

    stale = [m.id for m in catalog if m.id and isinstance(m.id, str) and compiled_string(m) != m.string]
    assert stale == [], "the .mo is older than the .po: run `python -m workshop.translations.update`"
