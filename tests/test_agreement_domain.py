"""Agreement across groups, the pure rules (workshop.domain.agreement), with hypothesis properties.

The cross-group consensus is high only when every group agrees: it never exceeds the
least agreeing group's smoothed share, one dissenting group pulls it down, an agreeing
voter added never lowers it, and it does not depend on the groups' order or names.
Small groups are merged into "autres" by the polls' own rule (merge_small_groups).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshop.domain import agreement as rules
from workshop.domain.polls import MIN_GROUP, OTHERS
from workshop.errors import ValidationError


@st.composite
def group_figures(draw, min_groups=1):
    """{group: (agree, stances)} with 0 <= agree <= stances."""
    names = draw(st.lists(st.text("abcdefgh", min_size=1, max_size=4), min_size=min_groups, max_size=6, unique=True))
    out = {}
    for name in names:
        n = draw(st.integers(0, 60))
        out[name] = (draw(st.integers(0, n)), n)
    return out


@given(group_figures())
def test_consensus_never_exceeds_the_least_agreeing_group(groups):
    least = min(rules.smoothed(a, n) for a, n in groups.values())
    assert rules.consensus(groups) <= least + 1e-12
    assert rules.consensus_product(groups) <= rules.consensus(groups) + 1e-12
    assert 0 < rules.consensus(groups) < 1


@given(group_figures(), st.integers(5, 60))
def test_one_dissenting_group_pulls_it_down(groups, n):
    """Add a group that disagrees entirely: the consensus falls to at most that group's smoothed share (≤ 1/7)."""
    before = rules.consensus(groups)
    after = rules.consensus({**groups, "dissent": (0, n)})
    assert after <= rules.smoothed(0, n) <= 1 / 7
    assert after <= before


@given(group_figures(), st.data())
def test_an_agreeing_voter_never_lowers_it(groups, data):
    name = data.draw(st.sampled_from(sorted(groups)))
    a, n = groups[name]
    more = {**groups, name: (a + 1, n + 1)}
    assert rules.consensus(more) >= rules.consensus(groups) - 1e-12
    assert rules.consensus_product(more) >= rules.consensus_product(groups) - 1e-12


@given(group_figures(), st.randoms(use_true_random=False))
def test_symmetric_in_groups(groups, rnd):
    items = list(groups.values())
    rnd.shuffle(items)
    renamed = {f"g{i}": v for i, v in enumerate(items)}
    assert rules.consensus(renamed) == pytest.approx(rules.consensus(groups))
    assert rules.consensus_product(renamed) == pytest.approx(rules.consensus_product(groups))
    assert rules.division(renamed) == pytest.approx(rules.division(groups))


def test_smoothing_and_division():
    assert rules.smoothed(0, 0) == 0.5
    assert rules.smoothed(5, 5) == pytest.approx(6 / 7)
    assert rules.division({"a": (5, 5)}) == 0
    assert rules.division({"a": (5, 5), "b": (0, 5)}) == 1


@given(st.lists(st.tuples(st.sampled_from(["habitant", "élu", "agent", None]), st.sampled_from(rules.STANCES)), max_size=40))
def test_no_group_under_the_minimum_is_shown(rows):
    """Every displayed group of an action has at least MIN_GROUP stances, except "autres" when the whole action has fewer."""
    stances = [rules.Stance(1, g, s) for g, s in rows]
    out = rules.count([1], stances)
    action = out["actions"][0]
    assert action["stances"] == len(rows)
    assert sum(g["stances"] for g in action["by_group"].values()) == len(rows)
    for name, g in action["by_group"].items():
        assert g["stances"] >= MIN_GROUP or (name == OTHERS and len(rows) < MIN_GROUP) or list(action["by_group"]) == [OTHERS]
        assert g["agree"] + g["neutral"] + g["disagree"] == g["stances"]


def test_agreed_and_divided_lists():
    def people(action, group, agree, neutral=0, disagree=0):
        return (
            [rules.Stance(action, group, "agree")] * agree
            + [rules.Stance(action, group, "neutral")] * neutral
            + [rules.Stance(action, group, "disagree")] * disagree
        )

    stances = (
        people(1, "habitant", 6)
        + people(1, "élu", 5)  # everyone agrees
        + people(2, "habitant", 6)
        + people(2, "élu", 0, disagree=5)  # habitants for, élus against
        + people(3, "habitant", 2, 2, 2)
        + people(3, "élu", 2, 1, 2)  # lukewarm everywhere
        + people(4, "habitant", 1)
        + people(4, "élu", 1)  # too few: one group "autres"
    )
    out = rules.results([1, 2, 3, 4], stances, answers=11)
    by_id = {a["action_id"]: a for a in out["actions"]}
    assert out["answers"] == 11
    assert out["agreed"] == [1]
    assert out["divided"] == [2]
    assert set(by_id[1]["by_group"]) == {"habitant", "élu"}
    assert by_id[1]["consensus"] == pytest.approx(6 / 7, abs=1e-3)
    assert by_id[2]["division"] == 1
    assert list(by_id[4]["by_group"]) == [OTHERS] and by_id[4]["division"] == 0
    assert rules.results([5], [], 0)["actions"][0]["consensus"] == 0


def test_stance_is_checked():
    assert rules.check_stance("neutral") == "neutral"
    for bad in (None, "yes", 1, ["agree"]):
        with pytest.raises(ValidationError):
            rules.check_stance(bad)


def test_public_views_hide_figures_until_revealed():
    state = {"round_id": 1, "open": True, "revealed": False, "answers": 3, "results": {"answers": 3}}
    assert rules.public_agreement(state)["results"] is None and "answers" not in rules.public_agreement(state)
    assert rules.public_agreement(state, screen=True)["answers"] == 3
    assert rules.public_agreement({**state, "revealed": True})["results"] == {"answers": 3}
    assert rules.public_results(1, {"answers": 3}, False) is None
    assert rules.public_results(1, {"answers": 3}, False, screen=True) == {"round_id": 1, "answers": 3, "results": None}
