"""Dot voting: budgets, caps, tallies and rankings.

The functions here decide; the service layer calls them inside a locked
database transaction with the participant's current dots, so two phones (or
two fast taps) can never together spend more than the budget.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import BudgetError, ValidationError


def apply_vote(on_item: int, used: int, delta: int, budget: int, cap: int) -> int:
    """Return the participant's new dot count on an item, or raise why not.

    ``on_item`` is what they already put on this item, ``used`` what they
    already spent in this vote overall, ``delta`` the dots added (positive) or
    taken back (negative).
    """
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0 or abs(delta) > cap:
        raise ValidationError("invalid_field", field="delta")
    new = on_item + delta
    if new < 0:
        raise ValidationError("no_dots_to_remove")
    if new > cap:
        raise BudgetError("item_cap", cap=cap)
    if delta > 0 and used + delta > budget:
        raise BudgetError("budget", budget=budget, remaining=max(0, budget - used))
    return new


@dataclass(frozen=True)
class Ballot:
    """One participant's dots on one item."""

    target_id: int
    group: str | None
    dots: int


def round_ballots(round_view: dict, kind: str) -> Iterator[Ballot]:
    """The ballots of one vote of a round view (as snapshots hold it): the one reading of ``votes``."""
    return (Ballot(v["target_id"], v["group"], v["dots"]) for v in round_view["votes"] if v["kind"] == kind)


def tally(ballots: Iterable[Ballot]) -> dict[int, dict]:
    """Dots, voters and breakdown by stakeholder group for every voted item."""
    out: dict[int, dict] = {}
    for b in ballots:
        if b.dots <= 0:
            continue
        t = out.setdefault(b.target_id, {"dots": 0, "voters": 0, "by_group": defaultdict(int)})
        t["dots"] += b.dots
        t["voters"] += 1
        t["by_group"][b.group or "—"] += b.dots
    for t in out.values():
        t["by_group"] = dict(sorted(t["by_group"].items()))
    return out


def equal_weight_scores(tallies: dict[int, dict]) -> dict[int, float]:
    """Score each item so that every stakeholder group weighs the same.

    Each group's dots are scaled so the group's total is 1, then summed and
    expressed in percent of all groups: an association voting alone counts as
    much as a whole room of agents ("autant de poids").
    """
    group_totals: dict[str, int] = defaultdict(int)
    for t in tallies.values():
        for group, dots in t["by_group"].items():
            group_totals[group] += dots
    n = len(group_totals)
    if not n:
        return {item: 0.0 for item in tallies}
    return {item: round(100 * sum(d / group_totals[g] for g, d in t["by_group"].items()) / n, 1) for item, t in tallies.items()}


def rank(item_ids: Iterable[int], tallies: dict[int, dict], order: dict[int, int] | None = None) -> list[int]:
    """Item ids by dots (desc), then voters (desc), then their original order."""
    order = order or {}
    ids = list(item_ids)
    return sorted(
        ids,
        key=lambda i: (
            -tallies.get(i, {}).get("dots", 0),
            -tallies.get(i, {}).get("voters", 0),
            order.get(i, 0),
            i,
        ),
    )


def ranked_tally(ballots: Iterable[Ballot], order: dict[int, int] | None = None) -> tuple[list[dict], list[int]]:
    """Tally items in id order, and the voted item ids ranked (most dots first).

    Ties are broken as everywhere else (voters, then ``order``, then id), so a
    page listing items in this order shows what a synthesis would freeze.
    """
    tallies = tally(ballots)
    return [{"id": tid, **t} for tid, t in sorted(tallies.items())], rank(tallies, tallies, order)
