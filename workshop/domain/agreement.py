"""Agreement across stakeholder groups: on which actions do the groups agree, and what divides them?

In converge the facilitator may open an *agreement round*: each participant says,
per approved action, agree / neutral / disagree.  This module is pure (no Flask,
no database): it checks a stance and computes, per action,

- each stakeholder group's **agree share** (agree among the group's stances),
  with the groups merged by :func:`workshop.domain.polls.merge_small_groups` —
  the one rule every display and export follows: a group with fewer than
  :data:`~workshop.domain.polls.MIN_GROUP` stances on the action is counted under
  "autres", so nobody can be singled out by their group's figures;
- the **cross-group consensus**: the *minimum*, over the groups, of the
  Laplace-smoothed agree share ``(agree + 1) / (n + 2)``;
- the **division**: the largest agree share minus the smallest (0 with one group).

Why the minimum of smoothed shares.  A group-informed consensus (Pol.is) must be
high only when *every* group agrees: one group that disagrees must pull it down,
however large the others.  Pol.is multiplies the groups' smoothed shares; the
product has that property, but its value shrinks with the number of groups (five
groups each at 80 % give 0.33, two give 0.64), so one threshold would mean
different things in a room of two collèges and in a room of six.  The minimum
keeps the property and reads plainly — "even the least convinced group agrees at
this rate" — so the threshold of :data:`AGREED` means the same in every room.
The product is kept as a tie-break (among equal minima, the action the other
groups agree on more comes first).  Laplace smoothing (one imaginary agree and
one imaginary disagree per group) keeps a group of 5 unanimous voices (6/7 =
0.86) below a group of 30 (31/32 = 0.97), so small samples do not look certain.

Properties (tested with hypothesis in tests/test_agreement_domain.py): the
consensus never exceeds the least-agreeing group's smoothed share; one dissenting
group pulls it down; an agreeing voter added to a group never lowers it; it does
not depend on the groups' order or names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from math import prod
from typing import Any

from ..errors import ValidationError
from .polls import MIN_GROUP, OTHERS, merge_small_groups

AGREE, NEUTRAL, DISAGREE = "agree", "neutral", "disagree"
STANCES = (AGREE, NEUTRAL, DISAGREE)
#: "Points d'accord": consensus at least this (the least agreeing group's smoothed share)
AGREED = 0.6
#: "Points qui divisent": groups' agree shares this far apart at least
DIVIDED = 0.3
#: how many actions each list shows at most
TOP = 5


def check_stance(value: object) -> str:
    """A stance from a phone: ``agree``, ``neutral`` or ``disagree`` (``invalid_field`` otherwise)."""
    if not isinstance(value, str) or value not in STANCES:
        raise ValidationError("invalid_field", field="stance")
    return value


def smoothed(agree: int, n: int) -> float:
    """A group's Laplace-smoothed agree share: ``(agree + 1) / (n + 2)`` (0.5 with no stance)."""
    return (agree + 1) / (n + 2)


def consensus(groups: Mapping[str, tuple[int, int]]) -> float:
    """Cross-group consensus of ``{group: (agree, stances)}``: the least agreeing group's smoothed share (0 without groups)."""
    if not groups:
        return 0.0
    return min(smoothed(a, n) for a, n in groups.values())


def consensus_product(groups: Mapping[str, tuple[int, int]]) -> float:
    """Pol.is' group-informed consensus (the product of the smoothed shares): the tie-break of :func:`consensus`."""
    if not groups:
        return 0.0
    return prod(smoothed(a, n) for a, n in groups.values())


def division(groups: Mapping[str, tuple[int, int]]) -> float:
    """How far apart the groups are: the largest agree share minus the smallest (0 with fewer than two groups)."""
    shares = [a / n for a, n in groups.values() if n]
    return max(shares) - min(shares) if len(shares) > 1 else 0.0


@dataclass(frozen=True)
class Stance:
    """One participant's stance on one action, with their stakeholder group."""

    action_id: int
    group: str | None
    stance: str


def _round(x: float) -> float:
    return round(x, 3)


def count(action_ids: Iterable[int], stances: Iterable[Stance], minimum: int = MIN_GROUP) -> dict[str, Any]:
    """The agreement of a round's actions: ``{answers, actions[], agreed[], divided[]}``.

    Each action: ``{action_id, stances, agree, neutral, disagree, by_group{group: {stances, agree,
    neutral, disagree, share}}, consensus, division}`` — groups merged per action by
    :func:`merge_small_groups` (at least ``minimum`` stances each, the rest under "autres").
    ``agreed``: the ids with ``consensus ≥`` :data:`AGREED` and at least ``minimum`` stances (two
    people agreeing are not a point of agreement of the room), highest first; ``divided``: the ids
    with ``division ≥`` :data:`DIVIDED` (so two groups shown), most divided first (at most :data:`TOP` each).
    ``answers``: how many people gave at least one stance.
    """
    ids = list(dict.fromkeys(action_ids))
    per: dict[int, list[Stance]] = {i: [] for i in ids}
    for st in stances:
        if st.action_id in per:
            per[st.action_id].append(st)
    actions = []
    for action_id in ids:
        rows = per[action_id]
        sizes: Counter[str | None] = Counter(st.group for st in rows)
        where = merge_small_groups(sizes, minimum)
        groups: dict[str, Counter[str]] = {}
        totals: Counter[str] = Counter()
        for st in rows:
            groups.setdefault(where[st.group], Counter())[st.stance] += 1
            totals[st.stance] += 1
        figures = {g: (c[AGREE], sum(c.values())) for g, c in groups.items()}
        order = sorted(groups, key=lambda g: (g == OTHERS, g))
        actions.append(
            {
                "action_id": action_id,
                "stances": len(rows),
                **{s: totals[s] for s in STANCES},
                "by_group": {
                    g: {
                        "stances": figures[g][1],
                        **{s: groups[g][s] for s in STANCES},
                        "share": _round(figures[g][0] / figures[g][1]),
                    }
                    for g in order
                },
                "consensus": _round(consensus(figures)) if rows else 0.0,
                "product": _round(consensus_product(figures)) if rows else 0.0,
                "division": _round(division(figures)),
            }
        )

    def key(a: dict[str, Any], name: str) -> float:
        return float(a[name])

    agreed = sorted(
        (a for a in actions if key(a, "stances") >= minimum and key(a, "consensus") >= AGREED),
        key=lambda a: (-key(a, "consensus"), -key(a, "product"), a["action_id"]),
    )
    divided = sorted((a for a in actions if key(a, "division") >= DIVIDED), key=lambda a: (-key(a, "division"), a["action_id"]))
    return {
        "actions": actions,
        "agreed": [a["action_id"] for a in agreed[:TOP]],
        "divided": [a["action_id"] for a in divided[:TOP]],
    }


def results(action_ids: Iterable[int], stances: Iterable[Stance], answers: int) -> dict[str, Any]:
    """:func:`count` with the number of people who answered (``answers``)."""
    return {"answers": answers, **count(action_ids, stances)}


def public_agreement(state: Mapping[str, Any], *, screen: bool = False) -> dict[str, Any]:
    """An agreement round as the room sees it: figures only once revealed (the projector also sees ``answers``)."""
    out = {k: v for k, v in state.items() if k not in ("results", "answers")}
    out["results"] = state.get("results") if state.get("revealed") else None
    if screen:
        out["answers"] = state.get("answers", 0)
    return out


def public_results(round_id: int, results: Mapping[str, Any] | None, revealed: bool, *, screen: bool = False) -> dict[str, Any] | None:
    """The coalesced ``agreement.results`` message for the room (``None``: nothing to send to that room)."""
    answers = (results or {}).get("answers", 0)
    if revealed:
        return {"round_id": round_id, "answers": answers, "results": results}
    if screen:
        return {"round_id": round_id, "answers": answers, "results": None}
    return None
