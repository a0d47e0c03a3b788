"""Refresh the translation catalogues: ``python -m workshop.translations.update``.

Extracts the strings from the code and templates, merges them into each
language's ``messages.po`` (keeping existing translations), and compiles the
``.mo`` files the app loads.  Run it after adding or changing a user-facing
string, then translate the new entries in ``fr/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LANGUAGES = ("fr", "ar", "tr", "pt", "es")  # English is the source language of the strings
#: gettext plural rules, written to each catalogue's header (Babel's default adds a form for
#: "1 000 000 de" in fr/es/pt, which the strings here do not need); Portuguese is European
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
    "tr": "nplurals=2; plural=(n != 1);",
    "pt": "nplurals=2; plural=(n != 1);",
    "es": "nplurals=2; plural=(n != 1);",
}


def _set_plural_forms(po: Path, lang: str) -> None:
    text = po.read_text(encoding="utf-8")
    lines = [f'"Plural-Forms: {PLURAL_FORMS[lang]}\\n"' if line.startswith('"Plural-Forms:') else line for line in text.split("\n")]
    po.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    pot = HERE / "messages.pot"
    babel = [sys.executable, "-m", "babel.messages.frontend"]
    subprocess.run(
        [
            *babel,
            "extract",
            "-F",
            str(HERE / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "nplural:1,2",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(pot),
            "workshop",
            "templates",
            "static/js",
        ],
        cwd=ROOT,
        check=True,
    )
    for lang in LANGUAGES:
        po = HERE / lang / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            subprocess.run([*babel, "init", "-i", str(pot), "-d", str(HERE), "-l", lang, "--no-wrap"], cwd=ROOT, check=True)
            _set_plural_forms(po, lang)
        # the phone-only languages translate a subset: no fuzzy guesses for the console's strings there
        guesses = [] if lang == "fr" else ["--no-fuzzy-matching"]
        subprocess.run([*babel, "update", "-i", str(pot), "-d", str(HERE), "-l", lang, "--no-wrap", *guesses], cwd=ROOT, check=True)
        _set_plural_forms(po, lang)
    subprocess.run([*babel, "compile", "-d", str(HERE), "--statistics"], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
