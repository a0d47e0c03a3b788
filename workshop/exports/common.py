"""The report model shared by every document format.

Documents (Markdown, CSV, HTML, DOCX) are all built from one plain-dict
*report* computed here from a workshop snapshot
(:meth:`workshop.services.WorkshopService.full_snapshot`).  Building it in one
place is what guarantees that every format says the same thing and obeys the
same rules:

* only **visible** ideas appear (not hidden by moderation, not withdrawn, not
  merged into another — a merged idea shows as "×3" on the idea standing for it);
* people appear only as **stakeholder groups** (collèges): never a pseudonym,
  a participant id, a token or a join code;
* vote results always carry the raw dots, the breakdown by group and — when
  ``settings.equal_weight`` is on — the equal-weight ranking ("chaque collège
  pèse autant").

Results are computed from the rounds' current data with the same domain
functions that freeze syntheses (:mod:`workshop.domain.synthesis`), so an
export taken mid-workshop is complete and one taken after the last phase
closed says exactly what the room decided.  The report is deterministic: the
same snapshot always gives the same bytes (golden files rely on it).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

from ..domain.synthesis import SHEET_FIELDS, converge_synthesis, define_synthesis, visible_ideas
from ..domain.visibility import idea_counts
from .agreement import agreement_entries
from .i18n import NO_GROUP, Wording, check_lang, format_date, wording
from .polls import poll_entries


def slugify(text: str, max_length: int = 60) -> str:
    """A file-name-safe version of a title: 'Quelle politique…' → 'quelle-politique…'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "atelier"


def sheet_fields(action: dict) -> dict[str, Any]:
    """An action's sheet (the domain's :data:`SHEET_FIELDS`) with empty values as '' and [], as every export writes it."""
    return {f: _sheet_value(f, action[f]) for f in SHEET_FIELDS}


def _sheet_value(field: str, value: Any) -> Any:
    if field in ("partners", "indicators"):
        return list(value or [])
    return value if field == "status" else value or ""


# --------------------------------------------------------------------------- the report


def _group_order(settings: dict, seen: set[str]) -> list[str]:
    configured = [g for g in settings.get("groups") or []]
    extra = sorted(g for g in seen if g not in configured and g != NO_GROUP)
    order = configured + extra
    if NO_GROUP in seen:
        order.append(NO_GROUP)
    return order


def _ordered_groups(by_group: dict[str, int], order: list[str], w: Wording) -> list[dict]:
    position = {g: i for i, g in enumerate(order)}
    keys = sorted(by_group, key=lambda g: (position.get(g, len(order)), g))
    return [{"group": g, "label": w.group_label(g), "dots": by_group[g]} for g in keys if by_group[g]]


def mark_ties(items: list[dict], t: Wording) -> None:
    """Give each voted item its standing: equal dots share a rank, written "2 ex æquo" (1, 2, 2, 4).

    ``rank`` stays the vote's order (ties broken as the projector broke them);
    ``place`` is the standing a reader should see, ``tied`` whether it is shared.
    """
    dots = [item["dots"] for item in items]
    for item in items:
        place = 1 + sum(1 for d in dots if d > item["dots"])
        tied = dots.count(item["dots"]) > 1
        item["place"], item["tied"] = place, tied
        item["rank_label"] = t._("%(rank)s (tied)", rank=place) if tied else str(place)


def ran(r: dict) -> bool:
    """A round that took place: started, with something in it (a planned round never opened is left out)."""
    return r["phase"] != "lobby" or bool(r["ideas"] or r["themes"] or r["actions"])


def essentials(report: dict, top: int = 5) -> dict[str, Any]:
    """The one-page summary at the front: the questions, who took part, the kept themes, the first actions and who carries them."""
    rounds = report["rounds"]
    return {
        "questions": [{"title": r["title"], "question": r["question"]} for r in rounds],
        "participation": report["participation"],
        "themes": [
            {"round": r["title"], "title": x["title"], "objective": x["objective"]} for r in rounds for x in kept_or_defined(r["themes"])
        ],
        "actions": [
            {"round": r["position"], "rank_label": a["rank_label"], "title": a["title"], "owner": a["owner"], "deadline": a["deadline"]}
            for r in rounds
            for a in sorted(r["actions"], key=lambda a: a["rank"])[:top]
        ],
    }


def build_report(snapshot: dict, lang: str = "fr") -> dict[str, Any]:
    """The content every document shows, from a ``workshop-snapshot/1`` dict.

    Returns plain data (strings, numbers, lists, dicts) already filtered for
    publication: no hidden idea, no pseudonym, no token, no code.
    """
    t = wording(lang)
    w = snapshot["workshop"]
    settings = w.get("settings") or {}
    equal_weight = bool(settings.get("equal_weight"))
    participants = snapshot.get("participants") or []
    # A planned round that never ran is left out (a workshop not started yet shows its questions all the same).
    rounds = sorted(snapshot.get("rounds") or [], key=lambda r: r["position"])
    rounds = [r for r in rounds if ran(r)] or rounds

    # Every group that appears anywhere, so tables list them in a stable order.
    seen: set[str] = set()
    for p in participants:
        seen.add(p.get("group") or NO_GROUP)
    for r in rounds:
        for i in r["ideas"]:
            seen.add(i.get("group") or NO_GROUP)
        for v in r["votes"]:
            seen.add(v.get("group") or NO_GROUP)
    order = _group_order(settings, seen)

    # Visible ideas are numbered across the workshop: documents cite "n° 7".
    numbers: dict[int, int] = {}
    annex: list[dict] = []
    for r in rounds:
        themes_by_id = {x["id"]: x for x in r["themes"]}
        for idea in sorted(visible_ideas(r), key=lambda i: i["id"]):
            numbers[idea["id"]] = len(numbers) + 1
            theme = themes_by_id.get(idea["theme_id"])
            annex.append(
                {
                    "no": numbers[idea["id"]],
                    "round": r["position"],
                    "text": idea["text"],
                    "group": idea["group"] or NO_GROUP,
                    "group_label": t.group_label(idea["group"]),
                    "count": idea["count"],
                    "on_behalf": bool(idea["on_behalf"]),
                    "theme": theme["title"] if theme else "",
                    "theme_kept": bool(theme and theme["kept"]),
                }
            )

    def idea_entry(brief: dict) -> dict:
        return {
            "no": numbers.get(brief["id"]),
            "text": brief["text"],
            "group": brief["group"] or NO_GROUP,
            "group_label": t.group_label(brief["group"]),
            "count": brief["count"],
            "on_behalf": bool(brief["on_behalf"]),
        }

    def vote_fields(entry: dict) -> dict:
        out = {
            "dots": entry["dots"],
            "voters": entry["voters"],
            "by_group": _ordered_groups(entry["by_group"], order, t),
            "equal_weight": entry.get("equal_weight") if equal_weight else None,
            "equal_weight_rank": entry.get("equal_weight_rank") if equal_weight else None,
        }
        return out

    # Participation by stakeholder group.
    part_counts = Counter(p.get("group") or NO_GROUP for p in participants)
    contrib_counts: Counter = Counter()
    dots_counts: Counter = Counter()
    for r in rounds:
        for i in r["ideas"]:
            if idea_counts(i):
                contrib_counts[i.get("group") or NO_GROUP] += 1
        for v in r["votes"]:
            dots_counts[v.get("group") or NO_GROUP] += v["dots"]
    participation_rows = [
        {
            "group": g,
            "label": t.group_label(g),
            "participants": part_counts[g],
            "contributions": contrib_counts[g],
            "dots": dots_counts[g],
        }
        for g in order
        if g != NO_GROUP or part_counts[g] or contrib_counts[g] or dots_counts[g]
    ]
    participation = {
        "rows": participation_rows,
        "total": {
            "participants": len(participants),
            "contributions": sum(contrib_counts.values()),
            "dots": sum(dots_counts.values()),
        },
    }

    report_rounds = []
    for r in rounds:
        define = define_synthesis(r, equal_weight)
        converge = converge_synthesis(r, equal_weight)
        themes = []
        for theme in define["themes"]:
            themes.append(
                {
                    "rank": theme["rank"],
                    "title": theme["title"],
                    "kept": bool(theme["kept"]),
                    "objective": theme["objective"] or "",
                    "criteria": list(theme["criteria"]),
                    "ideas": [idea_entry(i) for i in theme["ideas"]],
                    **vote_fields(theme),
                }
            )
        if any(v["kind"] == "theme" for v in r["votes"]):
            mark_ties(themes, t)
        else:
            for x in themes:
                x.update(place=x["rank"], tied=False, rank_label=str(x["rank"]))
        # Kept themes first (by vote rank), then the others.
        themes.sort(key=lambda x: (not x["kept"], x["rank"]))
        actions = []
        for a in converge["actions"]:
            theme = a["theme"] or {}
            actions.append(
                {
                    "rank": a["rank"],
                    **sheet_fields(a),
                    "status_label": t.status_label(a["status"]),
                    "theme": theme.get("title", ""),
                    "objective": theme.get("objective") or "",
                    "criteria": list(theme.get("criteria") or []),
                    "ideas": [idea_entry(i) for i in a["ideas"]],
                    **vote_fields(a),
                }
            )
        if any(v["kind"] == "action" for v in r["votes"]):
            mark_ties(actions, t)
        else:
            for x in actions:
                x.update(place=x["rank"], tied=False, rank_label=str(x["rank"]))
        ideas = visible_ideas(r)
        report_rounds.append(
            {
                "position": r["position"],
                "title": t.round_title(r["position"]),
                "question": r["question"],
                "phase": r["phase"],
                "phase_label": t.phase_label(r["phase"]),
                "stats": {
                    "ideas": len(ideas),
                    "contributions": sum(i["count"] for i in ideas),
                    "themes": len(themes),
                    "kept_themes": sum(1 for x in themes if x["kept"]),
                    "actions": len(actions),
                },
                "themes": themes,
                "unsorted": [idea_entry(i) for i in define["unsorted"]],
                "theme_votes": any(v["kind"] == "theme" for v in r["votes"]),
                "actions": actions,
                "action_votes": any(v["kind"] == "action" for v in r["votes"]),
                "vote_groups": {
                    kind: [
                        {"group": g, "label": t.group_label(g)}
                        for g in order
                        if any(v["kind"] == kind and (v.get("group") or NO_GROUP) == g and v["dots"] for v in r["votes"])
                    ]
                    for kind in ("theme", "action")
                },
            }
        )

    # The cover's date: the one the plan gave, else the day the workshop was created (the day it ran, most often).
    day = w.get("date") or (w.get("created_at") or "")[:10] or None
    report = {
        "lang": lang,
        "title": w["title"],
        "territory": w.get("territory") or "",
        "place": w.get("place") or "",
        "facilitator": w.get("facilitator") or "",
        "date": w.get("date"),
        "date_label": t.date(day),
        "description": w.get("description") or "",
        "tags": list(w.get("tags") or []),
        "equal_weight": equal_weight,
        "dot_budget": settings.get("dot_budget"),
        "dot_cap": settings.get("dot_cap"),
        "groups": [{"group": g, "label": t.group_label(g)} for g in order],
        "participation": participation,
        "rounds": report_rounds,
        "annex": annex,
        "totals": {
            "participants": len(participants),
            "contributions": sum(x["stats"]["contributions"] for x in report_rounds),
            "ideas": len(annex),
            "kept_themes": sum(x["stats"]["kept_themes"] for x in report_rounds),
            "actions": sum(x["stats"]["actions"] for x in report_rounds),
        },
    }
    report["essentials"] = essentials(report)
    report["polls"] = poll_entries(snapshot, t)  # the closed quick polls (exports/polls.py)
    report["agreement"] = agreement_entries(snapshot, t)  # agreement across groups (exports/agreement.py)
    return report


def group_dots(entry: dict, group: str) -> int:
    """Dots a stakeholder group put on one item (0 when none)."""
    return next((g["dots"] for g in entry["by_group"] if g["group"] == group), 0)


def kept_or_defined(themes: list[dict]) -> list[dict]:
    """The themes whose objective a document shows: the kept ones, else any with an objective or criteria."""
    return [t for t in themes if t["kept"]] or [t for t in themes if t["objective"] or t["criteria"]]


__all__ = [
    "NO_GROUP",
    "build_report",
    "essentials",
    "mark_ties",
    "ran",
    "check_lang",
    "format_date",
    "group_dots",
    "kept_or_defined",
    "sheet_fields",
    "slugify",
]
