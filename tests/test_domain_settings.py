"""workshop.domain.settings: a workshop's settings, defaulted and validated."""

from __future__ import annotations

import pytest

from workshop.domain.settings import DEFAULT_GROUPS, DEFAULTS, normalize_settings
from workshop.errors import ValidationError


def test_default_settings_are_complete() -> None:
    s = normalize_settings(None)
    assert s == DEFAULTS
    assert set(s) == {
        "anonymous",
        "groups",
        "dot_budget",
        "dot_cap",
        "tallies",
        "max_idea_length",
        "keep_top_k",
        "equal_weight",
        "retention_days",
        "approval",
        "abuse_words",
    }
    assert s["groups"] == list(DEFAULT_GROUPS)
    assert normalize_settings({}) == s


def test_settings_do_not_share_the_default_groups_list() -> None:
    s = normalize_settings(None)
    s["groups"].append("commerçant")
    assert normalize_settings(None)["groups"] == list(DEFAULT_GROUPS)


def test_valid_settings_are_kept_and_groups_trimmed() -> None:
    s = normalize_settings(
        {
            "groups": [" habitant ", "élu·e"],
            "dot_budget": 3,
            "dot_cap": 3,
            "tallies": "reveal",
            "anonymous": True,
            "equal_weight": True,
            "retention_days": 90,
        }
    )
    assert s["groups"] == ["habitant", "élu·e"]
    assert (s["dot_budget"], s["dot_cap"], s["tallies"]) == (3, 3, "reveal")
    assert s["anonymous"] is True and s["equal_weight"] is True and s["retention_days"] == 90
    assert normalize_settings(s) == s  # idempotent: stored settings can be re-validated


@pytest.mark.parametrize(
    "raw, setting",
    [
        ({"dot_budget": 0}, "dot_budget"),
        ({"dot_budget": 101}, "dot_budget"),
        ({"dot_budget": "5"}, "dot_budget"),
        ({"dot_budget": True}, "dot_budget"),
        ({"dot_budget": 5.0}, "dot_budget"),
        ({"dot_cap": 0}, "dot_cap"),
        ({"dot_cap": 6}, "dot_cap"),  # over the default budget of 5
        ({"dot_budget": 2, "dot_cap": 3}, "dot_cap"),
        ({"dot_cap": True}, "dot_cap"),
        ({"colour": "red"}, "colour"),
        ({"tallies": "x"}, "tallies"),
        ({"tallies": None}, "tallies"),
        ({"groups": ["habitant", "habitant"]}, "groups"),
        ({"groups": ["habitant", " habitant "]}, "groups"),
        ({"groups": []}, "groups"),
        ({"groups": "habitant"}, "groups"),
        ({"groups": ["habitant", "   "]}, "groups"),
        ({"groups": ["x" * 41]}, "groups"),
        ({"groups": [f"g{i}" for i in range(21)]}, "groups"),
        ({"groups": [1, 2]}, "groups"),
        ({"anonymous": 1}, "anonymous"),
        ({"anonymous": "yes"}, "anonymous"),
        ({"equal_weight": 0}, "equal_weight"),
        ({"max_idea_length": 19}, "max_idea_length"),
        ({"max_idea_length": 2001}, "max_idea_length"),
        ({"keep_top_k": 0}, "keep_top_k"),
        ({"retention_days": 0}, "retention_days"),
        ({"retention_days": True}, "retention_days"),
        ({"retention_days": "30"}, "retention_days"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(raw: dict, setting: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_settings(raw)
    assert info.value.code == "invalid_setting"
    assert info.value.params["setting"] == setting


def test_unknown_settings_error_names_one_of_them() -> None:
    with pytest.raises(ValidationError) as info:
        normalize_settings({"zeta": 1, "alpha": 2})
    assert info.value.params["setting"] == "alpha"


def test_out_of_range_setting_says_the_range() -> None:
    with pytest.raises(ValidationError) as info:
        normalize_settings({"dot_budget": 4, "dot_cap": 5})
    assert info.value.params == {"setting": "dot_cap", "low": 1, "high": 4}
