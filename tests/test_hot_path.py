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
    round_id = service.snapshot(fac)["rounds"][0]["id"]
    service.tallies(fac.workshop_id, round_id, "theme")
    assert counter.during(lambda: service.tallies(fac.workshop_id, round_id, "theme")) == []


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


def _old_snapshot(service: WorkshopService, actor) -> dict:
    """The snapshot as it was built before the split: the full state, filtered per role."""
    from workshop.domain import phases
    from workshop.domain.visibility import public_snapshot, room_tallies
    from workshop.services.snapshots import rules

    full = service.full_snapshot(actor.workshop_id)
    if actor.role in ("facilitator", "moderator"):
        rounds = [{**r, **room_tallies(r, dict.fromkeys(phases.VOTE_KIND_PHASE, True))} for r in full["rounds"]]
        out = {**full, "role": actor.role, "rounds": rounds, "rules": rules(service), "features": dict(service.features)}
        if actor.role == "facilitator":
            out["team"] = service.team_links(actor.workshop_id)
        from workshop.services.agreement import snapshot_agreement
        from workshop.services.polls import snapshot_polls

        out["polls"] = snapshot_polls(service, actor)
        out["agreement"] = snapshot_agreement(service, actor)
        return out
    public = {**public_snapshot(full, actor.role, actor.participant_id), "rules": rules(service)}
    if actor.role != "guest":  # quick polls are read per snapshot, not cut from the full state (see tests/test_polls.py)
        from workshop.services.agreement import snapshot_agreement
        from workshop.services.polls import snapshot_polls

        public["polls"] = snapshot_polls(service, actor)
        public["agreement"] = snapshot_agreement(service, actor)  # read per snapshot too (services/agreement.py)
    return public


def test_snapshots_made_of_parts_equal_the_full_rebuild(service):
    """Every role's snapshot, with the room changing between reads, is what the full rebuild gives."""
    fac, code, people = room(service, phones=4)
    screen = service.authenticate(code=code, role="screen")
    guest = service.authenticate(code=code)
    links = service.team_links(fac.workshop_id)
    moderator = service.authenticate(moderator_token=links["moderator"])
    scribe = service.authenticate(scribe_token=links["scribe"])
    actors = [fac, moderator, scribe, screen, guest, *people]

    def same():
        for actor in actors:
            assert service.snapshot(actor) == _old_snapshot(service, actor), actor

    same()
    service.advance_phase(fac, {"op_id": new_op()})
    ideas = [service.post_idea(p, {"op_id": new_op(), "text": f"Idée {n}"}).result["idea"]["id"] for n, p in enumerate(people)]
    service.post_idea(fac, {"op_id": new_op(), "text": "Sur papier", "group": "agent"})
    same()
    # held for review: the queue switched on, a scribe's note, then one approved and one rejected
    service.set_approval(moderator, {"op_id": new_op(), "enabled": True})
    held = service.post_idea(scribe, {"op_id": new_op(), "text": "Note du scribe", "group": "habitant"}).result["idea"]["id"]
    refused = service.post_idea(people[3], {"op_id": new_op(), "text": "Une autre idée"}).result["idea"]["id"]
    same()
    service.review(moderator, {"op_id": new_op(), "decision": "approve", "idea_ids": [held]})
    service.review(moderator, {"op_id": new_op(), "decision": "reject", "idea_ids": [refused]})
    service.set_approval(fac, {"op_id": new_op(), "enabled": False})
    same()
    service.hide_idea(fac, {"op_id": new_op(), "idea_id": ideas[0]})
    service.merge_ideas(fac, {"op_id": new_op(), "idea_id": ideas[1], "into_id": ideas[2]})
    same()
    service.advance_phase(fac, {"op_id": new_op()})
    themes = [service.create_theme(fac, {"op_id": new_op(), "title": f"Thème {n}"}).result["theme"]["id"] for n in range(3)]
    service.open_vote(fac, {"op_id": new_op(), "open": True})
    same()
    for n, p in enumerate(people):
        service.vote(p, {"op_id": new_op(), "kind": "theme", "target_id": themes[n % 3]})
        same()  # votes between reads: tallies, the phones' own votes
        actors.append(service.authenticate(code=code, token=service.join(guest, {"op_id": new_op()}).result["token"]))
        same()  # joins between reads: presence, the facilitator's participants
    service.reveal_tallies(fac, {"op_id": new_op(), "revealed": True})
    same()
    service.delete_theme(fac, {"op_id": new_op(), "theme_id": themes[2]})
    same()
    service.advance_phase(fac, {"op_id": new_op(), "kept_theme_ids": themes[:2]})
    action = service.propose_action(people[0], {"op_id": new_op(), "theme_id": themes[0], "title": "Un potager"}).result["action"]
    service.set_approval(fac, {"op_id": new_op(), "enabled": True})
    service.propose_action(people[2], {"op_id": new_op(), "theme_id": themes[0], "title": "Une action en attente"})
    service.propose_action(scribe, {"op_id": new_op(), "theme_id": themes[0], "title": "Une action saisie sur papier"})
    service.open_vote(fac, {"op_id": new_op(), "open": True})
    service.vote(people[1], {"op_id": new_op(), "kind": "action", "target_id": action["id"], "delta": 2})
    same()
    service.advance_phase(fac, {"op_id": new_op()})
    same()
    service.erase_personal_data(fac.workshop_id)
    assert service.snapshot(screen)["workshop"]["status"] == "archived"
    same()


def test_the_broadcaster_tells_the_service_when_workers_share_the_database(service):
    """Behind a message queue the tally book recounts (other workers' votes); alone it trusts its deltas."""
    from workshop.web.broadcast import Broadcaster

    class Queue:
        server_options = {"message_queue": "redis://127.0.0.1:6379/0"}

    class Alone:
        server_options: dict = {}

    Broadcaster(Queue(), service)
    assert service.shared and service.tally_book.shared
    Broadcaster(Alone(), service)
    assert not service.shared
