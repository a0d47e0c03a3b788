"""workshop.domain.phases: the phase order and what each phase allows."""

from __future__ import annotations

import pytest

from workshop.domain import phases
from workshop.domain.phases import ALLOWED, CLOSED, CONVERGE, DEFINE, DIVERGE, LOBBY, ORDER
from workshop.errors import PhaseError, ValidationError


def test_phase_order() -> None:
    assert ORDER == ("lobby", "diverge", "define", "converge", "closed")
    assert [phases.next_phase(p) for p in ORDER[:-1]] == list(ORDER[1:])


def test_a_closed_round_has_no_next_phase() -> None:
    with pytest.raises(PhaseError) as info:
        phases.next_phase(CLOSED)
    assert info.value.code == "round_closed"


@pytest.mark.parametrize("phase, previous", [(DEFINE, DIVERGE), (CONVERGE, DEFINE)])
def test_reopen_previous_phase(phase: str, previous: str) -> None:
    assert phases.previous_phase(phase) == previous


@pytest.mark.parametrize("phase, code", [(LOBBY, "nothing_to_reopen"), (DIVERGE, "nothing_to_reopen"), (CLOSED, "round_closed")])
def test_cannot_reopen(phase: str, code: str) -> None:
    with pytest.raises(PhaseError) as info:
        phases.previous_phase(phase)
    assert info.value.code == code
    assert info.value.params["phase"] == phase


@pytest.mark.parametrize("capability", sorted(ALLOWED))
@pytest.mark.parametrize("phase", ORDER)
def test_require_follows_the_table(capability: str, phase: str) -> None:
    if phase in ALLOWED[capability]:
        phases.require(phase, capability)
        return
    with pytest.raises(PhaseError) as info:
        phases.require(phase, capability)
    assert info.value.code == "wrong_phase"
    assert info.value.params == {"capability": capability, "phase": phase}


@pytest.mark.parametrize(
    "phase, capability",
    [
        (DEFINE, "post_idea"),
        (CONVERGE, "post_idea"),
        (LOBBY, "post_idea"),
        (DEFINE, "edit_own_idea"),
        (CONVERGE, "vote_theme"),
        (DIVERGE, "vote_theme"),
        (DEFINE, "vote_action"),
        (DEFINE, "propose_action"),
        (CONVERGE, "edit_themes"),
        (CONVERGE, "merge_ideas"),
    ],
)
def test_require_refuses_what_the_room_should_not_do(phase: str, capability: str) -> None:
    with pytest.raises(PhaseError):
        phases.require(phase, capability)


def test_nothing_happens_in_the_lobby_and_after_closing_only_sheets_are_completed() -> None:
    for capability, allowed in ALLOWED.items():
        assert LOBBY not in allowed, capability
        assert (CLOSED in allowed) == (capability == "edit_action"), capability


def test_each_vote_kind_is_allowed_exactly_in_its_phase() -> None:
    assert ALLOWED["vote_theme"] == {phases.VOTE_KIND_PHASE["theme"]} == {DEFINE}
    assert ALLOWED["vote_action"] == {phases.VOTE_KIND_PHASE["action"]} == {CONVERGE}


def test_check_phase_name() -> None:
    assert phases.check_phase_name("define") == "define"
    for bad in ("Define", "", None, 2):
        with pytest.raises(ValidationError) as info:
            phases.check_phase_name(bad)
        assert info.value.code == "invalid_field" and info.value.params["field"] == "phase"


@pytest.mark.parametrize("phase", ORDER)
def test_the_table_says_where_a_phase_can_be_reopened(phase: str) -> None:
    """Pages show "reopen" from the table the server sends; it must agree with what reopening does."""
    try:
        phases.previous_phase(phase)
        reopenable = True
    except PhaseError:
        reopenable = False
    assert reopenable == (phase in ALLOWED["reopen_phase"])
