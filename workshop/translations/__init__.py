"""The gettext catalogue of every user-facing string, and its Flask-free loader.

English msgids are the source; ``fr/LC_MESSAGES/messages.po`` holds the French
(refresh with ``python -m workshop.translations.update``).  The web reads the
catalogue through Flask-Babel; exports and the CLI, which run without Flask,
load it with :func:`translations` — one place, cached per language.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

DIRECTORY = Path(__file__).resolve().parent


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` ('en', the source language, gives the msgids back)."""
    return Translations.load(str(DIRECTORY), [lang], domain="messages")
