"""RGPD: forgetting who took part, at once (``workshop erase``) or after the retention period.

Ideas, themes, votes (by stakeholder group) and the action plan stay: they are
the workshop's outcome, and were never tied to an identity.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from ..errors import NotFound
from ..storage.models import Operation, Participant, Workshop, utcnow
from . import queries
from .base import GUEST

if TYPE_CHECKING:  # pragma: no cover
    from . import WorkshopService


def erase_personal_data(service: WorkshopService, workshop_id: int) -> dict[str, int]:
    """Pseudonyms erased, access tokens revoked, stored replies that held tokens redacted."""
    with service.db.transaction() as s:
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


def _retention_start(day: str | None, created: datetime) -> datetime:
    start = datetime.fromisoformat(day).replace(tzinfo=UTC) if day else created
    return start if start.tzinfo else start.replace(tzinfo=UTC)


def purge_expired(service: WorkshopService, now: datetime | None = None) -> list[str]:
    """Erase personal data of workshops past their retention period; returns their codes."""
    now = now or utcnow()
    with service.db.sessions() as s:
        rows = s.execute(select(Workshop.id, Workshop.code, Workshop.settings, Workshop.date, Workshop.created_at)).all()
    expired = []
    for wid, code, settings, day, created in rows:
        days = (settings or {}).get("retention_days")
        if not days or now - _retention_start(day, created) <= timedelta(days=days):
            continue
        with service.db.sessions() as s:
            anything = queries.count(s, Participant, Participant.workshop_id == wid, Participant.pseudonym.is_not(None)) or (
                s.scalar(select(Workshop.status).where(Workshop.id == wid)) == "open"
            )
        if anything:
            erase_personal_data(service, wid)
            expired.append(code)
    return expired
