"""``idea.move`` with several ideas at once (``idea_ids``): one transaction, one answer, exactly once.

The service tests run on SQLite and PostgreSQL (the ``service`` fixture); the
broadcast test goes through Flask-SocketIO's test client, as a console would.
"""

from __future__ import annotations

import pytest
from support import new_op, wait_until
from test_services import Room, rejected

from workshop.errors import NotFound, PhaseError, ValidationError


@pytest.fixture
def board(service):
    """A workshop in define: six ideas, two themes; a second workshop to steal ids from."""
    room = Room(service)
    ana = room.join("Ana", "habitant")
    room.advance()
    room.ideas_posted = [room.idea(ana, f"Idée {n}") for n in range(6)]
    room.advance()
    room.green = room.theme("Nature en ville")
    room.moves = room.theme("Se déplacer")
    other = Room(service, title="Autre")
    other.advance()
    other.stray = other.idea(other.fac, "Idée d'ailleurs")
    other.advance()
    other.stray_theme = other.theme("Ailleurs")
    room.other = other
    return room


def themes_of(room) -> dict[int, int | None]:
    return {i: idea["theme_id"] for i, idea in room.ideas().items()}


def test_several_ideas_move_in_one_write(board):
    ids = [i["id"] for i in board.ideas_posted[:3]]
    outcome = board.service.move_idea(board.fac, {"op_id": new_op(), "idea_ids": ids, "theme_id": board.green["id"]})
    assert [i["id"] for i in outcome.result["ideas"]] == ids, "the ack lists the ideas in the order sent"
    assert all(i["theme_id"] == board.green["id"] for i in outcome.result["ideas"])
    assert [c.kind for c in outcome.changes] == ["idea"] * 3
    assert {c.data["id"] for c in outcome.changes} == set(ids)
    placed = themes_of(board)
    assert [placed[i] for i in ids] == [board.green["id"]] * 3
    assert [placed[i["id"]] for i in board.ideas_posted[3:]] == [None] * 3

    # Moving them on: an idea already there is answered but not broadcast again.
    mixed = [ids[0], board.ideas_posted[3]["id"]]
    board.ok("move_idea", board.fac, idea_ids=[ids[0]], theme_id=board.moves["id"])
    outcome = board.service.move_idea(board.fac, {"op_id": new_op(), "idea_ids": mixed, "theme_id": board.moves["id"]})
    assert len(outcome.result["ideas"]) == 2
    assert [c.data["id"] for c in outcome.changes] == [board.ideas_posted[3]["id"]]
    # And back to unsorted, all at once.
    board.ok("move_idea", board.fac, idea_ids=ids + [board.ideas_posted[3]["id"]], theme_id=None)
    assert set(themes_of(board).values()) == {None}


def test_one_idea_still_moves_with_idea_id(board):
    idea = board.ideas_posted[0]
    result = board.ok("move_idea", board.fac, idea_id=idea["id"], theme_id=board.green["id"])
    assert result["idea"]["theme_id"] == board.green["id"] and "ideas" not in result


def test_a_replayed_multi_move_is_applied_once(board):
    ids = [i["id"] for i in board.ideas_posted[:4]]
    op = new_op()
    first = board.service.move_idea(board.fac, {"op_id": op, "idea_ids": ids, "theme_id": board.green["id"]})
    board.ok("move_idea", board.fac, idea_id=ids[0], theme_id=board.moves["id"])  # moved on since
    again = board.service.move_idea(board.fac, {"op_id": op, "idea_ids": ids, "theme_id": board.green["id"]})
    assert again.replayed and again.changes == [] and again.result == first.result
    assert themes_of(board)[ids[0]] == board.moves["id"], "the replay changed nothing"
    with pytest.raises(ValidationError) as info:
        board.service.hide_idea(board.fac, {"op_id": op, "idea_id": ids[0], "hidden": True})
    assert info.value.code == "op_id_reused"


MALFORMED = {
    "empty": [],
    "not a list": "1,2",
    "a string": [1, "2"],
    "a boolean": [1, True],
    "zero": [1, 0],
    "negative": [1, -3],
    "too big": [1, 2**31],
    "twice": [1, 1],
    "too many": list(range(1, 1002)),
    "null": None,
}


def test_malformed_idea_ids_are_refused_whole(board):
    for name, idea_ids in MALFORMED.items():
        error = rejected(
            [board, board.other],
            lambda idea_ids=idea_ids: board.ok("move_idea", board.fac, idea_ids=idea_ids, theme_id=board.green["id"]),
            "invalid_field",
            ValidationError,
        )
        assert error.params == {"field": "idea_ids"}, name


def test_idea_id_and_idea_ids_together_are_refused(board):
    first = board.ideas_posted[0]["id"]
    rejected(board, lambda: board.ok("move_idea", board.fac, idea_id=first, idea_ids=[first], theme_id=None), "invalid_field")


def test_one_bad_idea_refuses_the_whole_selection(board):
    fine = [i["id"] for i in board.ideas_posted[:3]]
    rooms = [board, board.other]
    green = board.green["id"]
    # An idea of another workshop, an unknown one, a merged-away one: nothing moves.
    rejected(
        rooms, lambda: board.ok("move_idea", board.fac, idea_ids=[*fine, board.other.stray["id"]], theme_id=green), "unknown_idea", NotFound
    )
    rejected(rooms, lambda: board.ok("move_idea", board.fac, idea_ids=[*fine, 999_999], theme_id=green), "unknown_idea", NotFound)
    board.ok("merge_ideas", board.fac, idea_id=board.ideas_posted[5]["id"], into_id=board.ideas_posted[4]["id"])
    merged = board.ideas_posted[5]["id"]
    rejected(rooms, lambda: board.ok("move_idea", board.fac, idea_ids=[*fine, merged], theme_id=green), "unknown_idea", NotFound)
    # A theme of another workshop or an unknown one.
    stray_theme = board.other.stray_theme["id"]
    rejected(rooms, lambda: board.ok("move_idea", board.fac, idea_ids=fine, theme_id=stray_theme), "unknown_theme", NotFound)
    rejected(rooms, lambda: board.ok("move_idea", board.fac, idea_ids=fine, theme_id="x"), "invalid_field", ValidationError)
    assert set(themes_of(board).values()) == {None}


def test_multi_move_is_refused_outside_define_and_across_rounds(service):
    room = Room(service)
    ana = room.join("Ana", "habitant")
    room.advance()
    ideas = [room.idea(ana, f"Idée {n}")["id"] for n in range(2)]
    rejected(room, lambda: room.ok("move_idea", room.fac, idea_ids=ideas, theme_id=None), "wrong_phase", PhaseError)
    room.advance()
    theme = room.theme("Thème")
    room.advance(kept_theme_ids=[theme["id"]])
    room.advance()  # round 1 closed; round 2 opens in lobby
    room.advance()  # round 2 in diverge
    later = room.idea(ana, "Idée du tour 2")["id"]
    rejected(room, lambda: room.ok("move_idea", room.fac, idea_ids=[*ideas, later], theme_id=None), "other_round", ValidationError)
    rejected(room, lambda: room.ok("move_idea", room.fac, idea_ids=ideas, theme_id=theme["id"]), "wrong_phase", PhaseError)


def test_participants_cannot_multi_move(board):
    ana = board.join("Zoé", "habitant")
    ids = [i["id"] for i in board.ideas_posted[:2]]
    rejected(board, lambda: board.ok("move_idea", ana, idea_ids=ids, theme_id=None), "role")


def test_every_moved_idea_is_broadcast_with_one_ack(app):
    """Over Socket.IO: one ack listing the ideas; another console and the projector get each moved idea."""
    service = app.extensions["workshop.service"]
    created = service.create_workshop("Atelier", rounds=["Q"])
    code, token = created["workshop"]["code"], created["facilitator_token"]
    fac = service.authenticate(facilitator_token=token)
    service.advance_phase(fac, {"op_id": new_op()})
    ids = [service.post_idea(fac, {"op_id": new_op(), "text": f"Idée {n}"}).result["idea"]["id"] for n in range(4)]
    service.advance_phase(fac, {"op_id": new_op()})
    theme = service.create_theme(fac, {"op_id": new_op(), "title": "Nature"}).result["theme"]
    socketio = app.extensions["socketio"]

    def client(auth):
        c = socketio.test_client(app, auth=auth, flask_test_client=app.test_client())
        assert c.is_connected()
        c.get_received()
        return c

    console, other, screen = (
        client({"facilitator_token": token}),
        client({"facilitator_token": token}),
        client({"code": code, "role": "screen"}),
    )
    try:
        answer = console.emit("idea.move", {"op_id": new_op(), "idea_ids": ids[:3], "theme_id": theme["id"]}, callback=True)
        assert answer["ok"], answer
        assert [i["theme_id"] for i in answer["data"]["ideas"]] == [theme["id"]] * 3
        for c in (other, screen):
            seen: list[dict] = []

            def arrived(c=c, seen=seen):
                seen += [m["args"][0] for m in c.get_received() if m["name"] == "idea"]
                return len(seen) >= 3

            wait_until(arrived, message="the moved ideas broadcast")
            assert sorted(i["id"] for i in seen) == sorted(ids[:3])
            assert all(i["theme_id"] == theme["id"] for i in seen)
        bad = console.emit("idea.move", {"op_id": new_op(), "idea_ids": [ids[3], 10**6], "theme_id": theme["id"]}, callback=True)
        assert bad["ok"] is False and bad["error"]["code"] == "unknown_idea"
        # A marker sent after the refusal: it is the only idea the other console hears of.
        assert console.emit("idea.hide", {"op_id": new_op(), "idea_id": ids[0], "hidden": True}, callback=True)["ok"]
        heard: list[dict] = []
        wait_until(lambda: heard.extend(m["args"][0] for m in other.get_received() if m["name"] == "idea") or heard, message="the marker")
        assert [i["id"] for i in heard] == [ids[0]]
    finally:
        for c in (console, other, screen):
            c.disconnect()
