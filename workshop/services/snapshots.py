"""The read side: a workshop's whole state, the draft plan, presence, and the snapshot cache.

A (re)connecting client rebuilds its view from a snapshot.  When the Wi-Fi of
a hall drops, hundreds of phones reconnect at once and each asks for one,
often while the room keeps voting and joining.  :class:`SnapshotCache` builds
what every snapshot shares once per change of the workshop's content (not per
vote or join), and adds per request what moves faster: presence, the tallies
of the tally book, a phone's own votes.  What each role gets is exactly
:func:`workshop.domain.visibility.public_snapshot` of the full state.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from ..domain import phases
from ..domain import restitution as restitution_rules
from ..domain.synthesis import build_action_plan, build_synthesis
from ..domain.visibility import (
    ROUND_HEADER_KEYS,
    action_is_public,
    own_idea,
    phone_synthesis,
    public_action,
    public_idea,
    public_workshop,
    room_tallies,
    scribe_idea,
    tallies_visible,
)
from ..errors import NotFound
from ..storage.db import Database
from ..storage.models import Action, Idea, Operation, Participant, Round, Synthesis, Theme, Vote, Workshop
from . import queries
from .agreement import agreement_full, snapshot_agreement
from .base import FACILITATOR, GUEST, MODERATOR, SCREEN, SCRIBE, Actor, Change
from .polls import polls_full, snapshot_polls
from .views import action_view, idea_view, iso, round_view_header, theme_view, timer_now, workshop_view

if TYPE_CHECKING:  # pragma: no cover
    from . import WorkshopService

SNAPSHOT_CACHE_SIZE = 32  # workshops whose full state is kept for reconnecting clients
ACTION_STATUSES = ("proposed", *restitution_rules.STATUSES)
#: what every page needs to lay itself out, sent in every snapshot
RULES = phases.rules(ACTION_STATUSES, restitution_rules.STATUSES)

PARTICIPANTS = (
    select(Participant.id, Participant.pseudonym, Participant.group, Participant.joined_at)
    .where(Participant.workshop_id == bindparam("w"))
    .order_by(Participant.id)
)
ROUND_VOTES = select(Vote.kind, Vote.target_id, Vote.participant_id, Vote.dots).where(Vote.round_id == bindparam("r"))
#: the latest operation that changed what snapshots share (neither a vote nor a join), and the latest join
MARKERS = select(
    select(func.max(Operation.id)).where(Operation.workshop_id == bindparam("w"), Operation.lane.is_(None)).scalar_subquery(),
    select(func.max(Operation.id)).where(Operation.workshop_id == bindparam("w"), Operation.lane == "join").scalar_subquery(),
)
GROUPS = select(Participant.group, func.count()).where(Participant.workshop_id == bindparam("w")).group_by(Participant.group)
#: a phone's identity and its votes, in one indexed query
ME = (
    select(Participant.pseudonym, Participant.group, Vote.round_id, Vote.kind, Vote.target_id, Vote.dots)
    .select_from(Participant)
    .outerjoin(Vote, Vote.participant_id == Participant.id)
    .where(Participant.id == bindparam("p"), Participant.workshop_id == bindparam("w"))
    .order_by(Vote.id)
)


def participants_of(s: Session, workshop_id: int) -> dict[int, Any]:
    """The workshop's participants as light rows (``id``, ``pseudonym``, ``group``, ``joined_at``), by id."""
    rows = s.execute(PARTICIPANTS, {"w": workshop_id})
    return {p.id: p for p in rows}


def round_content(s: Session, w: Workshop, r: Round, participants: dict[int, Any]) -> dict:
    """One round at facilitator level of detail, without its votes: what only content changes move."""
    ideas = s.scalars(select(Idea).where(Idea.round_id == r.id).order_by(Idea.id)).all()
    merged = Counter(i.merged_into_id for i in ideas if i.merged_into_id)
    anonymous = w.settings["anonymous"]
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
        "syntheses": syntheses,
    }


def round_votes(s: Session, round_id: int, participants: dict[int, Any]) -> list[dict]:
    """Every ballot of a round, with its voter's stakeholder group."""
    votes = s.execute(ROUND_VOTES, {"r": round_id}).all()
    return [
        {"kind": k, "target_id": t, "participant_id": p, "group": participants[p].group if p in participants else None, "dots": d}
        for k, t, p, d in votes
    ]


def with_votes(content: dict, votes: list[dict]) -> dict:
    """A round's content and its votes, in the order of the protocol's round shape."""
    out = {k: v for k, v in content.items() if k != "syntheses"}
    out["votes"] = votes
    out["syntheses"] = content["syntheses"]
    return out


def round_full(s: Session, w: Workshop, r: Round, participants: dict[int, Any] | None = None) -> dict:
    """Everything about one round, at facilitator level of detail."""
    if participants is None:
        participants = participants_of(s, w.id)
    return with_votes(round_content(s, w, r, participants), round_votes(s, r.id, participants))


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
    participants = participants_of(s, w.id)
    return {
        "schema": "workshop-snapshot/1",
        "workshop": workshop_view(w),
        "participants": [
            {"id": p.id, "pseudonym": p.pseudonym, "group": p.group, "joined_at": iso(p.joined_at)} for p in participants.values()
        ],
        "presence": build_presence(s, w.id),
        "rounds": [round_full(s, w, r, participants) for r in w.rounds],
        "plan": w.plan,
        "polls": polls_full(s, w.id),
        **({"agreement": agreement} if (agreement := agreement_full(s, w.id)) else {}),  # only once a round had one
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
            Idea.review == "approved",
        )
        .group_by(Idea.round_id)
    ).all()
    return {
        "count": sum(by_group.values()),
        "by_group": dict(sorted(by_group.items())),
        "ideas": {str(round_id): n for round_id, n in sorted(ideas)},
    }


@dataclass
class Shared:
    """What every snapshot of a workshop shares, built once per change of its content.

    ``rounds`` are facilitator-level rounds without their votes; the rest is
    what the other roles are cut from it, computed once rather than per phone.
    """

    workshop: dict[str, Any]
    plan: dict[str, Any]
    rounds: list[dict[str, Any]]
    headers: list[dict[str, Any]]  # the round header keys a phone or the projector gets
    visible: list[dict[str, bool]]  # per round, per vote kind: whether the room sees its tallies
    screen_ideas: list[list[dict]]  # the visible ideas, as the projector shows them
    own_ideas: list[dict[int, list[dict]]]  # per round, participant id -> their ideas, as their phone lists them
    public_actions: list[list[dict]]  # approved actions, as the room sees them
    own_actions: list[dict[int, list[dict]]]  # per round, participant id -> their actions still waiting for review (or rejected)
    team_notes: list[list[dict]]  # per round, the notes typed for people without a phone, as the scribe page lists them
    team_actions: list[list[dict]]  # per round, the actions the team proposed that wait for review (or were rejected)
    phone_syntheses: list[dict[str, Any]]
    idea_counts: dict[str, int]  # visible ideas per round (presence)


def build_shared(s: Session, w: Workshop) -> Shared:
    """The shared part of a workshop's snapshots (see :class:`SnapshotCache`)."""
    participants = participants_of(s, w.id)
    rounds = [round_content(s, w, r, participants) for r in w.rounds]
    settings = w.settings
    headers, visible, screen, own, actions, syntheses, counts = [], [], [], [], [], [], {}
    own_actions: list[dict[int, list[dict]]] = []
    notes: list[list[dict]] = []
    team_actions: list[list[dict]] = []
    for r in rounds:
        header = {k: r[k] for k in ROUND_HEADER_KEYS if k in r}
        headers.append(header)
        visible.append({kind: tallies_visible(settings, header, kind) for kind in phases.VOTE_KIND_PHASE})
        shown = [view for idea in r["ideas"] if (view := public_idea(idea)) is not None]
        screen.append(shown)
        if shown:
            counts[r["id"]] = len(shown)
        mine: dict[int, list[dict]] = {}
        for idea in r["ideas"]:
            if idea["participant_id"] is not None and not idea["merged_into"]:
                mine.setdefault(idea["participant_id"], []).append(own_idea(idea))
        own.append(mine)
        actions.append([public_action(a) for a in r["actions"] if action_is_public(a)])
        held: dict[int, list[dict]] = {}
        for a in r["actions"]:
            if a["participant_id"] is not None and not action_is_public(a):
                held.setdefault(a["participant_id"], []).append(public_action(a))
        own_actions.append(held)
        notes.append([scribe_idea(i) for i in r["ideas"] if i["on_behalf"] and i["participant_id"] is None])
        team_actions.append([public_action(a) for a in r["actions"] if a["participant_id"] is None and not action_is_public(a)])
        syntheses.append({phase: phone_synthesis(phase, data) for phase, data in r["syntheses"].items()})
    return Shared(
        workshop=workshop_view(w),
        plan=w.plan,
        rounds=rounds,
        headers=headers,
        visible=visible,
        screen_ideas=screen,
        own_ideas=own,
        public_actions=actions,
        own_actions=own_actions,
        team_notes=notes,
        team_actions=team_actions,
        phone_syntheses=syntheses,
        idea_counts={str(rid): n for rid, n in sorted(counts.items())},
    )


class SnapshotCache:
    """What snapshots share, kept per workshop and rebuilt only when what it holds has changed.

    A snapshot used to be rebuilt whole after every recorded operation, so in a
    vote or a join storm almost every reconnecting phone rebuilt it.  It is now
    made of parts that move at different paces:

    - the **shared part** (:class:`Shared`: workshop, rounds with their ideas,
      themes, actions and syntheses, the plan), filed under the workshop's
      latest operation that is neither a vote nor a join (``operations.lane``
      is null: one index lookup) and under this process's count of such
      commits (which also covers PostgreSQL, whose ids are not in commit order);
    - the **stakeholder groups' counts** (presence), filed under the latest join;
    - the **tallies**, from the service's :class:`~workshop.services.tally_book.TallyBook`;
    - a phone's **own votes and identity**, one indexed query per snapshot.

    Markers are read first, so a cached part is never older than the marker it
    is filed under.  The cached dicts are shared: nobody may mutate them.
    Timers are recomputed on every read, since their remaining time runs on
    without any write.
    """

    def __init__(self, db: Database, size: int = SNAPSHOT_CACHE_SIZE) -> None:
        self.db = db
        self.size = size
        self._shared: OrderedDict[int, tuple[tuple, Shared]] = OrderedDict()
        self._groups: OrderedDict[int, tuple[tuple, dict[str, int]]] = OrderedDict()
        self._content: dict[int, int] = {}  # content commits seen by this process, per workshop
        self._joins: dict[int, int] = {}
        self._lock = threading.Lock()

    def committed(self, workshop_id: int, changes: list[Change]) -> None:
        """A commit of this process: content changes and joins move their part's version."""
        for change in changes:
            if change.kind == "presence":
                self._joins[workshop_id] = self._joins.get(workshop_id, 0) + 1
            elif change.kind not in ("tally", "poll_answer", "agreement_answer"):  # a poll's answers are read per snapshot
                self._content[workshop_id] = self._content.get(workshop_id, 0) + 1

    def _file(self, entries: OrderedDict, workshop_id: int, value: Any) -> None:
        with self._lock:
            entries[workshop_id] = value
            entries.move_to_end(workshop_id)
            while len(entries) > self.size:
                entries.popitem(last=False)

    def parts(self, workshop_id: int, s: Session | None = None) -> tuple[Shared, dict[str, Any]]:
        """The shared part and the presence of a workshop, each rebuilt only if it has changed (in ``s`` if given)."""
        if s is None:
            with self.db.read() as s:
                return self.parts(workshop_id, s)
        local = (self._content.get(workshop_id, 0), self._joins.get(workshop_id, 0))
        content, joins = s.execute(MARKERS, {"w": workshop_id}).one()
        key = (content, local[0])
        hit = self._shared.get(workshop_id)
        if hit is not None and hit[0] == key:
            shared = hit[1]
        else:
            w = s.get(Workshop, workshop_id)
            if w is None:
                raise NotFound("unknown_workshop")
            shared = build_shared(s, w)
            self._file(self._shared, workshop_id, (key, shared))
        people_key = (joins, local[1])
        counted = self._groups.get(workshop_id)
        if counted is not None and counted[0] == people_key:
            by_group = counted[1]
        else:
            by_group = dict(sorted({g or "—": n for g, n in s.execute(GROUPS, {"w": workshop_id})}.items()))
            self._file(self._groups, workshop_id, (people_key, by_group))
        presence = {"count": sum(by_group.values()), "by_group": by_group, "ideas": shared.idea_counts}
        return shared, presence

    def shared(self, workshop_id: int) -> Shared:
        return self.parts(workshop_id)[0]

    def get(self, workshop_id: int) -> dict[str, Any]:
        """The full state at facilitator level (participants and every vote read now), timers as of now."""
        with self.db.read() as s:
            shared, presence = self.parts(workshop_id, s)
            participants = participants_of(s, workshop_id)
            rounds = [with_votes(r, round_votes(s, r["id"], participants)) for r in shared.rounds]
        return {
            "schema": "workshop-snapshot/1",
            "workshop": shared.workshop,
            "participants": [
                {"id": p.id, "pseudonym": p.pseudonym, "group": p.group, "joined_at": iso(p.joined_at)} for p in participants.values()
            ],
            "presence": presence,
            "rounds": [{**r, "timer": timer_now(r["timer"])} for r in rounds],
            "plan": shared.plan,
        }

    def public(self, service: WorkshopService, actor: Actor) -> dict[str, Any]:
        """What ``actor`` (participant, screen, guest) may see — :func:`~workshop.domain.visibility.public_snapshot`
        of the full state, made from the parts: the tallies from the tally book, a phone's own votes read alone."""
        wid, role, pid = actor.workshop_id, actor.role, actor.participant_id
        me_row: Any = None
        votes: dict[int, dict[str, dict[str, int]]] = {}
        with self.db.read() as s:
            shared, presence = self.parts(wid, s)
            if pid is not None:
                for row in s.execute(ME, {"w": wid, "p": pid}):
                    me_row = row
                    if row.kind is not None:
                        votes.setdefault(row.round_id, {}).setdefault(row.kind, {})[str(row.target_id)] = row.dots
        settings = shared.workshop["settings"]
        rounds = []
        for n, r in enumerate(shared.rounds):
            header = {**shared.headers[n], "timer": timer_now(r["timer"])}
            if role == GUEST:
                rounds.append(header)
                continue
            tallies: dict[str, Any] = {}
            ranking: dict[str, Any] = {}
            for kind in phases.VOTE_KIND_PHASE:
                items, ranks = service.tally_book.figures(wid, r["id"], kind) if shared.visible[n][kind] else (None, None)
                tallies[kind], ranking[kind] = items, ranks
            if pid is not None:
                ideas = shared.own_ideas[n].get(pid, [])
            elif role == SCRIBE:
                ideas = shared.team_notes[n]
            else:
                ideas = shared.screen_ideas[n]
            actions = shared.public_actions[n]
            if pid is not None and pid in shared.own_actions[n]:
                actions = actions + shared.own_actions[n][pid]
            elif role == SCRIBE and shared.team_actions[n]:
                actions = actions + shared.team_actions[n]
            header.update(
                ideas=ideas,
                themes=r["themes"],
                actions=actions,
                tallies=tallies,
                ranking=ranking,
                syntheses=shared.phone_syntheses[n] if pid is not None else r["syntheses"],
            )
            rounds.append(header)
        out: dict[str, Any] = {
            "schema": "workshop-snapshot/1",
            "role": role,
            "workshop": public_workshop(shared.workshop),
            "presence": presence,
            "rounds": rounds,
        }
        if role == SCREEN:
            out["plan"] = shared.plan
        if pid is not None:
            mine = {r["id"]: {kind: votes.get(r["id"], {}).get(kind, {}) for kind in ("theme", "action")} for r in shared.rounds}
            out["me"] = {
                "id": pid,
                "pseudonym": me_row.pseudonym if me_row is not None else None,
                "group": me_row.group if me_row is not None else None,
                "votes": mine,
                "budget": settings["dot_budget"],
                "cap": settings["dot_cap"],
            }
        return out


# --------------------------------------------------------------------------- use cases (read-only)


def full_snapshot(service: WorkshopService, workshop_id: int) -> dict[str, Any]:
    """The complete workshop (facilitator level, without secrets): exports and the console."""
    with service.db.read() as s:
        w = s.get(Workshop, workshop_id)
        if w is None:
            raise NotFound("unknown_workshop")
        return build_full_snapshot(s, w)


def snapshot(service: WorkshopService, actor: Actor, payload: object = None) -> dict[str, Any]:
    """The state visible to ``actor``, from which a (re)connecting client rebuilds its view."""
    if actor.role in (FACILITATOR, MODERATOR):
        full = service.snapshots.get(actor.workshop_id)
        everything = dict.fromkeys(phases.VOTE_KIND_PHASE, True)
        rounds = [{**r, **room_tallies(r, everything)} for r in full["rounds"]]
        out = {**full, "role": actor.role, "rounds": rounds, "rules": rules(service), "features": dict(service.features)}
        if actor.role == FACILITATOR:
            from .team import team_links

            out["team"] = team_links(service, actor.workshop_id)
    else:
        out = {**service.snapshots.public(service, actor), "rules": rules(service)}
    if actor.role != GUEST:
        out["polls"] = snapshot_polls(service, actor)  # quick polls, read per snapshot (services/polls.py)
        out["agreement"] = snapshot_agreement(service, actor)  # agreement across groups, read per snapshot (services/agreement.py)
    return out


def rules(service: WorkshopService) -> dict[str, Any]:
    """The phase table, and the pace a phone's outbox keeps when it sends what it queued (``idea_rate``)."""
    limit, window = service.flood
    return {**RULES, "idea_rate": {"limit": limit, "window": window}}


def presence(service: WorkshopService, workshop_id: int) -> dict[str, Any]:
    """How many have joined, by stakeholder group, and how many ideas each round holds."""
    with service.db.read() as s:
        return build_presence(s, workshop_id)
