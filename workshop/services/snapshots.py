"""The read side: a workshop's whole state, the draft plan, presence, and the snapshot cache.

A (re)connecting client rebuilds its view from a snapshot.  When the Wi-Fi of
a hall drops, hundreds of phones reconnect at once and each asks for one: the
full state is built once per change of the workshop (:class:`SnapshotCache`)
and only filtered per person (:func:`workshop.domain.visibility.public_snapshot`).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import phases
from ..domain import restitution as restitution_rules
from ..domain.synthesis import build_action_plan, build_synthesis
from ..domain.visibility import public_snapshot, room_tallies
from ..errors import NotFound
from ..storage.db import Database
from ..storage.models import Action, Idea, Operation, Participant, Round, Synthesis, Theme, Vote, Workshop
from . import queries
from .base import FACILITATOR, Actor, Change
from .views import action_view, idea_view, iso, round_view_header, theme_view, timer_now, workshop_view

if TYPE_CHECKING:  # pragma: no cover
    from . import WorkshopService

SNAPSHOT_CACHE_SIZE = 32  # workshops whose full state is kept for reconnecting clients
ACTION_STATUSES = ("proposed", *restitution_rules.STATUSES)
#: what every page needs to lay itself out, sent in every snapshot
RULES = phases.rules(ACTION_STATUSES, restitution_rules.STATUSES)


def round_full(s: Session, w: Workshop, r: Round, participants: dict[int, Participant] | None = None) -> dict:
    """Everything about one round, at facilitator level of detail."""
    if participants is None:
        participants = {p.id: p for p in s.scalars(select(Participant).where(Participant.workshop_id == w.id))}
    ideas = s.scalars(select(Idea).where(Idea.round_id == r.id).order_by(Idea.id)).all()
    merged = Counter(i.merged_into_id for i in ideas if i.merged_into_id)
    anonymous = w.settings["anonymous"]
    votes = s.execute(select(Vote.kind, Vote.target_id, Vote.participant_id, Vote.dots).where(Vote.round_id == r.id)).all()
    syntheses = {syn.phase: syn.data for syn in s.scalars(select(Synthesis).where(Synthesis.round_id == r.id))}
    updates = queries.updates(s, Action.round_id == r.id)
    themes = s.scalars(select(Theme).where(Theme.round_id == r.id).order_by(Theme.position))
    actions = s.scalars(select(Action).where(Action.round_id == r.id).order_by(Action.id))
    return {
        **round_view_header(r, w.settings),
        "ideas": [
            idea_view(i, participants.get(i.participant_id) if i.participant_id else None, anonymous, 1 + merged[i.id]) for i in ideas
        ],
        "themes": [theme_view(t) for t in themes],
        "actions": [action_view(a, updates.get(a.id)) for a in actions],
        "votes": [
            {"kind": k, "target_id": t, "participant_id": p, "group": participants[p].group if p in participants else None, "dots": d}
            for k, t, p, d in votes
        ],
        "syntheses": syntheses,
    }


def refresh_plan(s: Session, w: Workshop) -> dict:
    """Rebuild the action-plan draft from the rounds' frozen syntheses, and store it."""
    syn: dict[int, dict] = {}
    for row in s.scalars(select(Synthesis).join(Round).where(Round.workshop_id == w.id)):
        syn.setdefault(row.round_id, {})[row.phase] = row.data
    plan = build_action_plan(
        workshop_view(w),
        [{"position": r.position, "question": r.question, "phase": r.phase, "syntheses": syn.get(r.id, {})} for r in w.rounds],
    )
    w.plan = plan
    return plan


def refreeze_syntheses(s: Session, w: Workshop, r: Round) -> list[Change]:
    """Moderation after a phase closed reaches its frozen synthesis and the draft plan.

    A closed phase's synthesis depends only on what can no longer change once it
    closed (themes, votes) and on which ideas are visible and merged — which
    moderation may still change.  Rebuilding it from the round as it now stands
    is therefore the frozen record with the moderation applied: a hidden idea
    leaves every synthesis, the plan and every export, whenever it is hidden.
    """
    rows = list(s.scalars(select(Synthesis).where(Synthesis.round_id == r.id)))
    if not rows:
        return []
    view = round_full(s, w, r)
    changes = []
    for row in rows:
        # how the vote ran was recorded when the phase closed: moderation does not change it
        data = build_synthesis(row.phase, view, w.settings["equal_weight"], (row.data or {}).get("vote"))
        if data != row.data:
            row.data = data
            changes.append(Change("synthesis", w.id, {"round_id": r.id, "phase": row.phase, "data": data}))
    if changes:
        s.flush()
        changes.append(Change("plan", w.id, refresh_plan(s, w)))
    return changes


def build_full_snapshot(s: Session, w: Workshop) -> dict[str, Any]:
    """The complete workshop at facilitator level, without secrets."""
    participants = {p.id: p for p in s.scalars(select(Participant).where(Participant.workshop_id == w.id).order_by(Participant.id))}
    return {
        "schema": "workshop-snapshot/1",
        "workshop": workshop_view(w),
        "participants": [
            {"id": p.id, "pseudonym": p.pseudonym, "group": p.group, "joined_at": iso(p.joined_at)} for p in participants.values()
        ],
        "presence": build_presence(s, w.id),
        "rounds": [round_full(s, w, r, participants) for r in w.rounds],
        "plan": w.plan,
    }


def build_presence(s: Session, workshop_id: int) -> dict[str, Any]:
    """How many have joined, by stakeholder group, and how many ideas each round shows."""
    rows = s.execute(
        select(Participant.group, func.count()).where(Participant.workshop_id == workshop_id).group_by(Participant.group)
    ).all()
    by_group = {g or "—": n for g, n in rows}
    ideas = s.execute(
        select(Idea.round_id, func.count())
        .join(Round, Round.id == Idea.round_id)
        .where(
            Round.workshop_id == workshop_id,
            Idea.hidden.is_(False),
            Idea.withdrawn.is_(False),
            Idea.merged_into_id.is_(None),
        )
        .group_by(Idea.round_id)
    ).all()
    return {
        "count": sum(by_group.values()),
        "by_group": dict(sorted(by_group.items())),
        "ideas": {str(round_id): n for round_id, n in sorted(ideas)},
    }


class SnapshotCache:
    """Full snapshots kept per workshop, rebuilt only when the workshop has changed.

    Every change is a recorded operation (:func:`~workshop.services.base.exactly_once`),
    so the workshop's highest operation id is its version (read first, so a
    cached state is never older than the version it is filed under).  The
    cached dicts are shared: nobody may mutate them.  Timers are recomputed on
    every read, since their remaining time runs on without any write.
    """

    def __init__(self, db: Database, size: int = SNAPSHOT_CACHE_SIZE) -> None:
        self.db = db
        self.size = size
        self._entries: OrderedDict[int, tuple[int | None, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, workshop_id: int) -> dict[str, Any]:
        with self.db.sessions() as s:
            version = s.scalar(select(func.max(Operation.id)).where(Operation.workshop_id == workshop_id))
            with self._lock:
                hit = self._entries.get(workshop_id)
            if hit is not None and hit[0] == version:
                full = hit[1]
            else:
                w = s.get(Workshop, workshop_id)
                if w is None:
                    raise NotFound("unknown_workshop")
                full = build_full_snapshot(s, w)
                with self._lock:
                    self._entries[workshop_id] = (version, full)
                    self._entries.move_to_end(workshop_id)
                    while len(self._entries) > self.size:
                        self._entries.popitem(last=False)
        return {**full, "rounds": [{**r, "timer": timer_now(r["timer"])} for r in full["rounds"]]}


# --------------------------------------------------------------------------- use cases (read-only)


def full_snapshot(service: WorkshopService, workshop_id: int) -> dict[str, Any]:
    """The complete workshop (facilitator level, without secrets): exports and the console."""
    with service.db.sessions() as s:
        w = s.get(Workshop, workshop_id)
        if w is None:
            raise NotFound("unknown_workshop")
        return build_full_snapshot(s, w)


def snapshot(service: WorkshopService, actor: Actor, payload: object = None) -> dict[str, Any]:
    """The state visible to ``actor``, from which a (re)connecting client rebuilds its view."""
    full = service.snapshots.get(actor.workshop_id)
    if actor.role == FACILITATOR:
        everything = dict.fromkeys(phases.VOTE_KIND_PHASE, True)
        rounds = [{**r, **room_tallies(r, everything)} for r in full["rounds"]]
        return {**full, "role": FACILITATOR, "rounds": rounds, "rules": rules(service), "features": dict(service.features)}
    return {**public_snapshot(full, actor.role, actor.participant_id), "rules": rules(service)}


def rules(service: WorkshopService) -> dict[str, Any]:
    """The phase table, and the pace a phone's outbox keeps when it sends what it queued (``idea_rate``)."""
    limit, window = service.flood
    return {**RULES, "idea_rate": {"limit": limit, "window": window}}


def presence(service: WorkshopService, workshop_id: int) -> dict[str, Any]:
    """How many have joined, by stakeholder group, and how many ideas each round holds."""
    with service.db.sessions() as s:
        return build_presence(s, workshop_id)
