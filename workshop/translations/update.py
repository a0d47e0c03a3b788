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
LANGUAGES = ("fr",)  # English is the source language of the strings


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
        action = "update" if po.exists() else "init"
        subprocess.run([*babel, action, "-i", str(pot), "-d", str(HERE), "-l", lang, "--no-wrap"], cwd=ROOT, check=True)
    subprocess.run([*babel, "compile", "-d", str(HERE), "--statistics"], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
