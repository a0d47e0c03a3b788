"""Whether a new or changed text goes straight to the room or waits for the team's review.

Two reasons hold an item (an idea, a proposed action) in the moderators' inbox:
the workshop's approval queue is on (``settings.approval``), or the abuse
filter (:mod:`.abuse`) matched part of its text.  A held item is never
dropped: its author is told it awaits review, the moderators see the matched
parts highlighted, and it reaches the projector and the other phones only once
approved.  The facilitator's own texts are not held: the facilitator is the one
who decides.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .abuse import AbuseFilter, default_filter

APPROVED, PENDING, REJECTED = "approved", "pending", "rejected"
STATES = (APPROVED, PENDING, REJECTED)
DECISIONS = {"approve": APPROVED, "reject": REJECTED}


@lru_cache(maxsize=64)
def _filter(extra: tuple[str, ...]) -> AbuseFilter:
    """The shipped word lists, extended by a workshop's own ``abuse_words`` (built once per list)."""
    base = default_filter()
    return base.extend(extra) if extra else base


def flags(settings: dict[str, Any], texts: dict[str, str]) -> dict[str, list[list[int]]] | None:
    """The abuse filter's matches in each field of ``texts``: ``{field: [[start, end], …]}``, or None when clean."""
    found = _filter(tuple(settings.get("abuse_words") or ()))
    out = {name: [[a, b] for a, b in found.find(text)] for name, text in texts.items() if text}
    out = {name: spans for name, spans in out.items() if spans}
    return out or None


def screen(settings: dict[str, Any], texts: dict[str, str], *, trusted: bool) -> tuple[str, dict | None]:
    """The review state of an item written now, and the abuse filter's flags: (state, flags)."""
    if trusted:
        return APPROVED, None
    matched = flags(settings, texts)
    if matched or settings.get("approval"):
        return PENDING, matched
    return APPROVED, None


def is_approved(item: dict[str, Any]) -> bool:
    """Shown to the room: approved (items recorded before the review existed have no state and were shown)."""
    return item.get("review", APPROVED) == APPROVED
