"""Dot voting: a participant adds or takes back dots; the tallies a room is shown.

The budget rules are :mod:`workshop.domain.voting`'s; here they are applied
inside a transaction that holds the participant's row, so two votes sent at
once from the same phone are counted against the budget actually left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..domain import phases
from ..domain.visibility import tallies_visible
from ..domain.voting import Ballot, apply_vote, ranked_tally
from ..errors import NotFound, ValidationError
from ..storage.models import Action, Participant, Round, Theme, Vote, Workshop
from .base import PARTICIPANT, Change, Tx, use_case
from .views import round_view_header

if TYPE_CHECKING:  # pragma: no cover
    from . import WorkshopService

TARGETS: dict[str, type] = {"theme": Theme, "action": Action}


def _kind(payload: dict) -> str:
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in phases.VOTE_KIND_PHASE:
        raise ValidationError("invalid_field", field="kind")
    return kind


@use_case(PARTICIPANT, check=_kind, subject=lambda p: TARGETS[p["kind"]], subject_id="target_id", capability=lambda p: f"vote_{p['kind']}")
def vote(tx: Tx, target: Any, kind: str):
    """Add or take back dots on a theme (define) or an action (converge).

    The participant's row is locked for the whole transaction (SQLite:
    BEGIN IMMEDIATE; PostgreSQL: SELECT … FOR UPDATE), so concurrent votes
    from the same phone are applied one after the other against the
    budget actually left.
    """
    s, w = tx.s, tx.workshop
    participant = s.scalars(select(Participant).where(Participant.id == tx.actor.participant_id).with_for_update()).one()
    r = target.round
    phases.require_vote_open(r.phase, r.vote_open)
    if kind == "action" and not target.theme.kept:
        raise ValidationError("theme_not_kept")
    mine = s.scalars(select(Vote).where(Vote.participant_id == participant.id, Vote.round_id == r.id, Vote.kind == kind)).all()
    used = sum(v.dots for v in mine)
    current = next((v for v in mine if v.target_id == target.id), None)
    before = current.dots if current else 0
    budget = w.settings["dot_budget"]
    new = apply_vote(before, used, tx.payload.get("delta", 1), budget, w.settings["dot_cap"])
    if current is None:
        s.add(Vote(round_id=r.id, participant_id=participant.id, kind=kind, target_id=target.id, dots=new))
    elif new == 0:
        s.delete(current)
    else:
        current.dots = new
    s.flush()
    used += new - before
    result = {"kind": kind, "target_id": target.id, "dots": new, "used": used, "remaining": budget - used}
    return result, [Change("tally", w.id, {"round_id": r.id, "kind": kind})]


def tallies(service: WorkshopService, workshop_id: int, round_id: int, kind: str) -> dict[str, Any]:
    """Current dots per item of one vote, the breakdown by stakeholder group, and the ranking."""
    with service.db.sessions() as s:
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
