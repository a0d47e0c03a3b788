"""Votes that open when the facilitator says, and the countdown's planned duration and "+1 min".

Against the real service on SQLite and PostgreSQL (the ``service`` fixture),
then over Socket.IO for the answers a phone and the console actually get:
a vote before "Ouvrir le vote" is refused with ``vote_not_open``, opening it
lets the same vote through, closing it refuses again, and every phase change
closes it; the synthesis says how the vote ran.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from support import new_op, wait_until
from test_services import Room, count_rows, rejected

from workshop.domain import phases
from workshop.domain import timer as timer_rules
from workshop.errors import PhaseError, ValidationError
from workshop.storage.models import Operation


def in_define(service, **settings):
    """A room in define with one theme and two phones; the vote is as the phase opened it: closed."""
    room = Room(service, settings=settings or None)
    ana, bob = room.join("Ana", "habitant"), room.join("Bob", "agent")
    room.advance()
    room.idea(ana, "Un jardin partagé")
    room.advance(open_vote=False)
    theme = room.theme("Nature en ville")
    return room, ana, bob, theme


def open_vote(room, open_: bool = True, **payload):
    return room.ok("open_vote", room.fac, open=open_, **payload)["round"]


# --------------------------------------------------------------------------- the rule


def test_a_vote_before_the_facilitator_opens_it_is_refused(service):
    room, ana, _, theme = in_define(service)
    header = room.round()
    assert header["vote_open"] is False
    assert header["can"]["vote_theme"] is False and header["can"]["open_vote"] is True
    error = rejected(room, lambda: room.vote(ana, "theme", theme["id"]), "vote_not_open", PhaseError)
    assert error.params == {"phase": "define"}

    opened = open_vote(room)
    assert opened["vote_open"] is True and opened["can"]["vote_theme"] is True
    assert room.vote(ana, "theme", theme["id"], 2)["remaining"] == 3

    closed = open_vote(room, False)
    assert closed["vote_open"] is False and closed["can"]["vote_theme"] is False
    rejected(room, lambda: room.vote(ana, "theme", theme["id"]), "vote_not_open", PhaseError)
    rejected(room, lambda: room.vote(ana, "theme", theme["id"], -1), "vote_not_open", PhaseError)  # taking back too
    assert [(v["target_id"], v["dots"]) for v in room.round()["votes"]] == [(theme["id"], 2)]


def test_every_phase_change_closes_the_vote(service):
    room, ana, _, theme = in_define(service)
    open_vote(room)
    converge = room.advance(open_vote=False, kept_theme_ids=[theme["id"]])["round"]
    assert converge["phase"] == "converge" and converge["vote_open"] is False and converge["can"]["vote_action"] is False
    action = room.ok("propose_action", ana, theme_id=theme["id"], title="Un potager")["action"]
    rejected(room, lambda: room.vote(ana, "action", action["id"]), "vote_not_open", PhaseError)
    open_vote(room)
    room.vote(ana, "action", action["id"])
    back = room.ok("reopen_phase", room.fac)["round"]
    assert back["phase"] == "define" and back["vote_open"] is False
    rejected(room, lambda: room.vote(ana, "theme", theme["id"]), "vote_not_open", PhaseError)


def test_the_phase_is_checked_before_the_opening(service):
    """In diverge a vote is refused for its phase (``wrong_phase``), whatever the vote's state."""
    room, ana, _, theme = in_define(service)
    open_vote(room)
    room.advance(open_vote=False, kept_theme_ids=[theme["id"]])
    open_vote(room)
    rejected(room, lambda: room.vote(ana, "theme", theme["id"]), "wrong_phase", PhaseError)


def test_vote_open_only_in_define_and_converge(service):
    room = Room(service)
    rejected(room, lambda: open_vote(room), "wrong_phase", PhaseError)  # lobby
    room.advance()
    rejected(room, lambda: open_vote(room), "wrong_phase", PhaseError)  # diverge
    assert room.round()["can"]["open_vote"] is False


@pytest.mark.parametrize("payload", [{}, {"open": None}, {"open": "yes"}, {"open": 1}, {"open": [True]}])
def test_vote_open_validates_its_payload(service, payload):
    room, *_ = in_define(service)
    rejected(room, lambda: service.open_vote(room.fac, {"op_id": new_op(), **payload}), "invalid_field", ValidationError)


def test_vote_open_is_exactly_once(service):
    """A console that retries its "Ouvrir le vote" gets the first answer; the op_id cannot be reused for another event."""
    room, ana, _, theme = in_define(service)
    payload = {"op_id": new_op(), "open": True}
    first = service.open_vote(room.fac, payload)
    ops = count_rows(service, Operation)
    again = service.open_vote(room.fac, dict(payload))
    assert again.replayed is True and again.result == first.result and again.changes == []
    assert count_rows(service, Operation) == ops
    open_vote(room, False)
    replay = service.open_vote(room.fac, dict(payload))  # a late retry does not re-open a vote closed since
    assert replay.replayed is True and room.round()["vote_open"] is False
    rejected(room, lambda: service.reveal_tallies(room.fac, {**payload, "revealed": True}), "op_id_reused", ValidationError)


def test_asking_for_the_state_it_is_in_changes_nothing(service):
    room, *_ = in_define(service)
    assert open_vote(room, False)["vote_open"] is False
    first = open_vote(room)
    assert open_vote(room)["vote_open"] is True
    syn = service.preview_synthesis(room.fac, {})["data"]["vote"]
    assert syn["opened"] is True and syn["closed_at"] is None and syn["opened_at"] is not None
    assert first["vote_open"] is True


def test_the_synthesis_records_how_the_vote_ran(service):
    room, ana, _, theme = in_define(service)
    preview = service.preview_synthesis(room.fac, {})["data"]["vote"]
    assert preview == {"opened": False, "opened_at": None, "closed_at": None}
    open_vote(room)
    room.vote(ana, "theme", theme["id"])
    open_vote(room, False)
    open_vote(room)  # opened again: the first opening stays, and the phase's close closes it
    room.advance(open_vote=False, kept_theme_ids=[theme["id"]])
    define = room.round()["syntheses"]["define"]["vote"]
    assert define["opened"] is True
    opened, closed = (datetime.fromisoformat(define[k].replace("Z", "+00:00")) for k in ("opened_at", "closed_at"))
    assert opened <= closed <= datetime.now(UTC) + timedelta(seconds=1)
    # moderation after the close rebuilds the synthesis, not how the vote ran
    idea = next(i for i in room.round()["ideas"])
    room.ok("hide_idea", room.fac, idea_id=idea["id"], hidden=True)
    assert room.round()["syntheses"]["define"]["themes"][0]["ideas"] == []
    assert room.round()["syntheses"]["define"]["vote"] == define
    # converge closes without the vote ever being opened: the synthesis says so
    room.advance(open_vote=False)
    assert room.round()["syntheses"]["converge"]["vote"] == {"opened": False, "opened_at": None, "closed_at": None}


def test_rules_and_snapshots_say_the_vote_needs_opening(service):
    room, ana, _, theme = in_define(service)
    snap = service.snapshot(ana)
    assert snap["rules"]["vote_opened_by_facilitator"] == ["vote_action", "vote_theme"]
    assert snap["rules"]["capabilities"]["vote_theme"] == ["define"]  # the phases alone
    assert snap["rounds"][0]["vote_open"] is False and snap["rounds"][0]["can"]["vote_theme"] is False
    open_vote(room)
    for actor in (ana, room.fac, service.authenticate(code=room.code, role="screen")):
        header = service.snapshot(actor)["rounds"][0]
        assert header["vote_open"] is True and header["can"]["vote_theme"] is True


def test_capabilities_need_the_opening_for_votes_only():
    assert phases.capabilities("define")["vote_theme"] is False
    assert phases.capabilities("define", vote_open=True)["vote_theme"] is True
    assert phases.capabilities("diverge", vote_open=True)["vote_theme"] is False
    assert phases.capabilities("define")["edit_themes"] is True  # the rest does not depend on it
    assert phases.capabilities("converge", vote_open=True)["vote_action"] is True


# --------------------------------------------------------------------------- the countdown


def test_planned_duration_is_the_plans_minutes_for_the_current_phase(service):
    created = service.create_workshop("Atelier", rounds=[{"question": "Q", "timings": {"diverge": 15, "define": 20, "converge": 20}}])
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    header = lambda: service.full_snapshot(fac.workshop_id)["rounds"][0]  # noqa: E731
    assert header()["timer"]["planned"] is None  # the lobby has no planned time
    service.advance_phase(fac, {"op_id": new_op()})
    assert header()["timer"]["planned"] == 15 * 60
    service.advance_phase(fac, {"op_id": new_op()})
    assert header()["timer"]["planned"] == 20 * 60


def test_add_seconds_moves_the_end_of_a_running_countdown(service):
    room = Room(service)
    room.advance()
    started = room.ok("set_timer", room.fac, seconds=600)["round"]["timer"]
    extended = room.ok("set_timer", room.fac, add_seconds=60)["round"]["timer"]
    end = lambda t: datetime.fromisoformat(t["ends_at"].replace("Z", "+00:00"))  # noqa: E731
    assert abs((end(extended) - end(started)).total_seconds() - 60) < 1
    assert extended["seconds"] == 660 and 655 <= extended["remaining"] <= 660
    twice = room.ok("set_timer", room.fac, add_seconds=300)["round"]["timer"]
    assert twice["seconds"] == 960 and abs((end(twice) - end(started)).total_seconds() - 360) < 1


def test_add_seconds_refusals(service):
    """Refused extensions change nothing (the end is compared: ``remaining`` runs on by itself)."""
    room = Room(service)
    room.advance()

    def refused(code, **payload):
        before = room.round()["timer"]
        with pytest.raises(ValidationError) as info:
            room.ok("set_timer", room.fac, **payload)
        assert info.value.code == code, info.value
        after = room.round()["timer"]
        assert (after["ends_at"], after["seconds"]) == (before["ends_at"], before["seconds"])
        return info.value

    assert refused("no_timer", add_seconds=60).params == {}
    room.ok("set_timer", room.fac, seconds=timer_rules.MAX_TIMER - 30)
    assert refused("invalid_field", add_seconds=60).params == {"field": "add_seconds"}  # past 4 h left
    for bad in (0, -60, 3601, True, 1.5, "60", None):
        refused("invalid_field", add_seconds=bad)
    refused("invalid_field", seconds=60, add_seconds=60)


def test_extending_a_countdown_that_is_over_runs_it_again_from_now():
    now = datetime(2027, 3, 14, 10, 0, tzinfo=UTC)
    ended = now - timedelta(seconds=30)
    new_end, seconds = timer_rules.extend(ended, 600, 60, now)
    assert new_end == now + timedelta(seconds=60)
    assert seconds == 600 + 30 + 60  # the whole duration since the countdown started
    assert timer_rules.extend(now + timedelta(seconds=10), 20, 60, now) == (now + timedelta(seconds=70), 80)


@pytest.mark.parametrize(
    ("timings", "phase", "expected"),
    [
        ({"define": 20}, "define", 1200),
        ({"define": 20}, "converge", None),
        ({"define": 0}, "define", None),
        ({"define": True}, "define", None),
        ({"define": 500}, "define", None),
        ({}, "define", None),
    ],
)
def test_planned_seconds(timings, phase, expected):
    assert timer_rules.planned_seconds(timings, phase) == expected


# --------------------------------------------------------------------------- over Socket.IO


@pytest.fixture
def app(tmp_path):
    from workshop import create_app

    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "TALLY_INTERVAL": 0.05})


def test_over_socketio_the_refusal_is_worded_and_the_opening_broadcast(app):
    service = app.extensions["workshop.service"]
    created = service.create_workshop("Atelier", rounds=["Q"])
    code = created["workshop"]["code"]

    def connect(auth):
        return app.extensions["socketio"].test_client(app, auth=auth, flask_test_client=app.test_client())

    console = connect({"facilitator_token": created["facilitator_token"]})
    screen = connect({"code": code, "role": "screen"})
    phone = connect({"code": code})
    phone_en = connect({"code": code, "lang": "en"})
    for client in (phone, phone_en):
        assert client.emit("join", {"op_id": new_op()}, callback=True)["ok"]
    for _ in range(2):
        assert console.emit("phase.advance", {"op_id": new_op()}, callback=True)["ok"]
    theme = console.emit("theme.create", {"op_id": new_op(), "title": "Mobilités"}, callback=True)["data"]["theme"]
    vote = {"kind": "theme", "target_id": theme["id"], "delta": 1}
    fr = phone.emit("vote", {"op_id": new_op(), **vote}, callback=True)
    en = phone_en.emit("vote", {"op_id": new_op(), **vote}, callback=True)
    assert (fr["ok"], fr["error"]["code"], fr["error"]["type"]) == (False, "vote_not_open", "wrong_phase")
    assert fr["error"]["message"] == "Le vote n'est pas encore ouvert."
    assert en["error"]["message"] == "The vote is not open yet."
    for client in (screen, phone):
        client.get_received()

    answer = console.emit("vote.open", {"op_id": new_op(), "open": True}, callback=True)
    assert answer["ok"] and answer["data"]["round"]["vote_open"] is True
    for client in (screen, phone):
        seen: list = []

        def opened(client=client, seen=seen):
            seen += [m["args"][0] for m in client.get_received() if m["name"] == "round"]
            return seen and seen[-1]["vote_open"] is True

        wait_until(opened, message="the opening reaches the screen and the phones")
        assert seen[-1]["can"]["vote_theme"] is True
    assert phone.emit("vote", {"op_id": new_op(), **vote}, callback=True)["ok"]
    refused = phone.emit("vote.open", {"op_id": new_op(), "open": False}, callback=True)
    assert refused["error"]["code"] == "role"
    bad = console.emit("vote.open", {"op_id": new_op(), "open": "oui"}, callback=True)
    assert bad["error"]["code"] == "invalid_field"
    no_timer = console.emit("timer.set", {"op_id": new_op(), "add_seconds": 60}, callback=True)
    assert no_timer["error"]["message"] == "Aucun minuteur n'est lancé."
    for client in (console, screen, phone, phone_en):
        client.disconnect()
