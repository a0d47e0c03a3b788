"""RGPD: forgetting who took part, at once (``workshop erase``) or after the retention period.

Ideas, themes, votes (by stakeholder group) and the action plan stay: they are
the workshop's outcome, and were never tied to an identity.  What goes:

- each participant's pseudonym (and access token: a new random one nobody knows);
- in the operation log, the stored replies that repeat them: ``join``'s token
  and participant, every idea's ``author``, any ``pseudonym`` or ``token``; and
  the texts the ideas table no longer holds (an idea's earlier versions, the
  text of an idea its author withdrew), which only the log still kept;
- the texts of withdrawn ideas themselves: their author took them back, they
  are no part of the outcome.

On SQLite the file itself is then rewritten (``VACUUM``, WAL checkpointed and
truncated): an updated row leaves its old bytes in the page's free space and in
the write-ahead log until then.  On PostgreSQL the rows are gone from every
table at once; the disk pages are reclaimed by (auto)vacuum.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..errors import NotFound
from ..storage.models import Idea, Operation, Participant, Round, Workshop, utcnow
from . import queries

if TYPE_CHECKING:  # pragma: no cover
    from ..storage.db import Database
    from . import WorkshopService

log = logging.getLogger(__name__)

#: keys of a stored reply whose value is personal: gone, whatever the reply's shape
PERSONAL_KEYS = frozenset({"author", "pseudonym", "token"})
ERASED = {"erased": True}
#: databases (by URL) whose file still holds erased bytes: a rewrite failed, the next purge tries again
_REWRITE_DUE: set[str] = set()


def redact(value: Any, texts: dict[int, str]) -> Any:
    """A stored reply without anything personal; an idea keeps only the text the ideas table still holds.

    ``texts`` maps idea ids to their current (kept) text; an idea dict (one with
    ``id``, ``text`` and ``withdrawn``) gets that text, or ``""``.
    """
    if isinstance(value, list):
        return [redact(v, texts) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: (None if k in PERSONAL_KEYS else redact(v, texts)) for k, v in value.items()}
    if {"id", "text", "withdrawn"} <= out.keys() and isinstance(out["id"], int):
        out["text"] = texts.get(out["id"], "")
    return out


def _is_guest(actor: str) -> bool:
    """Join operations are keyed ``guest`` (or ``guest:<hash>``, one per guest id)."""
    return actor == "guest" or actor.startswith("guest:")


def erase_personal_data(service: WorkshopService, workshop_id: int, *, compact: bool = True) -> dict[str, int]:
    """Pseudonyms erased, access tokens revoked, the operation log redacted; the SQLite file rewritten.

    ``compact=False`` leaves the file rewrite to the caller (the purge erases
    several workshops, then rewrites the file once).
    """
    with service.db.transaction() as s:
        w = s.get(Workshop, workshop_id)
        if w is None:
            raise NotFound("unknown_workshop")
        participants = s.scalars(select(Participant).where(Participant.workshop_id == w.id)).all()
        for p in participants:
            p.pseudonym = None
            p.token = secrets.token_urlsafe(24)
        round_ids = select(Round.id).where(Round.workshop_id == w.id)
        for idea in s.scalars(select(Idea).where(Idea.round_id.in_(round_ids), Idea.withdrawn.is_(True), Idea.text != "")):
            idea.text = ""
        s.flush()
        texts = {row.id: row.text for row in s.execute(select(Idea.id, Idea.text).where(Idea.round_id.in_(round_ids)))}
        redacted = 0
        for op in s.scalars(select(Operation).where(Operation.workshop_id == w.id)):
            clean = ERASED if _is_guest(op.actor) else redact(op.result, texts)
            if clean != op.result:
                op.result = clean
                redacted += 1
        # The erasure is itself recorded as an operation, which also marks the workshop changed.
        s.add(Operation(workshop_id=w.id, actor="system", op_id=f"erase-{secrets.token_hex(8)}", result=ERASED))
        w.status = "archived"
    if compact:
        compact_storage(service.db)
    return {"participants": len(participants), "operations": redacted}


def _driver_connection(db: Database) -> Any:
    """The driver's own connection (from the pool): no BEGIN around VACUUM."""
    return db.engine.raw_connection()


def compact_storage(db: Database) -> bool:
    """SQLite: rewrite the file so erased bytes are gone from it and from the WAL; returns whether it did.

    ``VACUUM`` rebuilds every page (an updated row's old bytes stay in its page's
    free space until then), and a ``TRUNCATE`` checkpoint copies the log into
    the file and empties it.  Run outside any transaction; a busy database is
    retried by SQLite's busy timeout.
    """
    if db.engine.dialect.name != "sqlite":
        return False
    raw = _driver_connection(db)
    try:
        cur = raw.cursor()
        cur.execute("VACUUM")
        busy = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cur.close()
    except sqlite3.Error as error:  # a full disk (VACUUM needs the file's size again), a lock held too long
        log.warning("erased data: the database file could not be rewritten yet (%s); the next purge tries again", error)
        _REWRITE_DUE.add(db.url)
        return False
    finally:
        raw.close()
    if busy and busy[0]:
        log.warning("erased data: the write-ahead log is in use and was not emptied yet; the next purge tries again")
        _REWRITE_DUE.add(db.url)
        return False
    _REWRITE_DUE.discard(db.url)
    return True


def _retention_start(day: str | None, created: datetime) -> datetime:
    start = datetime.fromisoformat(day).replace(tzinfo=UTC) if day else created
    return start if start.tzinfo else start.replace(tzinfo=UTC)


def purge_expired(service: WorkshopService, now: datetime | None = None) -> list[str]:
    """Erase personal data of workshops past their retention period; returns their codes.

    Cheap when nothing expired: one query over the workshops' settings, then one
    count per workshop past its period (already erased ones are skipped).
    """
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
            erase_personal_data(service, wid, compact=False)
            expired.append(code)
    if expired or service.db.url in _REWRITE_DUE:
        compact_storage(service.db)
    return expired
