"""workshop.domain.visibility: what each role may see of a snapshot."""

from __future__ import annotations

import json

import pytest
from domain_builders import STAMP, RoundBuilder, full_snapshot

from workshop.domain.phases import CLOSED, CONVERGE, DEFINE, DIVERGE
from workshop.domain.visibility import public_idea, public_snapshot, tallies_visible


def test_public_idea() -> None:
    b = RoundBuilder()
    shown = b.idea("Des bancs", pid=3, author="Léa")
    hidden = b.idea("insulte", pid=3, hidden=True)
    withdrawn = b.idea("non", pid=3, withdrawn=True)
    merged = b.idea("des bancs", pid=4, merged_into=shown)
    ideas = {i["id"]: i for i in b.build()["ideas"]}
    view = public_idea(ideas[shown])
    assert view is not None and "participant_id" not in view
    assert (view["text"], view["author"], view["count"]) == ("Des bancs", "Léa", 2)
    assert public_idea(ideas[hidden]) is None
    assert public_idea(ideas[withdrawn]) is None
    assert public_idea(ideas[merged]) is None


def _room(settings: dict | None = None, phase: str = DIVERGE, revealed: bool = False) -> tuple[dict, dict[str, int]]:
    b = RoundBuilder(phase=phase, tallies_revealed=revealed)
    t: dict[str, int] = {}
    t["mine"] = b.idea("Mon idée", pid=1, author="Léa")
    t["mine_hidden"] = b.idea("Mon idée cachée", pid=1, hidden=True)
    t["other"] = b.idea("Son idée", pid=2, author="Sam")
    t["other_hidden"] = b.idea("Son idée cachée", pid=2, hidden=True)
    t["other_withdrawn"] = b.idea("Son idée retirée", pid=2, withdrawn=True)
    t["theme"] = b.theme("Nature", kept=True)
    t["action"] = b.action("Planter", t["theme"], pid=2)
    b.vote("theme", t["theme"], 1, "habitant", 2)
    b.vote("theme", t["theme"], 2, "agent", 1)
    b.vote("action", t["action"], 1, "habitant", 1)
    participants = [
        {"id": 1, "pseudonym": "Léa", "group": "habitant", "joined_at": STAMP},
        {"id": 2, "pseudonym": "Sam", "group": "agent", "joined_at": STAMP},
    ]
    return full_snapshot([b.build()], settings, participants), t


def _round_of(snapshot: dict) -> dict:
    return snapshot["rounds"][0]


def test_participant_sees_own_hidden_idea_but_not_others() -> None:
    full, t = _room()
    snap = public_snapshot(full, "participant", 1)
    ideas = {i["id"]: i for i in _round_of(snap)["ideas"]}
    assert set(ideas) == {t["mine"], t["mine_hidden"]}  # own ideas only: the wall is on the projector
    assert ideas[t["mine_hidden"]]["mine"] is True and ideas[t["mine_hidden"]]["hidden"] is True
    assert ideas[t["mine"]]["mine"] is True
    assert all("participant_id" not in i for i in ideas.values())
    assert all("participant_id" not in a for a in _round_of(snap)["actions"])


def test_participant_snapshot_says_who_they_are_and_their_votes() -> None:
    full, t = _room(phase=DEFINE)
    snap = public_snapshot(full, "participant", 1)
    assert snap["role"] == "participant"
    assert snap["me"] == {
        "id": 1,
        "pseudonym": "Léa",
        "group": "habitant",
        "votes": {1: {"theme": {str(t["theme"]): 2}, "action": {str(t["action"]): 1}}},
        "budget": 5,
        "cap": 3,
    }
    assert "votes" not in _round_of(snap)  # others' ballots are never sent
    assert "participants" not in snap
    assert "plan" not in snap


def test_live_tallies_are_visible() -> None:
    full, t = _room(phase=DEFINE)
    tallies = _round_of(public_snapshot(full, "participant", 1))["tallies"]
    assert tallies["theme"] == [{"id": t["theme"], "dots": 3, "voters": 2, "by_group": {"agent": 1, "habitant": 2}}]
    assert tallies["action"] == [{"id": t["action"], "dots": 1, "voters": 1, "by_group": {"habitant": 1}}]


@pytest.mark.parametrize(
    "phase, revealed, theme_visible, action_visible",
    [
        (DIVERGE, False, False, False),
        (DEFINE, False, False, False),
        (DEFINE, True, True, True),
        (CONVERGE, False, True, False),  # the theme vote is over
        (CONVERGE, True, True, True),
        (CLOSED, False, True, True),
    ],
)
def test_reveal_mode_hides_tallies_until_revealed_or_past(phase: str, revealed: bool, theme_visible: bool, action_visible: bool) -> None:
    full, _ = _room({"tallies": "reveal"}, phase=phase, revealed=revealed)
    for role, pid in (("participant", 1), ("screen", None)):
        tallies = _round_of(public_snapshot(full, role, pid))["tallies"]
        assert (tallies["theme"] is not None) == theme_visible, role
        assert (tallies["action"] is not None) == action_visible, role
    header = _round_of(full)
    assert tallies_visible(full["workshop"]["settings"], header, "theme") == theme_visible


def test_guest_gets_round_headers_only() -> None:
    full, _ = _room(phase=DEFINE)
    snap = public_snapshot(full, "guest", None)
    assert snap["role"] == "guest"
    assert set(_round_of(snap)) == {"id", "position", "question", "phase", "timings", "tallies_revealed", "timer"}
    assert "me" not in snap and "plan" not in snap
    assert "Mon idée" not in json.dumps(snap, ensure_ascii=False)


def test_screen_gets_the_plan_and_public_ideas_only() -> None:
    full, t = _room(phase=CONVERGE)
    snap = public_snapshot(full, "screen", None)
    assert snap["plan"] == full["plan"]
    assert "me" not in snap
    assert [i["id"] for i in _round_of(snap)["ideas"]] == [t["mine"], t["other"]]
    assert all("mine" not in i for i in _round_of(snap)["ideas"])


@pytest.mark.parametrize("role, pid", [("participant", 1), ("screen", None), ("guest", None)])
def test_no_secret_in_a_public_snapshot(role: str, pid: int | None) -> None:
    full, _ = _room(phase=CONVERGE)
    dumped = json.dumps(public_snapshot(full, role, pid), ensure_ascii=False)
    assert "facilitator_token" not in dumped
    assert "token" not in dumped
    assert "participant_id" not in dumped


def test_public_snapshot_does_not_alter_the_full_snapshot() -> None:
    full, _ = _room(phase=DEFINE)
    before = json.dumps(full, sort_keys=True)
    public_snapshot(full, "participant", 1)
    public_snapshot(full, "screen", None)
    assert json.dumps(full, sort_keys=True) == before
