"""The real-time path does the minimum: few statements per vote, join and idea; reads never take the write lock.

Real SQLite files; statements are counted with SQLAlchemy's cursor events.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import event
from support import new_op

from workshop.services import WorkshopService
from workshop.storage.db import Database


@pytest.fixture
def sqlite_service(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'hot.db'}")
    db.upgrade()
    yield WorkshopService(db), tmp_path / "hot.db"
    db.dispose()


class Statements:
    def __init__(self, db: Database) -> None:
        self.seen: list[str] = []
        event.listen(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args) -> None:
        self.seen.append(statement.split()[0].upper())

    def during(self, fn):
        self.seen = []
        fn()
        return list(self.seen)


def room(service: WorkshopService, phones: int = 3):
    created = service.create_workshop("Atelier", rounds=["Q"], settings={"groups": ["habitant", "agent"]})
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    code = created["workshop"]["code"]
    people = []
    for _n in range(phones):
        token = service.join(service.authenticate(code=code), {"op_id": new_op(), "group": "habitant"}).result["token"]
        people.append(service.authenticate(code=code, token=token))
    return fac, code, people


def test_vote_join_and_idea_run_few_statements(sqlite_service):
    service, _ = sqlite_service
    counter = Statements(service.db)
    fac, code, people = room(service)
    guest = service.authenticate(code=code)
    # join: BEGIN, the operation lookup with the settings, the participant, the operation
    assert counter.during(lambda: service.join(guest, {"op_id": new_op(), "group": "agent"})) == ["BEGIN", "SELECT", "INSERT", "INSERT"]
    service.advance_phase(fac, {"op_id": new_op()})
    # idea: the operation lookup with the settings, the current round, the author and their recent count, the idea, the operation
    idea = counter.during(lambda: service.post_idea(people[0], {"op_id": new_op(), "text": "Un jardin"}))
    assert idea == ["BEGIN", "SELECT", "SELECT", "SELECT", "INSERT", "INSERT"]
    service.advance_phase(fac, {"op_id": new_op()})
    theme = service.create_theme(fac, {"op_id": new_op(), "title": "Nature"}).result["theme"]["id"]
    service.open_vote(fac, {"op_id": new_op(), "open": True})
    vote = {"kind": "theme", "target_id": theme}
    # vote: the operation lookup, one read for all the rules need, the write, the operation
    assert counter.during(lambda: service.vote(people[1], {"op_id": new_op(), **vote})) == ["BEGIN", "SELECT", "SELECT", "INSERT", "INSERT"]
    assert counter.during(lambda: service.vote(people[1], {"op_id": new_op(), **vote})) == ["BEGIN", "SELECT", "SELECT", "UPDATE", "INSERT"]
    taken = counter.during(lambda: service.vote(people[1], {"op_id": new_op(), **vote, "delta": -2}))
    assert taken == ["BEGIN", "SELECT", "SELECT", "DELETE", "INSERT"]
    # a replay answers from the operation row alone
    op = new_op()
    first = service.vote(people[2], {"op_id": op, **vote}).result
    again = counter.during(lambda: service.vote(people[2], {"op_id": op, **vote}))
    assert again == ["BEGIN", "SELECT"]
    assert service.vote(people[2], {"op_id": op, **vote}).result == first
    # tallies come from the book: nothing read once it is loaded
    service.tallies(fac.workshop_id, service.snapshot(fac)["rounds"][0]["id"], "theme")
    assert counter.during(lambda: service.tallies(fac.workshop_id, service.snapshot(fac)["rounds"][0]["id"], "theme")).count("BEGIN") <= 1


def test_reads_begin_deferred(sqlite_service):
    service, _ = sqlite_service
    fac, _, _ = room(service)
    begins = []
    event.listen(service.db.engine, "before_cursor_execute", lambda _c, _cur, statement, *_a: begins.append(statement))
    service.snapshots.get(fac.workshop_id)
    service.full_snapshot(fac.workshop_id)
    service.presence(fac.workshop_id)
    assert "BEGIN IMMEDIATE" not in begins
    assert "BEGIN" in begins


def test_a_held_write_lock_does_not_block_reads(sqlite_service):
    """Another process holding SQLite's write lock: snapshots, tallies and presence still answer at once."""
    service, path = sqlite_service
    fac, _, people = room(service)
    service.advance_phase(fac, {"op_id": new_op()})
    service.advance_phase(fac, {"op_id": new_op()})
    round_id = service.snapshot(fac)["rounds"][0]["id"]
    other = sqlite3.connect(path, isolation_level=None, timeout=1)
    other.execute("BEGIN IMMEDIATE")
    try:
        answered = threading.Event()

        def read():
            service.snapshot(people[0])
            service.snapshot(fac)
            service.tallies(fac.workshop_id, round_id, "theme")
            service.presence(fac.workshop_id)
            answered.set()

        started = time.monotonic()
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert answered.wait(5), "a read waited for the write lock"
        assert time.monotonic() - started < 5
    finally:
        other.execute("ROLLBACK")
        other.close()
