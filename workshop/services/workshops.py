"""Workshops and joining: creating one from a plan, telling who a connection is, a guest joining.

Also the join code (short, read aloud, typed on phones) and the big QR code on
the projector.
"""

from __future__ import annotations

import re
import secrets
from datetime import date as dt_date
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from ..domain.polls import check_spec
from ..domain.settings import normalize_settings
from ..domain.text import clean_list, clean_text
from ..errors import NotFound, Unauthenticated, ValidationError
from ..storage.models import Participant, Round, Workshop
from .base import FACILITATOR, GUEST, MODERATOR, PARTICIPANT, SCREEN, SCRIBE, Actor, Change, Tx, bool_field, use_case
from .polls import new_poll
from .snapshots import refresh_plan
from .views import workshop_view

if TYPE_CHECKING:  # pragma: no cover
    from . import WorkshopService

CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6 look-alikes
CODE_LENGTH = 6


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


def create_workshop(
    service: WorkshopService,
    title: str,
    *,
    rounds: list[dict] | list[str],
    territory: str = "",
    place: str = "",
    facilitator: str = "",
    date: str | None = None,
    language: str = "fr",
    description: str = "",
    tags: list[str] | tuple[str, ...] = (),
    settings: dict | None = None,
    polls: list[dict] | tuple[dict, ...] = (),
) -> dict[str, Any]:
    """Create a workshop with its rounds (and the plan's quick polls, as drafts); returns its view plus the facilitator token.

    ``polls``: ``poll.create`` specs, each with an optional ``section`` ("evaluation" for the end-of-workshop questionnaire).
    """
    title = clean_text(title, "title", 200)
    territory = clean_text(territory, "territory", 200, required=False)
    place = clean_text(place, "place", 200, required=False)
    facilitator = clean_text(facilitator, "facilitator", 200, required=False)
    description = clean_text(description, "description", 4000, required=False)
    if language not in ("fr", "en"):
        raise ValidationError("invalid_field", field="language")
    if date is not None:
        try:
            dt_date.fromisoformat(date)
        except (TypeError, ValueError):
            raise ValidationError("invalid_field", field="date") from None
    normalized = normalize_settings(settings)
    round_specs: list[dict] = [r if isinstance(r, dict) else {"question": r} for r in rounds]
    if not round_specs or len(round_specs) > 20:
        raise ValidationError("invalid_field", field="rounds")
    clean_tags = clean_list(list(tags), "tags", 20, 60)
    with service.db.transaction() as s:
        taken = set(s.scalars(select(Workshop.code)).all())
        w = Workshop(
            code=new_code(taken),
            facilitator_token=secrets.token_urlsafe(24),
            moderator_token=secrets.token_urlsafe(24),
            scribe_token=secrets.token_urlsafe(24),
            title=title,
            territory=territory,
            place=place,
            facilitator=facilitator,
            date=date,
            language=language,
            description=description,
            tags=clean_tags,
            settings=normalized,
            plan={},
            rounds=[
                Round(
                    position=position,
                    question=clean_text(spec.get("question"), "question", 500),
                    timings=dict(spec.get("timings") or {}),
                )
                for position, spec in enumerate(round_specs, start=1)
            ],
        )
        s.add(w)
        s.flush()
        for spec in polls:  # the plan's quick polls: drafts the facilitator opens when the time comes
            new_poll(s, w.id, check_spec(spec), section=spec.get("section", ""))
        refresh_plan(s, w)
        return {"workshop": workshop_view(w), "facilitator_token": w.facilitator_token}


def authenticate(
    service: WorkshopService,
    *,
    code: object = None,
    token: object = None,
    facilitator_token: object = None,
    role: object = None,
    moderator_token: object = None,
    scribe_token: object = None,
) -> Actor:
    """Establish who a connection is; raises :class:`Unauthenticated` otherwise.

    A moderator's or scribe's actor carries its link, so each of its events can
    check that the link was not revoked since (:func:`~.team.check_link`).
    """
    with service.db.read() as s:
        for staff, secret in ((MODERATOR, moderator_token), (SCRIBE, scribe_token)):
            if secret is None:
                continue
            if not isinstance(secret, str) or not secret:
                raise Unauthenticated("bad_token")
            column = Workshop.moderator_token if staff == MODERATOR else Workshop.scribe_token
            w = s.scalar(select(Workshop).where(column == secret))
            if w is None or w.status != "open":  # revoked, or the workshop archived (its personal data erased)
                raise Unauthenticated("link_revoked")
            return Actor(staff, w.id, link=secret)
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


JOIN = insert(Participant)


@use_case(GUEST, hot=True, lane="join")
def join(tx: Tx, _subject: None, _checked: None):
    """A guest becomes a participant: optional pseudonym and stakeholder group.

    Hot path: the settings come with the operation lookup, one Core insert.
    """
    settings, payload = tx.settings, tx.payload
    pseudonym = clean_text(payload.get("pseudonym"), "pseudonym", 40, required=False) or None
    if settings["anonymous"]:
        pseudonym = None
    group = payload.get("group")
    if group in ("", None):
        group = None
    elif group not in settings["groups"]:
        raise ValidationError("unknown_group")
    token = secrets.token_urlsafe(24)
    wid = tx.actor.workshop_id
    inserted = tx.conn.execute(JOIN, {"workshop_id": wid, "token": token, "pseudonym": pseudonym, "group": group})
    pid = inserted.inserted_primary_key[0]  # type: ignore[index]
    return {"token": token, "participant": {"id": pid, "pseudonym": pseudonym, "group": group}}, [
        Change("presence", wid, {"participant_id": pid, "group": group})
    ]


@use_case(FACILITATOR, lock_workshop=True, check=lambda p: bool_field(p, "visible", True))
def show_qr(tx: Tx, _subject: None, visible: bool):
    """Put the big join QR code on the projector (or take it down)."""
    w = tx.workshop
    w.show_qr = visible
    tx.s.flush()
    view = workshop_view(w)
    return {"workshop": view}, [Change("workshop", w.id, view)]


def find_workshop(service: WorkshopService, code: str) -> dict[str, Any]:
    """Public view of a workshop by its join code."""
    with service.db.read() as s:
        w = s.scalar(select(Workshop).where(Workshop.code == normalize_code(code)))
        if w is None:
            raise NotFound("unknown_code")
        return workshop_view(w)


def workshop_id_for_code(service: WorkshopService, code: str) -> int:
    return find_workshop(service, code)["id"]


def list_workshops(service: WorkshopService) -> list[dict[str, Any]]:
    """Every workshop with its facilitator token: for the local operator (CLI) only."""
    with service.db.read() as s:
        return [{**workshop_view(w), "facilitator_token": w.facilitator_token} for w in s.scalars(select(Workshop).order_by(Workshop.id))]
