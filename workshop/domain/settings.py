"""Workshop settings: defaults and validation.

Settings come from plan files, the CLI and the facilitator console; they are
all normalised here so the rest of the code can trust them.
"""

from __future__ import annotations

from typing import Any

from ..errors import ValidationError

DEFAULT_GROUPS: tuple[str, ...] = ("habitant", "élu·e", "agent", "association", "professionnel", "autre")

DEFAULTS: dict[str, Any] = {
    "anonymous": False,  # True: ideas are never shown with a pseudonym
    "groups": list(DEFAULT_GROUPS),
    "dot_budget": 5,  # dots per participant per vote (themes in define, actions in converge)
    "dot_cap": 3,  # max dots one participant may put on one item
    "tallies": "live",  # "live": everyone sees tallies; "reveal": hidden until the facilitator reveals
    "max_idea_length": 280,
    "keep_top_k": 3,  # themes kept when define closes without an explicit choice
    "equal_weight": False,  # also rank with every stakeholder group weighing the same
    "retention_days": None,  # personal data erased this many days after the workshop (None: kept)
    "approval": False,  # True: new ideas and actions wait in the moderators' inbox until approved
    "abuse_words": [],  # words and phrases the abuse filter holds for review, on top of the shipped lists
}


def _int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError("invalid_setting", setting=name, low=low, high=high)
    return value


def normalize_settings(raw: dict[str, Any] | None) -> dict[str, Any]:
    """Return a complete, validated settings dict built from ``raw`` over the defaults."""
    raw = dict(raw or {})
    unknown = set(raw) - set(DEFAULTS)
    if unknown:
        raise ValidationError("invalid_setting", setting=sorted(unknown)[0])
    s = {**DEFAULTS, **raw}
    if not isinstance(s["anonymous"], bool):
        raise ValidationError("invalid_setting", setting="anonymous")
    if not isinstance(s["equal_weight"], bool):
        raise ValidationError("invalid_setting", setting="equal_weight")
    groups = s["groups"]
    if (
        not isinstance(groups, (list, tuple))
        or not 1 <= len(groups) <= 20
        or not all(isinstance(g, str) and 0 < len(g.strip()) <= 40 for g in groups)
        or len({g.strip() for g in groups}) != len(groups)
    ):
        raise ValidationError("invalid_setting", setting="groups")
    s["groups"] = [g.strip() for g in groups]
    s["dot_budget"] = _int("dot_budget", s["dot_budget"], 1, 100)
    s["dot_cap"] = _int("dot_cap", s["dot_cap"], 1, s["dot_budget"])
    if s["tallies"] not in ("live", "reveal"):
        raise ValidationError("invalid_setting", setting="tallies")
    s["max_idea_length"] = _int("max_idea_length", s["max_idea_length"], 20, 2000)
    s["keep_top_k"] = _int("keep_top_k", s["keep_top_k"], 1, 50)
    if not isinstance(s["approval"], bool):
        raise ValidationError("invalid_setting", setting="approval")
    words = s["abuse_words"]
    if not isinstance(words, (list, tuple)) or len(words) > 500 or not all(isinstance(w, str) and 0 < len(w.strip()) <= 60 for w in words):
        raise ValidationError("invalid_setting", setting="abuse_words")
    s["abuse_words"] = [w.strip() for w in words]
    if s["retention_days"] is not None:
        s["retention_days"] = _int("retention_days", s["retention_days"], 1, 3650)
    return s
