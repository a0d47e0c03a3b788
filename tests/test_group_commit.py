"""Group commit: hot writes arriving together share one commit, each answered with its own outcome.

Real SQLite file with ``synchronous=FULL`` (every commit waits for the disk, as under ``serve``),
real threads posting at once through the service, a hypothesis-chosen mix of valid votes, votes over
budget, replays and bad targets: every write gets exactly its own answer, what was acknowledged is
stored exactly once, and the writes of a burst were committed in fewer transactions than writes.
"""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from support import new_op

from workshop.errors import WorkshopError
from workshop.services import WorkshopService
from workshop.storage.db import Database


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    path = tmp_path_factory.mktemp("group") / "group.db"
    db = Database(f"sqlite:///{path}", synchronous="FULL")
    db.upgrade()
    service = WorkshopService(db)
    created = service.create_workshop("Atelier", rounds=["Q"], settings={"dot_budget": 3, "dot_cap": 3})
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    code = created["workshop"]["code"]
    service.advance_phase(fac, {"op_id": new_op()})
    tokens = [service.join(service.authenticate(code=code), {"op_id": new_op()}).result["token"] for _ in range(12)]
    phones = [service.authenticate(code=code, token=t) for t in tokens]
    service.post_idea(phones[0], {"op_id": new_op(), "text": "Un jardin"})
    service.advance_phase(fac, {"op_id": new_op()})
    theme = service.create_theme(fac, {"op_id": new_op(), "title": "Nature"}).result["theme"]
    round_id = service.snapshot(fac)["rounds"][0]["id"]
    service.open_vote(fac, {"op_id": new_op(), "round_id": round_id, "open": True})
    yield service, phones, theme["id"]
    db.dispose()


def stored_dots(service: WorkshopService) -> dict[int, int]:
    with service.db.engine.connect() as c:
        return dict(c.execute(text("SELECT participant_id, COALESCE(SUM(dots), 0) FROM votes GROUP BY participant_id")).all())


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(st.tuples(st.integers(0, 11), st.sampled_from(["add", "remove", "bad", "replay"])), min_size=6, max_size=40))
def test_a_burst_is_committed_in_groups_and_each_write_gets_its_own_answer(room, plan):
    service, phones, theme_id = room
    before = stored_dots(service)
    groups_before, writes_before = service.group_commit.groups, service.group_commit.writes
    answers: list[tuple[int, str, object]] = []
    start = threading.Barrier(len(plan))
    replay_op = {}

    def send(i: int, who: int, what: str) -> None:
        payload = {"op_id": new_op(), "kind": "theme", "target_id": theme_id, "delta": 1}
        if what == "remove":
            payload["delta"] = -1
        elif what == "bad":
            payload["target_id"] = 999_999
        elif what == "replay":
            payload["op_id"] = replay_op.setdefault(who, f"replay-{who}-{id(plan)}")
        start.wait()
        try:
            answers.append((who, what, service.vote(phones[who], payload)))
        except WorkshopError as error:
            answers.append((who, what, error))

    threads = [threading.Thread(target=send, args=(i, who, what)) for i, (who, what) in enumerate(plan)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(answers) == len(plan)  # every write answered, once
    for _who, what, answer in answers:
        if what == "bad":
            assert isinstance(answer, WorkshopError) and answer.code == "unknown_theme"
    # what the acknowledgements say is what is stored: the last acknowledged `used` of each phone
    after = stored_dots(service)
    for who in {w for w, _, _ in answers}:
        pid = phones[who].participant_id
        acked = [a for w, _, a in answers if w == who and not isinstance(a, WorkshopError)]
        if acked:
            assert after.get(pid, 0) in {a.result["used"] for a in acked}
        else:
            assert after.get(pid, 0) == before.get(pid, 0)
        assert 0 <= after.get(pid, 0) <= 3  # the budget held inside a group too
    writes = service.group_commit.writes - writes_before
    assert service.group_commit.groups - groups_before <= max(1, writes)


def test_writes_arriving_during_a_commit_form_the_next_group(room):
    """While one commit is under way (held here), the votes that arrive wait and are then committed together."""
    from support import wait_until

    service, phones, theme_id = room
    for who in range(6, 12):  # give these phones their dots back
        while stored_dots(service).get(phones[who].participant_id, 0):
            service.vote(phones[who], {"op_id": new_op(), "kind": "theme", "target_id": theme_id, "delta": -1})
    groups, writes = service.group_commit.groups, service.group_commit.writes
    answers: list = []

    def vote(who: int) -> None:
        answers.append(service.vote(phones[who], {"op_id": new_op(), "kind": "theme", "target_id": theme_id, "delta": 1}))

    with service.commit_lock:  # the first vote's group is held at its commit
        threads = [threading.Thread(target=vote, args=(who,)) for who in range(6, 12)]
        threads[0].start()
        wait_until(lambda: service.group_commit.leading and not service.group_commit.pending, timeout=10)
        for t in threads[1:]:
            t.start()
        wait_until(lambda: len(service.group_commit.pending) == 5, timeout=10)
    for t in threads:
        t.join(30)
    assert len(answers) == 6 and all(a.result["used"] == 1 for a in answers)
    assert service.group_commit.writes - writes == 6
    assert service.group_commit.groups - groups == 2  # the held one, then the five that waited, in one commit
    assert all(stored_dots(service)[phones[who].participant_id] == 1 for who in range(6, 12))
