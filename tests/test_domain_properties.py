"""Properties of the domain core, over generated inputs (hypothesis).

The example tests in test_domain_voting.py, test_domain_text.py and
test_domain_settings.py pin chosen cases; these state the rule those cases
illustrate, for any input: a phone can never spend more than its budget, a
cleaned text is clean and stays as it is when cleaned again, valid settings
survive re-validation.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.domain.settings import normalize_settings
from workshop.domain.text import clean_text
from workshop.domain.voting import Ballot, apply_vote, equal_weight_scores, tally
from workshop.errors import BudgetError, ValidationError

FAST = settings(max_examples=150, deadline=None, database=None)  # no .hypothesis folder in the work tree

# ----------------------------------------------------------------------------- voting

budgets = st.integers(min_value=1, max_value=20)


@FAST
@given(data=st.data(), budget=budgets)
def test_no_sequence_of_taps_spends_more_than_the_budget_or_the_cap(data, budget):
    cap = data.draw(st.integers(min_value=1, max_value=budget), label="cap")
    steps = data.draw(st.lists(st.tuples(st.integers(0, 3), st.integers(-cap, cap)), max_size=40), label="taps")
    dots = {item: 0 for item in range(4)}
    for item, delta in steps:
        before = dict(dots)
        try:
            dots[item] = apply_vote(dots[item], sum(dots.values()), delta, budget, cap)
        except (BudgetError, ValidationError) as refusal:
            assert dots == before
            assert refusal.code in {"budget", "item_cap", "no_dots_to_remove", "invalid_field"}
            continue
        assert delta != 0
        assert dots[item] == before[item] + delta
        assert 0 <= dots[item] <= cap
        assert sum(dots.values()) <= budget


@FAST
@given(data=st.data(), budget=budgets)
def test_dots_that_are_there_can_always_be_taken_back(data, budget):
    cap = data.draw(st.integers(min_value=1, max_value=budget), label="cap")
    on_item = data.draw(st.integers(min_value=1, max_value=cap), label="on_item")
    used = data.draw(st.integers(min_value=on_item, max_value=3 * budget), label="used")  # even over a lowered budget
    back = data.draw(st.integers(min_value=1, max_value=on_item), label="back")
    assert apply_vote(on_item, used, -back, budget, cap) == on_item - back


@FAST
@given(data=st.data(), budget=budgets)
def test_a_refused_vote_says_what_remains(data, budget):
    cap = data.draw(st.integers(min_value=1, max_value=budget), label="cap")
    used = data.draw(st.integers(min_value=0, max_value=2 * budget), label="used")
    delta = data.draw(st.integers(min_value=1, max_value=cap), label="delta")
    try:
        apply_vote(0, used, delta, budget, cap)
    except BudgetError as refusal:
        assert refusal.code == "budget"
        assert used + delta > budget
        assert refusal.params == {"budget": budget, "remaining": max(0, budget - used)}
    else:
        assert used + delta <= budget


groups = st.sampled_from(["habitant", "agent", "association", "élu·e", None])
ballots = st.lists(st.builds(Ballot, st.integers(1, 6), groups, st.integers(0, 5)), max_size=60)


@FAST
@given(ballots=ballots)
def test_tallies_add_up(ballots):
    result = tally(ballots)
    cast = [b for b in ballots if b.dots > 0]
    assert sum(t["dots"] for t in result.values()) == sum(b.dots for b in cast)
    assert sum(t["voters"] for t in result.values()) == len(cast)
    for _item, t in result.items():
        assert sum(t["by_group"].values()) == t["dots"] > 0
        assert list(t["by_group"]) == sorted(t["by_group"])
    assert set(result) == {b.target_id for b in cast}


@FAST
@given(ballots=ballots)
def test_equal_weight_shares_make_a_hundred(ballots):
    tallies = tally(ballots)
    scores = equal_weight_scores(tallies)
    assert set(scores) == set(tallies)
    assert all(0 <= s <= 100 for s in scores.values())
    if scores:
        assert sum(scores.values()) == pytest.approx(100, abs=0.05 * len(scores) + 1e-9)


# ----------------------------------------------------------------------------- text

pieces = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(["\u200b", "\u200d", "\ufeff", "\u202e", "\u00a0", "\t", "\r\n", "\n", "e\u0301", "🌳", " "]),
)
typed = st.lists(pieces, max_size=120).map("".join)  # what phones send: invisible characters and all


@FAST
@given(value=typed)
def test_a_cleaned_text_is_clean_and_stays_as_it_is(value):
    try:
        cleaned = clean_text(value, "text", 280)
    except ValidationError as refusal:
        assert refusal.code in {"empty_text", "text_too_long"}
        return
    assert cleaned and cleaned == cleaned.strip()
    assert unicodedata.is_normalized("NFC", cleaned)
    assert "\r" not in cleaned and "\t" not in cleaned and "  " not in cleaned and "\n\n\n" not in cleaned
    assert not any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in cleaned)
    assert len(cleaned) <= 280
    assert clean_text(cleaned, "text", 280) == cleaned


# ----------------------------------------------------------------------------- settings


@FAST
@given(data=st.data(), budget=st.integers(min_value=1, max_value=100))
def test_valid_vote_settings_survive_revalidation(data, budget):
    cap = data.draw(st.integers(min_value=1, max_value=budget), label="cap")
    normalized = normalize_settings({"dot_budget": budget, "dot_cap": cap})
    assert (normalized["dot_budget"], normalized["dot_cap"]) == (budget, cap)
    assert normalize_settings(normalized) == normalized


@FAST
@given(data=st.data(), budget=st.integers(min_value=1, max_value=99))
def test_a_cap_over_the_budget_is_refused(data, budget):
    cap = data.draw(st.integers(min_value=budget + 1, max_value=budget + 50), label="cap")
    with pytest.raises(ValidationError) as info:
        normalize_settings({"dot_budget": budget, "dot_cap": cap})
    assert info.value.code == "invalid_setting" and info.value.params["setting"] == "dot_cap"
