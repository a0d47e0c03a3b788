"""Roles × events: who may send what, enforced by the server for every Socket.IO event.

The matrix is written once, below, from the "Who:" line of each event in
docs/protocol.md; :func:`test_the_matrix_is_the_documented_one` checks it
against the document and against the server's event tables, so a new event
or a changed rule cannot slip past this file.  Every (role, event) pair then
goes over Flask-SocketIO's test client (no server process): a refused pair is
answered ``{"ok": False, "error": {"code": "role", ...}}`` in French and
changes nothing; an allowed pair is never refused for its role.
"""

from __future__ import annotations

import json
import re

import pytest
from support import ROOT, new_op

from workshop.services import FACILITATOR, GUEST, MODERATOR, PARTICIPANT, SCREEN, SCRIBE
from workshop.web.sockets import READ_EVENTS, WRITE_EVENTS

ROLES = (FACILITATOR, MODERATOR, SCRIBE, PARTICIPANT, SCREEN, GUEST)
TEAM = frozenset({FACILITATOR, MODERATOR})  # the moderation a moderator shares with the facilitator
EVERYONE = frozenset(ROLES)

#: event -> the roles that may send it (docs/protocol.md, "Client → server events", each "Who:")
MAY_SEND: dict[str, frozenset[str]] = {
    "snapshot": EVERYONE,
    "join": frozenset({GUEST}),
    "idea.post": frozenset({PARTICIPANT, FACILITATOR, SCRIBE}),  # the facilitator and scribes type paper notes in
    "idea.edit": frozenset({PARTICIPANT}),
    "idea.withdraw": frozenset({PARTICIPANT}),
    "idea.hide": TEAM,
    "idea.merge": TEAM,
    "idea.unmerge": TEAM,
    "idea.move": frozenset({FACILITATOR}),
    "theme.create": frozenset({FACILITATOR}),
    "theme.update": TEAM,  # a moderator may correct a theme's text
    "theme.delete": frozenset({FACILITATOR}),
    "vote": frozenset({PARTICIPANT}),
    "action.propose": frozenset({PARTICIPANT, FACILITATOR, SCRIBE}),
    "action.update": frozenset({FACILITATOR}),
    "phase.advance": frozenset({FACILITATOR}),
    "phase.reopen": frozenset({FACILITATOR}),
    "phase.preview": frozenset({FACILITATOR}),
    "theme.ideas": frozenset({PARTICIPANT, SCREEN, FACILITATOR, MODERATOR, SCRIBE}),
    "tallies.reveal": frozenset({FACILITATOR}),
    "vote.open": frozenset({FACILITATOR}),
    "timer.set": frozenset({FACILITATOR}),
    "screen.qr": frozenset({FACILITATOR}),
    "restitution.publish": frozenset({FACILITATOR}),
    "action.status": frozenset({FACILITATOR}),
    "round.add": frozenset({FACILITATOR}),
    "assist.suggest": frozenset({FACILITATOR}),
    "assist.duplicates": TEAM,
    "review": TEAM,
    "approval.set": TEAM,
    "team.link": frozenset({FACILITATOR}),
    "poll.create": frozenset({FACILITATOR}),
    "poll.state": frozenset({FACILITATOR}),
    "poll.reveal": frozenset({FACILITATOR}),
    "poll.answer": frozenset({PARTICIPANT}),
    "agreement.open": frozenset({FACILITATOR}),
    "agreement.reveal": frozenset({FACILITATOR}),
    "agreement.answer": frozenset({PARTICIPANT}),
}

EVENTS = sorted(set(WRITE_EVENTS) | set(READ_EVENTS))
PAIRS = [pytest.param(role, event, id=f"{role}-{event}") for event in EVENTS for role in ROLES]


def test_the_matrix_is_the_documented_one():
    """Each "Who:" line of docs/protocol.md names exactly the roles of the table (outside its parentheses)."""
    assert set(MAY_SEND) == set(EVENTS), "an event was added or removed: give it a row in MAY_SEND"
    doc = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### `([a-z.]+)`\n(.*?)(?=^### |^## )", doc, flags=re.M | re.S))
    assert set(sections) == set(EVENTS)
    for event, body in sections.items():
        who = re.search(r"\*\*Who:\*\*(.*)", body).group(1)
        who = re.sub(r"\([^)]*\)?", "", who.split(". ")[0])  # the roles, not the asides
        named = EVERYONE if "anyone" in who else {role for role in ROLES if re.search(rf"\b{role}\b", who)}
        assert named == MAY_SEND[event], (event, who)


def test_each_use_case_declares_the_documented_roles():
    """The roles a write's ``use_case`` declaration admits are the documented ones: the rule is stated once, in the service."""
    declared = {event: use_case.roles for event, use_case in WRITE_EVENTS.items()}
    assert declared == {event: MAY_SEND[event] for event in WRITE_EVENTS}


# ----------------------------------------------------------------------------- the room


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One app for the module (a fresh workshop per test keeps the tests independent and fast)."""
    from workshop import create_app

    instance = tmp_path_factory.mktemp("roles") / "instance"
    return create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "TALLY_INTERVAL": 0.05})


@pytest.fixture
def room(app):
    """A workshop in define with a participant's idea, a theme and, in a closed first round, an action."""
    service = app.extensions["workshop.service"]
    created = service.create_workshop("Atelier des rôles", rounds=["Première question", "Deuxième question"])
    code = created["workshop"]["code"]
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    links = service.team_links(fac.workshop_id)
    token = service.join(service.authenticate(code=code), {"op_id": new_op(), "pseudonym": "Awa"}).result["token"]
    phone = service.authenticate(code=code, token=token)

    def op(method, actor, **payload):
        return getattr(service, method)(actor, {"op_id": new_op(), **payload}).result

    op("advance_phase", fac)  # diverge
    idea = op("post_idea", phone, text="Des bancs à l'ombre")["idea"]
    op("advance_phase", fac)  # define
    theme = op("create_theme", fac, title="Mobilités")["theme"]
    op("move_idea", fac, idea_id=idea["id"], theme_id=theme["id"])
    op("advance_phase", fac, kept_theme_ids=[theme["id"]])  # converge
    action = op("propose_action", phone, theme_id=theme["id"], title="Un banc par rue")["action"]
    op("open_vote", fac, open=True)  # a participant's vote is then refused for nothing but its role
    poll = op("create_poll", fac, kind="agree", question="D'accord ?", open=True)["poll"]
    op("open_agreement", fac, open=True)  # a participant's stance is then refused for nothing but its role
    return {
        "service": service,
        "workshop_id": fac.workshop_id,
        "auth": {
            FACILITATOR: {"facilitator_token": created["facilitator_token"]},
            MODERATOR: {"moderator_token": links[MODERATOR]},
            SCRIBE: {"scribe_token": links[SCRIBE]},
            PARTICIPANT: {"code": code, "token": token},
            SCREEN: {"code": code, "role": "screen"},
            GUEST: {"code": code},
        },
        "ids": {"idea": idea["id"], "theme": theme["id"], "action": action["id"], "poll": poll["id"]},
    }


def payload_for(event: str, ids: dict) -> dict:
    """A well-formed payload, so that a refusal can only be about the role."""
    idea, theme, action = ids["idea"], ids["theme"], ids["action"]
    fields = {
        "snapshot": {},
        "join": {"pseudonym": "Lina"},
        "idea.post": {"text": "Plus d'arbres"},
        "idea.edit": {"idea_id": idea, "text": "Des bancs partout"},
        "idea.withdraw": {"idea_id": idea},
        "idea.hide": {"idea_id": idea, "hidden": True},
        "idea.merge": {"idea_id": idea, "into_id": idea},
        "idea.unmerge": {"idea_id": idea},
        "idea.move": {"idea_id": idea, "theme_id": None},
        "theme.create": {"title": "Nature en ville"},
        "theme.update": {"theme_id": theme, "title": "Se déplacer"},
        "theme.delete": {"theme_id": theme},
        "vote": {"kind": "action", "target_id": action, "delta": 1},
        "action.propose": {"theme_id": theme, "title": "Une navette"},
        "action.update": {"action_id": action, "owner": "Mairie"},
        "phase.advance": {},
        "phase.reopen": {},
        "phase.preview": {},
        "theme.ideas": {"theme_id": theme},
        "tallies.reveal": {"revealed": True},
        "vote.open": {"open": True},
        "timer.set": {"seconds": 300},
        "screen.qr": {"visible": True},
        "restitution.publish": {"published": True},
        "action.status": {"action_id": action, "status": "done"},
        "round.add": {"question": "Troisième question"},
        "assist.suggest": {},
        "assist.duplicates": {},
        "review": {"decision": "approve", "idea_ids": [idea]},
        "approval.set": {"enabled": True},
        "team.link": {"role": "scribe"},
        "poll.create": {"kind": "scale", "question": "Utile ?"},
        "poll.state": {"poll_id": ids["poll"], "state": "closed"},
        "poll.reveal": {"poll_id": ids["poll"], "revealed": True},
        "poll.answer": {"poll_id": ids["poll"], "choices": ["agree"]},
        "agreement.open": {"open": True},
        "agreement.reveal": {"revealed": True},
        "agreement.answer": {"action_id": action, "stance": "agree"},
    }[event]
    return fields if event in READ_EVENTS else {"op_id": new_op(), **fields}


def connect(app, auth: dict):
    client = app.extensions["socketio"].test_client(app, auth=auth, flask_test_client=app.test_client())
    assert client.is_connected(), auth
    return client


def state(room) -> str:
    return json.dumps(room["service"].full_snapshot(room["workshop_id"]), sort_keys=True, ensure_ascii=False)


@pytest.fixture(scope="module")
def english_refusal(app):
    """The role refusal's sentence in English, to tell that the default one is translated."""
    created = app.extensions["workshop.service"].create_workshop("Atelier", rounds=["Q"])
    client = connect(app, {"code": created["workshop"]["code"], "role": "screen", "lang": "en"})
    try:
        answer = client.emit("round.add", {"op_id": new_op(), "question": "Q2"}, callback=True)
    finally:
        client.disconnect()
    assert answer["ok"] is False and answer["error"]["code"] == "role"
    return answer["error"]["message"]


# ----------------------------------------------------------------------------- every pair


@pytest.mark.parametrize("role, event", PAIRS)
def test_each_role_may_send_only_its_events(app, room, english_refusal, role, event):
    client = connect(app, room["auth"][role])
    try:
        before = state(room)
        answer = client.emit(event, payload_for(event, room["ids"]), callback=True)
        assert isinstance(answer, dict) and "ok" in answer, answer
        if role in MAY_SEND[event]:
            assert answer["ok"] or answer["error"]["code"] != "role", answer
            return
        assert answer["ok"] is False, answer
        error = answer["error"]
        assert (error["code"], error["type"]) == ("role", "forbidden"), error
        assert error["message"] and error["message"] != english_refusal, "a sentence in French, the default language"
        assert state(room) == before, "a refused event changes nothing"
    finally:
        client.disconnect()


# ----------------------------------------------------------------------------- what the refusal says

MISLEADING = [
    pytest.param(FACILITATOR, "vote", id="facilitator-vote"),
    pytest.param(FACILITATOR, "join", id="facilitator-join"),
    pytest.param(FACILITATOR, "idea.edit", id="facilitator-idea.edit"),
    pytest.param(GUEST, "idea.post", id="guest-idea.post"),
    pytest.param(GUEST, "vote", id="guest-vote"),
]


@pytest.mark.parametrize("role, event", MISLEADING)
def test_a_refusal_does_not_tell_the_facilitator_that_only_the_facilitator_may(app, room, role, event):
    client = connect(app, room["auth"][role])
    try:
        answer = client.emit(event, payload_for(event, room["ids"]), callback=True)
    finally:
        client.disconnect()
    assert answer["ok"] is False
    assert "animation" not in answer["error"]["message"]
