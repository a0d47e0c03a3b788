"""workshop.domain.text: cleaning what people type (NFC, invisible characters, lengths)."""

from __future__ import annotations

import unicodedata

import pytest

from workshop.domain.text import clean_list, clean_text
from workshop.errors import ValidationError


def test_text_is_nfc_normalised() -> None:
    decomposed = "cafe\u0301 ou\u0300 l'on se retrouve"
    cleaned = clean_text(decomposed, "text", 280)
    assert cleaned == "café où l'on se retrouve"
    assert unicodedata.is_normalized("NFC", cleaned)
    assert cleaned == clean_text("café où l'on se retrouve", "text", 280)


def test_control_and_invisible_characters_are_stripped() -> None:
    assert clean_text("plus\x00 de\u200b bancs\x07", "text", 280) == "plus de bancs"
    assert clean_text("\u202edroite\u202c", "text", 280) == "droite"  # bidi overrides
    assert clean_text("\ufeffbonjour", "text", 280) == "bonjour"  # byte order mark


def test_whitespace_is_collapsed_and_trimmed() -> None:
    assert clean_text("  plus   de \u00a0 bancs  ", "text", 280) == "plus de bancs"
    assert clean_text("a   \n   b", "text", 280) == "a\nb"
    assert clean_text("a\r\nb\rc", "text", 280) == "a\nb\nc"
    assert clean_text("a\n\n\n\n\nb", "text", 280) == "a\n\nb"
    assert clean_text("\n\n  a  \n\n", "text", 280) == "a"


def test_tabs_separate_words() -> None:
    # text pasted from a spreadsheet: a tab is a space, not nothing
    assert clean_text("Plus\tde\tbancs", "text", 280) == "Plus de bancs"
    assert clean_text("Plus\x0bde\x0cbancs", "text", 280) == "Plus de bancs"


@pytest.mark.parametrize("value", ["", "   ", "\n\t \r\n", "\u00a0", "\u200b\u200d", "\x00\x01"])
def test_empty_text_is_refused(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        clean_text(value, "text", 280)
    assert info.value.code == "empty_text"
    assert info.value.params == {"field": "text"}


def test_optional_text_may_be_empty_or_missing() -> None:
    assert clean_text(None, "description", 100, required=False) == ""
    assert clean_text("   ", "description", 100, required=False) == ""


@pytest.mark.parametrize("value", [None, 12, ["idée"], {"text": "idée"}, b"idee"])
def test_non_text_is_an_invalid_field(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        clean_text(value, "text", 280)
    assert info.value.code == "invalid_field" and info.value.params["field"] == "text"


def test_too_long_text_says_max_and_length() -> None:
    assert clean_text("x" * 280, "text", 280) == "x" * 280
    with pytest.raises(ValidationError) as info:
        clean_text("x" * 281, "text", 280)
    assert info.value.code == "text_too_long"
    assert info.value.params == {"field": "text", "max": 280, "length": 281}


def test_length_is_counted_after_cleaning() -> None:
    assert clean_text("a" + " " * 500 + "b", "text", 3) == "a b"
    assert clean_text("e\u0301" * 20, "text", 20) == "é" * 20  # 40 code points in, 20 characters out


def test_french_text_survives_unchanged() -> None:
    text = "Élu·e·s et habitant·e·s : « cœur de quartier », maïs, ça, l’été — où ? Ÿ Æ"
    assert clean_text(text, "text", 280) == text


@pytest.mark.parametrize(
    "text",
    [
        "Plus d'arbres 🌳 et de vélos 🚲",
        "La France 🇫🇷",
        "Priorité 1️⃣",
        "Des jardins partagés 👩\u200d🌾",  # zero-width-joiner sequence: one emoji
        "Fiertés 🏳️\u200d🌈 et familles 👨\u200d👩\u200d👧",
        "Bravo 👍🏽",
    ],
)
def test_emoji_survive(text: str) -> None:
    assert clean_text(text, "text", 280) == text


def test_stray_joiners_do_not_make_a_text_look_different() -> None:
    assert clean_text("\u200dbancs \u200d publics\u200d", "text", 280) == "bancs publics"


def test_clean_list_drops_empty_entries() -> None:
    assert clean_list(None, "criteria", 5, 100) == []
    assert clean_list("Un seul critère", "criteria", 5, 100) == ["Un seul critère"]
    assert clean_list(["  Moins de  bruit ", "", "   ", "\u200b", "Plus de lien"], "criteria", 5, 100) == [
        "Moins de bruit",
        "Plus de lien",
    ]


@pytest.mark.parametrize("value", [["a"] * 6, {"a": 1}, 3, ("a", "b"), ["a", 3]])
def test_clean_list_refuses_bad_lists(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        clean_list(value, "partners", 5, 100)
    assert info.value.code == "invalid_field" and info.value.params["field"] == "partners"


def test_clean_list_checks_each_length() -> None:
    with pytest.raises(ValidationError) as info:
        clean_list(["ok", "x" * 11], "indicators", 5, 10)
    assert info.value.code == "text_too_long"
    assert info.value.params == {"field": "indicators", "max": 10, "length": 11}
