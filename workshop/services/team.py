"""The team's links: a moderator's and a scribe's secret address, made anew or revoked by the facilitator.

Each role has one link per workshop (``workshops.moderator_token`` and
``scribe_token``), printed by ``workshop serve`` and shown in the console with
a QR code to hand to a helper's phone.  A new link replaces the old one, and
revoking leaves none: a connection opened with the old link is refused its
next event (``link_revoked``) and told at once (``link.revoked``).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..errors import Unauthenticated, ValidationError
from ..storage.models import Workshop
from .base import FACILITATOR, MODERATOR, SCRIBE, STAFF, Actor, Change, Tx, bool_field, use_case

if TYPE_CHECKING:  # pragma: no cover
    from . import WorkshopService

COLUMNS = {MODERATOR: Workshop.moderator_token, SCRIBE: Workshop.scribe_token}


def links_of(w: Workshop) -> dict[str, str | None]:
    """The team's current links (tokens) of a workshop: for the facilitator only."""
    return {MODERATOR: w.moderator_token, SCRIBE: w.scribe_token}


def _check(payload: dict) -> tuple[str, bool]:
    role = payload.get("role")
    if role not in STAFF:
        raise ValidationError("invalid_role")
    return role, bool_field(payload, "revoke", False)


@use_case(FACILITATOR, lock_workshop=True, check=_check)
def team_link(tx: Tx, _subject: None, checked: tuple[str, bool]):
    """Make a new link for a role (the old one stops working), or revoke it (``revoke: true``)."""
    role, revoke = checked
    w = tx.workshop
    token = None if revoke else secrets.token_urlsafe(24)
    setattr(w, f"{role}_token", token)
    tx.s.flush()
    links = links_of(w)
    return {"links": links}, [Change("team", w.id, {"role": role, "links": links})]


def team_links(service: WorkshopService, workshop_id: int) -> dict[str, str | None]:
    """The team's links, for the facilitator's console and ``workshop serve``."""
    with service.db.read() as s:
        w = s.get(Workshop, workshop_id)
        return links_of(w) if w is not None else {MODERATOR: None, SCRIBE: None}


def check_link(service: WorkshopService, actor: Actor) -> None:
    """A moderator's or scribe's link is still the current one (it may have been revoked since it connected)."""
    if actor.role not in STAFF:
        return
    with service.db.read() as s:
        row = s.execute(select(COLUMNS[actor.role], Workshop.status).where(Workshop.id == actor.workshop_id)).first()
    if not actor.link or row is None or row[0] != actor.link or row[1] != "open":
        raise Unauthenticated("link_revoked")
