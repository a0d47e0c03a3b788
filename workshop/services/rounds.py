"""Rounds and their phases: the facilitator's controls of the room.

Closing a phase freezes its synthesis and refreshes the action-plan draft;
reopening one takes its synthesis out of the draft until it closes again.
Also: revealing tallies, the countdown, a synthesis preview, a new round.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..domain import phases
from ..domain import timer as timer_rules
from ..domain.synthesis import build_synthesis, vote_record
from ..domain.text import clean_text
from ..errors import NotFound, PhaseError, ValidationError
from ..storage.models import Round, Synthesis, Theme, Vote, utcnow
from . import queries
from .agreement import close_on_phase_change
from .base import FACILITATOR, ROUND, Actor, Change, Tx, bool_field, int_field, refusal, require_dict, use_case
from .snapshots import refresh_plan, round_full
from .views import iso, round_view_header, theme_view

if TYPE_CHECKING:  # pragma: no cover
    from . import WorkshopService

MAX_ROUNDS = 20
MAX_TIMER = timer_rules.MAX_TIMER
SYNTHESISED = (phases.DIVERGE, phases.DEFINE, phases.CONVERGE)


def _expected_phase(tx: Tx, r: Round) -> None:
    """A console that saw another phase must not close the wrong one (two tabs, a slow network)."""
    if "expected_phase" in tx.payload and tx.payload["expected_phase"] != r.phase:
        raise PhaseError("phase_changed", phase=r.phase)


def _round_changed(tx: Tx, r: Round, *more: Change) -> tuple[dict, list[Change]]:
    header = round_view_header(r, tx.settings)
    return {"round": header}, [Change("round", tx.workshop.id, header), *more]


def _vote_record(r: Round, closing: bool = False) -> dict | None:
    """How the current phase's vote ran, for its synthesis (``closing``: the phase closes now, and so does an open vote)."""
    if r.phase not in phases.VOTE_KIND_PHASE.values():
        return None
    closed_at = utcnow() if closing and r.vote_open else (None if r.vote_open else r.vote_closed_at)
    return vote_record(r.vote_open or r.vote_opened_at is not None, iso(r.vote_opened_at), iso(closed_at))


def _new_phase(r: Round, phase: str) -> None:
    """What every phase change resets: tallies hidden again, no countdown, the vote closed until the facilitator opens it."""
    r.phase = phase
    r.tallies_revealed = False
    r.timer_ends_at, r.timer_seconds = None, None
    r.vote_open, r.vote_opened_at, r.vote_closed_at = False, None, None


def _tallies_changed(tx: Tx, r: Round) -> list[Change]:
    """Both votes' tallies, whose visibility may just have changed (shown, or taken back)."""
    return [Change("tally", tx.workshop.id, {"round_id": r.id, "kind": kind}) for kind in phases.VOTE_KIND_PHASE]


@use_case(FACILITATOR, subject=ROUND, lock=True, lock_workshop=True)
def advance_phase(tx: Tx, r: Round, _checked: None):
    """Close the round's current phase (freezing its synthesis) and open the next."""
    s, w = tx.s, tx.workshop
    _expected_phase(tx, r)
    if queries.count(s, Round, Round.workshop_id == w.id, Round.position < r.position, Round.phase != phases.CLOSED):
        raise PhaseError("previous_round_open", phase=r.phase)
    closing = r.phase
    opening = phases.next_phase(closing)
    changes: list[Change] = []
    if closing == phases.DEFINE:
        changes += _keep_themes(s, r, tx.payload.get("kept_theme_ids"), w.settings["keep_top_k"])
    if closing in SYNTHESISED:
        data = build_synthesis(closing, round_full(s, w, r), w.settings["equal_weight"], _vote_record(r, closing=True))
        existing = s.scalar(select(Synthesis).where(Synthesis.round_id == r.id, Synthesis.phase == closing))
        if existing:
            existing.data, existing.created_at = data, utcnow()
        else:
            s.add(Synthesis(round_id=r.id, phase=closing, data=data))
        changes.append(Change("synthesis", w.id, {"round_id": r.id, "phase": closing, "data": data}))
    changes += close_on_phase_change(s, r)  # the agree/disagree round closes with the phase (services/agreement.py)
    _new_phase(r, opening)
    s.flush()
    changes.append(Change("plan", w.id, refresh_plan(s, w)))
    changes += _tallies_changed(tx, r)
    result, round_changes = _round_changed(tx, r, *changes)
    return {**result, "closed": closing}, round_changes


def _keep_themes(s: Session, r: Round, chosen: object, top_k: int) -> list[Change]:
    """Mark the themes the room keeps: the facilitator's choice, or the ``top_k`` most voted."""
    themes = s.scalars(select(Theme).where(Theme.round_id == r.id).order_by(Theme.position)).all()
    if chosen is not None:
        if not isinstance(chosen, list) or not all(isinstance(t, int) and not isinstance(t, bool) for t in chosen):
            raise ValidationError("invalid_field", field="kept_theme_ids")
        if not set(chosen) <= {t.id for t in themes}:
            raise NotFound("unknown_theme")
        kept = set(chosen)
    else:
        dots = dict(
            s.execute(
                select(Vote.target_id, func.sum(Vote.dots)).where(Vote.round_id == r.id, Vote.kind == "theme").group_by(Vote.target_id)
            ).all()
        )
        ordered = sorted(themes, key=lambda t: (-(dots.get(t.id) or 0), t.position))
        kept = {t.id for t in ordered[:top_k]}
    changes = []
    for t in themes:
        if t.kept != (t.id in kept):
            t.kept = t.id in kept
            changes.append(Change("theme", r.workshop_id, theme_view(t)))
    s.flush()
    return changes


@use_case(FACILITATOR, subject=ROUND, lock=True, lock_workshop=True)
def reopen_phase(tx: Tx, r: Round, _checked: None):
    """Go back to the previous phase of an unclosed round (its synthesis will be re-frozen)."""
    s, w = tx.s, tx.workshop
    _expected_phase(tx, r)
    closed = close_on_phase_change(s, r)
    _new_phase(r, phases.previous_phase(r.phase))
    # The reopened phase is open again: its frozen synthesis no longer
    # says what the room decided, so it leaves the draft until it closes again.
    s.execute(delete(Synthesis).where(Synthesis.round_id == r.id, Synthesis.phase == r.phase))
    s.flush()
    plan = refresh_plan(s, w)
    return _round_changed(
        tx,
        r,
        Change("synthesis", w.id, {"round_id": r.id, "phase": r.phase, "data": None}),
        Change("plan", w.id, plan),
        *_tallies_changed(tx, r),
        *closed,
    )


@use_case(FACILITATOR, subject=ROUND, lock=True, check=lambda p: bool_field(p, "revealed", True))
def reveal_tallies(tx: Tx, r: Round, revealed: bool):
    """Show (or hide again) the vote tallies to the room when tallies are 'reveal'."""
    r.tallies_revealed = revealed
    tx.s.flush()
    return _round_changed(tx, r, *_tallies_changed(tx, r))


@use_case(FACILITATOR, subject=ROUND, capability="open_vote", lock=True, check=lambda p: bool_field(p, "open"))
def open_vote(tx: Tx, r: Round, open_: bool):
    """Open (or close again) the dot vote of the current phase: until then phones may not vote (``vote_not_open``).

    Opening records the first opening and closing the last closing of the
    phase, for its synthesis; asking for the state the vote is already in
    changes nothing but is answered all the same.
    """
    if open_ != r.vote_open:
        now = utcnow()
        r.vote_open = open_
        if open_ and r.vote_opened_at is None:
            r.vote_opened_at = now
        if not open_:
            r.vote_closed_at = now
        tx.s.flush()
    return _round_changed(tx, r)


def _timer_request(payload: dict) -> tuple[str, int | None]:
    """``seconds`` (set; 0 or null stops) or ``add_seconds`` (extend the running countdown), not both."""
    if "add_seconds" in payload:
        if payload.get("seconds") is not None:
            raise ValidationError("invalid_field", field="add_seconds")
        add = timer_rules.check_seconds(payload["add_seconds"], "add_seconds", timer_rules.MAX_ADD, minimum=1)
        if add is None:
            raise ValidationError("invalid_field", field="add_seconds")
        return "add", add
    return "set", timer_rules.check_seconds(payload.get("seconds"), "seconds", MAX_TIMER)


@use_case(FACILITATOR, subject=ROUND, lock=True, check=_timer_request)
def set_timer(tx: Tx, r: Round, request: tuple[str, int | None]):
    """Start a countdown of ``seconds`` for the current phase (0 or null stops it), or add ``add_seconds`` to it.

    The server computes the new end (:func:`workshop.domain.timer.extend`):
    consoles only say "+1 min", so two consoles pressing it add two minutes.
    """
    how, seconds = request
    now = utcnow()
    if how == "add":
        assert seconds is not None
        r.timer_ends_at, r.timer_seconds = timer_rules.extend(_aware(r.timer_ends_at), r.timer_seconds, seconds, now)
    elif seconds:
        r.timer_seconds, r.timer_ends_at = seconds, now + timedelta(seconds=seconds)
    else:
        r.timer_seconds, r.timer_ends_at = None, None
    tx.s.flush()
    return _round_changed(tx, r)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they are UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@use_case(FACILITATOR, lock_workshop=True)
def add_round(tx: Tx, _subject: None, _checked: None):
    """Add a round with a new question at the end of the workshop."""
    s, w = tx.s, tx.workshop
    if len(w.rounds) >= MAX_ROUNDS:
        raise ValidationError("too_many_rounds")
    r = Round(position=len(w.rounds) + 1, question=clean_text(tx.payload.get("question"), "question", 500), timings={})
    w.rounds.append(r)
    s.flush()
    return _round_changed(tx, r, Change("plan", w.id, refresh_plan(s, w)))


def preview_synthesis(service: WorkshopService, actor: Actor, payload: object) -> dict[str, Any]:
    """What closing the current phase would freeze, without closing it (read-only)."""
    if actor.role != FACILITATOR:
        raise refusal(actor.role, (FACILITATOR,))
    data = require_dict(payload if payload is not None else {})
    with service.db.read() as s:
        w = queries.workshop(s, actor.workshop_id)
        r = queries.round_of(s, w.id, int_field(data, "round_id", required=False))
        if r.phase not in SYNTHESISED:
            return {"round_id": r.id, "phase": r.phase, "data": None}
        data = build_synthesis(r.phase, round_full(s, w, r), w.settings["equal_weight"], _vote_record(r))
        return {"round_id": r.id, "phase": r.phase, "data": data}
