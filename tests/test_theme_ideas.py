"""``theme.ideas``: a phone reads the ideas of the theme it votes on (SQLite and PostgreSQL).

The read goes through the same visibility rules as every snapshot: hidden,
withdrawn and merged-away ideas never appear, participant ids never leave the
server, an anonymous workshop shows no pseudonym; and it follows moderation at
once (the cached state is rebuilt after every recorded change).
"""

from __future__ import annotations

import pytest
from support import new_op

from workshop.errors import Forbidden, NotFound, PhaseError, ValidationError
from workshop.services import WorkshopService


class Room:
    """A workshop in define: a facilitator, two phones, two themes with ideas filed under them."""

    def __init__(self, service: WorkshopService, *, anonymous: bool = False) -> None:
        self.service = service
        created = service.create_workshop("Atelier", rounds=["Q1", "Q2"], settings={"anonymous": anonymous})
        self.code = created["workshop"]["code"]
        self.fac = service.authenticate(facilitator_token=created["facilitator_token"])
        self.awa = self.join("Awa", "habitant")
        self.bruno = self.join("Bruno", "élu·e")

    def join(self, pseudonym: str, group: str):
        guest = self.service.authenticate(code=self.code)
        token = self.service.join(guest, {"op_id": new_op(), "pseudonym": pseudonym, "group": group}).result["token"]
        return self.service.authenticate(code=self.code, token=token)

    def ok(self, method: str, actor, **payload) -> dict:
        return getattr(self.service, method)(actor, {"op_id": new_op(), **payload}).result

    def read(self, actor, payload) -> dict:
        return self.service.theme_ideas(actor, payload)


@pytest.fixture
def define(service):
    """Mobilités holds Awa's bus (with Bruno's duplicate merged in), Bruno's bike lanes, a paper note
    typed in for an association and an idea about to be hidden; Nature holds one idea; one is unsorted."""
    room = Room(service)
    room.ok("advance_phase", room.fac)  # diverge
    post = lambda actor, text, **extra: room.ok("post_idea", actor, text=text, **extra)["idea"]  # noqa: E731
    ideas = {
        "bus": post(room.awa, "Un bus de nuit"),
        "bus2": post(room.bruno, "Un bus la nuit"),
        "bike": post(room.bruno, "Des pistes cyclables"),
        "paper": post(room.fac, "Une navette pour les anciens", group="association"),
        "rude": post(room.awa, "Un message à masquer"),
        "withdrawn": post(room.awa, "Une idée retirée"),
        "tree": post(room.bruno, "Plus d'arbres"),
        "loose": post(room.awa, "Pas encore classée"),
    }
    room.ok("advance_phase", room.fac)  # define
    room.mob = room.ok("create_theme", room.fac, title="Mobilités")["theme"]
    room.nature = room.ok("create_theme", room.fac, title="Nature")["theme"]
    for key in ("bus", "bus2", "bike", "paper", "rude", "withdrawn"):
        room.ok("move_idea", room.fac, idea_id=ideas[key]["id"], theme_id=room.mob["id"])
    room.ok("move_idea", room.fac, idea_id=ideas["tree"]["id"], theme_id=room.nature["id"])
    room.ok("hide_idea", room.fac, idea_id=ideas["rude"]["id"], hidden=True)
    room.ok("merge_ideas", room.fac, idea_id=ideas["bus2"]["id"], into_id=ideas["bus"]["id"])
    # withdrawn by its author after it was filed (define reopened to diverge, then closed again)
    room.ok("reopen_phase", room.fac)
    room.ok("withdraw_idea", room.awa, idea_id=ideas["withdrawn"]["id"])
    room.ok("advance_phase", room.fac)
    room.ideas = ideas
    return room


def texts(answer: dict) -> list[str]:
    return [i["text"] for i in answer["ideas"]]


def test_a_phone_reads_the_visible_ideas_of_one_theme(define):
    room = define
    filed = {
        i["text"] for r in room.service.full_snapshot(room.fac.workshop_id)["rounds"] for i in r["ideas"] if i["theme_id"] == room.mob["id"]
    }
    assert "Un message à masquer" in filed  # hidden, still filed there, yet never shown
    answer = room.read(room.awa, {"theme_id": room.mob["id"]})
    assert answer["theme_id"] == room.mob["id"] and answer["round_id"] == room.mob["round_id"]
    # oldest first; hidden, withdrawn and merged-away ideas absent, other themes' and unsorted ideas too
    assert texts(answer) == ["Un bus de nuit", "Des pistes cyclables", "Une navette pour les anciens"]
    bus, bike, paper = answer["ideas"]
    assert bus["count"] == 2  # the duplicate merged into it
    assert (bus["author"], bus["group"]) == ("Awa", "habitant")
    assert (bike["author"], bike["group"]) == ("Bruno", "élu·e")
    assert (paper["author"], paper["group"], paper["on_behalf"]) == (None, "association", True)
    for idea in answer["ideas"]:
        assert "participant_id" not in idea and "mine" not in idea
        assert not (idea["hidden"] or idea["withdrawn"] or idea["merged_into"])
    assert texts(room.read(room.bruno, {"theme_id": room.nature["id"]})) == ["Plus d'arbres"]
    # the projector and the console read the same public view
    screen = room.service.authenticate(code=room.code, role="screen")
    assert room.read(screen, {"theme_id": room.mob["id"]}) == answer
    assert room.read(room.fac, {"theme_id": room.mob["id"]}) == answer


def test_the_read_follows_moderation_and_sorting_at_once(define):
    room = define
    mob = {"theme_id": room.mob["id"]}
    before = texts(room.read(room.awa, mob))
    room.ok("hide_idea", room.fac, idea_id=room.ideas["bike"]["id"], hidden=True)
    assert texts(room.read(room.awa, mob)) == [t for t in before if t != "Des pistes cyclables"]
    room.ok("hide_idea", room.fac, idea_id=room.ideas["rude"]["id"], hidden=False)  # shown again
    assert "Un message à masquer" in texts(room.read(room.awa, mob))
    room.ok("move_idea", room.fac, idea_id=room.ideas["loose"]["id"], theme_id=room.mob["id"])
    assert texts(room.read(room.awa, mob))[-1] == "Pas encore classée"
    room.ok("move_idea", room.fac, idea_id=room.ideas["bus"]["id"], theme_id=room.nature["id"])
    assert "Un bus de nuit" not in texts(room.read(room.awa, mob))
    assert texts(room.read(room.awa, {"theme_id": room.nature["id"]})) == ["Un bus de nuit", "Plus d'arbres"]


def test_an_anonymous_workshop_shows_no_name(service):
    room = Room(service, anonymous=True)
    room.ok("advance_phase", room.fac)
    idea = room.ok("post_idea", room.awa, text="Des bancs à l'ombre")["idea"]
    room.ok("advance_phase", room.fac)
    theme = room.ok("create_theme", room.fac, title="Se reposer")["theme"]
    room.ok("move_idea", room.fac, idea_id=idea["id"], theme_id=theme["id"])
    (shown,) = room.read(room.bruno, {"theme_id": theme["id"]})["ideas"]
    assert shown["text"] == "Des bancs à l'ombre"
    assert shown["author"] is None and shown["group"] == "habitant"
    assert "Awa" not in repr(shown)


def test_converge_reads_the_kept_themes_ideas(define):
    room = define
    room.ok("advance_phase", room.fac, kept_theme_ids=[room.mob["id"]])  # converge
    assert texts(room.read(room.awa, {"theme_id": room.mob["id"]}))[0] == "Un bus de nuit"


@pytest.mark.parametrize(
    "payload, code",
    [
        (None, "invalid_payload"),
        ("3", "invalid_payload"),
        ([1], "invalid_payload"),
        ({}, "invalid_field"),
        ({"theme_id": "1"}, "invalid_field"),
        ({"theme_id": True}, "invalid_field"),
        ({"theme_id": -4}, "invalid_field"),
        ({"theme_id": 2**40}, "invalid_field"),
    ],
)
def test_malformed_payloads_are_refused(define, payload, code):
    with pytest.raises(ValidationError) as error:
        define.read(define.awa, payload)
    assert error.value.code == code


def test_unknown_themes_wrong_round_and_wrong_phase(define, service):
    room = define
    with pytest.raises(NotFound) as error:
        room.read(room.awa, {"theme_id": room.nature["id"] + 1000})
    assert error.value.code == "unknown_theme"
    # a theme of another workshop is unknown here, never someone else's data
    other = Room(service)
    with pytest.raises(NotFound) as error:
        other.read(other.awa, {"theme_id": room.mob["id"]})
    assert error.value.code == "unknown_theme"
    # a guest has not joined
    with pytest.raises(Forbidden) as error:
        room.read(service.authenticate(code=room.code), {"theme_id": room.mob["id"]})
    assert (error.value.code, error.value.params["needs"]) == ("role", "join")
    # define reopened to diverge: the themes are there, but phones do not show them
    room.ok("reopen_phase", room.fac)
    with pytest.raises(PhaseError) as error:
        room.read(room.awa, {"theme_id": room.mob["id"]})
    assert (error.value.code, error.value.params["phase"]) == ("wrong_phase", "diverge")
    # round 1 closed: its themes belong to another round than the current one
    for _ in range(3):
        room.ok("advance_phase", room.fac)
    with pytest.raises(ValidationError) as error:
        room.read(room.awa, {"theme_id": room.mob["id"]})
    assert error.value.code == "other_round"


def test_over_socketio_the_answer_and_the_errors_are_sentences(app):
    """The adapter answers once, with the ack shape and a French sentence for each refusal."""
    service = app.extensions["workshop.service"]
    room = Room(service)
    room.ok("advance_phase", room.fac)
    idea = room.ok("post_idea", room.awa, text="Un jardin partagé")["idea"]
    room.ok("advance_phase", room.fac)
    theme = room.ok("create_theme", room.fac, title="Nature")["theme"]
    room.ok("move_idea", room.fac, idea_id=idea["id"], theme_id=theme["id"])
    socketio = app.extensions["socketio"]
    phone = socketio.test_client(app, auth={"code": room.code, "role": "screen"}, flask_test_client=app.test_client())
    try:
        answer = phone.emit("theme.ideas", {"theme_id": theme["id"]}, callback=True)
        assert answer["ok"] is True
        assert [i["text"] for i in answer["data"]["ideas"]] == ["Un jardin partagé"]
        refused = phone.emit("theme.ideas", {"theme_id": theme["id"] + 99}, callback=True)
        assert refused["ok"] is False
        assert (refused["error"]["code"], refused["error"]["message"]) == ("unknown_theme", "Ce thème n'existe pas.")
        bad = phone.emit("theme.ideas", {"theme_id": "x"}, callback=True)
        assert bad["error"]["code"] == "invalid_field"
        assert phone.get_received() == []  # a read broadcasts nothing
    finally:
        phone.disconnect()
