"""Frozen syntheses of closed phases and the action-plan draft.

Pure functions over the round views built by the service layer (plain dicts,
as found in a snapshot), so exports, tests and the live console all agree on
what a synthesis contains.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .review import is_approved
from .visibility import idea_counts, idea_is_public
from .voting import equal_weight_scores, rank, round_ballots, tally

SHEET_FIELDS = ("title", "description", "owner", "partners", "deadline", "resources", "indicators", "status")


def visible_ideas(round_view: dict) -> list[dict]:
    """Ideas that count: shown to the room (approved, not hidden, not withdrawn, not merged into another)."""
    return [i for i in round_view["ideas"] if idea_is_public(i)]


def _idea_brief(idea: dict) -> dict:
    return {
        "id": idea["id"],
        "text": idea["text"],
        "group": idea["group"],
        "on_behalf": idea["on_behalf"],
        "count": idea["count"],
    }


def _tallies(round_view: dict, kind: str) -> dict[int, dict]:
    return tally(round_ballots(round_view, kind))


def rank_by_equal_weight(entries: list[dict]) -> None:
    """Give each ranked entry its ``equal_weight_rank``: by equal-weight score, ties kept in vote order."""
    order = sorted(entries, key=lambda e: (-e["equal_weight"], e["rank"]))
    for position, e in enumerate(order, start=1):
        e["equal_weight_rank"] = position


def diverge_synthesis(round_view: dict) -> dict[str, Any]:
    """Every visible idea with how many people it stands for, most shared first."""
    ideas = visible_ideas(round_view)
    ideas.sort(key=lambda i: (-i["count"], i["id"]))
    return {
        "question": round_view["question"],
        "ideas": [_idea_brief(i) for i in ideas],
        "total_ideas": len(ideas),
        "contributions": sum(i["count"] for i in ideas),
        "by_group": dict(sorted(Counter(i["group"] or "—" for i in ideas).items())),
    }


def define_synthesis(round_view: dict, equal_weight: bool) -> dict[str, Any]:
    """Themes ranked by dots, with objective, criteria, their ideas and who voted."""
    ideas = visible_ideas(round_view)
    tallies = _tallies(round_view, "theme")
    scores = equal_weight_scores(tallies) if equal_weight else {}
    themes = {t["id"]: t for t in round_view["themes"]}
    ranked = rank(themes, tallies, {t["id"]: t["position"] for t in round_view["themes"]})
    out = []
    for position, tid in enumerate(ranked, start=1):
        t = themes[tid]
        tt = tallies.get(tid, {"dots": 0, "voters": 0, "by_group": {}})
        entry = {
            "rank": position,
            "id": tid,
            "title": t["title"],
            "objective": t["objective"],
            "criteria": list(t["criteria"]),
            "kept": t["kept"],
            "dots": tt["dots"],
            "voters": tt["voters"],
            "by_group": tt["by_group"],
            "ideas": [_idea_brief(i) for i in ideas if i["theme_id"] == tid],
        }
        if equal_weight:
            entry["equal_weight"] = scores.get(tid, 0.0)
        out.append(entry)
    if equal_weight:
        rank_by_equal_weight(out)
    return {
        "question": round_view["question"],
        "themes": out,
        "unsorted": [_idea_brief(i) for i in ideas if i["theme_id"] is None],
    }


def converge_synthesis(round_view: dict, equal_weight: bool) -> dict[str, Any]:
    """Actions ranked by dots with their sheet, breakdown by group and lineage."""
    tallies = _tallies(round_view, "action")
    scores = equal_weight_scores(tallies) if equal_weight else {}
    themes = {t["id"]: t for t in round_view["themes"]}
    ideas = {i["id"]: i for i in round_view["ideas"]}
    actions = {a["id"]: a for a in round_view["actions"] if is_approved(a)}
    ranked = rank(actions, tallies)
    out = []
    for position, aid in enumerate(ranked, start=1):
        a = actions[aid]
        tt = tallies.get(aid, {"dots": 0, "voters": 0, "by_group": {}})
        theme = themes.get(a["theme_id"])
        entry = {"rank": position, "id": aid, **{f: a[f] for f in SHEET_FIELDS}}
        entry.update(
            dots=tt["dots"],
            voters=tt["voters"],
            by_group=tt["by_group"],
            theme=(
                {"id": theme["id"], "title": theme["title"], "objective": theme["objective"], "criteria": list(theme["criteria"])}
                if theme
                else None
            ),
            ideas=[_idea_brief(ideas[i]) for i in lineage_idea_ids(a, round_view) if i in ideas],
        )
        if equal_weight:
            entry["equal_weight"] = scores.get(aid, 0.0)
        out.append(entry)
    if equal_weight:
        rank_by_equal_weight(out)
    return {"question": round_view["question"], "actions": out}


def lineage_idea_ids(action: dict, round_view: dict) -> list[int]:
    """The ideas an action comes from: only those linked to it (when proposed, or ticked on its sheet).

    No link is ever guessed: an action without linked ideas is tied to its theme
    alone, and no resident reads that their idea "gave rise" to an action that
    nobody linked to it.  An idea merged into another is followed to the one that
    stands for it, and hidden or withdrawn ideas are left out: lineage shows what
    people can see.
    """
    by_id = {i["id"]: i for i in round_view["ideas"]}
    chosen = action["idea_ids"] or []
    out: list[int] = []
    for iid in chosen:
        idea = by_id.get(iid)
        seen = 0
        while idea and idea["merged_into"] and seen < 50:
            idea, seen = by_id.get(idea["merged_into"]), seen + 1
        if idea and idea_counts(idea) and idea["id"] not in out:
            out.append(idea["id"])
    return out


def vote_record(opened: bool, opened_at: str | None, closed_at: str | None) -> dict[str, Any]:
    """How the phase's dot vote ran: whether the facilitator ever opened it, first opened, last closed (ISO UTC)."""
    return {"opened": bool(opened), "opened_at": opened_at, "closed_at": closed_at}


def build_synthesis(phase: str, round_view: dict, equal_weight: bool, vote: dict | None = None) -> dict[str, Any]:
    """The frozen record stored when ``phase`` closes.

    ``vote`` (define and converge) is :func:`vote_record`: a synthesis says
    whether its ranking comes from a vote the room was actually let into.
    Without one (a synthesis frozen before votes were opened by the
    facilitator) the record claims nothing about it.
    """
    if phase == "diverge":
        return diverge_synthesis(round_view)
    if phase not in ("define", "converge"):
        raise ValueError(phase)
    data = define_synthesis(round_view, equal_weight) if phase == "define" else converge_synthesis(round_view, equal_weight)
    return data if vote is None else {**data, "vote": vote}


def build_action_plan(workshop: dict, rounds: list[dict]) -> dict[str, Any]:
    """The action-plan draft: per round, question, kept themes with ideas, objectives, ranked actions.

    ``rounds`` are dicts with ``position``, ``question``, ``phase`` and
    ``syntheses`` ({phase: frozen synthesis}); only closed phases feed the
    draft, so it says what the room decided, not what is being typed now.
    """
    plan_rounds = []
    for r in sorted(rounds, key=lambda r: r["position"]):
        syn = r.get("syntheses") or {}
        diverge, define, converge = syn.get("diverge"), syn.get("define"), syn.get("converge")
        kept = [t for t in (define or {}).get("themes", []) if t["kept"]]
        plan_rounds.append(
            {
                "position": r["position"],
                "question": r["question"],
                "phase": r["phase"],
                "ideas_total": (diverge or {}).get("total_ideas", 0),
                "contributions": (diverge or {}).get("contributions", 0),
                "themes": [{k: t[k] for k in ("id", "title", "objective", "criteria", "dots", "by_group", "ideas")} for t in kept],
                "actions": list((converge or {}).get("actions", [])),
                "closed_phases": [p for p in ("diverge", "define", "converge") if p in syn],
            }
        )
    return {
        "workshop": {k: workshop.get(k) for k in ("title", "territory", "date")},
        "rounds": plan_rounds,
    }
