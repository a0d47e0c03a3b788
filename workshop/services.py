"""Use cases of a workshop: one function, one transaction, one answer.

Every write follows the same shape (after Parabol): AUTH (who is asking, and
may they) → VALIDATION (is the payload sane, does the phase allow it) →
RESOLUTION (write) → record the client's operation id with the answer, commit,
and return an :class:`Outcome` holding the answer for the sender and the
:class:`Change` list the broadcaster fans out.  Nothing here knows about Flask
or Socket.IO; the adapters call these functions and relay their outcome.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as dt_date
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .domain import phases
from .domain import restitution as restitution_rules
from .domain.settings import normalize_settings
from .domain.synthesis import build_action_plan, build_synthesis
from .domain.text import clean_list, clean_text
from .domain.visibility import public_snapshot, room_tallies, round_rules, tallies_visible
from .domain.voting import Ballot, apply_vote, ranked_tally
from .errors import Forbidden, NotFound, PhaseError, Unauthenticated, ValidationError, WorkshopError
from .storage.db import Database
from .storage.models import (
    Action,
    ActionUpdate,
    Idea,
    Operation,
    Participant,
    Round,
    Synthesis,
    Theme,
    Vote,
    Workshop,
    utcnow,
)

CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6 look-alikes
CODE_LENGTH = 6
OP_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
SNAPSHOT_CACHE_SIZE = 32  # workshops whose full state is kept for reconnecting clients
FLOOD_LIMIT, FLOOD_WINDOW = 12, 60  # ideas (or actions) per participant per minute
ACTION_STATUSES = ("proposed", *restitution_rules.STATUSES)
RULES = phases.rules(ACTION_STATUSES, restitution_rules.STATUSES)

FACILITATOR, PARTICIPANT, SCREEN, GUEST = "facilitator", "participant", "screen", "guest"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Actor:
    """Who is calling, as established at connection time."""

    role: str
    workshop_id: int
    participant_id: int | None = None

    @property
    def key(self) -> str:
        """The namespace of this actor's operation ids."""
        if self.role == PARTICIPANT:
            return f"p{self.participant_id}"
        return "f" if self.role == FACILITATOR else self.role


@dataclass(frozen=True)
class Change:
    """Something that changed, for the broadcaster to fan out.

    ``kind`` is one of: idea, idea_removed, theme, theme_removed, action,
    round, tally, presence, synthesis, plan, workshop.  ``data`` is the full
    (facilitator-level) view; the broadcaster decides what each room sees.
    """

    kind: str
    workshop_id: int
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """The answer to the sender (``result``) and the changes to broadcast."""

    result: dict[str, Any]
    changes: list[Change] = field(default_factory=list)
    replayed: bool = False


# --------------------------------------------------------------------------- helpers


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite returns naive datetimes; they are UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat().replace("+00:00", "Z")


def _require_dict(payload: object) -> dict:
    if not isinstance(payload, dict):
        raise ValidationError("invalid_payload")
    return payload


def _int_field(payload: dict, name: str, *, required: bool = True) -> int | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise ValidationError("invalid_field", field=name)
    return value


def _check_op_id(op_id: object) -> str:
    if not isinstance(op_id, str) or not OP_ID.match(op_id):
        raise ValidationError("invalid_op_id")
    return op_id


def new_code(existing: set[str] | None = None) -> str:
    """A short join code people can read aloud and type without confusion."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not existing or code not in existing:
            return code


def normalize_code(value: object) -> str:
    """Codes are typed on phones: accept lower case, spaces and dashes."""
    if not isinstance(value, str):
        raise ValidationError("invalid_field", field="code")
    code = re.sub(r"[\s-]", "", value).upper()
    if not 4 <= len(code) <= 12 or not code.isalnum():
        raise NotFound("unknown_code")
    return code


# --------------------------------------------------------------------------- views


def workshop_view(w: Workshop) -> dict[str, Any]:
    return {
        "id": w.id,
        "code": w.code,
        "title": w.title,
        "territory": w.territory,
        "date": w.date,
        "language": w.language,
        "description": w.description,
        "tags": list(w.tags or []),
        "settings": dict(w.settings),
        "status": w.status,
        "show_qr": w.show_qr,
        "published_at": _iso(w.published_at),
        "created_at": _iso(w.created_at),
    }


def _remaining(ends: datetime | None) -> int | None:
    if ends is None:
        return None
    ends = ends if ends.tzinfo else ends.replace(tzinfo=timezone.utc)
    return max(0, int((ends - utcnow()).total_seconds()))


def _timer_now(timer: dict) -> dict:
    """A round's timer with its remaining seconds as of now."""
    ends = timer.get("ends_at")
    return {**timer, "remaining": _remaining(datetime.fromisoformat(ends.replace("Z", "+00:00")) if ends else None)}


def round_view_header(r: Round, settings: dict) -> dict[str, Any]:
    """A round without its content, with what its phase allows (``can``) and whether the room sees its tallies."""
    remaining = _remaining(r.timer_ends_at)
    header = {
        "id": r.id,
        "position": r.position,
        "question": r.question,
        "phase": r.phase,
        "timings": dict(r.timings or {}),
        "tallies_revealed": r.tallies_revealed,
        "timer": {"ends_at": _iso(r.timer_ends_at), "seconds": r.timer_seconds, "remaining": remaining},
    }
    return {**header, **round_rules(settings, header)}


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
        "count": count,
        "created_at": _iso(i.created_at),
        "updated_at": _iso(i.updated_at),
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
    }


def update_view(u: ActionUpdate) -> dict[str, Any]:
    return {"id": u.id, "status": u.status, "date": u.date, "comment": u.comment, "created_at": _iso(u.created_at)}


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
        "created_at": _iso(a.created_at),
        "updates": restitution_rules.history([update_view(u) for u in updates or []]),
    }


# --------------------------------------------------------------------------- the service


class WorkshopService:
    """All use cases, bound to one database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._snapshots: OrderedDict[int, tuple[int | None, dict]] = OrderedDict()
        self._cache_lock = threading.Lock()

    # ----------------------------------------------------------------- plumbing

    def _write(self, actor: Actor, op_id: object, fn: Callable[[Session], tuple[dict, list[Change]]]) -> Outcome:
        """Run ``fn`` in one transaction, exactly once per (actor, op_id)."""
        op_id = _check_op_id(op_id)
        for attempt in range(3):
            try:
                with self.db.transaction() as s:
                    previous = s.scalar(
                        select(Operation.result).where(
                            Operation.workshop_id == actor.workshop_id,
                            Operation.actor == actor.key,
                            Operation.op_id == op_id,
                        )
                    )
                    if previous is not None:
                        return Outcome(previous, [], replayed=True)
                    result, changes = fn(s)
                    s.add(Operation(workshop_id=actor.workshop_id, actor=actor.key, op_id=op_id, result=result))
                    s.flush()
                return Outcome(result, changes)
            except IntegrityError:
                # A concurrent twin of this operation won the race (or a unique
                # constraint fired): loop, and the first branch answers it.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _workshop(s: Session, actor: Actor, *, lock: bool = False) -> Workshop:
        q = select(Workshop).where(Workshop.id == actor.workshop_id)
        w = s.scalar(q.with_for_update() if lock else q)
        if w is None:
            raise Unauthenticated("unknown_workshop")
        return w

    @staticmethod
    def _require_role(actor: Actor, *roles: str) -> None:
        if actor.role not in roles:
            raise Forbidden("role", role=actor.role)

    @staticmethod
    def _round(s: Session, actor: Actor, round_id: int | None, *, lock: bool = False) -> Round:
        """The given round of the caller's workshop, or the current one."""
        if round_id is None:
            rounds = s.scalars(select(Round).where(Round.workshop_id == actor.workshop_id).order_by(Round.position)).all()
            if not rounds:
                raise NotFound("unknown_round")
            current = next((r for r in rounds if r.phase != phases.CLOSED), rounds[-1])
            round_id = current.id
        q = select(Round).where(Round.id == round_id, Round.workshop_id == actor.workshop_id)
        r = s.scalar(q.with_for_update() if lock else q)
        if r is None:
            raise NotFound("unknown_round")
        return r

    @staticmethod
    def _get(s: Session, model: type, obj_id: int, r_workshop_id: int, what: str, *, lock: bool = False):
        q = select(model).join(Round, Round.id == model.round_id).where(model.id == obj_id, Round.workshop_id == r_workshop_id)
        obj = s.scalar(q.with_for_update(of=model) if lock else q)
        if obj is None:
            raise NotFound(f"unknown_{what}")
        return obj

    @staticmethod
    def _slow_down(s: Session, model: type, participant_id: int) -> None:
        """A phone may write ideas or actions at a human pace, not flood the wall.

        ``FLOOD_LIMIT`` items per ``FLOOD_WINDOW`` seconds per participant is far
        above what anyone types; a script or a stuck button is stopped with a
        readable error, and nothing else is affected.
        """
        since = utcnow() - timedelta(seconds=FLOOD_WINDOW)
        recent = s.scalar(
            select(func.count()).select_from(model).where(model.participant_id == participant_id, model.created_at >= since)
        )
        if recent >= FLOOD_LIMIT:
            raise ValidationError("too_fast", seconds=FLOOD_WINDOW)

    def _idea_change(self, s: Session, w: Workshop, idea: Idea) -> Change:
        author = s.get(Participant, idea.participant_id) if idea.participant_id else None
        count = 1 + (s.scalar(select(func.count()).select_from(Idea).where(Idea.merged_into_id == idea.id)) or 0)
        return Change("idea", w.id, idea_view(idea, author, w.settings["anonymous"], count))

    # ----------------------------------------------------------------- creation and joining

    def create_workshop(
        self,
        title: str,
        *,
        rounds: list[dict] | list[str],
        territory: str = "",
        date: str | None = None,
        language: str = "fr",
        description: str = "",
        tags: list[str] | tuple[str, ...] = (),
        settings: dict | None = None,
    ) -> dict[str, Any]:
        """Create a workshop with its rounds; returns its view plus the facilitator token."""
        title = clean_text(title, "title", 200)
        territory = clean_text(territory, "territory", 200, required=False)
        description = clean_text(description, "description", 4000, required=False)
        if language not in ("fr", "en"):
            raise ValidationError("invalid_field", field="language")
        if date is not None:
            try:
                dt_date.fromisoformat(date)
            except (TypeError, ValueError):
                raise ValidationError("invalid_field", field="date") from None
        normalized = normalize_settings(settings)
        round_specs = [r if isinstance(r, dict) else {"question": r} for r in rounds]
        if not round_specs or len(round_specs) > 20:
            raise ValidationError("invalid_field", field="rounds")
        clean_tags = clean_list(list(tags), "tags", 20, 60)
        with self.db.transaction() as s:
            taken = set(s.scalars(select(Workshop.code)).all())
            w = Workshop(
                code=new_code(taken),
                facilitator_token=secrets.token_urlsafe(24),
                title=title,
                territory=territory,
                date=date,
                language=language,
                description=description,
                tags=clean_tags,
                settings=normalized,
                plan={},
            )
            s.add(w)
            s.flush()
            for position, spec in enumerate(round_specs, start=1):
                s.add(
                    Round(
                        workshop_id=w.id,
                        position=position,
                        question=clean_text(spec.get("question"), "question", 500),
                        timings=dict(spec.get("timings") or {}),
                    )
                )
            s.flush()
            self._refresh_plan(s, w)
            return {"workshop": workshop_view(w), "facilitator_token": w.facilitator_token}

    def authenticate(
        self,
        *,
        code: object = None,
        token: object = None,
        facilitator_token: object = None,
        role: object = None,
    ) -> Actor:
        """Establish who a connection is; raises :class:`Unauthenticated` otherwise."""
        with self.db.sessions() as s:
            if facilitator_token is not None:
                if not isinstance(facilitator_token, str) or not facilitator_token:
                    raise Unauthenticated("bad_token")
                w = s.scalar(select(Workshop).where(Workshop.facilitator_token == facilitator_token))
                if w is None:
                    raise Unauthenticated("bad_token")
                return Actor(FACILITATOR, w.id)
            if code is None:
                raise Unauthenticated("missing_code")
            w = s.scalar(select(Workshop).where(Workshop.code == normalize_code(code)))
            if w is None or w.status != "open":
                raise Unauthenticated("unknown_code")
            if token is not None:
                if not isinstance(token, str) or not token:
                    raise Unauthenticated("bad_token")
                p = s.scalar(select(Participant).where(Participant.token == token, Participant.workshop_id == w.id))
                if p is None:
                    raise Unauthenticated("bad_token")
                return Actor(PARTICIPANT, w.id, p.id)
            return Actor(SCREEN if role == SCREEN else GUEST, w.id)

    def join(self, actor: Actor, payload: object) -> Outcome:
        """A guest becomes a participant: optional pseudonym and stakeholder group."""
        self._require_role(actor, GUEST)
        payload = _require_dict(payload)

        def run(s: Session):
            w = self._workshop(s, actor)
            pseudonym = clean_text(payload.get("pseudonym"), "pseudonym", 40, required=False) or None
            if w.settings["anonymous"]:
                pseudonym = None
            group = payload.get("group")
            if group in ("", None):
                group = None
            elif group not in w.settings["groups"]:
                raise ValidationError("unknown_group")
            p = Participant(workshop_id=w.id, token=secrets.token_urlsafe(24), pseudonym=pseudonym, group=group)
            s.add(p)
            s.flush()
            result = {"token": p.token, "participant": {"id": p.id, "pseudonym": p.pseudonym, "group": p.group}}
            return result, [Change("presence", w.id)]

        return self._write(actor, payload.get("op_id"), run)

    # ----------------------------------------------------------------- ideas

    def post_idea(self, actor: Actor, payload: object) -> Outcome:
        """A participant posts an idea; the facilitator posts one on someone's behalf."""
        self._require_role(actor, PARTICIPANT, FACILITATOR)
        payload = _require_dict(payload)

        def run(s: Session):
            w = self._workshop(s, actor)
            r = self._round(s, actor, _int_field(payload, "round_id", required=False))
            phases.require(r.phase, "post_idea")
            text = clean_text(payload.get("text"), "text", w.settings["max_idea_length"])
            if actor.role == FACILITATOR:
                group = payload.get("group") or None
                if group is not None and group not in w.settings["groups"]:
                    raise ValidationError("unknown_group")
                idea = Idea(round_id=r.id, participant_id=None, text=text, group=group, on_behalf=True)
            else:
                p = s.get(Participant, actor.participant_id)
                self._slow_down(s, Idea, p.id)
                idea = Idea(round_id=r.id, participant_id=p.id, text=text, group=p.group)
            s.add(idea)
            s.flush()
            change = self._idea_change(s, w, idea)
            return {"idea": change.data}, [change]

        return self._write(actor, payload.get("op_id"), run)

    def _own_idea(self, s: Session, actor: Actor, payload: dict) -> tuple[Workshop, Idea]:
        w = self._workshop(s, actor)
        idea = self._get(s, Idea, _int_field(payload, "idea_id"), w.id, "idea", lock=True)
        if idea.participant_id != actor.participant_id:
            raise Forbidden("not_your_idea")
        if idea.withdrawn or idea.merged_into_id:
            raise NotFound("unknown_idea")
        r = s.get(Round, idea.round_id)
        phases.require(r.phase, "edit_own_idea")
        return w, idea

    def edit_idea(self, actor: Actor, payload: object) -> Outcome:
        """A participant corrects their own idea while diverge is open."""
        self._require_role(actor, PARTICIPANT)
        payload = _require_dict(payload)

        def run(s: Session):
            w, idea = self._own_idea(s, actor, payload)
            idea.text = clean_text(payload.get("text"), "text", w.settings["max_idea_length"])
            idea.updated_at = utcnow()
            s.flush()
            change = self._idea_change(s, w, idea)
            return {"idea": change.data}, [change]

        return self._write(actor, payload.get("op_id"), run)

    def withdraw_idea(self, actor: Actor, payload: object) -> Outcome:
        """A participant takes back their own idea while diverge is open."""
        self._require_role(actor, PARTICIPANT)
        payload = _require_dict(payload)

        def run(s: Session):
            w, idea = self._own_idea(s, actor, payload)
            # Others' duplicates merged into this idea must not vanish with it:
            # the earliest of them stands for the group from now on.
            merged = s.scalars(select(Idea).where(Idea.merged_into_id == idea.id).order_by(Idea.id)).all()
            promoted = merged[0] if merged else None
            if promoted is not None:
                promoted.merged_into_id = None
                promoted.theme_id = idea.theme_id
                for other in merged[1:]:
                    other.merged_into_id = promoted.id
            idea.withdrawn = True
            idea.theme_id = None
            idea.updated_at = utcnow()
            s.flush()
            change = self._idea_change(s, w, idea)
            changes = [change] + ([self._idea_change(s, w, promoted)] if promoted is not None else [])
            return {"idea": change.data}, changes

        return self._write(actor, payload.get("op_id"), run)

    def hide_idea(self, actor: Actor, payload: object) -> Outcome:
        """Moderation: hide (or show again) an idea for everyone but the facilitator."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)
        hidden = payload.get("hidden", True)
        if not isinstance(hidden, bool):
            raise ValidationError("invalid_field", field="hidden")

        def run(s: Session):
            w = self._workshop(s, actor)
            idea = self._get(s, Idea, _int_field(payload, "idea_id"), w.id, "idea", lock=True)
            phases.require(s.get(Round, idea.round_id).phase, "moderate_idea")
            idea.hidden = hidden
            idea.updated_at = utcnow()
            s.flush()
            change = self._idea_change(s, w, idea)
            return {"idea": change.data}, [change]

        return self._write(actor, payload.get("op_id"), run)

    def merge_ideas(self, actor: Actor, payload: object) -> Outcome:
        """Merge a duplicate into another idea; the kept idea stands for all its origins."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)

        def run(s: Session):
            w = self._workshop(s, actor)
            source = self._get(s, Idea, _int_field(payload, "idea_id"), w.id, "idea", lock=True)
            target = self._get(s, Idea, _int_field(payload, "into_id"), w.id, "idea", lock=True)
            if source.id == target.id or source.round_id != target.round_id:
                raise ValidationError("cannot_merge")
            if source.merged_into_id or target.merged_into_id or source.withdrawn or target.withdrawn:
                raise ValidationError("cannot_merge")
            phases.require(s.get(Round, source.round_id).phase, "merge_ideas")
            # Flatten: whatever was merged into the source now points at the target.
            s.execute(update(Idea).where(Idea.merged_into_id == source.id).values(merged_into_id=target.id))
            source.merged_into_id = target.id
            if target.theme_id is None:
                target.theme_id = source.theme_id
            source.theme_id = None
            source.updated_at = target.updated_at = utcnow()
            s.flush()
            source_change, target_change = self._idea_change(s, w, source), self._idea_change(s, w, target)
            return {"idea": target_change.data}, [source_change, target_change]

        return self._write(actor, payload.get("op_id"), run)

    def move_idea(self, actor: Actor, payload: object) -> Outcome:
        """Put an idea into a theme (or back among the unsorted ones with theme_id null)."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)

        def run(s: Session):
            w = self._workshop(s, actor)
            idea = self._get(s, Idea, _int_field(payload, "idea_id"), w.id, "idea", lock=True)
            phases.require(s.get(Round, idea.round_id).phase, "edit_themes")
            if idea.withdrawn or idea.merged_into_id:
                raise NotFound("unknown_idea")
            theme_id = _int_field(payload, "theme_id", required=False)
            if theme_id is not None:
                theme = self._get(s, Theme, theme_id, w.id, "theme")
                if theme.round_id != idea.round_id:
                    raise ValidationError("other_round")
            idea.theme_id = theme_id
            idea.updated_at = utcnow()
            s.flush()
            change = self._idea_change(s, w, idea)
            return {"idea": change.data}, [change]

        return self._write(actor, payload.get("op_id"), run)

    # ----------------------------------------------------------------- themes

    def create_theme(self, actor: Actor, payload: object) -> Outcome:
        """The facilitator opens a theme to group ideas under."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)

        def run(s: Session):
            self._workshop(s, actor)
            r = self._round(s, actor, _int_field(payload, "round_id", required=False))
            phases.require(r.phase, "edit_themes")
            count = s.scalar(select(func.count()).select_from(Theme).where(Theme.round_id == r.id)) or 0
            if count >= 50:
                raise ValidationError("too_many_themes")
            theme = Theme(
                round_id=r.id,
                title=clean_text(payload.get("title"), "title", 200),
                objective=clean_text(payload.get("objective"), "objective", 1000, required=False),
                criteria=clean_list(payload.get("criteria"), "criteria", 20, 300),
                position=count + 1,
            )
            s.add(theme)
            s.flush()
            view = theme_view(theme)
            return {"theme": view}, [Change("theme", actor.workshop_id, view)]

        return self._write(actor, payload.get("op_id"), run)

    def update_theme(self, actor: Actor, payload: object) -> Outcome:
        """Rename a theme, write its objective and success criteria."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)

        def run(s: Session):
            self._workshop(s, actor)
            theme = self._get(s, Theme, _int_field(payload, "theme_id"), actor.workshop_id, "theme", lock=True)
            phases.require(s.get(Round, theme.round_id).phase, "edit_themes")
            if not {"title", "objective", "criteria"} & payload.keys():
                raise ValidationError("nothing_to_update")
            if "title" in payload:
                theme.title = clean_text(payload["title"], "title", 200)
            if "objective" in payload:
                theme.objective = clean_text(payload["objective"], "objective", 1000, required=False)
            if "criteria" in payload:
                theme.criteria = clean_list(payload["criteria"], "criteria", 20, 300)
            s.flush()
            view = theme_view(theme)
            return {"theme": view}, [Change("theme", actor.workshop_id, view)]

        return self._write(actor, payload.get("op_id"), run)

    def delete_theme(self, actor: Actor, payload: object) -> Outcome:
        """Remove a theme; its ideas go back to the unsorted ones, its dots are returned."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)

        def run(s: Session):
            w = self._workshop(s, actor)
            theme = self._get(s, Theme, _int_field(payload, "theme_id"), w.id, "theme", lock=True)
            phases.require(s.get(Round, theme.round_id).phase, "edit_themes")
            if s.scalar(select(func.count()).select_from(Action).where(Action.theme_id == theme.id)):
                raise ValidationError("theme_has_actions")
            ideas = s.scalars(select(Idea).where(Idea.theme_id == theme.id)).all()
            for idea in ideas:
                idea.theme_id = None
            s.execute(delete(Vote).where(Vote.kind == "theme", Vote.target_id == theme.id))
            round_id, theme_id = theme.round_id, theme.id
            s.delete(theme)
            s.flush()
            changes = [self._idea_change(s, w, i) for i in ideas]
            changes.append(Change("theme_removed", w.id, {"id": theme_id, "round_id": round_id}))
            changes.append(Change("tally", w.id, {"round_id": round_id, "kind": "theme"}))
            return {"theme_id": theme_id}, changes

        return self._write(actor, payload.get("op_id"), run)

    # ----------------------------------------------------------------- actions

    def propose_action(self, actor: Actor, payload: object) -> Outcome:
        """Propose a concrete action under a kept theme (participant or facilitator)."""
        self._require_role(actor, PARTICIPANT, FACILITATOR)
        payload = _require_dict(payload)

        def run(s: Session):
            w = self._workshop(s, actor)
            theme = self._get(s, Theme, _int_field(payload, "theme_id"), w.id, "theme")
            r = s.get(Round, theme.round_id)
            phases.require(r.phase, "propose_action")
            if not theme.kept:
                raise ValidationError("theme_not_kept")
            if s.scalar(select(func.count()).select_from(Action).where(Action.round_id == r.id)) >= 500:
                raise ValidationError("too_many_actions")
            if actor.participant_id is not None:
                self._slow_down(s, Action, actor.participant_id)
            action = Action(
                round_id=r.id,
                theme_id=theme.id,
                participant_id=actor.participant_id,
                title=clean_text(payload.get("title"), "title", 200),
                description=clean_text(payload.get("description"), "description", 2000, required=False),
                idea_ids=self._idea_ids(s, r, payload.get("idea_ids")),
            )
            s.add(action)
            s.flush()
            view = action_view(action)
            return {"action": view}, [Change("action", w.id, view)]

        return self._write(actor, payload.get("op_id"), run)

    @staticmethod
    def _idea_ids(s: Session, r: Round, value: object) -> list[int]:
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > 100 or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise ValidationError("invalid_field", field="idea_ids")
        ids = list(dict.fromkeys(value))
        found = set(s.scalars(select(Idea.id).where(Idea.round_id == r.id, Idea.id.in_(ids), Idea.hidden.is_(False))).all())
        if found != set(ids):
            raise NotFound("unknown_idea")
        return ids

    def update_action(self, actor: Actor, payload: object) -> Outcome:
        """Complete an action sheet: owner, partners, deadline, resources, indicators, status."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)
        fields = {"title", "description", "owner", "partners", "deadline", "resources", "indicators", "status", "idea_ids", "theme_id"}

        def run(s: Session):
            w = self._workshop(s, actor)
            action = self._get(s, Action, _int_field(payload, "action_id"), w.id, "action", lock=True)
            r = s.get(Round, action.round_id)
            phases.require(r.phase, "edit_action")
            if not fields & payload.keys():
                raise ValidationError("nothing_to_update")
            if "title" in payload:
                action.title = clean_text(payload["title"], "title", 200)
            for name, limit in (("description", 2000), ("owner", 200), ("deadline", 40), ("resources", 2000)):
                if name in payload:
                    setattr(action, name, clean_text(payload[name], name, limit, required=False))
            for name in ("partners", "indicators"):
                if name in payload:
                    setattr(action, name, clean_list(payload[name], name, 30, 300))
            if "status" in payload:
                if payload["status"] not in ACTION_STATUSES:
                    raise ValidationError("invalid_field", field="status")
                action.status = payload["status"]
            if "idea_ids" in payload:
                action.idea_ids = self._idea_ids(s, r, payload["idea_ids"])
            if "theme_id" in payload:
                theme = self._get(s, Theme, _int_field(payload, "theme_id"), w.id, "theme")
                if theme.round_id != r.id or not theme.kept:
                    raise ValidationError("theme_not_kept")
                action.theme_id = theme.id
            s.flush()
            view = action_view(action, self._updates(s, Action.id == action.id).get(action.id))
            return {"action": view}, [Change("action", w.id, view)]

        return self._write(actor, payload.get("op_id"), run)

    @staticmethod
    def _updates(s: Session, where) -> dict[int, list[ActionUpdate]]:
        """Status updates of the actions matching ``where`` (one query), by action id."""
        rows = s.scalars(
            select(ActionUpdate).join(Action, Action.id == ActionUpdate.action_id).where(where).order_by(ActionUpdate.id)
        ).all()
        out: dict[int, list[ActionUpdate]] = {}
        for u in rows:
            out.setdefault(u.action_id, []).append(u)
        return out

    # ----------------------------------------------------------------- after the workshop: restitution

    def update_action_status(self, actor: Actor, payload: object) -> Outcome:
        """Record what became of an action after the workshop: a dated status with a comment.

        Only once the action's round is closed (during the workshop the sheet's
        status is edited with ``update_action``).  The history is append-only:
        each call adds one update, and the action's status becomes the one
        its timeline (by day, then by recording order) ends with.
        """
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)
        status, day, comment = restitution_rules.check_status_update(
            payload.get("status"), payload.get("date"), payload.get("comment"), utcnow()
        )

        def run(s: Session):
            w = self._workshop(s, actor)
            action = self._get(s, Action, _int_field(payload, "action_id"), w.id, "action", lock=True)
            restitution_rules.require_closed(s.get(Round, action.round_id).phase)
            s.add(ActionUpdate(action_id=action.id, status=status, date=day, comment=comment))
            s.flush()
            updates = self._updates(s, Action.id == action.id).get(action.id, [])
            action.status = restitution_rules.current_status(action.status, [update_view(u) for u in updates])
            s.flush()
            view = action_view(action, updates)
            return {"action": view}, [Change("action", w.id, view)]

        return self._write(actor, payload.get("op_id"), run)

    def publish_restitution(self, actor: Actor, payload: object) -> Outcome:
        """Open (or close) the workshop's public restitution page, ``/r/<code>``: opt-in."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)
        published = payload.get("published")
        if not isinstance(published, bool):
            raise ValidationError("invalid_field", field="published")

        def run(s: Session):
            w = self._workshop(s, actor, lock=True)
            if not published:
                w.published_at = None
            elif w.published_at is None:  # publishing again keeps the first date
                w.published_at = utcnow()
            s.flush()
            view = workshop_view(w)
            return {"workshop": view}, [Change("workshop", w.id, view)]

        return self._write(actor, payload.get("op_id"), run)

    def restitution(self, code: str) -> dict[str, Any]:
        """The public restitution of a workshop (read-only); NotFound unless it is published."""
        with self.db.sessions() as s:
            w = s.scalar(select(Workshop).where(Workshop.code == normalize_code(code)))
            if w is None or w.published_at is None:
                raise NotFound("not_published")
            return restitution_rules.build_restitution(self._full_snapshot(s, w))

    # ----------------------------------------------------------------- voting

    def vote(self, actor: Actor, payload: object) -> Outcome:
        """Add or take back dots on a theme (define) or an action (converge).

        The participant's row is locked for the whole transaction (SQLite:
        BEGIN IMMEDIATE; PostgreSQL: SELECT … FOR UPDATE), so concurrent votes
        from the same phone are applied one after the other against the
        budget actually left.
        """
        self._require_role(actor, PARTICIPANT)
        payload = _require_dict(payload)
        kind = payload.get("kind")
        if not isinstance(kind, str) or kind not in phases.VOTE_KIND_PHASE:
            raise ValidationError("invalid_field", field="kind")

        def run(s: Session):
            w = self._workshop(s, actor)
            participant = s.scalar(select(Participant).where(Participant.id == actor.participant_id).with_for_update())
            model = Theme if kind == "theme" else Action
            target = self._get(s, model, _int_field(payload, "target_id"), w.id, kind)
            r = s.get(Round, target.round_id)
            phases.require(r.phase, f"vote_{kind}")
            if kind == "action" and not s.get(Theme, target.theme_id).kept:
                raise ValidationError("theme_not_kept")
            mine = s.scalars(
                select(Vote).where(Vote.participant_id == participant.id, Vote.round_id == r.id, Vote.kind == kind)
            ).all()
            used = sum(v.dots for v in mine)
            current = next((v for v in mine if v.target_id == target.id), None)
            settings = w.settings
            new = apply_vote(current.dots if current else 0, used, payload.get("delta", 1), settings["dot_budget"], settings["dot_cap"])
            delta = new - (current.dots if current else 0)
            if current is None:
                s.add(Vote(round_id=r.id, participant_id=participant.id, kind=kind, target_id=target.id, dots=new))
            elif new == 0:
                s.delete(current)
            else:
                current.dots = new
            s.flush()
            result = {
                "kind": kind,
                "target_id": target.id,
                "dots": new,
                "used": used + delta,
                "remaining": settings["dot_budget"] - used - delta,
            }
            return result, [Change("tally", w.id, {"round_id": r.id, "kind": kind})]

        return self._write(actor, payload.get("op_id"), run)

    def tallies(self, workshop_id: int, round_id: int, kind: str) -> dict[str, Any]:
        """Current dots per item of one vote, with the breakdown by stakeholder group."""
        with self.db.sessions() as s:
            rows = s.execute(
                select(Vote.target_id, Participant.group, Vote.dots)
                .join(Participant, Participant.id == Vote.participant_id)
                .join(Round, Round.id == Vote.round_id)
                .where(Vote.round_id == round_id, Vote.kind == kind, Round.workshop_id == workshop_id)
            ).all()
            w = s.get(Workshop, workshop_id)
            r = s.get(Round, round_id)
            if w is None or r is None:
                raise NotFound("unknown_round")
            order = None
            if kind == "theme":
                order = dict(s.execute(select(Theme.id, Theme.position).where(Theme.round_id == round_id)).all())
            items, ranking = ranked_tally((Ballot(t, g, d) for t, g, d in rows), order)
            return {
                "round_id": round_id,
                "kind": kind,
                "items": items,
                "ranking": ranking,
                "visible": tallies_visible(w.settings, round_view_header(r, w.settings), kind),
            }

    # ----------------------------------------------------------------- facilitator controls

    def advance_phase(self, actor: Actor, payload: object) -> Outcome:
        """Close the round's current phase (freezing its synthesis) and open the next."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)

        def run(s: Session):
            w = self._workshop(s, actor, lock=True)
            r = self._round(s, actor, _int_field(payload, "round_id", required=False), lock=True)
            if "expected_phase" in payload and payload["expected_phase"] != r.phase:
                raise PhaseError("phase_changed", phase=r.phase)
            earlier_open = s.scalar(
                select(func.count()).select_from(Round).where(
                    Round.workshop_id == w.id, Round.position < r.position, Round.phase != phases.CLOSED
                )
            )
            if earlier_open:
                raise PhaseError("previous_round_open", phase=r.phase)
            closing = r.phase
            opening = phases.next_phase(closing)
            changes: list[Change] = []
            if closing == phases.DEFINE:
                changes += self._keep_themes(s, r, payload.get("kept_theme_ids"), w.settings["keep_top_k"])
            if closing in (phases.DIVERGE, phases.DEFINE, phases.CONVERGE):
                data = build_synthesis(closing, self._round_full(s, w, r), w.settings["equal_weight"])
                existing = s.scalar(select(Synthesis).where(Synthesis.round_id == r.id, Synthesis.phase == closing))
                if existing:
                    existing.data, existing.created_at = data, utcnow()
                else:
                    s.add(Synthesis(round_id=r.id, phase=closing, data=data))
                changes.append(Change("synthesis", w.id, {"round_id": r.id, "phase": closing, "data": data}))
            r.phase = opening
            r.tallies_revealed = False
            r.timer_ends_at, r.timer_seconds = None, None
            s.flush()
            plan = self._refresh_plan(s, w)
            header = round_view_header(r, w.settings)
            changes.insert(0, Change("round", w.id, header))
            changes.append(Change("plan", w.id, plan))
            if closing in (phases.DEFINE, phases.CONVERGE):
                kind = "theme" if closing == phases.DEFINE else "action"
                changes.append(Change("tally", w.id, {"round_id": r.id, "kind": kind}))
            return {"round": header, "closed": closing}, changes

        return self._write(actor, payload.get("op_id"), run)

    def _keep_themes(self, s: Session, r: Round, chosen: object, top_k: int) -> list[Change]:
        themes = s.scalars(select(Theme).where(Theme.round_id == r.id).order_by(Theme.position)).all()
        if chosen is not None:
            if not isinstance(chosen, list) or not all(isinstance(t, int) and not isinstance(t, bool) for t in chosen):
                raise ValidationError("invalid_field", field="kept_theme_ids")
            if not set(chosen) <= {t.id for t in themes}:
                raise NotFound("unknown_theme")
            kept = set(chosen)
        else:
            dots = dict(
                s.execute(
                    select(Vote.target_id, func.sum(Vote.dots)).where(Vote.round_id == r.id, Vote.kind == "theme").group_by(Vote.target_id)
                ).all()
            )
            ordered = sorted(themes, key=lambda t: (-(dots.get(t.id) or 0), t.position))
            kept = {t.id for t in ordered[:top_k]}
        changes = []
        for t in themes:
            if t.kept != (t.id in kept):
                t.kept = t.id in kept
                changes.append(Change("theme", r.workshop_id, theme_view(t)))
        s.flush()
        return changes

    def reopen_phase(self, actor: Actor, payload: object) -> Outcome:
        """Go back to the previous phase of an unclosed round (its synthesis will be re-frozen)."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)

        def run(s: Session):
            w = self._workshop(s, actor, lock=True)
            r = self._round(s, actor, _int_field(payload, "round_id", required=False), lock=True)
            if "expected_phase" in payload and payload["expected_phase"] != r.phase:
                raise PhaseError("phase_changed", phase=r.phase)
            r.phase = phases.previous_phase(r.phase)
            r.tallies_revealed = False
            r.timer_ends_at, r.timer_seconds = None, None
            # The reopened phase is open again: its frozen synthesis no longer
            # says what the room decided, so it leaves the draft until it closes again.
            s.execute(delete(Synthesis).where(Synthesis.round_id == r.id, Synthesis.phase == r.phase))
            s.flush()
            plan = self._refresh_plan(s, w)
            header = round_view_header(r, w.settings)
            return {"round": header}, [
                Change("round", w.id, header),
                Change("synthesis", w.id, {"round_id": r.id, "phase": r.phase, "data": None}),
                Change("plan", w.id, plan),
            ]

        return self._write(actor, payload.get("op_id"), run)

    def reveal_tallies(self, actor: Actor, payload: object) -> Outcome:
        """Show (or hide again) the vote tallies to the room when tallies are 'reveal'."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)
        revealed = payload.get("revealed", True)
        if not isinstance(revealed, bool):
            raise ValidationError("invalid_field", field="revealed")

        def run(s: Session):
            w = self._workshop(s, actor)
            r = self._round(s, actor, _int_field(payload, "round_id", required=False), lock=True)
            r.tallies_revealed = revealed
            s.flush()
            header = round_view_header(r, w.settings)
            changes = [Change("round", w.id, header)]
            changes += [Change("tally", w.id, {"round_id": r.id, "kind": k}) for k in ("theme", "action")]
            return {"round": header}, changes

        return self._write(actor, payload.get("op_id"), run)

    def set_timer(self, actor: Actor, payload: object) -> Outcome:
        """Start a countdown of ``seconds`` for the current phase (0 or null stops it)."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)
        seconds = payload.get("seconds")
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= 4 * 3600):
            raise ValidationError("invalid_field", field="seconds")

        def run(s: Session):
            w = self._workshop(s, actor)
            r = self._round(s, actor, _int_field(payload, "round_id", required=False), lock=True)
            if seconds:
                r.timer_seconds, r.timer_ends_at = seconds, utcnow() + timedelta(seconds=seconds)
            else:
                r.timer_seconds, r.timer_ends_at = None, None
            s.flush()
            header = round_view_header(r, w.settings)
            return {"round": header}, [Change("round", w.id, header)]

        return self._write(actor, payload.get("op_id"), run)

    def show_qr(self, actor: Actor, payload: object) -> Outcome:
        """Put the big join QR code on the projector (or take it down)."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)
        visible = payload.get("visible", True)
        if not isinstance(visible, bool):
            raise ValidationError("invalid_field", field="visible")

        def run(s: Session):
            w = self._workshop(s, actor, lock=True)
            w.show_qr = visible
            s.flush()
            view = workshop_view(w)
            return {"workshop": view}, [Change("workshop", w.id, view)]

        return self._write(actor, payload.get("op_id"), run)

    def preview_synthesis(self, actor: Actor, payload: object) -> dict[str, Any]:
        """What closing the current phase would freeze, without closing it (read-only)."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload if payload is not None else {})
        with self.db.sessions() as s:
            w = self._workshop(s, actor)
            r = self._round(s, actor, _int_field(payload, "round_id", required=False))
            if r.phase not in (phases.DIVERGE, phases.DEFINE, phases.CONVERGE):
                return {"round_id": r.id, "phase": r.phase, "data": None}
            data = build_synthesis(r.phase, self._round_full(s, w, r), w.settings["equal_weight"])
            return {"round_id": r.id, "phase": r.phase, "data": data}

    def add_round(self, actor: Actor, payload: object) -> Outcome:
        """Add a round with a new question at the end of the workshop."""
        self._require_role(actor, FACILITATOR)
        payload = _require_dict(payload)

        def run(s: Session):
            w = self._workshop(s, actor, lock=True)
            count = s.scalar(select(func.count()).select_from(Round).where(Round.workshop_id == w.id)) or 0
            if count >= 20:
                raise ValidationError("too_many_rounds")
            r = Round(workshop_id=w.id, position=count + 1, question=clean_text(payload.get("question"), "question", 500), timings={})
            s.add(r)
            s.flush()
            plan = self._refresh_plan(s, w)
            header = round_view_header(r, w.settings)
            return {"round": header}, [Change("round", w.id, header), Change("plan", w.id, plan)]

        return self._write(actor, payload.get("op_id"), run)

    # ----------------------------------------------------------------- reading

    def _round_full(self, s: Session, w: Workshop, r: Round, participants: dict[int, Participant] | None = None) -> dict:
        """Everything about one round, at facilitator level of detail."""
        if participants is None:
            participants = {p.id: p for p in s.scalars(select(Participant).where(Participant.workshop_id == w.id))}
        ideas = s.scalars(select(Idea).where(Idea.round_id == r.id).order_by(Idea.id)).all()
        merged = Counter(i.merged_into_id for i in ideas if i.merged_into_id)
        anonymous = w.settings["anonymous"]
        votes = s.execute(
            select(Vote.kind, Vote.target_id, Vote.participant_id, Vote.dots).where(Vote.round_id == r.id)
        ).all()
        syntheses = {
            syn.phase: syn.data for syn in s.scalars(select(Synthesis).where(Synthesis.round_id == r.id))
        }
        updates = self._updates(s, Action.round_id == r.id)
        return {
            **round_view_header(r, w.settings),
            "ideas": [
                idea_view(i, participants.get(i.participant_id) if i.participant_id else None, anonymous, 1 + merged[i.id])
                for i in ideas
            ],
            "themes": [theme_view(t) for t in s.scalars(select(Theme).where(Theme.round_id == r.id).order_by(Theme.position))],
            "actions": [action_view(a, updates.get(a.id)) for a in s.scalars(select(Action).where(Action.round_id == r.id).order_by(Action.id))],
            "votes": [
                {"kind": k, "target_id": t, "participant_id": p, "group": participants[p].group if p in participants else None, "dots": d}
                for k, t, p, d in votes
            ],
            "syntheses": syntheses,
        }

    def _refresh_plan(self, s: Session, w: Workshop) -> dict:
        rounds = s.scalars(select(Round).where(Round.workshop_id == w.id).order_by(Round.position)).all()
        syn: dict[int, dict] = {}
        for row in s.scalars(select(Synthesis).join(Round).where(Round.workshop_id == w.id)):
            syn.setdefault(row.round_id, {})[row.phase] = row.data
        plan = build_action_plan(
            workshop_view(w),
            [{"position": r.position, "question": r.question, "phase": r.phase, "syntheses": syn.get(r.id, {})} for r in rounds],
        )
        w.plan = plan
        return plan

    def full_snapshot(self, workshop_id: int) -> dict[str, Any]:
        """The complete workshop (facilitator level, without secrets): export and console."""
        with self.db.sessions() as s:
            w = s.get(Workshop, workshop_id)
            if w is None:
                raise NotFound("unknown_workshop")
            return self._full_snapshot(s, w)

    def _full_snapshot(self, s: Session, w: Workshop) -> dict[str, Any]:
        participants = {p.id: p for p in s.scalars(select(Participant).where(Participant.workshop_id == w.id).order_by(Participant.id))}
        rounds = s.scalars(select(Round).where(Round.workshop_id == w.id).order_by(Round.position)).all()
        return {
            "schema": "workshop-snapshot/1",
            "workshop": workshop_view(w),
            "participants": [
                {"id": p.id, "pseudonym": p.pseudonym, "group": p.group, "joined_at": _iso(p.joined_at)}
                for p in participants.values()
            ],
            "presence": self._presence(s, w.id),
            "rounds": [self._round_full(s, w, r, participants) for r in rounds],
            "plan": w.plan,
        }

    def snapshot(self, actor: Actor, payload: object = None) -> dict[str, Any]:
        """The state visible to ``actor``, from which a (re)connecting client rebuilds its view.

        When the Wi-Fi of a hall drops, hundreds of phones reconnect at once and
        each asks for a snapshot: the full state is built once per change of the
        workshop (see :meth:`_cached_full_snapshot`) and only filtered per person.
        """
        full = self._cached_full_snapshot(actor.workshop_id)
        if actor.role == FACILITATOR:
            everything = dict.fromkeys(phases.VOTE_KIND_PHASE, True)
            rounds = [{**r, **room_tallies(r, everything)} for r in full["rounds"]]
            return {**full, "role": FACILITATOR, "rounds": rounds, "rules": RULES}
        return {**public_snapshot(full, actor.role, actor.participant_id), "rules": RULES}

    def _cached_full_snapshot(self, workshop_id: int) -> dict[str, Any]:
        """The full snapshot, rebuilt only when the workshop has changed.

        Every change goes through :meth:`_write`, which records an operation
        row: the workshop's highest operation id is its version (read first, so
        a cached state is never older than the version it is filed under).  The
        cached dict is shared: nobody may mutate it.  Timers are recomputed on
        every read, since their remaining time runs on without any write.
        """
        with self.db.sessions() as s:
            version = s.scalar(select(func.max(Operation.id)).where(Operation.workshop_id == workshop_id))
            with self._cache_lock:
                hit = self._snapshots.get(workshop_id)
            if hit is not None and hit[0] == version:
                full = hit[1]
            else:
                w = s.get(Workshop, workshop_id)
                if w is None:
                    raise NotFound("unknown_workshop")
                full = self._full_snapshot(s, w)
                with self._cache_lock:
                    self._snapshots[workshop_id] = (version, full)
                    self._snapshots.move_to_end(workshop_id)
                    while len(self._snapshots) > SNAPSHOT_CACHE_SIZE:
                        self._snapshots.popitem(last=False)
        return {**full, "rounds": [{**r, "timer": _timer_now(r["timer"])} for r in full["rounds"]]}

    def presence(self, workshop_id: int) -> dict[str, Any]:
        """How many have joined, by stakeholder group, and how many ideas each round holds."""
        with self.db.sessions() as s:
            return self._presence(s, workshop_id)

    @staticmethod
    def _presence(s: Session, workshop_id: int) -> dict[str, Any]:
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

    def find_workshop(self, code: str) -> dict[str, Any]:
        """Public view of a workshop by its join code."""
        with self.db.sessions() as s:
            w = s.scalar(select(Workshop).where(Workshop.code == normalize_code(code)))
            if w is None:
                raise NotFound("unknown_code")
            return workshop_view(w)

    def list_workshops(self) -> list[dict[str, Any]]:
        """Every workshop with its facilitator token: for the local operator (CLI) only."""
        with self.db.sessions() as s:
            return [
                {**workshop_view(w), "facilitator_token": w.facilitator_token}
                for w in s.scalars(select(Workshop).order_by(Workshop.id))
            ]

    def erase_personal_data(self, workshop_id: int) -> dict[str, int]:
        """RGPD: forget who took part — pseudonyms erased, access tokens revoked.

        Ideas, themes, votes (by stakeholder group) and the action plan stay:
        they are the workshop's outcome, and were never tied to an identity.
        """
        with self.db.transaction() as s:
            w = s.get(Workshop, workshop_id)
            if w is None:
                raise NotFound("unknown_workshop")
            participants = s.scalars(select(Participant).where(Participant.workshop_id == w.id)).all()
            for p in participants:
                p.pseudonym = None
                p.token = secrets.token_urlsafe(24)
            # Stored replies of `join` held tokens: redact them.  The erasure is
            # itself recorded as an operation, which also marks the workshop changed.
            s.execute(update(Operation).where(Operation.workshop_id == w.id, Operation.actor == GUEST).values(result={"erased": True}))
            s.add(Operation(workshop_id=w.id, actor="system", op_id=f"erase-{secrets.token_hex(8)}", result={"erased": True}))
            w.status = "archived"
            return {"participants": len(participants)}

    def purge_expired(self, now: datetime | None = None) -> list[str]:
        """Erase personal data of workshops past their retention period; returns their codes."""
        now = now or utcnow()
        with self.db.sessions() as s:
            rows = s.execute(select(Workshop.id, Workshop.code, Workshop.settings, Workshop.date, Workshop.created_at)).all()
        expired = []
        for wid, code, settings, day, created in rows:
            days = (settings or {}).get("retention_days")
            if not days:
                continue
            start = datetime.fromisoformat(day).replace(tzinfo=timezone.utc) if day else created
            if start.tzinfo is None:
                start = start.replace(tzinfo=timezone.utc)
            if now - start > timedelta(days=days):
                with self.db.sessions() as s:
                    anything = s.scalar(
                        select(func.count()).select_from(Participant).where(
                            Participant.workshop_id == wid, Participant.pseudonym.is_not(None)
                        )
                    ) or s.scalar(select(Workshop.status).where(Workshop.id == wid)) == "open"
                if anything:
                    self.erase_personal_data(wid)
                    expired.append(code)
        return expired

    def workshop_id_for_code(self, code: str) -> int:
        return self.find_workshop(code)["id"]


__all__ = ["WorkshopService", "Actor", "Change", "Outcome", "WorkshopError"]
