"""Engine creation, transactions and schema migrations.

SQLite (the embedded default) is opened in WAL mode with every transaction
started as ``BEGIN IMMEDIATE``: writers queue on the database lock up front
instead of failing half-way, which is what makes the vote budget check safe.
Reads (:meth:`Database.read`) carry the ``workshop_read`` execution option and
open a plain deferred ``BEGIN``: in WAL mode they never wait for, nor hold, the
write lock, so a snapshot or a tally flush is never queued behind the votes.
PostgreSQL uses row locks (``SELECT … FOR UPDATE``) taken by the store.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import Busy

MIGRATIONS = Path(__file__).parent / "migrations"
#: the execution option of read-only sessions (:meth:`Database.read`): SQLite begins them deferred
READ_OPTION = "workshop_read"


#: the values ``PRAGMA synchronous`` accepts (the setting is interpolated into the pragma, so only these)
SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")
#: SQLite's own lock wait (``busy_timeout``): it would block the whole OS thread, the event loop, so it
#: is none at all; :func:`lock_waits_cooperatively` waits instead
SQLITE_LOCK_SLICE_MS = 0


def lock_waits_cooperatively(conn, statement: str, bound: float) -> None:
    """Run ``statement`` (``BEGIN IMMEDIATE``), waiting for another writer without freezing the event loop.

    SQLite's ``busy_timeout`` waits inside C and holds the only OS thread an
    eventlet or gevent server has: while another process locks the file, no
    phone is answered and every ping goes unanswered.  So SQLite does not wait
    (:data:`SQLITE_LOCK_SLICE_MS`), and between attempts this sleeps with
    ``time.sleep`` (monkey-patched into a green sleep by the async servers),
    so that the other connections run.  The same wait covers this process's
    own writers while a commit syncs in a native thread (:func:`_commit_off_the_loop`).  After ``bound`` seconds the caller gets
    :class:`~workshop.errors.Busy` (``busy``, with ``retry_after``): the phone
    keeps the write in its outbox and sends it again.
    """
    deadline = time.monotonic() + bound
    pause = 0.001
    while True:
        try:
            conn.exec_driver_sql(statement)
            return
        except OperationalError as error:
            if not _locked(error) or time.monotonic() + pause > deadline:
                if _locked(error):
                    raise Busy("busy", retry_after=BUSY_RETRY_AFTER) from None
                raise
        time.sleep(pause)
        pause = min(pause * 1.5, 0.05)


class WriterQueue:
    """This process's SQLite writers, one at a time, first come first served, each waiting green.

    SQLite has one write lock per file.  Between the processes it is taken
    by polling (:func:`lock_waits_cooperatively`); inside this process the
    writers queue on a lock (green under eventlet and gevent, so a waiting
    writer lets the loop run) taken before ``BEGIN IMMEDIATE`` and given back
    once the commit or the rollback is done.  Polling alone would let a burst
    of writers starve each other while a commit syncs in a native thread.
    """

    def __init__(self, bound: float) -> None:
        self.bound = bound
        self.lock = threading.Lock()  # monkey-patched into a green lock by eventlet and gevent
        self.holders: set[int] = set()  # ids of the DBAPI connections in a write transaction

    def begin(self, conn, statement: str) -> None:
        start = time.monotonic()
        if not self.lock.acquire(timeout=self.bound):
            raise Busy("busy", retry_after=BUSY_RETRY_AFTER)
        dbapi_conn = conn.connection.dbapi_connection
        try:
            lock_waits_cooperatively(conn, statement, max(0.0, self.bound - (time.monotonic() - start)))
        except BaseException:
            self.lock.release()
            raise
        self.holders.add(id(dbapi_conn))

    @staticmethod
    def _key(dbapi_conn) -> int:
        return id(getattr(dbapi_conn, "dbapi_connection", dbapi_conn))  # SQLAlchemy passes its proxy or the raw connection

    def holds(self, dbapi_conn) -> bool:
        """Whether this connection is in a write transaction (it went through :meth:`begin`)."""
        return self._key(dbapi_conn) in self.holders

    def release(self, dbapi_conn) -> None:
        key = self._key(dbapi_conn)
        if key in self.holders:
            self.holders.discard(key)
            self.lock.release()

    def install(self, dialect, offload: Callable[[Callable[[], None]], None] | None) -> None:
        """End every transaction through this queue: commit (off the loop when possible), rollback, close."""
        run = offload or (lambda call: call())

        def do_commit(dbapi_conn) -> None:
            writing = self.holds(dbapi_conn)
            try:
                # only a write transaction's commit syncs the disk; a reader's ends at once, on the loop
                run(dbapi_conn.commit) if writing else dbapi_conn.commit()
            finally:
                self.release(dbapi_conn)

        def do_rollback(dbapi_conn) -> None:
            try:
                dbapi_conn.rollback()
            finally:
                self.release(dbapi_conn)

        def do_close(dbapi_conn) -> None:
            try:
                dbapi_conn.close()
            finally:
                self.release(dbapi_conn)

        dialect.do_commit = do_commit
        dialect.do_rollback = do_rollback
        dialect.do_close = do_close


def _locked(error: OperationalError) -> bool:
    text = str(getattr(error, "orig", error)).lower()
    return "locked" in text or "busy" in text


#: seconds a phone waits before sending a write refused ``busy`` again
BUSY_RETRY_AFTER = 2


def _green_postgres_waits() -> None:
    """Let psycopg wait for PostgreSQL through the (green) selectors module under eventlet.

    psycopg 3 notices gevent's monkey patching and then waits in Python, but
    under eventlet it keeps its C wait, which blocks the event loop for every
    round trip to the server.  ``wait_selector`` uses ``selectors``, which
    eventlet patched, so a query in flight lets the other connections run.
    """
    if "eventlet" not in sys.modules:
        return
    from eventlet import patcher

    if not patcher.is_monkey_patched("select"):
        return
    from psycopg import waiting

    waiting.wait = waiting.wait_selector


def _commit_off_the_loop() -> Callable[[Callable[[], None]], None] | None:
    """A way to run a blocking call in a native thread while the event loop goes on (None: no loop to spare).

    With ``synchronous=FULL`` every SQLite commit waits for the disk (an
    ``fsync``, 4-5 ms on a laptop's or a VM's disk), and in C that wait would
    hold the event loop.  Only the DBAPI ``commit`` goes to the thread pool of
    the async library (eventlet's ``tpool``, gevent's hub pool): the greenlet
    waits for it, SQLAlchemy's pool and its green locks stay on the loop.
    """
    if "eventlet" in sys.modules:
        from eventlet import patcher

        if patcher.is_monkey_patched("socket"):
            from eventlet import tpool

            return tpool.execute
    if "gevent" in sys.modules:
        from gevent import monkey

        if monkey.is_module_patched("socket"):
            import gevent

            return lambda call: gevent.get_hub().threadpool.apply(call)
    return None


def make_engine(url: str, *, synchronous: str = "NORMAL", busy_timeout: float = 5.0) -> Engine:
    """Create an engine for ``url`` with the settings this app relies on.

    ``synchronous`` is SQLite's durability (``FULL``: a commit survives a power
    cut; ``serve`` uses it); ``busy_timeout`` bounds, in seconds, the wait for
    another process holding the SQLite write lock (see
    :func:`lock_waits_cooperatively`).  ``hide_parameters``: a failed
    statement in the logs never shows its values (tokens, pseudonyms, texts).
    """
    if url.startswith("sqlite"):
        synchronous = str(synchronous).upper()
        if synchronous not in SYNCHRONOUS:
            raise ValueError(f"SQLite synchronous must be one of {', '.join(SYNCHRONOUS)}, not {synchronous!r}")
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_LOCK_SLICE_MS / 1000, "check_same_thread": False},
            hide_parameters=True,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):  # pragma: no cover - trivial
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_LOCK_SLICE_MS}")
            cur.close()

        writers = WriterQueue(busy_timeout)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - trivial
            if conn.get_execution_options().get(READ_OPTION):
                conn.exec_driver_sql("BEGIN")  # a reader in WAL mode never waits for the write lock
            else:
                writers.begin(conn, "BEGIN IMMEDIATE")

        writers.install(engine.dialect, _commit_off_the_loop())
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    _green_postgres_waits()
    # 40 connections a worker at most (two workers stay under PostgreSQL's default max_connections of 100);
    # a phone that finds none free within 10 s is answered ``busy`` and resends, instead of waiting on.
    return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=20, pool_timeout=10, hide_parameters=True)


class Database:
    """An engine plus a session factory; one per app."""

    def __init__(self, url: str, **engine_options) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_options)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.dialect = self.engine.dialect.name
        #: read-only sessions: same pool, but their SQLite transactions take no write lock
        self.readers = sessionmaker(self.engine.execution_options(**{READ_OPTION: True}), expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any exception."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work: one consistent view, never the write lock, never committed.

        SQLite begins it deferred (``BEGIN``, a WAL read snapshot from the first
        read on); PostgreSQL as usual.  Whatever happens, it is rolled back.
        """
        with self.readers() as session:
            yield session

    def upgrade(self) -> None:
        """Bring the schema to the latest migration (idempotent; every worker runs it at start)."""
        self.migrate(command.upgrade, "head")

    def migrate(self, step, revision: str) -> None:
        """Run an Alembic ``step`` (upgrade, downgrade) to ``revision`` in one transaction.

        On PostgreSQL the migration runs under a transaction-level advisory lock
        (``pg_advisory_xact_lock``), keyed by the current schema: workers started together
        on an empty schema queue up, the first creates the tables, the next ones find them
        up to date (without it the second crashed on ``alembic_version``'s unique key).
        The lock is released with the transaction, even if the process dies.

        On SQLite, foreign keys are off while it runs: a batch migration copies a
        table and drops the old one, and with foreign keys on that drop would
        cascade to every row that points at it (a workshop's rounds, ideas, votes).
        They are checked once the migration is done, before the commit.
        """
        with self.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:  # outside any transaction, or SQLite ignores it
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            try:
                with connection.begin():
                    if connection.dialect.name == "postgresql":
                        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('workshop.upgrade:' || current_schema()))")
                    cfg = alembic_config()
                    cfg.attributes["connection"] = connection
                    step(cfg, revision)
                    if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                        raise RuntimeError("migration left rows pointing at nothing")
            finally:
                if sqlite:
                    connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config() -> Config:
    """Alembic configuration pointing at the packaged migrations (no .ini file)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg
