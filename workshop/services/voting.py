"""Dot voting: a participant adds or takes back dots; the tallies a room is shown.

The budget rules are :mod:`workshop.domain.voting`'s; here they are applied
inside a transaction that holds the participant's row, so two votes sent at
once from the same phone are counted against the budget actually left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import aliased

from ..domain import phases
from ..domain.visibility import tallies_visible
from ..domain.voting import Ballot, apply_vote, ranked_tally
from ..errors import NotFound, ValidationError
from ..storage.models import Action, Participant, Round, Theme, Vote, Workshop
from . import queries
from .base import PARTICIPANT, Change, Tx, id_field, use_case
from .views import round_view_header

if TYPE_CHECKING:  # pragma: no cover
    from . import WorkshopService


def _kind(payload: dict) -> str:
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in phases.VOTE_KIND_PHASE:
        raise ValidationError("invalid_field", field="kind")
    return kind


def _context(target: Any, *extra: Any) -> Any:
    """One statement for everything a vote reads: the workshop's settings, the target's round,
    the voter's group, the dots they already spent in this vote and already put on this target."""
    used = (
        select(func.coalesce(func.sum(Vote.dots), 0))
        .where(Vote.participant_id == bindparam("p"), Vote.round_id == Round.id, Vote.kind == bindparam("k"))
        .scalar_subquery()
    )
    before = (
        select(Vote.dots)
        .where(Vote.participant_id == bindparam("p"), Vote.kind == bindparam("k"), Vote.target_id == target.id)
        .scalar_subquery()
    )
    q = (
        select(
            Workshop.settings, Round.id, Round.phase, Round.vote_open, Participant.group, used.label("used"), before.label("before"), *extra
        )
        .select_from(target)
        .join(Round, Round.id == target.round_id)
        .join(Workshop, Workshop.id == Round.workshop_id)
        .join(Participant, and_(Participant.id == bindparam("p"), Participant.workshop_id == Workshop.id))
        .where(target.id == bindparam("t"), Round.workshop_id == bindparam("w"))
    )
    return q


KEPT = aliased(Theme)
CONTEXT = {
    "theme": _context(Theme),
    "action": _context(Action, KEPT.kept, Action.review).join(KEPT, KEPT.id == Action.theme_id),
}
LOCK_VOTER = select(Participant.id).where(Participant.id == bindparam("p")).with_for_update()
MINE = (Vote.participant_id == bindparam("p"), Vote.kind == bindparam("k"), Vote.target_id == bindparam("t"))
ADD = insert(Vote)
SET = update(Vote).where(*MINE).execution_options(synchronize_session=False)
TAKE = delete(Vote).where(*MINE).execution_options(synchronize_session=False)


@use_case(PARTICIPANT, check=_kind, hot=True, settings=False, lane="vote")
def vote(tx: Tx, _subject: None, kind: str):
    """Add or take back dots on a theme (define) or an action (converge).

    The participant's row is locked for the whole transaction (SQLite:
    BEGIN IMMEDIATE; PostgreSQL: SELECT … FOR UPDATE, taken before the
    dots are read), so concurrent votes from the same phone are applied one
    after the other against the budget actually left.  Core statements only:
    one read for everything the rules need, one write (besides the operation).
    """
    conn, actor = tx.conn, tx.actor
    target_id = id_field(tx.payload, "target_id")
    params = {"w": actor.workshop_id, "p": actor.participant_id, "t": target_id, "k": kind}
    if conn.dialect.name != "sqlite":
        conn.execute(LOCK_VOTER, params)
    row = conn.execute(CONTEXT[kind], params).first()
    if row is None or (kind == "action" and row[8] != "approved"):  # an action waiting for review is not on the ballot
        queries.workshop(tx.s, actor.workshop_id)  # a deleted workshop is refused as such
        raise NotFound(f"unknown_{kind}")
    settings, round_id, phase, vote_open, group, used, before = row[:7]
    phases.require(phase, f"vote_{kind}")
    phases.require_vote_open(phase, vote_open)
    if kind == "action" and not row[7]:
        raise ValidationError("theme_not_kept")
    had = before or 0
    budget = settings["dot_budget"]
    new = apply_vote(had, used, tx.payload.get("delta", 1), budget, settings["dot_cap"])
    if before is None:
        conn.execute(ADD, {"round_id": round_id, "participant_id": actor.participant_id, "kind": kind, "target_id": target_id, "dots": new})
    elif new == 0:
        conn.execute(TAKE, params)
    else:
        conn.execute(SET, {**params, "dots": new})
    used += new - had
    result = {"kind": kind, "target_id": target_id, "dots": new, "used": used, "remaining": budget - used}
    change = {"round_id": round_id, "kind": kind, "target_id": target_id, "group": group, "before": had, "after": new}
    return result, [Change("tally", actor.workshop_id, change)]


def tallies(service: WorkshopService, workshop_id: int, round_id: int, kind: str) -> dict[str, Any]:
    """Current dots per item of one vote, the breakdown by stakeholder group, and the ranking, from the tally book."""
    return service.tally_book.tallies(workshop_id, round_id, kind)


def recount(service: WorkshopService, workshop_id: int, round_id: int, kind: str) -> dict[str, Any]:
    """:func:`tallies` recounted from the rows (the reference the tally book is checked against)."""
    with service.db.read() as s:
        rows = s.execute(
            select(Vote.target_id, Participant.group, Vote.dots)
            .join(Participant, Participant.id == Vote.participant_id)
            .join(Round, Round.id == Vote.round_id)
            .where(Vote.round_id == round_id, Vote.kind == kind, Round.workshop_id == workshop_id)
        ).all()
        w = s.get(Workshop, workshop_id)
        r = s.get(Round, round_id)
        if w is None or r is None:
            raise NotFound("unknown_round")
        order = None
        if kind == "theme":
            order = {tid: pos for tid, pos in s.execute(select(Theme.id, Theme.position).where(Theme.round_id == round_id))}
        items, ranking = ranked_tally((Ballot(t, g, d) for t, g, d in rows), order)
        return {
            "round_id": round_id,
            "kind": kind,
            "items": items,
            "ranking": ranking,
            "visible": tallies_visible(w.settings, round_view_header(r, w.settings), kind),
        }
