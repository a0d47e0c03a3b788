"""workshop.domain.voting: dot budgets, per-item caps, tallies, equal weight and ranking."""

from __future__ import annotations

import json

import pytest

from workshop.domain.voting import Ballot, apply_vote, equal_weight_scores, rank, tally
from workshop.errors import BudgetError, ValidationError

BUDGET, CAP = 5, 3


def test_adding_dots() -> None:
    assert apply_vote(0, 0, 1, BUDGET, CAP) == 1
    assert apply_vote(1, 2, 2, BUDGET, CAP) == 3
    assert apply_vote(0, 4, 1, BUDGET, CAP) == 1  # the last dot of the budget


def test_over_budget_says_what_remains() -> None:
    with pytest.raises(BudgetError) as info:
        apply_vote(0, 4, 2, BUDGET, CAP)
    assert info.value.code == "budget"
    assert info.value.params == {"budget": 5, "remaining": 1}


def test_budget_spent_leaves_nothing_remaining() -> None:
    with pytest.raises(BudgetError) as info:
        apply_vote(0, 5, 1, BUDGET, CAP)
    assert info.value.params["remaining"] == 0
    with pytest.raises(BudgetError) as info:  # budget lowered after voting: never negative
        apply_vote(0, 7, 1, BUDGET, CAP)
    assert info.value.params["remaining"] == 0


def test_per_item_cap() -> None:
    with pytest.raises(BudgetError) as info:
        apply_vote(2, 2, 2, BUDGET, CAP)
    assert info.value.code == "item_cap"
    assert info.value.params == {"cap": 3}
    with pytest.raises(BudgetError):
        apply_vote(3, 3, 1, BUDGET, CAP)


def test_taking_dots_back_works_with_a_spent_budget() -> None:
    assert apply_vote(2, 5, -1, BUDGET, CAP) == 1
    assert apply_vote(3, 5, -3, BUDGET, CAP) == 0


def test_cannot_remove_dots_that_are_not_there() -> None:
    with pytest.raises(ValidationError) as info:
        apply_vote(1, 5, -2, BUDGET, CAP)
    assert info.value.code == "no_dots_to_remove"
    with pytest.raises(ValidationError):
        apply_vote(0, 0, -1, BUDGET, CAP)


@pytest.mark.parametrize("delta", [0, True, False, CAP + 1, -(CAP + 1), 1.0, "1", None])
def test_invalid_delta(delta: object) -> None:
    with pytest.raises(ValidationError) as info:
        apply_vote(0, 0, delta, BUDGET, CAP)  # type: ignore[arg-type]
    assert info.value.code == "invalid_field"
    assert info.value.params == {"field": "delta"}


def test_tally_by_group() -> None:
    result = tally(
        [
            Ballot(1, "habitant", 2),
            Ballot(1, "agent", 1),
            Ballot(2, None, 3),
            Ballot(1, "habitant", 1),
            Ballot(3, "agent", 0),  # a withdrawn vote leaves no trace
        ]
    )
    assert result == {
        1: {"dots": 4, "voters": 3, "by_group": {"agent": 1, "habitant": 3}},
        2: {"dots": 3, "voters": 1, "by_group": {"—": 3}},
    }
    assert type(result[1]["by_group"]) is dict
    assert list(result[1]["by_group"]) == ["agent", "habitant"]
    json.dumps(result)  # goes over the wire as is
    assert tally([]) == {}


def test_equal_weight_a_lone_association_weighs_as_much_as_many_agents() -> None:
    # Ten agents put 2 dots each on item 1; one association puts 1 dot on item 2.
    ballots = [Ballot(1, "agent", 2) for _ in range(10)] + [Ballot(2, "association", 1)]
    tallies = tally(ballots)
    assert (tallies[1]["dots"], tallies[2]["dots"]) == (20, 1)
    assert equal_weight_scores(tallies) == {1: 50.0, 2: 50.0}


def test_equal_weight_can_change_the_order() -> None:
    # agents: 6 dots on item 1, 4 on item 2; the association: its 1 dot on item 2.
    # Each group's dots are shares of its total: item 1 = (6/10)/2, item 2 = (4/10 + 1/1)/2.
    tallies = tally([Ballot(1, "agent", 6), Ballot(2, "agent", 4), Ballot(2, "association", 1)])
    assert rank([1, 2], tallies) == [1, 2]  # by raw dots: 6 against 5
    scores = equal_weight_scores(tallies)
    assert scores == {1: 30.0, 2: 70.0}
    assert sum(scores.values()) == pytest.approx(100)


def test_equal_weight_without_votes() -> None:
    assert equal_weight_scores({}) == {}


def test_rank_tie_breaks() -> None:
    tallies = tally(
        [
            Ballot(1, "habitant", 4),  # 4 dots, 1 voter
            Ballot(2, "habitant", 2),
            Ballot(2, "agent", 2),  # 4 dots, 2 voters
            Ballot(3, "habitant", 5),
        ]
    )
    # dots first, then more voters, then unvoted items in their original order, then by id
    assert rank([1, 2, 3, 4, 5, 6], tallies, {4: 3, 5: 1, 6: 2}) == [3, 2, 1, 5, 6, 4]
    assert rank([6, 5, 4], tallies) == [4, 5, 6]
