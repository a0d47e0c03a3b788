"""Quick polls: the facilitator asks, the room answers from its phones, whatever the round's phase.

The rules (kinds, what an answer may say, counting with small groups merged
into "autres") are :mod:`workshop.domain.polls`'; here they run in
transactions.  A poll is created as a draft (from the plan, or from the
console) or opened at once; the facilitator opens, closes and reveals it.  An
answer is a hot write (committed in groups with votes and joins, see
:class:`~workshop.services.base.GroupCommit`): one answer per participant per
poll, replaced when changed, refused once the poll is closed.  It only marks
the poll's results dirty: the broadcaster sends them coalesced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from ..domain import polls as rules
from ..errors import NotFound, PhaseError, ValidationError
from ..storage.models import Participant, Poll, PollAnswer, utcnow
from . import queries
from .base import FACILITATOR, GUEST, MODERATOR, PARTICIPANT, SCREEN, SCRIBE, Actor, Change, Tx, bool_field, id_field, use_case
from .views import iso

if TYPE_CHECKING:  # pragma: no cover
    from . import WorkshopService

ANSWERS = (
    select(PollAnswer.poll_id, Participant.group, PollAnswer.choices, PollAnswer.text)
    .join(Participant, Participant.id == PollAnswer.participant_id)
    .where(PollAnswer.poll_id.in_(bindparam("polls", expanding=True)))
    .order_by(PollAnswer.id)
)
#: everything an answer reads: the poll (of the caller's workshop), the answerer's group and previous answer
ANSWER_CONTEXT = (
    select(Poll.kind, Poll.state, Poll.options, Poll.max_choices, PollAnswer.id)
    .select_from(Poll)
    .outerjoin(PollAnswer, (PollAnswer.poll_id == Poll.id) & (PollAnswer.participant_id == bindparam("p")))
    .where(Poll.id == bindparam("poll"), Poll.workshop_id == bindparam("w"))
)
ADD_ANSWER = insert(PollAnswer)
SET_ANSWER = (
    update(PollAnswer)
    .where(PollAnswer.id == bindparam("answer"))
    .values(choices=bindparam("choices"), text=bindparam("text"), updated_at=bindparam("at"))
    .execution_options(synchronize_session=False)
)
MINE = select(PollAnswer.poll_id, PollAnswer.choices, PollAnswer.text).where(PollAnswer.participant_id == bindparam("p"))


# --------------------------------------------------------------------------- views


def poll_view(p: Poll, results: dict[str, Any]) -> dict[str, Any]:
    """The facilitator's view of a poll: with its live results (see docs/protocol.md, "Poll")."""
    return {
        "id": p.id,
        "position": p.position,
        "round_id": p.round_id,
        "kind": p.kind,
        "question": p.question,
        "options": [dict(o) for o in p.options],
        "max_choices": p.max_choices,
        "state": p.state,
        "revealed": p.revealed,
        "section": p.section,
        "opened_at": iso(p.opened_at),
        "closed_at": iso(p.closed_at),
        "created_at": iso(p.created_at),
        "answers": results["answers"],
        "results": results,
    }


def results_of(conn: Connection | Session, polls: list[Poll]) -> dict[int, dict[str, Any]]:
    """Each poll's results, counted from its answers (one query for them all)."""
    answers: dict[int, list[rules.Answer]] = {p.id: [] for p in polls}
    if polls:
        for poll_id, group, choices, text in conn.execute(ANSWERS, {"polls": list(answers)}):
            answers[poll_id].append(rules.Answer(group, tuple(choices or ()), text))
    return {p.id: rules.count(p.kind, p.options, answers[p.id]) for p in polls}


def polls_full(s: Session, workshop_id: int) -> list[dict[str, Any]]:
    """Every poll of a workshop, facilitator view with results, in order."""
    polls = list(s.scalars(select(Poll).where(Poll.workshop_id == workshop_id).order_by(Poll.position, Poll.id)))
    results = results_of(s, polls)
    return [poll_view(p, results[p.id]) for p in polls]


def _changed(s: Session, p: Poll) -> tuple[dict, list[Change]]:
    view = poll_view(p, results_of(s, [p])[p.id])
    return {"poll": view}, [Change("poll", p.workshop_id, view)]


def _load(tx: Tx) -> Poll:
    poll_id = id_field(tx.payload, "poll_id")
    p = tx.s.scalar(select(Poll).where(Poll.id == poll_id, Poll.workshop_id == tx.actor.workshop_id).with_for_update())
    if p is None:
        raise NotFound("unknown_poll")
    return p


def new_poll(s: Session, workshop_id: int, spec: rules.PollSpec, *, section: str = "", round_id: int | None = None) -> Poll:
    """Add a draft poll at the end of the workshop's list (the plan's, or the console's)."""
    count = s.scalar(select(func.count()).select_from(Poll).where(Poll.workshop_id == workshop_id)) or 0
    if count >= rules.MAX_POLLS:
        raise ValidationError("too_many_polls", max=rules.MAX_POLLS)
    last = s.scalar(select(func.max(Poll.position)).where(Poll.workshop_id == workshop_id)) or 0
    p = Poll(
        workshop_id=workshop_id,
        round_id=round_id,
        position=last + 1,
        kind=spec.kind,
        question=spec.question,
        options=[dict(o) for o in spec.options],
        max_choices=spec.max_choices,
        state=rules.DRAFT,
        revealed=False,
        section=section,
    )
    s.add(p)
    s.flush()
    return p


def _open(p: Poll) -> None:
    p.state = rules.OPEN
    if p.opened_at is None:
        p.opened_at = utcnow()
    p.closed_at = None


# --------------------------------------------------------------------------- use cases


def _create_check(payload: dict) -> tuple[rules.PollSpec, bool]:
    return rules.check_spec(payload), bool_field(payload, "open", False)


@use_case(FACILITATOR, lock_workshop=True, check=_create_check)
def create_poll(tx: Tx, _subject: None, checked: tuple[rules.PollSpec, bool]):
    """A new poll from the console: a draft, or opened at once (``open: true``)."""
    spec, open_now = checked
    current = queries.round_of(tx.s, tx.actor.workshop_id, None)
    p = new_poll(tx.s, tx.actor.workshop_id, spec, round_id=current.id)
    if open_now:
        _open(p)
    tx.s.flush()
    return _changed(tx.s, p)


def _state(payload: dict) -> str:
    state = payload.get("state")
    if state not in (rules.OPEN, rules.CLOSED):
        raise ValidationError("invalid_field", field="state")
    return state


@use_case(FACILITATOR, check=_state)
def set_poll_state(tx: Tx, _subject: None, state: str):
    """Open a poll (a draft, or a closed one again) or close it; asking for the state it is in changes nothing."""
    p = _load(tx)
    if state != p.state:
        if state == rules.OPEN:
            _open(p)
        else:
            if p.state == rules.DRAFT:
                raise PhaseError("poll_not_open")
            p.state, p.closed_at = rules.CLOSED, utcnow()
        tx.s.flush()
    return _changed(tx.s, p)


@use_case(FACILITATOR, check=lambda p: bool_field(p, "revealed", True))
def reveal_poll(tx: Tx, _subject: None, revealed: bool):
    """Show a poll's results to the room (the projector, the phones), or take them back."""
    p = _load(tx)
    if p.state == rules.DRAFT and revealed:
        raise PhaseError("poll_not_open")
    p.revealed = revealed
    tx.s.flush()
    return _changed(tx.s, p)


@use_case(PARTICIPANT, hot=True, lane="poll")
def answer_poll(tx: Tx, _subject: None, _checked: None):
    """A participant's answer to an open poll: one per poll, a new one replaces it.

    Hot path (Core statements, group commit): one read for the poll and the
    previous answer, one write.  The unique (poll, participant) constraint
    backs the read: two answers sent at once from two of one person's phones
    end as one row, the last committed.
    """
    conn, actor = tx.conn, tx.actor
    poll_id = id_field(tx.payload, "poll_id")
    row = conn.execute(ANSWER_CONTEXT, {"poll": poll_id, "w": actor.workshop_id, "p": actor.participant_id}).first()
    if row is None:
        raise NotFound("unknown_poll")
    kind, state, options, max_choices, previous = row
    if state != rules.OPEN:
        raise PhaseError("poll_closed" if state == rules.CLOSED else "poll_not_open")
    choices, text = rules.check_answer(kind, (o["value"] for o in options), max_choices, tx.payload)
    now = utcnow()
    if previous is None:
        conn.execute(
            ADD_ANSWER, {"poll_id": poll_id, "participant_id": actor.participant_id, "choices": choices, "text": text, "updated_at": now}
        )
    else:
        conn.execute(SET_ANSWER, {"answer": previous, "choices": choices, "text": text, "at": now})
    mine = {"choices": choices, "text": text}
    return {"poll_id": poll_id, "mine": mine}, [Change("poll_answer", actor.workshop_id, {"poll_id": poll_id})]


# --------------------------------------------------------------------------- reads


def poll_results(service: WorkshopService, workshop_id: int, poll_id: int) -> dict[str, Any] | None:
    """``{poll_id, revealed, answers, results}`` as they stand (the broadcaster's coalesced ``poll.results``)."""
    with service.db.read() as s:
        p = s.scalar(select(Poll).where(Poll.id == poll_id, Poll.workshop_id == workshop_id))
        if p is None:
            return None
        results = results_of(s, [p])[p.id]
        return {"poll_id": p.id, "revealed": p.revealed, "state": p.state, "answers": results["answers"], "results": results}


def snapshot_polls(service: WorkshopService, actor: Actor) -> list[dict[str, Any]]:
    """The ``polls`` of a snapshot: every poll with results for the facilitator; the room's view otherwise.

    Screens and phones get the polls that are not drafts, results only once
    revealed (the projector also the number of answers); a phone gets its own
    answer as ``mine`` (null before it answered); a guest gets none.
    """
    if actor.role in (GUEST, SCRIBE):  # a scribe's page types notes: it is sent no poll
        return []
    with service.db.read() as s:
        full = polls_full(s, actor.workshop_id)
        if actor.role in (FACILITATOR, MODERATOR):  # the team's consoles share the facilitator's room
            return full
        mine: dict[int, dict] = {}
        if actor.participant_id is not None:
            mine = {pid: {"choices": list(c or []), "text": t} for pid, c, t in s.execute(MINE, {"p": actor.participant_id})}
    out = []
    for poll in full:
        view = rules.public_poll(poll, screen=actor.role == SCREEN)
        if view is None:
            continue
        if actor.role == PARTICIPANT:
            view["mine"] = mine.get(poll["id"])
        out.append(view)
    return out
