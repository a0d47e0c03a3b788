"""The frame every use case runs in: who is calling, what changed, and the exactly-once write.

A write reads AUTH → VALIDATION → RESOLUTION (after Parabol), and only the
resolution differs from one use case to the next.  :func:`use_case` states the
rest once, on the function: the roles that may call it, the payload checks made
before any transaction, the *subject* whose round's phase is checked (the
payload's round, or the idea, theme or action the payload names) and the phase
capability it needs.  The decorated function then runs inside one transaction,
exactly once per (actor, client operation id), and returns ``(result,
changes)``; the caller gets an :class:`Outcome`.  No Flask, no Socket.IO.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain import phases
from ..errors import Forbidden, Unauthenticated, ValidationError
from ..storage.models import Operation, Round, Workshop
from . import queries

if TYPE_CHECKING:  # pragma: no cover
    from . import WorkshopService

FACILITATOR, PARTICIPANT, SCREEN, GUEST = "facilitator", "participant", "screen", "guest"
#: the team around the facilitator, each with a secret, revocable link of its own
MODERATOR, SCRIBE = "moderator", "scribe"
STAFF = (MODERATOR, SCRIBE)
ROLES = (FACILITATOR, MODERATOR, SCRIBE, PARTICIPANT, SCREEN, GUEST)
OP_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
#: a phone's secret guest id: at least 128 bits (22 base64url or 32 hex characters)
GUEST_ID = re.compile(r"^[A-Za-z0-9_-]{22,128}$")


@dataclass(frozen=True)
class Actor:
    """Who is calling, as established at connection time."""

    role: str
    workshop_id: int
    participant_id: int | None = None
    #: a guest's identity for its operations: a hash of the phone's secret guest id
    guest: str | None = None
    #: a moderator's or scribe's link (its token), checked again at each event: a revoked link stops working at once
    link: str | None = None

    @property
    def key(self) -> str:
        """The namespace of this actor's operation ids (a guest's: ``guest:<hash of its guest id>``)."""
        if self.role == PARTICIPANT:
            return f"p{self.participant_id}"
        if self.role == GUEST and self.guest:
            return f"guest:{self.guest}"
        return {FACILITATOR: "f", MODERATOR: "m", SCRIBE: "e"}.get(self.role, self.role)

    def as_guest(self, guest_id: object = None) -> Actor:
        """This guest keyed by the phone's secret ``guest_id`` (one drawn here when it sends none).

        Two guests never share operations, so a join's replay (with its token) only
        goes back to the phone that sent it; the secret itself is never stored.
        """
        secret = guest_id if isinstance(guest_id, str) and GUEST_ID.match(guest_id) else secrets.token_urlsafe(16)
        return replace(self, guest=hashlib.sha256(secret.encode()).hexdigest()[:32])


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


Resolution = tuple[dict[str, Any], list[Change]]


# --------------------------------------------------------------------------- payload checks


def require_dict(payload: object) -> dict:
    """Every event's payload is an object; anything else is refused before any work."""
    if not isinstance(payload, dict):
        raise ValidationError("invalid_payload")
    return payload


def int_field(payload: dict, name: str, *, required: bool = True) -> int | None:
    """A positive database id from the payload (booleans are not numbers here)."""
    value = payload.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise ValidationError("invalid_field", field=name)
    return value


def id_field(payload: dict, name: str) -> int:
    """A required id: :func:`int_field` that never returns ``None``."""
    value = int_field(payload, name)
    assert value is not None
    return value


def bool_field(payload: dict, name: str, default: bool | None = None) -> bool:
    """A yes/no switch of the payload, ``default`` when absent (required without one)."""
    value = payload.get(name, default)
    if not isinstance(value, bool):
        raise ValidationError("invalid_field", field=name)
    return value


def check_op_id(op_id: object) -> str:
    """The client's operation id, which makes a retried write the same write."""
    if not isinstance(op_id, str) or not OP_ID.match(op_id):
        raise ValidationError("invalid_op_id")
    return op_id


# --------------------------------------------------------------------------- the transaction


#: the previous answer to an operation id (the exactly-once lookup), compiled once
PREVIOUS = select(Operation.result, Operation.event).where(
    Operation.workshop_id == bindparam("w"), Operation.actor == bindparam("a"), Operation.op_id == bindparam("o")
)
#: the same lookup with the workshop's settings, for the hot use cases (one statement instead of two)
PREVIOUS_WITH_SETTINGS = (
    select(Workshop.settings, Operation.result, Operation.event)
    .select_from(Workshop)
    .outerjoin(
        Operation,
        and_(Operation.workshop_id == Workshop.id, Operation.actor == bindparam("a"), Operation.op_id == bindparam("o")),
    )
    .where(Workshop.id == bindparam("w"))
)
RECORD = insert(Operation)


def exactly_once(
    service: WorkshopService,
    actor: Actor,
    op_id: object,
    fn: Callable[[Session], Resolution],
    event: str | None = None,
    *,
    tx: Tx | None = None,
    with_settings: bool = False,
    lane: str | None = None,
) -> Outcome:
    """Run ``fn`` in one transaction, exactly once per (actor, op_id).

    The operation row is written in the same transaction as the change, so a
    retried write is answered with the first result and never applied twice.
    The row names the use case (``event``): an op_id sent again for another
    use case is a client's mistake, refused (``op_id_reused``) rather than
    answered with the other write's result.

    The commit and the service's bookkeeping of it (:meth:`WorkshopService.committed`:
    the tally book, the snapshot versions) happen together under the service's
    commit lock, so nothing in this process reads the database between a
    commit and its bookkeeping.  A hot use case's ``tx`` gets the session and,
    ``with_settings``, the workshop's settings, read by the same statement as
    the previous answer.  ``lane`` marks the real-time writes (``vote``,
    ``join``) that leave a snapshot's shared part as it was (see
    :class:`~workshop.services.snapshots.SnapshotCache`).
    """
    op_id = check_op_id(op_id)
    params = {"w": actor.workshop_id, "a": actor.key, "o": op_id}

    def work(s: Session) -> Outcome:
        conn = s.connection()
        if tx is not None:
            tx.s = s
        if not with_settings:
            previous = conn.execute(PREVIOUS, params).first()
        else:
            row = conn.execute(PREVIOUS_WITH_SETTINGS, params).first()
            if row is None:
                raise Unauthenticated("unknown_workshop")
            assert tx is not None
            tx._settings = row.settings
            previous = row if row.result is not None else None
        if previous is not None:
            if previous.event is not None and event is not None and previous.event != event:
                raise ValidationError("op_id_reused")
            return Outcome(previous.result, [], replayed=True)
        result, changes = fn(s)
        if s.new or s.dirty or s.deleted:
            s.flush()
        conn.execute(
            RECORD,
            {"workshop_id": actor.workshop_id, "actor": actor.key, "op_id": op_id, "event": event, "lane": lane, "result": result},
        )
        return Outcome(result, changes)

    for attempt in range(3):
        try:
            if tx is not None:  # a hot write (vote, join, idea): committed with the others that arrive meanwhile
                return service.group_commit.run(actor.workshop_id, work)
            with service.db.sessions() as s:
                s.begin()
                outcome = work(s)
                if outcome.replayed:
                    return outcome
                with service.commit_lock:
                    s.commit()
                    service.committed(actor.workshop_id, outcome.changes)
            return outcome
        except IntegrityError:
            # A concurrent twin of this operation won the race (or a unique
            # constraint fired): loop, and the first branch answers it.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


class _Pending:
    """One hot write waiting for its group's commit."""

    __slots__ = ("workshop_id", "work", "wake", "lead", "finished", "outcome", "error")

    def __init__(self, workshop_id: int, work: Callable[[Session], Outcome]) -> None:
        self.workshop_id, self.work = workshop_id, work
        self.wake = threading.Event()  # green under eventlet and gevent
        self.lead = self.finished = False
        self.outcome: Outcome | None = None
        self.error: BaseException | None = None


class GroupCommit:
    """Hot writes that arrive while a commit syncs to disk are committed together, in one transaction.

    With ``synchronous=FULL`` a SQLite commit waits for the disk (4-5 ms on a
    laptop or a VM): one commit per vote caps a room at ~200 votes a second.
    Here the oldest waiting write leads: it takes every write waiting (up to
    :attr:`max_batch`), runs each in its own SAVEPOINT — one write refused or
    failing is rolled back alone and answered with its own error — commits them
    all at once, does their bookkeeping, and hands the lead to the oldest write
    that arrived meanwhile.  Nobody waits for a timer: alone, a write is
    committed at once; in a burst, the writes that arrive during one commit's
    sync form the next group.  Each is answered only after its group's commit,
    and its operation row is in that same transaction: exactly-once and
    acknowledge-after-commit stay as they were.
    """

    def __init__(self, service: WorkshopService, max_batch: int = 256) -> None:
        self.service = service
        self.max_batch = max_batch
        self.lock = threading.Lock()
        self.pending: list[_Pending] = []
        self.leading = False
        #: groups committed and writes in them, for the benchmarks
        self.groups = self.writes = 0

    def run(self, workshop_id: int, work: Callable[[Session], Outcome]) -> Outcome:
        item = _Pending(workshop_id, work)
        with self.lock:
            self.pending.append(item)
            if not self.leading:
                self.leading = item.lead = True
        if not item.lead:
            item.wake.wait()  # answered, or handed the lead
        if not item.finished:
            self._lead()
        if item.error is not None:
            raise item.error
        assert item.outcome is not None
        return item.outcome

    def _lead(self) -> None:
        with self.lock:
            batch, self.pending = self.pending[: self.max_batch], self.pending[self.max_batch :]
        try:
            self._commit(batch)
        finally:
            for item in batch:
                item.finished = True
                item.wake.set()
            with self.lock:
                if self.pending:
                    following = self.pending[0]
                    following.lead = True
                    following.wake.set()
                else:
                    self.leading = False

    def _commit(self, batch: list[_Pending]) -> None:
        service = self.service
        done: list[_Pending] = []
        try:
            with service.db.sessions() as s:
                s.begin()
                if len(batch) == 1:  # alone: no savepoint, a failure rolls the transaction back
                    try:
                        batch[0].outcome = batch[0].work(s)
                        done.append(batch[0])
                    except Exception as error:
                        batch[0].error = error
                        return
                else:
                    for item in batch:
                        savepoint = s.begin_nested()
                        try:
                            item.outcome = item.work(s)
                            savepoint.commit()
                            done.append(item)
                        except Exception as error:  # this write alone is undone and answered with its error
                            savepoint.rollback()
                            item.error = error
                with service.commit_lock:
                    s.commit()
                    self.groups += 1
                    self.writes += len(done)
                    for item in done:
                        assert item.outcome is not None
                        if not item.outcome.replayed:
                            service.committed(item.workshop_id, item.outcome.changes)
        except Exception as error:  # the group's transaction failed (busy database, lost connection): none was written
            for item in done:
                item.outcome, item.error = None, error
            for item in batch:
                if item.error is None and item.outcome is None:
                    item.error = error


@dataclass
class Tx:
    """What a use case's resolution works with: the session, the caller, the payload."""

    s: Session
    actor: Actor
    payload: dict
    lock_workshop: bool = False
    _workshop: Workshop | None = None
    _settings: dict[str, Any] | None = None
    #: how many ideas (or actions) a phone may write per window of seconds: the service's ``flood``
    flood: tuple[int, int] = (queries.FLOOD_LIMIT, queries.FLOOD_WINDOW)

    @property
    def workshop(self) -> Workshop:
        """The caller's workshop, read (and locked when the use case asked) once per transaction."""
        if self._workshop is None:
            self._workshop = queries.workshop(self.s, self.actor.workshop_id, lock=self.lock_workshop)
        return self._workshop

    @property
    def settings(self) -> dict[str, Any]:
        """The workshop's settings (read with the operation lookup by the hot use cases)."""
        if self._settings is not None:
            return self._settings
        return self.workshop.settings

    @property
    def conn(self) -> Connection:
        """The transaction's connection, for the hot paths' Core statements (no ORM unit of work)."""
        return self.s.connection()


#: ``subject=ROUND``: the payload's ``round_id``, or the workshop's current round
ROUND = Round


def refusal(role: str, allowed: frozenset[str] | tuple[str, ...]) -> Forbidden:
    """The ``role`` refusal, saying what the sender would need to be: facilitator, participant, not yet joined…"""
    if role == GUEST and PARTICIPANT in allowed:
        needs = "join"
    elif MODERATOR in allowed:
        needs = MODERATOR
    elif FACILITATOR in allowed:
        needs = FACILITATOR
    elif PARTICIPANT in allowed:
        needs = PARTICIPANT
    else:
        needs = next(iter(sorted(allowed)), FACILITATOR)
    return Forbidden("role", role=role, needs=needs)


def use_case(
    *roles: str,
    capability: str | Callable[[dict], str] | None = None,
    subject: type | Callable[[dict], type] | None = None,
    subject_id: str | None = None,
    lock: bool = False,
    lock_workshop: bool = False,
    check: Callable[[dict], Any] | None = None,
    hot: bool = False,
    settings: bool = True,
    lane: str | None = None,
):
    """Declare a write: who may call it, what is checked first, and in which phase it is allowed.

    - ``roles``: the only roles that may call it (others get ``role``);
    - ``check(payload)``: validation that needs no database, run before the
      transaction; its return value is passed to the resolution as ``checked``;
    - ``subject``: :data:`ROUND`, or the model (Idea, Theme, Action) named by
      the payload's ``<name>_id`` (or ``subject_id``) — loaded (locked with
      ``lock``) from the caller's workshop, and passed to the resolution; a
      callable picks the model from the payload;
    - ``capability``: what the subject's round's phase must allow
      (:mod:`workshop.domain.phases`); a callable picks it from the payload.

    - ``hot``: a real-time use case (vote, join, idea) that does its own
      reading with Core statements: the workshop is not loaded as an ORM
      object, its settings come with the operation lookup (``tx.settings``),
      and ``subject``/``capability`` are left to the resolution (``settings=False``:
      it reads the settings itself, with its own context);
    - ``lane``: ``vote`` or ``join`` for the writes that change only tallies
      or presence (the operation row says so, for the snapshot cache).

    The resolution is ``fn(tx, subject, checked) -> (result, changes)``.  The
    decorated function takes ``(service, actor, payload)`` and returns an
    :class:`Outcome`, so it doubles as a :class:`~workshop.services.WorkshopService` method.
    """

    def decorate(fn: Callable[..., Resolution]) -> Callable[..., Outcome]:
        @functools.wraps(fn)
        def run(service: WorkshopService, actor: Actor, payload: object = None) -> Outcome:
            if actor.role not in roles:
                raise refusal(actor.role, roles)
            data = require_dict(payload)
            checked = check(data) if check else None
            if hot:
                tx = Tx(None, actor, data, flood=service.flood)  # type: ignore[arg-type]  # the session is set by exactly_once
                return exactly_once(
                    service,
                    actor,
                    data.get("op_id"),
                    lambda _s: fn(tx, None, checked),
                    fn.__name__,
                    tx=tx,
                    with_settings=settings,
                    lane=lane,
                )

            def resolve(s: Session) -> Resolution:
                tx = Tx(s, actor, data, lock_workshop=lock_workshop, flood=service.flood)
                tx.workshop  # noqa: B018 - read (and lock) the workshop first: a deleted one is refused as such
                target = None
                if subject is not None:
                    model = subject if isinstance(subject, type) else subject(data)
                    target = load_subject(tx, model, subject_id, lock=lock)
                    if capability is not None:
                        needed = capability if isinstance(capability, str) else capability(data)
                        round_ = target if isinstance(target, Round) else target.round
                        phases.require(round_.phase, needed)
                return fn(tx, target, checked)

            return exactly_once(service, actor, data.get("op_id"), resolve, fn.__name__)

        run.roles = frozenset(roles)  # type: ignore[attr-defined]
        run.capability = capability  # type: ignore[attr-defined]
        return run

    return decorate


def load_subject(tx: Tx, model: Any, field: str | None = None, *, lock: bool = False) -> Any:
    """The round, idea, theme or action the payload names, from the caller's workshop."""
    if model is Round:
        return queries.round_of(tx.s, tx.actor.workshop_id, int_field(tx.payload, "round_id", required=False), lock=lock)
    name = model.__tablename__[:-1]
    return queries.item(tx.s, model, id_field(tx.payload, field or f"{name}_id"), tx.actor.workshop_id, name, lock=lock)
