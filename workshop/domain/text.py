"""Cleaning and checking of the short texts people type."""

from __future__ import annotations

import re
import unicodedata

from ..errors import ValidationError

_SPACES = re.compile(r"[ \t\u00a0]+")
_NEWLINES = re.compile(r"\n{3,}")
_ZWJ = "\u200d"  # zero-width joiner: glues emoji sequences such as 👩‍🌾
_STRAY_ZWJ = re.compile(r"(?<![^\s\u200d])\u200d|\u200d(?![^\s\u200d])")


def _keep(ch: str) -> str:
    """A character as kept: controls dropped, except tabs & co. (a space) and joiners."""
    if ch in ("\n", _ZWJ) or unicodedata.category(ch)[0] != "C":
        return ch
    return " " if ch.isspace() else ""


def clean_text(value: object, field: str, max_length: int, *, required: bool = True) -> str:
    """Normalise a user text (NFC, no control characters, trimmed) and check its length.

    Phones send all sorts of invisible characters; normalising here means two
    identical-looking ideas compare equal and a text made only of spaces is
    treated as empty.
    """
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValidationError("invalid_field", field=field)
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    text = _STRAY_ZWJ.sub("", "".join(_keep(ch) for ch in text))
    text = _NEWLINES.sub("\n\n", "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))).strip()
    if not text and required:
        raise ValidationError("empty_text", field=field)
    if len(text) > max_length:
        raise ValidationError("text_too_long", field=field, max=max_length, length=len(text))
    return text


def clean_list(value: object, field: str, max_items: int, max_length: int) -> list[str]:
    """A list of short texts (criteria, partners, indicators); empty entries dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or len(value) > max_items:
        raise ValidationError("invalid_field", field=field)
    items = [clean_text(v, field, max_length, required=False) for v in value]
    return [i for i in items if i]
