"""How rows are shown: the plain dicts of the protocol (``docs/protocol.md``, "Data shapes").

Views are built at facilitator level of detail; what other roles may see is
cut from them by :mod:`workshop.domain.visibility`, in snapshots and
broadcasts alike.  Times are ISO 8601 in UTC with a ``Z``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..domain import restitution as restitution_rules
from ..domain.timer import planned_seconds
from ..domain.visibility import round_rules
from ..storage.models import Action, ActionUpdate, Idea, Participant, Round, Theme, Workshop, utcnow


def iso(value: datetime | None) -> str | None:
    """An ISO UTC timestamp (SQLite hands back naive datetimes: they are UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat().replace("+00:00", "Z")


def remaining(ends: datetime | None) -> int | None:
    """Seconds left on a timer ending at ``ends`` (0 once over)."""
    if ends is None:
        return None
    ends = ends if ends.tzinfo else ends.replace(tzinfo=UTC)
    return max(0, int((ends - utcnow()).total_seconds()))


def timer_now(timer: dict) -> dict:
    """A round's timer with its remaining seconds as of now."""
    ends = timer.get("ends_at")
    return {**timer, "remaining": remaining(datetime.fromisoformat(ends.replace("Z", "+00:00")) if ends else None)}


def workshop_view(w: Workshop) -> dict[str, Any]:
    return {
        "id": w.id,
        "code": w.code,
        "title": w.title,
        "territory": w.territory,
        "place": w.place,
        "facilitator": w.facilitator,
        "date": w.date,
        "language": w.language,
        "description": w.description,
        "tags": list(w.tags or []),
        "settings": dict(w.settings),
        "status": w.status,
        "show_qr": w.show_qr,
        "published_at": iso(w.published_at),
        "created_at": iso(w.created_at),
    }


def round_view_header(r: Round, settings: dict) -> dict[str, Any]:
    """A round without its content, with what its phase allows (``can``) and whether the room sees its tallies.

    ``vote_open``: whether the facilitator has opened the phase's dot vote
    (``can.vote_theme``/``can.vote_action`` need it); ``timer.planned``: the
    countdown the plan gives the current phase, in seconds (``null`` if none).
    """
    timings = dict(r.timings or {})
    header = {
        "id": r.id,
        "position": r.position,
        "question": r.question,
        "phase": r.phase,
        "timings": timings,
        "tallies_revealed": r.tallies_revealed,
        "vote_open": bool(r.vote_open),
        "timer": {
            "ends_at": iso(r.timer_ends_at),
            "seconds": r.timer_seconds,
            "remaining": remaining(r.timer_ends_at),
            "planned": planned_seconds(timings, r.phase),
        },
    }
    return {**header, **round_rules(settings, header)}


def participant_view(p: Participant) -> dict[str, Any]:
    return {"id": p.id, "pseudonym": p.pseudonym, "group": p.group}


def idea_view(i: Idea, author: Participant | None, anonymous: bool, count: int = 1) -> dict[str, Any]:
    return {
        "id": i.id,
        "round_id": i.round_id,
        "text": i.text,
        "author": None if (anonymous or author is None) else author.pseudonym,
        "participant_id": i.participant_id,
        "group": i.group,
        "on_behalf": i.on_behalf,
        "hidden": i.hidden,
        "withdrawn": i.withdrawn,
        "merged_into": i.merged_into_id,
        "theme_id": i.theme_id,
        "review": i.review,
        "flags": i.flags,
        "count": count,
        "created_at": iso(i.created_at),
        "updated_at": iso(i.updated_at),
    }


def theme_view(t: Theme) -> dict[str, Any]:
    return {
        "id": t.id,
        "round_id": t.round_id,
        "title": t.title,
        "objective": t.objective,
        "criteria": list(t.criteria or []),
        "position": t.position,
        "kept": t.kept,
        "version": t.version,
    }


def update_view(u: ActionUpdate) -> dict[str, Any]:
    return {"id": u.id, "status": u.status, "date": u.date, "comment": u.comment, "created_at": iso(u.created_at)}


def action_view(a: Action, updates: list[ActionUpdate] | None = None) -> dict[str, Any]:
    """An action; ``updates`` is its status history (what became of it after the workshop)."""
    return {
        "id": a.id,
        "round_id": a.round_id,
        "theme_id": a.theme_id,
        "participant_id": a.participant_id,
        "title": a.title,
        "description": a.description,
        "owner": a.owner,
        "partners": list(a.partners or []),
        "deadline": a.deadline,
        "resources": a.resources,
        "indicators": list(a.indicators or []),
        "status": a.status,
        "idea_ids": list(a.idea_ids or []),
        "review": a.review,
        "flags": a.flags,
        "version": a.version,
        "created_at": iso(a.created_at),
        "updates": restitution_rules.history([update_view(u) for u in updates or []]),
    }
