"""The Alembic migrations and the SQLAlchemy models describe the same schema.

Run on both databases: a model change without its migration (or the reverse)
shows up here as an autogenerate difference, before it reaches a user's
database.
"""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from support import _drop_schema, _postgres_schema_url

from workshop.storage.db import Database
from workshop.storage.models import Base


def _differences(db: Database) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
        connection.rollback()
    return diff


def _revision(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        connection.rollback()
    return rows


def test_models_match_migrations(db):
    """After ``upgrade()`` autogenerate finds nothing to add, drop or alter."""
    assert _differences(db) == []


def test_every_model_table_is_created(db):
    with db.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        connection.rollback()
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_is_idempotent(db):
    """``upgrade()`` on an up-to-date database is a no-op (the app runs it at every start)."""
    before = _revision(db)
    assert len(before) == 1
    db.upgrade()
    db.upgrade()
    assert _revision(db) == before
    assert _differences(db) == []


def test_upgrade_from_a_second_database_object(database_url):
    """A restart (new Database on the same URL) upgrades the same schema without error."""
    first = Database(database_url)
    try:
        first.upgrade()
        revision = _revision(first)
    finally:
        first.dispose()
    second = Database(database_url)
    try:
        second.upgrade()
        assert _revision(second) == revision
        assert _differences(second) == []
    finally:
        second.dispose()


def test_0005_keeps_a_running_vote_open_and_downgrades(db):
    """A workshop upgraded in the middle of define keeps voting (before 0005 every define was open to votes)."""
    from alembic import command

    from workshop.services import WorkshopService

    service = WorkshopService(db)
    created = service.create_workshop("Atelier", rounds=["Q1", "Q2"])
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    service.advance_phase(fac, {"op_id": "op-migration-0"})
    code = created["workshop"]["code"]
    token = service.join(service.authenticate(code=code), {"op_id": "op-migration-join", "pseudonym": "Awa"}).result["token"]
    service.post_idea(service.authenticate(code=code, token=token), {"op_id": "op-migration-idea", "text": "Un jardin partagé"})
    service.advance_phase(fac, {"op_id": "op-migration-1"})

    def migrate(step, revision):
        db.migrate(step, revision)

    before = service.full_snapshot(fac.workshop_id)
    migrate(command.downgrade, "0004")
    assert _revision(db) == ["0004"]
    migrate(command.upgrade, "head")
    rounds = [(r["phase"], r["vote_open"]) for r in service.full_snapshot(fac.workshop_id)["rounds"]]
    assert rounds == [("define", True), ("lobby", False)]
    # going down and up again loses nothing: no table was copied and dropped under its children
    after = service.full_snapshot(fac.workshop_id)
    assert [len(r["ideas"]) for r in after["rounds"]] == [len(r["ideas"]) for r in before["rounds"]]
    assert len(after["participants"]) == len(before["participants"])
    assert _differences(db) == []


def test_going_down_to_the_first_revision_and_up_again_loses_no_row(db):
    """Every migration step keeps the rows of the other tables (on SQLite a batch step copies a table:
    with foreign keys on, dropping the old copy would cascade to rounds, ideas and votes)."""
    from alembic import command
    from sqlalchemy import text

    from workshop.services import WorkshopService

    service = WorkshopService(db)
    created = service.create_workshop("Atelier", rounds=["Q1"], place="Salle des fêtes", facilitator="Inès")
    code = created["workshop"]["code"]
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    service.advance_phase(fac, {"op_id": "op-down-up-0"})
    for n in range(3):
        token = service.join(service.authenticate(code=code), {"op_id": f"op-down-up-j{n}", "pseudonym": f"P{n}"}).result["token"]
        service.post_idea(service.authenticate(code=code, token=token), {"op_id": f"op-down-up-i{n}", "text": f"Idée {n}"})

    def counts():
        with db.engine.connect() as c:
            return {
                t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                for t in ("workshops", "rounds", "participants", "ideas", "operations")
            }

    before = counts()
    db.migrate(command.downgrade, "0001")
    assert counts() == before
    db.upgrade()
    assert counts() == before
    assert _differences(db) == []


@pytest.mark.postgres
def test_workers_starting_together_on_an_empty_schema_both_come_up():
    """Two workers migrating a fresh PostgreSQL schema at the same instant both succeed.

    Each has its own engine (as two processes do); a barrier releases them together, several
    rounds, so the race on ``alembic_version`` (``UniqueViolation`` before the advisory lock)
    gets its chance every time.
    """
    for _round in range(3):
        url, schema = _postgres_schema_url()
        workers = [Database(url) for _ in range(3)]
        barrier = threading.Barrier(len(workers))
        errors: list[BaseException] = []

        def start(database: Database) -> None:
            try:
                with database.engine.connect() as connection:  # connected before the start line
                    connection.rollback()
                barrier.wait(timeout=30)
                database.upgrade()
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=start, args=(w,)) for w in workers]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert errors == []
            assert [_revision(w) for w in workers] == [_revision(workers[0])] * len(workers)
            assert len(_revision(workers[0])) == 1
            assert _differences(workers[0]) == []
        finally:
            for w in workers:
                w.dispose()
            _drop_schema(schema)
