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

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
#: the execution option of read-only sessions (:meth:`Database.read`): SQLite begins them deferred
READ_OPTION = "workshop_read"


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with the settings this app relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):  # pragma: no cover - trivial
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - trivial
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_OPTION) else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """An engine plus a session factory; one per app."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
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
        """Bring the schema to the latest migration (idempotent)."""
        self.migrate(command.upgrade, "head")

    def migrate(self, step, revision: str) -> None:
        """Run an Alembic ``step`` (upgrade, downgrade) to ``revision`` in one transaction.

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
