"""The public restitution: what became of the room's words ("ce qu'est devenue votre parole").

After the workshop the organiser may publish one public page per workshop
(opt-in).  It tells residents what the room decided and what has become of it
since: per closed round, the question, the themes with their objective,
success criteria and the ideas grouped under them, and the action plan — each
action linked to the ideas it came from and with the dated history of its
status (planned, in progress, done, abandoned).

Two kinds of pure functions live here, with no database and no Flask:

* the rules of a status update (:func:`check_status_update`,
  :func:`require_closed`, :func:`history`, :func:`current_status`), which the
  service layer applies inside its transaction;
* :func:`build_restitution`, the public dict built from a full snapshot.
  It is a *whitelist*: only the fields copied here leave the server, so a
  pseudonym, a participant id, a token, a hidden, withdrawn or merged-away
  idea can never reach the public page, whatever the snapshot holds.
"""

from __future__ import annotations

import re
from datetime import date as dt_date
from datetime import datetime, timedelta
from typing import Any

from ..errors import PhaseError, ValidationError
from .phases import CLOSED
from .synthesis import converge_synthesis, define_synthesis, visible_ideas
from .text import clean_text

#: the statuses an action may take after the workshop ("proposed" is what it is during it)
STATUSES: tuple[str, ...] = ("planned", "in_progress", "done", "abandoned")
COMMENT_MAX = 500
#: a day is "in the future" only once it has begun nowhere on Earth (UTC+14): the
#: organiser's own calendar day is always accepted, whatever the server's time zone.
EARLIEST_TIME_ZONE = timedelta(hours=14)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --------------------------------------------------------------------------- status updates


def check_status_update(status: object, day: object, comment: object, now: datetime) -> tuple[str, str, str]:
    """Validate one status update; returns (status, ISO day, cleaned comment).

    ``day`` defaults to today (UTC) and may not be in the future; the comment
    is optional, at most :data:`COMMENT_MAX` characters.
    """
    if not isinstance(status, str) or status not in STATUSES:
        raise ValidationError("invalid_field", field="status")
    if day is None or day == "":
        day = now.date().isoformat()
    if not isinstance(day, str) or not _DAY.match(day):
        raise ValidationError("invalid_field", field="date")
    try:
        parsed = dt_date.fromisoformat(day)
    except ValueError:
        raise ValidationError("invalid_field", field="date") from None
    if parsed > (now + EARLIEST_TIME_ZONE).date():
        raise ValidationError("future_date", date=day)
    text = clean_text(comment, "comment", COMMENT_MAX, required=False)
    return status, day, text


def require_closed(phase: str) -> None:
    """Statuses say what happened *after* the room decided: only once the round is closed."""
    if phase != CLOSED:
        raise PhaseError("round_not_closed", phase=phase)


def history(updates: list[dict]) -> list[dict]:
    """Updates in the order of the timeline: by day, then in the order they were recorded."""
    return sorted(updates, key=lambda u: (u["date"], u.get("id") or 0))


def current_status(initial: str, updates: list[dict]) -> str:
    """An action's status is where its timeline ends (its sheet's status while it has none)."""
    ordered = history(updates)
    return ordered[-1]["status"] if ordered else initial


# --------------------------------------------------------------------------- the public page


def _anchor_idea(no: int) -> str:
    return f"idea-{no}"


def build_restitution(snapshot: dict, updates: dict[int, list[dict]] | None = None) -> dict[str, Any]:
    """The public restitution of a ``workshop-snapshot/1`` (facilitator-level) dict.

    ``updates`` maps action ids to their status updates; by default they are
    read from the snapshot's actions (``action["updates"]``).  Only closed
    rounds appear: a round still running has not decided anything yet.

    Ideas are numbered across the workshop (``no``, anchor ``idea-<no>``) so
    an action can point at the ideas it came from and an idea at the actions
    it led to.  No database id leaves this function.
    """
    w = snapshot["workshop"]
    settings = w.get("settings") or {}
    equal_weight = bool(settings.get("equal_weight"))
    all_rounds = sorted(snapshot.get("rounds") or [], key=lambda r: r["position"])
    rounds = [r for r in all_rounds if r["phase"] == CLOSED]

    numbers: dict[int, int] = {}
    for r in rounds:
        for idea in sorted(visible_ideas(r), key=lambda i: i["id"]):
            numbers[idea["id"]] = len(numbers) + 1

    out_rounds = []
    status_counts = {s: 0 for s in ("proposed", *STATUSES)}
    for r in rounds:
        define = define_synthesis(r, equal_weight)
        converge = converge_synthesis(r, equal_weight)
        prefix = f"round-{r['position']}"
        theme_anchor = {t["id"]: f"{prefix}-theme-{t['rank']}" for t in define["themes"]}
        actions_by_source = {a["id"]: a for a in r["actions"]}

        actions = []
        led_to: dict[int, list[dict]] = {}
        for a in converge["actions"]:
            anchor = f"{prefix}-action-{a['rank']}"
            source = actions_by_source.get(a["id"], {})
            raw = updates.get(a["id"], []) if updates is not None else source.get("updates") or []
            timeline = [{"date": u["date"], "status": u["status"], "comment": u.get("comment") or ""} for u in history(raw)]
            status = current_status(a["status"], raw) if raw else a["status"]
            status_counts[status] = status_counts.get(status, 0) + 1
            ideas = [
                {"no": numbers[i["id"]], "anchor": _anchor_idea(numbers[i["id"]]), "text": i["text"]}
                for i in a["ideas"]
                if i["id"] in numbers
            ]
            for i in a["ideas"]:
                if i["id"] in numbers:
                    led_to.setdefault(i["id"], []).append({"anchor": anchor, "rank": a["rank"], "title": a["title"]})
            theme = a.get("theme") or None
            actions.append(
                {
                    "rank": a["rank"],
                    "anchor": anchor,
                    "title": a["title"],
                    "description": a["description"] or "",
                    "owner": a["owner"] or "",
                    "partners": list(a["partners"] or []),
                    "deadline": a["deadline"] or "",
                    "resources": a["resources"] or "",
                    "indicators": list(a["indicators"] or []),
                    "status": status,
                    "dots": a["dots"],
                    "voters": a["voters"],
                    "theme": ({"title": theme["title"], "anchor": theme_anchor.get(theme["id"])} if theme else None),
                    "ideas": ideas,
                    "updates": timeline,
                }
            )

        def idea_entry(brief: dict, led_to: dict = led_to) -> dict:
            no = numbers[brief["id"]]
            return {
                "no": no,
                "anchor": _anchor_idea(no),
                "text": brief["text"],
                "group": brief["group"] or None,
                "count": brief["count"],
                "on_behalf": bool(brief["on_behalf"]),
                "actions": led_to.get(brief["id"], []),
            }

        themes = []
        for t in define["themes"]:
            themes.append(
                {
                    "rank": t["rank"],
                    "anchor": theme_anchor[t["id"]],
                    "title": t["title"],
                    "objective": t["objective"] or "",
                    "criteria": list(t["criteria"] or []),
                    "kept": bool(t["kept"]),
                    "dots": t["dots"],
                    "ideas": [idea_entry(i) for i in t["ideas"] if i["id"] in numbers],
                }
            )
        kept = [t for t in themes if t["kept"]]
        others = [t for t in themes if not t["kept"]]
        visible = visible_ideas(r)
        out_rounds.append(
            {
                "position": r["position"],
                "anchor": prefix,
                "question": r["question"],
                "ideas_total": len(visible),
                "contributions": sum(i["count"] for i in visible),
                "themes": kept,
                "other_themes": others,
                "unsorted": [idea_entry(i) for i in define["unsorted"] if i["id"] in numbers],
                "actions": actions,
            }
        )

    return {
        "schema": "workshop-restitution/1",
        "workshop": {
            "title": w["title"],
            "territory": w.get("territory") or "",
            "date": w.get("date"),
            "language": w.get("language") or "fr",
            "description": w.get("description") or "",
            "published_at": w.get("published_at"),
        },
        "totals": {
            "participants": len(snapshot.get("participants") or []),
            "ideas": len(numbers),
            "contributions": sum(r["contributions"] for r in out_rounds),
            "kept_themes": sum(len(r["themes"]) for r in out_rounds),
            "actions": sum(len(r["actions"]) for r in out_rounds),
            "statuses": status_counts,
        },
        "rounds": out_rounds,
        "rounds_pending": len(all_rounds) - len(rounds),
    }


__all__ = [
    "STATUSES",
    "COMMENT_MAX",
    "check_status_update",
    "require_closed",
    "history",
    "current_status",
    "build_restitution",
]
