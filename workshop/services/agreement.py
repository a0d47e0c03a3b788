"""Agreement across groups: the facilitator opens an agree/disagree round on the actions, phones answer.

The rules (stances, the per-group shares with small groups merged into "autres",
the cross-group consensus, what divides) are :mod:`workshop.domain.agreement`'s;
here they run in transactions.  In converge the facilitator opens the round
(``agreement.open``), closes it, and reveals the results to the room
(``agreement.reveal``); every phase change closes it.  An answer is a hot write
(committed in groups with votes and joins): one stance per participant per
approved action of the round, replaced when changed, refused while the round is
not open.  It only marks the round's agreement dirty: the broadcaster sends the
results coalesced (``agreement.results``), never one message per answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from ..domain import agreement as rules
from ..domain import phases
from ..errors import NotFound, PhaseError
from ..storage.models import Action, AgreementRound, Participant, Round, Stance, utcnow
from .base import FACILITATOR, GUEST, MODERATOR, PARTICIPANT, ROUND, SCREEN, SCRIBE, Actor, Change, Tx, bool_field, id_field, use_case
from .views import iso

if TYPE_CHECKING:  # pragma: no cover
    from . import WorkshopService

#: everything an answer reads: the action (of the caller's workshop), its round's phase, the agreement round, the previous stance
ANSWER_CONTEXT = (
    select(Action.round_id, Action.review, Round.phase, AgreementRound.open, AgreementRound.opened_at, Stance.id)
    .select_from(Action)
    .join(Round, Round.id == Action.round_id)
    .outerjoin(AgreementRound, AgreementRound.round_id == Round.id)
    .outerjoin(Stance, (Stance.action_id == Action.id) & (Stance.participant_id == bindparam("p")))
    .where(Action.id == bindparam("a"), Round.workshop_id == bindparam("w"))
)
ADD_STANCE = insert(Stance)
SET_STANCE = (
    update(Stance)
    .where(Stance.id == bindparam("stance_id"))
    .values(stance=bindparam("stance"), updated_at=bindparam("at"))
    .execution_options(synchronize_session=False)
)
STANCES = (
    select(Stance.round_id, Stance.action_id, Stance.participant_id, Participant.group, Stance.stance)
    .join(Participant, Participant.id == Stance.participant_id)
    .where(Stance.round_id.in_(bindparam("rounds", expanding=True)))
    .order_by(Stance.id)
)
BALLOT = (
    select(Action.round_id, Action.id)
    .where(Action.round_id.in_(bindparam("rounds", expanding=True)), Action.review == "approved")
    .order_by(Action.id)
)
MINE = select(Stance.round_id, Stance.action_id, Stance.stance).where(Stance.participant_id == bindparam("p"))


# --------------------------------------------------------------------------- views


def results_of(conn: Connection | Session, round_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each round's agreement results (two queries for them all): the ballot is its approved actions."""
    ballot: dict[int, list[int]] = {r: [] for r in round_ids}
    stances: dict[int, list[rules.Stance]] = {r: [] for r in round_ids}
    people: dict[int, set[int]] = {r: set() for r in round_ids}
    if round_ids:
        for round_id, action_id in conn.execute(BALLOT, {"rounds": round_ids}):
            ballot[round_id].append(action_id)
        for round_id, action_id, participant_id, group, stance in conn.execute(STANCES, {"rounds": round_ids}):
            stances[round_id].append(rules.Stance(action_id, group, stance))
            people[round_id].add(participant_id)
    return {r: rules.results(ballot[r], stances[r], len(people[r])) for r in round_ids}


def state_view(a: AgreementRound, results: dict[str, Any]) -> dict[str, Any]:
    """The facilitator's view of a round's agreement: its state and its live results (docs/protocol.md, "Agreement")."""
    return {
        "round_id": a.round_id,
        "open": a.open,
        "revealed": a.revealed,
        "opened_at": iso(a.opened_at),
        "closed_at": iso(a.closed_at),
        "answers": results["answers"],
        "results": results,
    }


def agreement_full(s: Session, workshop_id: int) -> list[dict[str, Any]]:
    """Every agreement round of a workshop (facilitator view, with results), in the rounds' order."""
    rows = list(
        s.scalars(
            select(AgreementRound)
            .join(Round, Round.id == AgreementRound.round_id)
            .where(AgreementRound.workshop_id == workshop_id)
            .order_by(Round.position)
        )
    )
    results = results_of(s, [a.round_id for a in rows])
    return [state_view(a, results[a.round_id]) for a in rows]


def _changed(s: Session, a: AgreementRound) -> tuple[dict, list[Change]]:
    view = state_view(a, results_of(s, [a.round_id])[a.round_id])
    return {"agreement": view}, [Change("agreement", a.workshop_id, view)]


def _state_of(s: Session, r: Round) -> AgreementRound:
    a = s.get(AgreementRound, r.id, with_for_update=True)
    if a is None:
        a = AgreementRound(round_id=r.id, workshop_id=r.workshop_id, open=False, revealed=False)
        s.add(a)
        s.flush()
    return a


def close_on_phase_change(s: Session, r: Round) -> list[Change]:
    """Every phase change closes the round's agreement (as it closes the dot vote): the hook of ``phase.advance``/``reopen``."""
    a = s.get(AgreementRound, r.id, with_for_update=True)
    if a is None or not a.open:
        return []
    a.open, a.closed_at = False, utcnow()
    s.flush()
    return _changed(s, a)[1]


# --------------------------------------------------------------------------- use cases


@use_case(FACILITATOR, subject=ROUND, lock=True, check=lambda p: bool_field(p, "open"))
def open_agreement(tx: Tx, r: Round, open_: bool):
    """Open (or close again) the round's agree/disagree round on its actions (converge only).

    Asking for the state it is already in changes nothing but is answered all the same.
    """
    if r.phase != phases.CONVERGE:
        raise PhaseError(phase=r.phase)
    a = _state_of(tx.s, r)
    if open_ != a.open:
        now = utcnow()
        a.open = open_
        if open_:
            a.opened_at = a.opened_at or now
            a.closed_at = None
        else:
            a.closed_at = now
        tx.s.flush()
    return _changed(tx.s, a)


@use_case(FACILITATOR, subject=ROUND, lock=True, check=lambda p: bool_field(p, "revealed", True))
def reveal_agreement(tx: Tx, r: Round, revealed: bool):
    """Show the agreement's results to the room (projector, phones), or take them back."""
    a = tx.s.get(AgreementRound, r.id, with_for_update=True)
    if a is None:
        raise PhaseError("agreement_not_open", phase=r.phase)
    a.revealed = revealed
    tx.s.flush()
    return _changed(tx.s, a)


@use_case(PARTICIPANT, hot=True, settings=False, lane="stance")
def answer_agreement(tx: Tx, _subject: None, _checked: None):
    """A participant's stance on one approved action of an open agreement round: a new one replaces it.

    Hot path (Core statements, group commit): one read for the action, its
    round and the previous stance, one write.  The unique (action, participant)
    constraint backs the read: two stances sent at once from two of one
    person's phones end as one row.
    """
    conn, actor = tx.conn, tx.actor
    action_id = id_field(tx.payload, "action_id")
    stance = rules.check_stance(tx.payload.get("stance"))
    row = conn.execute(ANSWER_CONTEXT, {"a": action_id, "w": actor.workshop_id, "p": actor.participant_id}).first()
    if row is None or row.review != "approved":  # an action waiting for review is not on the ballot
        raise NotFound("unknown_action")
    if row.phase != phases.CONVERGE:
        raise PhaseError(phase=row.phase)
    if not row.open:
        raise PhaseError("agreement_closed" if row.opened_at is not None else "agreement_not_open", phase=row.phase)
    now = utcnow()
    if row.id is None:
        conn.execute(
            ADD_STANCE,
            {"round_id": row.round_id, "action_id": action_id, "participant_id": actor.participant_id, "stance": stance, "updated_at": now},
        )
    else:
        conn.execute(SET_STANCE, {"stance_id": row.id, "stance": stance, "at": now})
    result = {"round_id": row.round_id, "action_id": action_id, "stance": stance}
    return result, [Change("agreement_answer", actor.workshop_id, {"round_id": row.round_id})]


# --------------------------------------------------------------------------- reads


def agreement_results(service: WorkshopService, workshop_id: int, round_id: int) -> dict[str, Any] | None:
    """``{round_id, open, revealed, answers, results}`` as they stand (the broadcaster's coalesced ``agreement.results``)."""
    with service.db.read() as s:
        a = s.scalar(select(AgreementRound).where(AgreementRound.round_id == round_id, AgreementRound.workshop_id == workshop_id))
        if a is None:
            return None
        return state_view(a, results_of(s, [round_id])[round_id])


def snapshot_agreement(service: WorkshopService, actor: Actor) -> list[dict[str, Any]]:
    """The ``agreement`` of a snapshot: each round's agree/disagree round.

    The team's consoles get the figures always; the screen and phones only once
    revealed (the projector also how many have answered); a phone gets its own
    stances as ``mine`` (``{action id: stance}``); a guest and a scribe get none.
    """
    if actor.role in (GUEST, SCRIBE):
        return []
    with service.db.read() as s:
        if not s.scalar(select(func.count()).select_from(AgreementRound).where(AgreementRound.workshop_id == actor.workshop_id)):
            return []
        full = agreement_full(s, actor.workshop_id)
        if actor.role in (FACILITATOR, MODERATOR):
            return full
        mine: dict[int, dict[str, str]] = {}
        if actor.participant_id is not None:
            for round_id, action_id, stance in s.execute(MINE, {"p": actor.participant_id}):
                mine.setdefault(round_id, {})[str(action_id)] = stance
    out = []
    for state in full:
        view = rules.public_agreement(state, screen=actor.role == SCREEN)
        if actor.role == PARTICIPANT:
            view["mine"] = mine.get(state["round_id"], {})
        out.append(view)
    return out
