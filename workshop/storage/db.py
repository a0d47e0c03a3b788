"""Engine creation, transactions and schema migrations.

SQLite (the embedded default) is opened in WAL mode with every transaction
started as ``BEGIN IMMEDIATE``: writers queue on the database lock up front
instead of failing half-way, which is what makes the vote budget check safe.
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
            conn.exec_driver_sql("BEGIN IMMEDIATE")

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

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any exception."""
        with self.sessions() as session, session.begin():
            yield session

    def upgrade(self) -> None:
        """Bring the schema to the latest migration (idempotent; every worker runs it at start).

        On PostgreSQL the migration runs under a transaction-level advisory lock
        (``pg_advisory_xact_lock``), keyed by the current schema: workers started together
        on an empty schema queue up, the first creates the tables, the next ones find them
        up to date (without it the second crashed on ``alembic_version``'s unique key).
        The lock is released with the transaction, even if the process dies.
        SQLite needs nothing: one process serves a SQLite file.
        """
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('workshop.upgrade:' || current_schema()))")
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config() -> Config:
    """Alembic configuration pointing at the packaged migrations (no .ini file)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg
