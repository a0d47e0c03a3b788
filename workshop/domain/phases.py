"""Phases of a round and what each one allows.

Phases are data, not scattered ``if``s: every use case names the *capability*
it needs and :func:`require` checks it against this table.  Changing what a
phase allows is a one-line change here, and the table is what the protocol
documentation describes.
"""

from __future__ import annotations

from ..errors import PhaseError, ValidationError

LOBBY, DIVERGE, DEFINE, CONVERGE, CLOSED = "lobby", "diverge", "define", "converge", "closed"
ORDER: tuple[str, ...] = (LOBBY, DIVERGE, DEFINE, CONVERGE, CLOSED)

#: capability -> phases in which it is allowed
ALLOWED: dict[str, frozenset[str]] = {
    "post_idea": frozenset({DIVERGE}),
    "edit_own_idea": frozenset({DIVERGE}),
    "moderate_idea": frozenset({DIVERGE, DEFINE, CONVERGE}),
    "merge_ideas": frozenset({DIVERGE, DEFINE}),
    "edit_themes": frozenset({DEFINE}),
    "vote_theme": frozenset({DEFINE}),
    "propose_action": frozenset({CONVERGE}),
    # after the round closes too: owners, partners and deadlines are often settled after the day
    # (until the restitution is published; then what happens is recorded as dated updates)
    "edit_action": frozenset({CONVERGE, CLOSED}),
    "vote_action": frozenset({CONVERGE}),
    "reopen_phase": frozenset({DEFINE, CONVERGE}),  # the phases :func:`previous_phase` can step back from
    "open_vote": frozenset({DEFINE, CONVERGE}),  # the facilitator opens (and closes) the phase's dot vote
}

#: capabilities that also need the phase's vote to be open (the facilitator opens it: ``open_vote``)
VOTE_CAPABILITIES: frozenset[str] = frozenset({"vote_theme", "vote_action"})

#: which kind of item is dot-voted in which phase
VOTE_KIND_PHASE = {"theme": DEFINE, "action": CONVERGE}


def capabilities(phase: str, vote_open: bool = False) -> dict[str, bool]:
    """What the room may do in ``phase``, capability by capability: pages decide from this, not from a copy of the table.

    Voting needs both its phase and the facilitator's opening of the vote
    (``vote_open``): a vote is closed when its phase opens, so early items
    do not collect dots while the facilitator is still writing the others.
    """
    return {capability: phase in allowed and (vote_open or capability not in VOTE_CAPABILITIES) for capability, allowed in ALLOWED.items()}


def rules(action_statuses: tuple[str, ...], follow_up_statuses: tuple[str, ...]) -> dict:
    """The rules a page needs to lay itself out, sent in every snapshot (the browser never re-writes them)."""
    return {
        "phases": list(ORDER),
        "capabilities": {capability: [p for p in ORDER if p in allowed] for capability, allowed in ALLOWED.items()},
        "vote_phase": dict(VOTE_KIND_PHASE),
        "vote_opened_by_facilitator": sorted(VOTE_CAPABILITIES),
        "action_statuses": list(action_statuses),
        "follow_up_statuses": list(follow_up_statuses),
    }


def require(phase: str, capability: str) -> None:
    """Raise :class:`PhaseError` unless ``capability`` is allowed in ``phase``."""
    if phase not in ALLOWED[capability]:
        raise PhaseError(capability=capability, phase=phase)


def require_vote_open(phase: str, vote_open: bool) -> None:
    """Raise :class:`PhaseError` ``vote_not_open`` while the facilitator has not opened the phase's vote."""
    if not vote_open:
        raise PhaseError("vote_not_open", phase=phase)


def next_phase(phase: str) -> str:
    """The phase that opens when the facilitator closes ``phase``."""
    if phase == CLOSED:
        raise PhaseError("round_closed", phase=phase)
    return ORDER[ORDER.index(phase) + 1]


def previous_phase(phase: str) -> str:
    """The phase a facilitator may reopen from ``phase``.

    Going back is allowed inside an unclosed round, never before diverge
    (the lobby has nothing to reopen) and never out of a closed round.
    """
    if phase == CLOSED:
        raise PhaseError("round_closed", phase=phase)
    index = ORDER.index(phase)
    if index <= 1:
        raise PhaseError("nothing_to_reopen", phase=phase)
    return ORDER[index - 1]


def check_phase_name(value: object) -> str:
    """Validate a phase name coming from outside."""
    if value not in ORDER:
        raise ValidationError("invalid_field", field="phase")
    return value
