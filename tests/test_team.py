"""A team runs the room: the moderator's and scribe's links, the approval queue, the abuse filter, sheets saved from two consoles.

The service layer on SQLite and PostgreSQL; the adapter (links revoked while a
connection is open) over Flask-SocketIO's test client; a hypothesis property:
whatever is posted, held, approved, rejected or hidden, the projector's
snapshot and the room's count show exactly the approved, visible ideas.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import new_op

from workshop.errors import Conflict, Forbidden, Unauthenticated, ValidationError
from workshop.services import MODERATOR, SCRIBE

INSULT = "Le maire est un connard"


class Room:
    """A workshop in diverge with its facilitator, moderator, scribe, projector and two phones."""

    def __init__(self, service, **settings):
        created = service.create_workshop("Atelier en équipe", rounds=["Dans 10 ans…"], settings=settings or None)
        self.service = service
        self.code = created["workshop"]["code"]
        self.fac = service.authenticate(facilitator_token=created["facilitator_token"])
        links = service.team_links(self.fac.workshop_id)
        self.links = links
        self.mod = service.authenticate(moderator_token=links[MODERATOR])
        self.scribe = service.authenticate(scribe_token=links[SCRIBE])
        self.screen = service.authenticate(code=self.code, role="screen")
        guest = service.authenticate(code=self.code)
        self.phones = [
            service.authenticate(code=self.code, token=service.join(guest, {"op_id": new_op(), "group": "habitant"}).result["token"])
            for _ in range(2)
        ]
        self.ok("advance_phase", self.fac)

    def ok(self, method, actor, **payload):
        return getattr(self.service, method)(actor, {"op_id": new_op(), **payload}).result

    def idea(self, actor, text, **extra):
        return self.ok("post_idea", actor, text=text, **extra)["idea"]

    def wall(self) -> list[str]:
        """The texts the projector shows."""
        return [i["text"] for i in self.service.snapshot(self.screen)["rounds"][0]["ideas"]]

    def count(self) -> int:
        return sum(self.service.snapshot(self.screen)["presence"]["ideas"].values())


@pytest.fixture
def room(service):
    return Room(service)


def test_each_role_connects_with_its_own_link_and_a_new_link_revokes_the_old(room, service):
    assert (room.mod.role, room.scribe.role) == (MODERATOR, SCRIBE)
    old = room.links[SCRIBE]
    links = room.ok("team_link", room.fac, role=SCRIBE)["links"]
    assert links[SCRIBE] != old and links[MODERATOR] == room.links[MODERATOR]
    with pytest.raises(Unauthenticated) as refused:
        service.authenticate(scribe_token=old)
    assert refused.value.code == "link_revoked"
    with pytest.raises(Unauthenticated):
        service.check_link(room.scribe)  # the connection opened with the old link stops working
    service.check_link(service.authenticate(scribe_token=links[SCRIBE]))
    assert room.ok("team_link", room.fac, role=MODERATOR, revoke=True)["links"][MODERATOR] is None
    with pytest.raises(Unauthenticated):
        service.check_link(room.mod)
    with pytest.raises(ValidationError):
        room.ok("team_link", room.fac, role="facilitator")


def test_a_scribe_types_notes_with_their_group_and_cannot_moderate(room):
    notes = [room.idea(room.scribe, f"Note {n}", group=group) for n, group in enumerate(("habitant", "agent", None))]
    assert [(n["group"], n["on_behalf"], n["review"]) for n in notes] == [
        ("habitant", True, "approved"),
        ("agent", True, "approved"),
        (None, True, "approved"),
    ]
    assert room.wall() == ["Note 0", "Note 1", "Note 2"]
    with pytest.raises(Forbidden) as refused:
        room.ok("hide_idea", room.scribe, idea_id=notes[0]["id"])
    assert refused.value.params["needs"] == "moderator"
    with pytest.raises(Forbidden):
        room.ok("advance_phase", room.scribe)
    # the scribe's page lists the notes typed for people, with their review state
    listed = room.service.snapshot(room.scribe)["rounds"][0]["ideas"]
    assert [i["text"] for i in listed] == ["Note 0", "Note 1", "Note 2"] and "participant_id" not in listed[0]


def test_a_moderator_moderates_but_cannot_run_the_workshop(room):
    idea = room.idea(room.phones[0], "Des bancs")
    room.ok("hide_idea", room.mod, idea_id=idea["id"])
    assert room.wall() == []
    for method, payload in (
        ("advance_phase", {}),
        ("reveal_tallies", {}),
        ("publish_restitution", {"published": True}),
        ("team_link", {"role": SCRIBE}),
        ("set_timer", {"seconds": 60}),
    ):
        with pytest.raises(Forbidden):
            room.ok(method, room.mod, **payload)


def test_the_approval_queue_holds_new_ideas_until_a_moderator_decides(room):
    room.ok("set_approval", room.mod, enabled=True)
    kept = room.idea(room.scribe, "Un jardin partagé", group="habitant")
    refused = room.idea(room.scribe, "Hors sujet", group="agent")
    mine = room.idea(room.phones[0], "Plus de lumière")
    assert {kept["review"], refused["review"], mine["review"]} == {"pending"}
    assert room.wall() == [] and room.count() == 0
    phone = room.service.snapshot(room.phones[0])["rounds"][0]["ideas"]
    assert [(i["text"], i["review"]) for i in phone] == [("Plus de lumière", "pending")]  # the author sees it waits
    answer = room.ok("review", room.mod, decision="approve", idea_ids=[kept["id"]])
    assert [i["review"] for i in answer["ideas"]] == ["approved"]
    room.ok("review", room.mod, decision="reject", idea_ids=[refused["id"]])
    assert room.wall() == ["Un jardin partagé"] and room.count() == 1
    # a second moderator approving the same again changes nothing and says so
    again = room.ok("review", room.fac, decision="approve", idea_ids=[kept["id"], refused["id"]])
    assert again["ideas"] == [] and again["skipped"]["ideas"] == [kept["id"], refused["id"]]
    assert room.wall() == ["Un jardin partagé"]
    # a pending idea cannot be merged; the facilitator's own are never held
    with pytest.raises(ValidationError) as held:
        room.ok("merge_ideas", room.fac, idea_id=mine["id"], into_id=kept["id"])
    assert held.value.code == "not_reviewed"
    assert room.idea(room.fac, "Note de l'animatrice")["review"] == "approved"
    # switching the queue off approves nothing that waits
    room.ok("set_approval", room.fac, enabled=False)
    assert "Plus de lumière" not in room.wall()
    assert room.idea(room.phones[1], "Des arbres")["review"] == "approved"


def test_an_insult_is_held_even_with_the_queue_off_and_highlighted_for_moderators(room):
    idea = room.idea(room.phones[0], INSULT)
    assert idea["review"] == "pending" and "flags" not in idea  # the author is told it waits, not what matched
    full = next(i for i in room.service.snapshot(room.mod)["rounds"][0]["ideas"] if i["id"] == idea["id"])
    ((start, end),) = full["flags"]["text"]
    assert INSULT[start:end] == "connard"
    assert room.wall() == []
    # edited into an insult, an approved idea goes back to the inbox
    clean = room.idea(room.phones[1], "Des bancs à l'ombre")
    edited = room.ok("edit_idea", room.phones[1], idea_id=clean["id"], text="Des bancs, pas des s4l0pes")
    assert edited["idea"]["review"] == "pending" and room.wall() == []
    # a plan's own words extend the lists
    extra = Room(room.service, abuse_words=["patate pourrie"])
    assert extra.idea(extra.phones[0], "Quelle PATATE pourrie")["review"] == "pending"
    assert room.idea(room.phones[0], "Quelle patate pourrie")["review"] == "approved"


def test_held_ideas_and_actions_stay_out_of_syntheses_votes_and_the_plan(room):
    room.ok("set_approval", room.fac, enabled=True)
    shown = room.idea(room.phones[0], "Idée validée")
    room.idea(room.phones[1], "Idée en attente")
    room.ok("review", room.mod, decision="approve", idea_ids=[shown["id"]])
    room.ok("advance_phase", room.fac)  # define
    diverge = room.service.snapshot(room.fac)["rounds"][0]["syntheses"]["diverge"]
    assert [i["text"] for i in diverge["ideas"]] == ["Idée validée"] and diverge["total_ideas"] == 1
    theme = room.ok("create_theme", room.fac, title="Cadre de vie")["theme"]
    room.ok("advance_phase", room.fac, kept_theme_ids=[theme["id"]])  # converge
    waiting = room.ok("propose_action", room.phones[0], theme_id=theme["id"], title="Un banc par rue")["action"]
    assert waiting["review"] == "pending"
    assert [a["title"] for a in room.service.snapshot(room.phones[1])["rounds"][0]["actions"]] == []
    assert [a["title"] for a in room.service.snapshot(room.phones[0])["rounds"][0]["actions"]] == ["Un banc par rue"]
    room.ok("open_vote", room.fac, open=True)
    with pytest.raises(Exception) as refused:
        room.ok("vote", room.phones[1], kind="action", target_id=waiting["id"])
    assert refused.value.code == "unknown_action"
    room.ok("advance_phase", room.fac)  # closed, the action still waiting
    assert room.service.snapshot(room.fac)["rounds"][0]["syntheses"]["converge"]["actions"] == []
    # approved after the close: the frozen synthesis and the plan take it in
    room.ok("review", room.mod, decision="approve", action_ids=[waiting["id"]])
    converge = room.service.snapshot(room.fac)["rounds"][0]["syntheses"]["converge"]
    assert [a["title"] for a in converge["actions"]] == ["Un banc par rue"]


def test_two_consoles_saving_the_same_sheet_second_gets_a_conflict(room):
    room.ok("advance_phase", room.fac)
    theme = room.ok("create_theme", room.fac, title="Mobilités")["theme"]
    # themes too, and a moderator may correct a theme's text
    room.ok("update_theme", room.mod, theme_id=theme["id"], title="Se déplacer", version=theme["version"])
    with pytest.raises(Conflict):
        room.ok("update_theme", room.fac, theme_id=theme["id"], title="Bouger", version=theme["version"])
    room.ok("advance_phase", room.fac, kept_theme_ids=[theme["id"]])
    action = room.ok("propose_action", room.fac, theme_id=theme["id"], title="Une navette")["action"]
    opened = action["version"]  # both consoles open the sheet at this version
    first = room.ok("update_action", room.fac, action_id=action["id"], owner="Mairie", version=opened)["action"]
    assert first["version"] == opened + 1
    with pytest.raises(Conflict) as conflict:
        room.ok("update_action", room.fac, action_id=action["id"], owner="Centre social", version=opened)
    assert conflict.value.params == {"version": opened + 1}
    assert room.service.snapshot(room.fac)["rounds"][0]["actions"][0]["owner"] == "Mairie"  # nothing overwritten
    room.ok("update_action", room.fac, action_id=action["id"], owner="Centre social", version=opened + 1)  # deliberate


# --------------------------------------------------------------------------- one property for every mix

STEP = st.one_of(
    st.tuples(
        st.just("post"), st.sampled_from(["phone", "scribe", "fac"]), st.sampled_from(["Des arbres", INSULT, "Un c0nnard de voisin"])
    ),
    st.tuples(st.just("queue"), st.booleans(), st.none()),
    st.tuples(st.just("review"), st.sampled_from(["approve", "reject"]), st.integers(0, 30)),
    st.tuples(st.just("hide"), st.booleans(), st.integers(0, 30)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, max_size=14))
def test_the_wall_shows_exactly_the_approved_visible_ideas(service, steps):
    """Whatever is posted, held, decided or hidden, in any order: the projector and the count show the approved, visible ideas,
    a text the filter matched never reaches the wall unless a moderator approved it, and the facilitator's are never held."""
    room = Room(service)
    who = {"phone": room.phones[0], "scribe": room.scribe, "fac": room.fac}
    posted: list[dict] = []
    for step in steps:
        if step[0] == "post":
            idea = room.idea(who[step[1]], step[2])
            assert idea["review"] == "approved" if step[1] == "fac" else idea["review"] in ("approved", "pending")
            if step[2] != "Des arbres" and step[1] != "fac":
                assert idea["review"] == "pending"
            posted.append(idea)
        elif step[0] == "queue":
            room.ok("set_approval", room.mod, enabled=step[1])
        elif posted:
            target = posted[step[2] % len(posted)]["id"]
            if step[0] == "review":
                room.ok("review", room.mod, decision=step[1], idea_ids=[target])
            else:
                room.ok("hide_idea", room.mod, idea_id=target, hidden=step[1])
    ideas = service.snapshot(room.fac)["rounds"][0]["ideas"]
    shown = [i["id"] for i in service.snapshot(room.screen)["rounds"][0]["ideas"]]
    assert shown == [i["id"] for i in ideas if i["review"] == "approved" and not i["hidden"]]
    assert room.count() == len(shown)
    for i in ideas:
        if i["flags"] and i["id"] in shown:
            assert any(s[0] == "review" for s in steps), "a matched text reached the wall without a moderator's decision"
        if not i["participant_id"] and not i["on_behalf"]:
            pytest.fail("every idea here has an author or was typed for someone")
    assert all(i["review"] == "approved" for i, step in zip(posted, [s for s in steps if s[0] == "post"]) if step[1] == "fac")


# --------------------------------------------------------------------------- over Socket.IO


def test_a_revoked_link_is_told_at_once_and_refused_its_next_event(app):
    service = app.extensions["workshop.service"]
    socketio = app.extensions["socketio"]
    created = service.create_workshop("Atelier", rounds=["Q"])
    links = service.team_links(created["workshop"]["id"])

    def connect(auth):
        return socketio.test_client(app, auth=auth, flask_test_client=app.test_client())

    fac = connect({"facilitator_token": created["facilitator_token"]})
    scribe = connect({"scribe_token": links[SCRIBE]})
    moderator = connect({"moderator_token": links[MODERATOR]})
    assert scribe.emit("snapshot", {}, callback=True)["data"]["role"] == SCRIBE
    assert "team" not in moderator.emit("snapshot", {}, callback=True)["data"]
    assert fac.emit("snapshot", {}, callback=True)["data"]["team"] == links
    answer = fac.emit("team.link", {"op_id": new_op(), "role": SCRIBE, "revoke": True}, callback=True)
    assert answer["ok"] and answer["data"]["links"][SCRIBE] is None

    def received(client, name):
        return [m["args"][0] for m in client.get_received() if m["name"] == name]

    import time

    deadline = time.monotonic() + 5
    told: list = []
    while not told and time.monotonic() < deadline:  # the broadcaster runs in its own task
        told = received(scribe, "link.revoked")
        socketio.sleep(0.02)
    assert told == [{"role": SCRIBE}]
    refused = scribe.emit("idea.post", {"op_id": new_op(), "text": "Note"}, callback=True)
    assert refused["error"]["code"] == "link_revoked" and refused["error"]["type"] == "unauthenticated"
    assert "équipe" in refused["error"]["message"]
    assert not connect({"scribe_token": links[SCRIBE]}).is_connected()
    assert moderator.emit("snapshot", {}, callback=True)["ok"]  # the other link still works
    for client in (fac, scribe, moderator):
        client.disconnect()


def test_the_archive_keeps_what_waits_and_what_was_rejected(room, service):
    """A workshop exported and imported again shows the same wall: held and rejected ideas stay off it."""
    import json

    from workshop.exports import export
    from workshop.importer import import_snapshot

    room.ok("set_approval", room.fac, enabled=True)
    shown = room.idea(room.phones[0], "Idée validée")
    refused = room.idea(room.phones[0], "Idée refusée")
    room.idea(room.phones[1], "Idée en attente")
    room.ok("review", room.mod, decision="approve", idea_ids=[shown["id"]])
    room.ok("review", room.mod, decision="reject", idea_ids=[refused["id"]])
    archive = json.loads(export(service.full_snapshot(room.fac.workshop_id), "json", personal_data=True))
    assert sorted(i["review"] for i in archive["rounds"][0]["ideas"]) == ["approved", "pending", "rejected"]
    created = import_snapshot(service.db, archive)
    copy = service.authenticate(code=created["workshop"]["code"], role="screen")
    assert [i["text"] for i in service.snapshot(copy)["rounds"][0]["ideas"]] == ["Idée validée"]
    links = service.team_links(created["workshop"]["id"])
    assert links["moderator"] and links["scribe"]  # the copy has a team of its own
