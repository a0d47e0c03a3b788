"""The tally book: tallies kept in memory by each committed vote equal the tallies recounted from the rows.

Real databases (the ``service`` fixture: a SQLite file, or a PostgreSQL schema
with ``-m postgres``); hypothesis drives random sequences of votes, votes taken
back, themes created and deleted, tallies revealed and hidden, phases reopened
and closed, reading the book between steps so that it is loaded early and then
moved by the deltas rather than reloaded.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import new_op

from workshop.errors import WorkshopError
from workshop.services import WorkshopService

GROUPS = ["habitant", "élu·e", "agent"]
PROPERTY = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("vote"), st.integers(0, 4), st.integers(0, 5), st.sampled_from([1, 1, 2, -1, -2])),
        st.tuples(st.just("delete"), st.integers(0, 5)),
        st.tuples(st.just("create")),
        st.tuples(st.just("reveal"), st.booleans()),
        st.tuples(st.just("reopen")),
        st.tuples(st.just("read")),
    ),
    max_size=40,
)


class Room:
    def __init__(self, service: WorkshopService) -> None:
        self.service = service
        created = service.create_workshop(
            "Atelier", rounds=["Q"], settings={"groups": GROUPS, "tallies": "reveal", "dot_budget": 4, "dot_cap": 2}
        )
        self.fac = service.authenticate(facilitator_token=created["facilitator_token"])
        code = created["workshop"]["code"]
        self.phones = []
        for n in range(5):
            token = service.join(service.authenticate(code=code), {"op_id": new_op(), "group": [*GROUPS, None][n % 4]}).result["token"]
            self.phones.append(service.authenticate(code=code, token=token))
        self.do("phase.advance")  # diverge
        self.do("phase.advance")  # define
        self.themes = [self.create() for _ in range(3)]
        self.do("vote.open", open=True)
        self.round_id = service.snapshot(self.fac)["rounds"][0]["id"]

    def do(self, name: str, actor=None, **payload):
        use_case = {
            "phase.advance": self.service.advance_phase,
            "phase.reopen": self.service.reopen_phase,
            "vote.open": self.service.open_vote,
            "theme.create": self.service.create_theme,
            "theme.delete": self.service.delete_theme,
            "tallies.reveal": self.service.reveal_tallies,
            "vote": self.service.vote,
        }[name]
        return use_case(actor or self.fac, {"op_id": new_op(), **payload})

    def create(self) -> int:
        return self.do("theme.create", title=f"Thème {new_op()[:6]}").result["theme"]["id"]

    def tallies(self):
        return self.service.tallies(self.fac.workshop_id, self.round_id, "theme")

    def recount(self):
        return self.service.recount(self.fac.workshop_id, self.round_id, "theme")


def step(room: Room, move: tuple) -> None:
    try:
        if move[0] == "vote" and room.themes:
            room.do("vote", room.phones[move[1]], kind="theme", target_id=room.themes[move[2] % len(room.themes)], delta=move[3])
        elif move[0] == "delete" and room.themes:
            room.do("theme.delete", theme_id=room.themes.pop(move[1] % len(room.themes)))
        elif move[0] == "create":
            room.themes.append(room.create())
        elif move[0] == "reveal":
            room.do("tallies.reveal", revealed=move[1])
        elif move[0] == "reopen":
            # back to diverge and into define again: the vote is closed, then opened again
            room.do("phase.reopen")
            room.do("phase.advance")
            room.do("vote.open", open=True)
    except WorkshopError:
        pass  # a refused vote (budget, cap, nothing to take back) changes nothing


@PROPERTY
@given(steps=STEPS)
def test_incremental_tallies_equal_the_recount(service, steps):
    room = Room(service)
    room.tallies()  # loaded before the first vote: from here on it is moved by deltas
    for move in steps:
        step(room, move)
        if move[0] == "read":
            assert room.tallies() == room.recount()
    assert room.tallies() == room.recount()


def test_a_vote_moves_the_loaded_book_without_reading_it_again(service, monkeypatch):
    room = Room(service)
    room.tallies()
    loads = []
    original = service.tally_book._load
    monkeypatch.setattr(service.tally_book, "_load", lambda *a: loads.append(a) or original(*a))
    room.do("vote", room.phones[0], kind="theme", target_id=room.themes[0], delta=2)
    room.do("vote", room.phones[1], kind="theme", target_id=room.themes[0])
    room.do("vote", room.phones[0], kind="theme", target_id=room.themes[0], delta=-1)
    tally = room.tallies()
    assert loads == []
    assert tally == room.recount()
    assert tally["items"] == [{"id": room.themes[0], "dots": 2, "voters": 2, "by_group": {"habitant": 1, "élu·e": 1}}]
    room.do("tallies.reveal", revealed=True)  # visibility changed: read again
    assert room.tallies()["visible"] is True
    assert len(loads) == 1


def test_shared_database_recounts_votes_from_other_workers(service, db):
    """With a message queue, another worker's votes reach this worker's tallies (at most one recount per new vote)."""
    room = Room(service)
    service.shared = True
    other = WorkshopService(db)  # another worker on the same database
    assert room.tallies()["items"] == []
    other.vote(room.phones[2], {"op_id": new_op(), "kind": "theme", "target_id": room.themes[1]})
    assert room.tallies() == room.recount()
    assert room.tallies()["items"][0]["dots"] == 1


@pytest.mark.parametrize("kind", ["theme", "action"])
def test_unknown_round(service, kind):
    from workshop.errors import NotFound

    room = Room(service)
    with pytest.raises(NotFound):
        service.tallies(room.fac.workshop_id, 10**6, kind)
