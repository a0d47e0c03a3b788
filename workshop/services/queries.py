"""The reads the use cases share: one workshop's rows, found and locked the same way everywhere.

Every lookup is scoped to the caller's workshop (an id from another workshop
is "unknown", never someone else's data) and raises the domain's
:class:`~workshop.errors.NotFound` with the code the UI shows.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, bindparam, case, func, select
from sqlalchemy.orm import Session, contains_eager

from ..domain import phases
from ..errors import NotFound, Unauthenticated, ValidationError
from ..storage.models import Action, ActionUpdate, Idea, Round, Workshop, utcnow

FLOOD_LIMIT, FLOOD_WINDOW = 12, 60  # ideas (or actions) per participant per minute

M = TypeVar("M")


def workshop(s: Session, workshop_id: int, *, lock: bool = False) -> Workshop:
    """The workshop a connection belongs to; it may have been deleted since."""
    q = select(Workshop).where(Workshop.id == workshop_id)
    w = s.scalar(q.with_for_update() if lock else q)
    if w is None:
        raise Unauthenticated("unknown_workshop")
    return w


def round_of(s: Session, workshop_id: int, round_id: int | None, *, lock: bool = False) -> Round:
    """The given round of the workshop, or its current one (the first not closed, else the last)."""
    q = select(Round).where(Round.workshop_id == workshop_id)
    if round_id is not None:
        q = q.where(Round.id == round_id)
    else:
        current = s.scalar(select(func.min(Round.position)).where(Round.workshop_id == workshop_id, Round.phase != phases.CLOSED))
        if current is None:
            current = s.scalar(select(func.max(Round.position)).where(Round.workshop_id == workshop_id))
        q = q.where(Round.position == current)
    r = s.scalar(q.with_for_update() if lock else q)
    if r is None:
        raise NotFound("unknown_round")
    return r


#: the workshop's current round (the first not closed, else the last) in one statement
CURRENT_ROUND = (
    select(Round.id, Round.phase)
    .where(Round.workshop_id == bindparam("w"))
    .order_by(Round.phase == phases.CLOSED, case((Round.phase == phases.CLOSED, -Round.position), else_=Round.position))
    .limit(1)
)
GIVEN_ROUND = select(Round.id, Round.phase).where(Round.workshop_id == bindparam("w"), Round.id == bindparam("r"))


def round_row(conn: Connection, workshop_id: int, round_id: int | None) -> Row:
    """:func:`round_of` for the hot paths: ``(id, phase)`` of the given or current round, one Core statement."""
    if round_id is None:
        row = conn.execute(CURRENT_ROUND, {"w": workshop_id}).first()
    else:
        row = conn.execute(GIVEN_ROUND, {"w": workshop_id, "r": round_id}).first()
    if row is None:
        raise NotFound("unknown_round")
    return row


def item(s: Session, model: type[M], item_id: int, workshop_id: int, what: str, *, lock: bool = False) -> M:
    """An idea, theme or action of the workshop, with its round loaded by the same query."""
    m: Any = model
    q = (
        select(m)
        .join(Round, Round.id == m.round_id)
        .options(contains_eager(m.round))
        .where(m.id == item_id, Round.workshop_id == workshop_id)
    )
    obj = s.scalar(q.with_for_update(of=m) if lock else q)
    if obj is None:
        raise NotFound(f"unknown_{what}")
    return obj


def items(s: Session, model: type[M], item_ids: list[int], workshop_id: int, what: str) -> list[M]:
    """Several ideas or actions of the workshop, locked in id order (two consoles locking overlapping
    selections cannot deadlock), with their rounds; ``unknown_<what>`` unless every id is found."""
    m: Any = model
    q = (
        select(m)
        .join(Round, Round.id == m.round_id)
        .options(contains_eager(m.round))
        .where(m.id.in_(item_ids), Round.workshop_id == workshop_id)
        .order_by(m.id)
        .with_for_update(of=m)
    )
    found = list(s.scalars(q).unique())
    if len(found) != len(item_ids):
        raise NotFound(f"unknown_{what}")
    return found


def count(s: Session, model: type, *where: Any) -> int:
    """How many rows of ``model`` match."""
    return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def slow_down(s: Session, model: type, participant_id: int, limit: int = FLOOD_LIMIT, window: int = FLOOD_WINDOW) -> None:
    """A phone may write ideas or actions at a human pace, not flood the wall.

    ``limit`` items per ``window`` seconds per participant (by default
    ``FLOOD_LIMIT`` per ``FLOOD_WINDOW``; the server's ``IDEA_RATE``) is far
    above what anyone types; a script or a stuck button is stopped with a
    readable error, and nothing else is affected.
    The refusal says when the next one will be accepted (``retry_after``, in
    seconds), so a phone's outbox that comes back from an outage waits and
    sends again instead of losing what was typed.
    """
    m: Any = model
    now = utcnow()
    since = now - timedelta(seconds=window)
    recent = m.participant_id == participant_id, m.created_at >= since
    if count(s, m, *recent) >= limit:
        # The window frees a place when its FLOOD_LIMIT-th newest item grows older than FLOOD_WINDOW.
        newest = s.scalars(select(m.created_at).where(*recent).order_by(m.created_at.desc()).limit(limit)).all()
        oldest = newest[-1].replace(tzinfo=None) if newest else now.replace(tzinfo=None)
        wait = (oldest + timedelta(seconds=window) - now.replace(tzinfo=None)).total_seconds()
        raise ValidationError("too_fast", seconds=window, retry_after=max(1, math.ceil(wait)))


def merged_count(s: Session, idea: Idea) -> int:
    """How many people an idea stands for: itself and the duplicates merged into it."""
    return 1 + count(s, Idea, Idea.merged_into_id == idea.id)


def updates(s: Session, where: Any) -> dict[int, list[ActionUpdate]]:
    """Status updates of the actions matching ``where`` (one query), by action id."""
    rows = s.scalars(select(ActionUpdate).join(Action, Action.id == ActionUpdate.action_id).where(where).order_by(ActionUpdate.id)).all()
    out: dict[int, list[ActionUpdate]] = {}
    for u in rows:
        out.setdefault(u.action_id, []).append(u)
    return out
