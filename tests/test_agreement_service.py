"""Agreement across groups at the service layer, on SQLite and PostgreSQL (the ``service`` fixture).

The facilitator opens the agree/disagree round in converge, closes it and reveals it;
participants say agree / neutral / disagree per approved action, once per action,
changing it while open; an action waiting for review is not on the ballot; every phase
change closes the round; snapshots show each role what it may see; exports carry it with
the small groups merged into "autres".
"""

from __future__ import annotations

import pytest
from support import new_op
from test_services import Room, count_rows, rejected

from workshop.errors import Forbidden, NotFound, PhaseError, ValidationError
from workshop.storage.models import Stance

GROUPS = ["habitant", "élu", "agent", "association"]


def converge_room(service, people: dict[str, int] | None = None, *, actions=("Un jardin partagé", "Un bus le dimanche", "Des bancs")):
    """A workshop in converge with a kept theme, its actions (by the facilitator: approved) and phones of several groups."""
    room = Room(service, settings={"groups": GROUPS})
    phones: dict[str, list] = {}
    for group, n in (people or {"habitant": 5, "élu": 5, "agent": 2}).items():
        phones[group] = [room.join(f"{group}{i}", group) for i in range(n)]
    room.advance()
    someone = next(iter(phones.values()))[0]
    idea = room.idea(someone, "Plus de vert")
    room.advance()
    theme = room.theme("Cadre de vie")
    room.ok("move_idea", room.fac, idea_id=idea["id"], theme_id=theme["id"])
    room.advance(kept_theme_ids=[theme["id"]], open_vote=False)
    made = [room.ok("propose_action", room.fac, theme_id=theme["id"], title=t)["action"] for t in actions]
    return room, phones, theme, made


def say(room, phone, action, stance):
    return room.ok("answer_agreement", phone, action_id=action["id"], stance=stance)


def state_of(room):
    return room.full()["agreement"][0]


def test_agreement_lifecycle_and_results(service):
    room, phones, _theme, (garden, bus, benches) = converge_room(service)
    hab, elu, agent = phones["habitant"], phones["élu"], phones["agent"]
    ana = hab[0]
    rejected(room, lambda: say(room, ana, garden, "agree"), "agreement_not_open", PhaseError)
    assert "agreement" not in room.full(), "no agreement round yet: archives are as before"

    opened = room.ok("open_agreement", room.fac, open=True)["agreement"]
    assert opened["open"] is True and opened["revealed"] is False and opened["opened_at"]
    assert opened["results"]["answers"] == 0

    for p in hab:
        say(room, p, garden, "agree")
        say(room, p, bus, "agree")
    for p in elu:
        say(room, p, garden, "agree")
        say(room, p, bus, "disagree")
    for p in agent:
        say(room, p, garden, "neutral")
    # a stance can be changed while open: still one per person per action
    assert say(room, ana, benches, "agree") == {"round_id": garden["round_id"], "action_id": benches["id"], "stance": "agree"}
    say(room, ana, benches, "disagree")
    assert count_rows(service, Stance) == 5 + 5 + 5 + 5 + 2 + 1

    res = state_of(room)["results"]
    by_id = {a["action_id"]: a for a in res["actions"]}
    assert res["answers"] == 12
    assert by_id[benches["id"]]["disagree"] == 1 and by_id[benches["id"]]["agree"] == 0
    # the two agents (fewer than 5) are counted under "autres", which then joins the smallest group
    assert set(by_id[garden["id"]]["by_group"]) == {"élu", "autres"}
    assert by_id[bus["id"]]["by_group"] == {
        "habitant": {"stances": 5, "agree": 5, "neutral": 0, "disagree": 0, "share": 1.0},
        "élu": {"stances": 5, "agree": 0, "neutral": 0, "disagree": 5, "share": 0.0},
    }
    assert res["agreed"] == [garden["id"]]
    assert res["divided"] == [bus["id"]]

    # the room sees the figures only once revealed; a phone gets its own stances
    assert service.snapshot(ana)["agreement"][0]["results"] is None
    assert service.snapshot(ana)["agreement"][0]["mine"] == {
        str(garden["id"]): "agree",
        str(bus["id"]): "agree",
        str(benches["id"]): "disagree",
    }
    screen = service.authenticate(code=room.code, role="screen")
    seen = service.snapshot(screen)["agreement"][0]
    assert seen["results"] is None and seen["answers"] == 12 and "mine" not in seen
    assert service.snapshot(room.fac)["agreement"][0]["results"] == res

    closed = room.ok("open_agreement", room.fac, open=False)["agreement"]
    assert closed["open"] is False and closed["closed_at"]
    rejected(room, lambda: say(room, ana, garden, "disagree"), "agreement_closed", PhaseError)

    room.ok("reveal_agreement", room.fac, revealed=True)
    assert service.snapshot(ana)["agreement"][0]["results"] == res
    assert service.snapshot(screen)["agreement"][0]["results"] == res
    room.ok("reveal_agreement", room.fac, revealed=False)
    assert service.snapshot(screen)["agreement"][0]["results"] is None


def test_answer_is_exactly_once_and_only_on_the_ballot(service):
    room, phones, theme, (garden, *_rest) = converge_room(service, {"habitant": 2})
    ana, bob = phones["habitant"]
    room.ok("open_agreement", room.fac, open=True)
    op = new_op()
    first = service.answer_agreement(ana, {"op_id": op, "action_id": garden["id"], "stance": "agree"})
    again = service.answer_agreement(ana, {"op_id": op, "action_id": garden["id"], "stance": "agree"})
    assert again.replayed and again.result == first.result
    assert count_rows(service, Stance) == 1

    # an action waiting for review is not on the ballot
    room.ok("set_approval", room.fac, enabled=True)
    waiting = room.ok("propose_action", bob, theme_id=theme["id"], title="Une fresque")["action"]
    assert waiting["review"] == "pending"
    rejected(room, lambda: say(room, bob, waiting, "agree"), "unknown_action", NotFound)
    rejected(room, lambda: say(room, bob, garden, "yes"), "invalid_field", ValidationError)
    rejected(room, lambda: say(room, bob, {"id": 10**6}, "agree"), "unknown_action", NotFound)
    # another workshop's action
    other, other_phones, _t, (far, *_r) = converge_room(service, {"habitant": 1})
    rejected(room, lambda: say(room, bob, far, "agree"), "unknown_action", NotFound)


def test_roles_and_phases(service):
    room, phones, _theme, (garden, *_rest) = converge_room(service, {"habitant": 1})
    ana = phones["habitant"][0]
    screen = service.authenticate(code=room.code, role="screen")
    for who in (ana, screen):
        rejected(room, lambda who=who: room.ok("open_agreement", who, open=True), "role", Forbidden)
        rejected(room, lambda who=who: room.ok("reveal_agreement", who), "role", Forbidden)
    rejected(room, lambda: room.ok("answer_agreement", room.fac, action_id=garden["id"], stance="agree"), "role", Forbidden)
    rejected(room, lambda: room.ok("open_agreement", room.fac), "invalid_field", ValidationError)
    rejected(room, lambda: room.ok("reveal_agreement", room.fac), "agreement_not_open", PhaseError)

    room.ok("open_agreement", room.fac, open=True)
    say(room, ana, garden, "agree")
    # every phase change closes it (as the dot vote): going back to define…
    room.ok("reopen_phase", room.fac)
    assert state_of(room)["open"] is False
    rejected(room, lambda: say(room, ana, garden, "neutral"), "wrong_phase", PhaseError)
    # …and back in converge it stays closed until the facilitator opens it again
    room.ok("advance_phase", room.fac)
    rejected(room, lambda: say(room, ana, garden, "neutral"), "agreement_closed", PhaseError)
    room.ok("open_agreement", room.fac, open=True)
    say(room, ana, garden, "neutral")
    out = room.ok("advance_phase", room.fac)
    assert out["round"]["phase"] == "closed" and state_of(room)["open"] is False
    # a closed round's agreement cannot be opened again, but can still be revealed (the restitution of the day)
    rejected(room, lambda: room.ok("open_agreement", room.fac, round_id=garden["round_id"], open=True), "wrong_phase", PhaseError)
    room.ok("reveal_agreement", room.fac, round_id=garden["round_id"], revealed=True)
    assert state_of(room)["revealed"] is True


@pytest.mark.parametrize("fmt", ["markdown", "html", "json"])
def test_exports_merge_small_groups(service, fmt):
    from workshop.exports import export

    room, phones, _theme, (garden, bus, _benches) = converge_room(service, {"habitant": 5, "élu": 5, "agent": 2, "association": 1})
    room.ok("open_agreement", room.fac, open=True)
    for p in phones["habitant"] + phones["élu"]:
        say(room, p, garden, "agree")
    for p in phones["habitant"]:
        say(room, p, bus, "agree")
    for p in phones["élu"]:
        say(room, p, bus, "disagree")
    for p in phones["agent"] + phones["association"]:
        say(room, p, garden, "disagree")
    room.ok("advance_phase", room.fac)
    doc = export(room.full(), fmt, lang="fr")
    text = doc.decode() if isinstance(doc, bytes) else doc
    assert "Un bus le dimanche" in text
    # the agreement's part only (the participation table and the archive's participants list every group, as before)
    if fmt == "json":
        import json

        text = json.dumps(json.loads(text)["agreement"], ensure_ascii=False)
    else:
        start = text.index("Accord entre les collèges")
        text = text[start : text.index("Annexe", start)]
    assert "agent" not in text, "a group of 2 is never shown on its own"
    assert "association" not in text
    if fmt == "json":
        rounds = json.loads(text)
        garden_row = next(a for a in rounds[0]["actions"] if a["title"] == "Un jardin partagé")
        # agents (2) and association (1) are "autres", still under 5: the smallest group joins it (merge_small_groups)
        assert set(garden_row["by_group"]) == {"élu", "autres"}
        assert garden_row["by_group"]["autres"]["stances"] == 8
    else:
        assert "Points d’accord" in text and "Points qui divisent" in text and "autres" in text
