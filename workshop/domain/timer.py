"""The facilitator's countdown: its bounds, the plan's durations and the "+1 min" rule.

Pure functions taking the clock as a parameter: the service stores what they
return, the pages only show it (they never compute a new end themselves).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..errors import ValidationError

#: the longest countdown (and the longest a countdown may be extended to), in seconds
MAX_TIMER = 4 * 3600
#: the longest single extension ("+1 min", "+5 min"…), in seconds
MAX_ADD = 3600


def planned_seconds(timings: dict, phase: str) -> int | None:
    """The countdown the workshop's plan gives ``phase`` (``timings`` are minutes per phase), or ``None``."""
    minutes = (timings or {}).get(phase)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes * 60 <= MAX_TIMER:
        return None
    return minutes * 60


def check_seconds(value: object, field: str, maximum: int, *, minimum: int = 0) -> int | None:
    """A number of seconds from a payload: a whole number in ``minimum..maximum``, or ``None``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValidationError("invalid_field", field=field)
    return value


def extend(ends_at: datetime | None, seconds: int | None, add: int, now: datetime) -> tuple[datetime, int]:
    """The countdown's new end and whole duration once ``add`` seconds are added.

    A running countdown ends ``add`` seconds later; one already over runs
    again for ``add`` seconds from ``now`` ("one more minute" once time is
    up).  ``seconds`` stays the duration since the countdown started, so a
    progress bar keeps its scale.  There must be a countdown (``no_timer``),
    and what is left may not exceed :data:`MAX_TIMER`.
    """
    if ends_at is None:
        raise ValidationError("no_timer")
    started = ends_at - timedelta(seconds=seconds or 0)
    new_end = max(ends_at, now) + timedelta(seconds=add)
    if (new_end - now).total_seconds() > MAX_TIMER:
        raise ValidationError("invalid_field", field="add_seconds")
    return new_end, int(round((new_end - started).total_seconds()))
