"""The use cases of ``workshop.services``, on SQLite and on PostgreSQL.

Every test takes the ``service`` fixture, which is parametrised over a SQLite
file and a fresh PostgreSQL schema: the rules (phases, budgets, permissions,
idempotency) must hold identically on both engines.
"""

from __future__ import annotations

import json
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select
from support import new_op

from workshop.errors import (
    BudgetError,
    Forbidden,
    NotFound,
    PhaseError,
    Unauthenticated,
    ValidationError,
    WorkshopError,
)
from workshop.services import WorkshopService
from workshop.storage.db import Database
from workshop.storage.models import Idea, Operation, Vote

# --------------------------------------------------------------------------- helpers


class Room:
    """One workshop with its facilitator and participants, as the tests drive it."""

    def __init__(self, service: WorkshopService, *, settings: dict | None = None, rounds=("Q1", "Q2"), title="Atelier"):
        self.service = service
        created = service.create_workshop(
            title,
            rounds=[{"question": q} for q in rounds],
            territory="Quartier Nord",
            date="2026-03-14",
            settings=settings,
        )
        self.created = created
        self.workshop = created["workshop"]
        self.id = self.workshop["id"]
        self.code = self.workshop["code"]
        self.fac = service.authenticate(facilitator_token=created["facilitator_token"])
        self.tokens: dict[int, str] = {}

    def join(self, pseudonym: str | None = None, group: str | None = None):
        guest = self.service.authenticate(code=self.code)
        out = self.service.join(guest, {"op_id": new_op(), "pseudonym": pseudonym, "group": group})
        token = out.result["token"]
        actor = self.service.authenticate(code=self.code, token=token)
        self.tokens[actor.participant_id] = token
        return actor

    def ok(self, method: str, actor, **payload):
        """Call a write use case with a fresh op id; return its result."""
        outcome = getattr(self.service, method)(actor, {"op_id": new_op(), **payload})
        assert outcome.replayed is False
        return outcome.result

    def advance(self, *, open_vote: bool = True, **payload):
        """Close the current phase; in define and converge, open the vote too, as the facilitator does before the room votes."""
        result = self.ok("advance_phase", self.fac, **payload)
        if open_vote and result["round"]["can"]["open_vote"]:
            self.ok("open_vote", self.fac, round_id=result["round"]["id"], open=True)
        return result

    def idea(self, actor, text: str, **payload) -> dict:
        return self.ok("post_idea", actor, text=text, **payload)["idea"]

    def theme(self, title: str, **payload) -> dict:
        return self.ok("create_theme", self.fac, title=title, **payload)["theme"]

    def vote(self, actor, kind: str, target_id: int, delta: int = 1) -> dict:
        return self.ok("vote", actor, kind=kind, target_id=target_id, delta=delta)

    def full(self) -> dict:
        return self.service.full_snapshot(self.id)

    def round(self, position: int = 1) -> dict:
        return self.full()["rounds"][position - 1]

    def ideas(self, position: int = 1) -> dict[int, dict]:
        return {i["id"]: i for i in self.round(position)["ideas"]}


def count_rows(service: WorkshopService, model) -> int:
    with service.db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def rejected(rooms, call, code: str, error_type: type[WorkshopError] = WorkshopError) -> WorkshopError:
    """Run ``call``, expect ``code``, and check nothing changed in any room."""
    rooms = rooms if isinstance(rooms, (list, tuple)) else [rooms]
    service = rooms[0].service
    before = [r.full() for r in rooms]
    ops_before = count_rows(service, Operation)
    with pytest.raises(error_type) as info:
        call()
    assert info.value.code == code, info.value
    assert [r.full() for r in rooms] == before
    assert count_rows(service, Operation) == ops_before
    return info.value


def all_keys(value) -> set[str]:
    """Every dict key anywhere in a JSON-like structure."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()


# --------------------------------------------------------------------------- a whole round


def test_authenticate_accepts_code_as_typed_on_a_phone(service):
    room = Room(service)
    code = room.code
    typed = [code.lower(), f" {code[:3]} {code[3:]} ", f"{code[:3]}-{code[3:]}", f"{code[:3].lower()} - {code[3:]}"]
    for variant in typed:
        actor = service.authenticate(code=variant)
        assert (actor.role, actor.workshop_id, actor.participant_id) == ("guest", room.id, None)
    assert service.authenticate(code=code.lower(), role="screen").role == "screen"
    assert service.find_workshop(code.lower())["id"] == room.id


def test_whole_round_from_diverge_to_action_plan(service):
    room = Room(service, settings={"dot_budget": 5, "dot_cap": 3})
    fac = room.fac
    assert fac.role == "facilitator"
    rounds = room.full()["rounds"]
    assert [(r["position"], r["question"], r["phase"]) for r in rounds] == [(1, "Q1", "lobby"), (2, "Q2", "lobby")]

    # --- joining, with stakeholder groups
    ana = room.join("Ana", "habitant")
    bob = room.join("Bob", "agent")
    cle = room.join(None, "association")
    full = room.full()
    assert [(p["pseudonym"], p["group"]) for p in full["participants"]] == [
        ("Ana", "habitant"),
        ("Bob", "agent"),
        (None, "association"),
    ]
    assert full["presence"] == {"count": 3, "by_group": {"agent": 1, "association": 1, "habitant": 1}, "ideas": {}}

    # --- diverge
    out = room.advance()
    assert out["closed"] == "lobby" and out["round"]["phase"] == "diverge" and out["round"]["position"] == 1

    a1 = room.idea(ana, "Des jardins partagés en bas des tours")
    a2 = room.idea(ana, "Un  bus   le dimanche  ")
    assert a2["text"] == "Un bus le dimanche"
    # The author's phone is answered in its own view, as its snapshot shows the idea: no ids of people.
    assert (a1["author"], a1["group"], a1["on_behalf"], a1["mine"]) == ("Ana", "habitant", False, True)
    assert "participant_id" not in a1
    b1 = room.idea(bob, "Jardins collectifs")
    b2 = room.idea(bob, "Idée à masquer")
    b3 = room.idea(bob, "Potager dans la cour de l'école")
    c1 = room.idea(cle, "Une maison des associations")
    c2 = room.idea(cle, "Idée retirée")
    assert c1["author"] is None and c1["group"] == "association"

    edited = room.ok("edit_idea", ana, idea_id=a2["id"], text="Un bus le dimanche et les soirs")["idea"]
    assert edited["text"] == "Un bus le dimanche et les soirs"
    withdrawn = room.ok("withdraw_idea", cle, idea_id=c2["id"])["idea"]
    assert withdrawn["withdrawn"] is True

    paper = room.idea(fac, "Plus de bancs sur la place", group="élu·e")
    assert paper["on_behalf"] is True and paper["group"] == "élu·e" and paper["participant_id"] is None
    assert paper["author"] is None

    hidden = room.ok("hide_idea", fac, idea_id=b2["id"])["idea"]
    assert hidden["hidden"] is True
    assert room.ok("hide_idea", fac, idea_id=b2["id"], hidden=False)["idea"]["hidden"] is False
    assert room.ok("hide_idea", fac, idea_id=b2["id"], hidden=True)["idea"]["hidden"] is True

    # merge b1 into a1: the kept idea counts both origins
    merged = room.ok("merge_ideas", fac, idea_id=b1["id"], into_id=a1["id"])["idea"]
    assert merged["id"] == a1["id"] and merged["count"] == 2
    # merge a1 (which has b1 merged into it) into b3: flattened, b3 stands for three
    merged = room.ok("merge_ideas", fac, idea_id=a1["id"], into_id=b3["id"])["idea"]
    assert merged["id"] == b3["id"] and merged["count"] == 3
    ideas = room.ideas()
    assert ideas[b1["id"]]["merged_into"] == b3["id"]
    assert ideas[a1["id"]]["merged_into"] == b3["id"]
    assert ideas[b3["id"]]["count"] == 3

    # --- define
    out = room.advance()
    assert out["closed"] == "diverge" and out["round"]["phase"] == "define"
    r1 = room.round()
    syn = r1["syntheses"]["diverge"]
    assert syn["question"] == "Q1"
    visible = {b3["id"], a2["id"], c1["id"], paper["id"]}
    assert {i["id"] for i in syn["ideas"]} == visible
    assert syn["total_ideas"] == 4 and syn["contributions"] == 6
    assert syn["ideas"][0]["id"] == b3["id"] and syn["ideas"][0]["count"] == 3
    assert syn["by_group"] == {"agent": 1, "association": 1, "habitant": 1, "élu·e": 1}

    green = room.theme("Nature", objective="", criteria=[])
    mobility = room.theme("Mobilité")
    places = room.theme("Lieux communs")
    renamed = room.ok("update_theme", fac, theme_id=green["id"], title="Nature en ville")["theme"]
    assert renamed["title"] == "Nature en ville"
    room.ok(
        "update_theme",
        fac,
        theme_id=green["id"],
        objective="Chaque immeuble a un espace vert partagé",
        criteria=["Nombre de jardins", "  ", "Nombre de jardiniers"],
    )
    room.ok("update_theme", fac, theme_id=mobility["id"], objective="Se déplacer tous les jours", criteria="Fréquence des bus")
    room.ok("move_idea", fac, idea_id=b3["id"], theme_id=green["id"])
    room.ok("move_idea", fac, idea_id=a2["id"], theme_id=mobility["id"])
    room.ok("move_idea", fac, idea_id=c1["id"], theme_id=places["id"])
    room.ok("move_idea", fac, idea_id=paper["id"], theme_id=places["id"])
    room.ok("move_idea", fac, idea_id=paper["id"], theme_id=None)  # back to unsorted
    themes = {t["id"]: t for t in room.round()["themes"]}
    assert themes[green["id"]]["criteria"] == ["Nombre de jardins", "Nombre de jardiniers"]
    assert themes[mobility["id"]]["criteria"] == ["Fréquence des bus"]

    v = room.vote(ana, "theme", green["id"], 3)
    assert (v["dots"], v["used"], v["remaining"]) == (3, 3, 2)
    room.vote(ana, "theme", places["id"], 2)
    room.vote(bob, "theme", mobility["id"], 2)
    room.vote(bob, "theme", places["id"], 1)
    room.vote(cle, "theme", places["id"], 3)
    v = room.vote(cle, "theme", places["id"], -1)
    assert (v["dots"], v["used"], v["remaining"]) == (2, 2, 3)
    tallies = {t["id"]: t for t in service.tallies(room.id, r1["id"], "theme")["items"]}
    assert tallies[places["id"]]["dots"] == 5
    assert tallies[places["id"]]["by_group"] == {"agent": 1, "association": 2, "habitant": 2}

    # the room chooses explicitly: not the most voted one
    out = room.advance(kept_theme_ids=[green["id"], mobility["id"]])
    assert out["closed"] == "define" and out["round"]["phase"] == "converge"
    r1 = room.round()
    kept = {t["id"]: t["kept"] for t in r1["themes"]}
    assert kept == {green["id"]: True, mobility["id"]: True, places["id"]: False}
    define = r1["syntheses"]["define"]
    assert [t["id"] for t in define["themes"]] == [places["id"], green["id"], mobility["id"]]
    assert [t["rank"] for t in define["themes"]] == [1, 2, 3]
    first = define["themes"][0]
    assert (first["dots"], first["voters"], first["kept"]) == (5, 3, False)
    assert [i["id"] for i in define["themes"][1]["ideas"]] == [b3["id"]]
    assert [i["id"] for i in define["unsorted"]] == [paper["id"]]

    # --- converge
    with pytest.raises(ValidationError) as info:
        room.ok("propose_action", ana, theme_id=places["id"], title="Une maison des associations")
    assert info.value.code == "theme_not_kept"

    garden = room.ok("propose_action", ana, theme_id=green["id"], title="Un jardin partagé par résidence", idea_ids=[b3["id"]])["action"]
    assert "participant_id" not in garden and garden["status"] == "proposed"  # the phone's view of its action
    assert service.full_snapshot(fac.workshop_id)["rounds"][0]["actions"][0]["participant_id"] == ana.participant_id
    bus = room.ok("propose_action", fac, theme_id=mobility["id"], title="Ligne de bus du dimanche", description="Tester 6 mois")["action"]
    assert bus["participant_id"] is None and bus["idea_ids"] == []
    extra = room.ok("propose_action", bob, theme_id=green["id"], title="Composteurs")["action"]

    sheet = room.ok(
        "update_action",
        fac,
        action_id=garden["id"],
        owner="Bailleur social",
        partners=["Association Les Jardiniers", "Mairie"],
        deadline="Printemps 2027",
        resources="5 000 € du contrat de ville",
        indicators=["Jardins ouverts", "Familles inscrites"],
        status="planned",
    )["action"]
    assert sheet["owner"] == "Bailleur social"
    assert sheet["partners"] == ["Association Les Jardiniers", "Mairie"]
    assert sheet["deadline"] == "Printemps 2027"
    assert sheet["resources"] == "5 000 € du contrat de ville"
    assert sheet["indicators"] == ["Jardins ouverts", "Familles inscrites"]
    assert sheet["status"] == "planned"

    room.vote(ana, "action", garden["id"], 2)
    room.vote(bob, "action", garden["id"], 1)
    room.vote(bob, "action", bus["id"], 3)
    room.vote(cle, "action", bus["id"], 1)
    room.vote(cle, "action", garden["id"], 3)
    room.vote(ana, "action", extra["id"], 1)

    out = room.advance()
    assert out["closed"] == "converge" and out["round"]["phase"] == "closed"

    # --- frozen syntheses
    r1 = room.round()
    assert set(r1["syntheses"]) == {"diverge", "define", "converge"}
    converge = r1["syntheses"]["converge"]
    assert [a["id"] for a in converge["actions"]] == [garden["id"], bus["id"], extra["id"]]

    # --- the action-plan draft
    plan = room.full()["plan"]
    assert plan["workshop"] == {"title": "Atelier", "territory": "Quartier Nord", "date": "2026-03-14"}
    p1, p2 = plan["rounds"]
    assert (p1["position"], p1["question"], p1["phase"]) == (1, "Q1", "closed")
    assert p1["closed_phases"] == ["diverge", "define", "converge"]
    assert (p1["ideas_total"], p1["contributions"]) == (4, 6)
    assert [t["id"] for t in p1["themes"]] == [green["id"], mobility["id"]]  # kept only, ranked
    g = p1["themes"][0]
    assert g["title"] == "Nature en ville"
    assert g["objective"] == "Chaque immeuble a un espace vert partagé"
    assert g["criteria"] == ["Nombre de jardins", "Nombre de jardiniers"]
    assert [(i["id"], i["count"]) for i in g["ideas"]] == [(b3["id"], 3)]
    assert g["dots"] == 3 and g["by_group"] == {"habitant": 3}
    assert [i["id"] for i in p1["themes"][1]["ideas"]] == [a2["id"]]

    actions = p1["actions"]
    assert [(a["rank"], a["id"], a["dots"]) for a in actions] == [
        (1, garden["id"], 6),
        (2, bus["id"], 4),
        (3, extra["id"], 1),
    ]
    top = actions[0]
    assert top["by_group"] == {"agent": 1, "association": 3, "habitant": 2}
    assert top["voters"] == 3
    assert (top["title"], top["owner"], top["deadline"], top["status"]) == (
        "Un jardin partagé par résidence",
        "Bailleur social",
        "Printemps 2027",
        "planned",
    )
    assert top["partners"] == ["Association Les Jardiniers", "Mairie"]
    assert top["resources"] == "5 000 € du contrat de ville"
    assert top["indicators"] == ["Jardins ouverts", "Familles inscrites"]
    assert top["theme"]["id"] == green["id"] and top["theme"]["objective"] == "Chaque immeuble a un espace vert partagé"
    assert top["theme"]["criteria"] == ["Nombre de jardins", "Nombre de jardiniers"]
    assert [i["id"] for i in top["ideas"]] == [b3["id"]]  # lineage: the idea named at proposal
    assert actions[1]["ideas"] == []  # no idea named: no lineage guessed from its theme
    assert actions[1]["description"] == "Tester 6 mois"
    assert (p2["position"], p2["question"], p2["phase"], p2["themes"], p2["actions"]) == (2, "Q2", "lobby", [], [])

    # a closed round cannot be reopened nor advanced, nor voted in
    rejected(room, lambda: room.ok("reopen_phase", fac, round_id=r1["id"]), "round_closed", PhaseError)
    rejected(room, lambda: room.ok("advance_phase", fac, round_id=r1["id"]), "round_closed", PhaseError)
    rejected(room, lambda: room.ok("vote", ana, kind="action", target_id=bus["id"]), "wrong_phase", PhaseError)
    # ...but its sheets can still be completed (the plan and the frozen synthesis follow), not by phones,
    # not their status or theme (dated updates do that), and no longer once the restitution is public
    rejected(room, lambda: room.ok("update_action", fac, action_id=bus["id"], status="done"), "sheet_closed_field", PhaseError)
    completed = service.update_action(fac, {"op_id": new_op(), "action_id": bus["id"], "owner": "Direction des mobilités"})
    assert completed.result["action"]["owner"] == "Direction des mobilités"
    kinds = [c.kind for c in completed.changes]
    assert "synthesis" in kinds and "plan" in kinds, kinds
    frozen = service.full_snapshot(fac.workshop_id)["rounds"][0]["syntheses"]["converge"]
    assert next(a for a in frozen["actions"] if a["id"] == bus["id"])["owner"] == "Direction des mobilités"
    service.publish_restitution(fac, {"op_id": new_op(), "published": True})
    rejected(room, lambda: room.ok("update_action", fac, action_id=bus["id"], owner="X"), "sheet_published", PhaseError)
    service.publish_restitution(fac, {"op_id": new_op(), "published": False})

    # the next round is now the current one
    out = room.advance()
    assert out["round"]["position"] == 2 and out["round"]["phase"] == "diverge"
    idea = room.idea(ana, "Une idée pour la deuxième question")
    assert idea["round_id"] == room.round(2)["id"]


def test_close_define_keeps_top_k_by_default(service):
    room = Room(service, settings={"keep_top_k": 2, "dot_budget": 6, "dot_cap": 3})
    ana, bob = room.join("Ana", "habitant"), room.join("Bob", "agent")
    room.advance()
    room.idea(ana, "Une idée")
    room.advance()
    t1, t2, t3, t4 = (room.theme(f"Thème {n}") for n in range(1, 5))
    room.vote(ana, "theme", t3["id"], 3)
    room.vote(bob, "theme", t3["id"], 1)
    room.vote(bob, "theme", t2["id"], 2)
    room.vote(ana, "theme", t4["id"], 2)  # ties with t2: the earlier theme wins
    out = room.advance()
    assert out["closed"] == "define"
    kept = {t["id"] for t in room.round()["themes"] if t["kept"]}
    assert kept == {t3["id"], t2["id"]}
    plan = room.full()["plan"]["rounds"][0]
    assert [t["id"] for t in plan["themes"]] == [t3["id"], t2["id"]]
    assert [t["dots"] for t in plan["themes"]] == [4, 2]
    # only kept themes take actions
    room.ok("propose_action", ana, theme_id=t3["id"], title="Action")
    rejected(room, lambda: room.ok("propose_action", ana, theme_id=t1["id"], title="Action"), "theme_not_kept")


def test_reopen_phase(service):
    room = Room(service)
    fac = room.fac
    ana = room.join("Ana", "habitant")
    # nothing to reopen from the lobby nor from the first phase
    rejected(room, lambda: room.ok("reopen_phase", fac), "nothing_to_reopen", PhaseError)
    room.advance()
    rejected(room, lambda: room.ok("reopen_phase", fac), "nothing_to_reopen", PhaseError)
    first = room.idea(ana, "Première idée")
    room.advance()
    assert room.round()["phase"] == "define"
    rejected(room, lambda: room.idea(ana, "Trop tard"), "wrong_phase", PhaseError)

    out = room.ok("reopen_phase", fac, expected_phase="define")
    assert out["round"]["phase"] == "diverge"
    late = room.idea(ana, "Idée de retardataire")
    out = room.advance()
    assert out["closed"] == "diverge"
    syn = room.round()["syntheses"]["diverge"]
    assert {i["id"] for i in syn["ideas"]} == {first["id"], late["id"]}  # the synthesis was re-frozen
    # a stale console (expected another phase) changes nothing
    rejected(room, lambda: room.ok("reopen_phase", fac, expected_phase="converge"), "phase_changed", PhaseError)
    rejected(room, lambda: room.ok("advance_phase", fac, expected_phase="diverge"), "phase_changed", PhaseError)

    room.advance()
    room.advance()
    assert room.round()["phase"] == "closed"
    rejected(room, lambda: room.ok("reopen_phase", fac, round_id=room.round()["id"]), "round_closed", PhaseError)


def test_second_round_cannot_open_while_first_is_open(service):
    room = Room(service)
    second = room.round(2)["id"]
    room.advance()  # round 1 in diverge
    rejected(room, lambda: room.advance(round_id=second), "previous_round_open", PhaseError)
    room.advance()
    room.advance()
    rejected(room, lambda: room.advance(round_id=second), "previous_round_open", PhaseError)
    room.advance()  # round 1 closed
    out = room.advance(round_id=second)
    assert out["round"]["position"] == 2 and out["round"]["phase"] == "diverge"


def test_data_survives_a_restart(service, database_url):
    room = Room(service)
    ana = room.join("Ana", "habitant")
    room.advance()
    idea = room.idea(ana, "Persistante")
    room.advance()
    theme = room.theme("Thème", objective="Objectif", criteria=["Critère"])
    room.ok("move_idea", room.fac, idea_id=idea["id"], theme_id=theme["id"])
    room.vote(ana, "theme", theme["id"], 2)
    before = room.full()

    restarted = Database(database_url)
    try:
        again = WorkshopService(restarted)
        assert again.full_snapshot(room.id) == before
        # the same credentials still work after the restart
        actor = again.authenticate(code=room.code, token=room.tokens[ana.participant_id])
        assert actor == ana
        assert again.authenticate(facilitator_token=room.created["facilitator_token"]) == room.fac
        # and an operation acknowledged before the restart is still recognised
        op_id = new_op()
        theme2 = service.create_theme(room.fac, {"op_id": op_id, "title": "Avant"}).result
        replay = again.create_theme(room.fac, {"op_id": op_id, "title": "Avant"})
        assert replay.replayed is True and replay.result == theme2
        assert len(again.full_snapshot(room.id)["rounds"][0]["themes"]) == 2
    finally:
        restarted.dispose()


# --------------------------------------------------------------------------- idempotency


def test_same_op_id_is_applied_once(service):
    room = Room(service)
    ana = room.join("Ana", "habitant")
    room.advance()
    payload = {"op_id": new_op(), "text": "Une seule fois"}
    first = service.post_idea(ana, payload)
    again = service.post_idea(ana, dict(payload))
    assert first.replayed is False and first.changes
    assert again.replayed is True and again.changes == []
    assert again.result == first.result
    assert len(room.round()["ideas"]) == 1
    assert count_rows(service, Idea) == 1
    # a retry with a different body is still the first write (the id decides)
    third = service.post_idea(ana, {**payload, "text": "Autre texte"})
    assert third.replayed is True and third.result == first.result
    assert [i["text"] for i in room.round()["ideas"]] == ["Une seule fois"]


def test_same_op_id_vote_counts_once(service):
    room = Room(service)
    ana = room.join("Ana", "habitant")
    room.advance()
    room.advance()
    theme = room.theme("Thème")
    payload = {"op_id": new_op(), "kind": "theme", "target_id": theme["id"], "delta": 2}
    first = service.vote(ana, payload)
    again = service.vote(ana, payload)
    assert again.replayed is True and again.result == first.result
    assert [(v["target_id"], v["dots"]) for v in room.round()["votes"]] == [(theme["id"], 2)]


def test_same_op_id_from_two_participants_are_independent(service):
    room = Room(service)
    ana, bob = room.join("Ana", "habitant"), room.join("Bob", "agent")
    room.advance()
    op_id = new_op()
    a = service.post_idea(ana, {"op_id": op_id, "text": "Idée d'Ana"})
    b = service.post_idea(bob, {"op_id": op_id, "text": "Idée de Bob"})
    f = service.post_idea(room.fac, {"op_id": op_id, "text": "Idée sur papier"})
    assert not (a.replayed or b.replayed or f.replayed)
    assert len({a.result["idea"]["id"], b.result["idea"]["id"], f.result["idea"]["id"]}) == 3
    assert count_rows(service, Idea) == 3
    # and the same op id in another workshop is another operation too
    other = Room(service, title="Autre atelier")
    cle = other.join("Clé", "habitant")
    other.advance()
    assert service.post_idea(cle, {"op_id": op_id, "text": "Ailleurs"}).replayed is False
    assert count_rows(service, Idea) == 4


def test_failed_operation_is_not_recorded(service):
    """An op id whose first attempt was refused can be retried once the cause is gone."""
    room = Room(service)
    ana = room.join("Ana", "habitant")
    payload = {"op_id": new_op(), "text": "Trop tôt"}
    rejected(room, lambda: service.post_idea(ana, payload), "wrong_phase", PhaseError)
    room.advance()
    out = service.post_idea(ana, payload)
    assert out.replayed is False and out.result["idea"]["text"] == "Trop tôt"


# --------------------------------------------------------------------------- concurrency


def run_together(n: int, target) -> list:
    """Start ``n`` threads at the same instant; return what each returned or raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def work(index: int) -> None:
        barrier.wait()
        try:
            results[index] = target(index)
        except BaseException as error:
            results[index] = error

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a voting thread hung"
    return results


def test_concurrent_votes_never_exceed_the_budget(service):
    room = Room(service, settings={"dot_budget": 5, "dot_cap": 5})
    ana = room.join("Ana", "habitant")
    room.advance()
    room.advance()
    themes = [room.theme(f"Thème {n}")["id"] for n in range(3)]

    results = run_together(12, lambda i: service.vote(ana, {"op_id": new_op(), "kind": "theme", "target_id": themes[i % 3], "delta": 1}))
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, BudgetError)]
    assert unexpected == []
    succeeded = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BudgetError)]
    assert len(succeeded) == 5 and len(refused) == 7
    assert all(r.code == "budget" for r in refused)
    # applied one after the other: each saw the dots spent before it
    assert sorted(o.result["used"] for o in succeeded) == [1, 2, 3, 4, 5]
    assert sum(v["dots"] for v in room.round()["votes"]) == 5
    with service.db.sessions() as s:
        assert s.scalar(select(func.sum(Vote.dots))) == 5


def test_concurrent_votes_on_one_item_respect_the_cap(service):
    room = Room(service, settings={"dot_budget": 10, "dot_cap": 3})
    ana = room.join("Ana", "habitant")
    room.advance()
    room.advance()
    theme = room.theme("Thème")["id"]
    results = run_together(8, lambda i: service.vote(ana, {"op_id": new_op(), "kind": "theme", "target_id": theme}))
    assert [r for r in results if isinstance(r, BaseException) and not isinstance(r, BudgetError)] == []
    assert sum(not isinstance(r, BaseException) for r in results) == 3
    assert {r.code for r in results if isinstance(r, BudgetError)} == {"item_cap"}
    assert [(v["target_id"], v["dots"]) for v in room.round()["votes"]] == [(theme, 3)]


def test_concurrent_votes_of_several_participants(service):
    room = Room(service, settings={"dot_budget": 4, "dot_cap": 4})
    people = [room.join(f"P{n}", "habitant") for n in range(3)]
    room.advance()
    room.advance()
    themes = [room.theme(f"Thème {n}")["id"] for n in range(2)]
    results = run_together(
        18,
        lambda i: service.vote(people[i % 3], {"op_id": new_op(), "kind": "theme", "target_id": themes[i % 2]}),
    )
    assert [r for r in results if isinstance(r, BaseException) and not isinstance(r, BudgetError)] == []
    assert sum(not isinstance(r, BaseException) for r in results) == 12
    spent = Counter()
    for v in room.round()["votes"]:
        spent[v["participant_id"]] += v["dots"]
    assert spent == {p.participant_id: 4 for p in people}


def test_concurrent_duplicate_op_id_creates_one_row(service):
    room = Room(service)
    ana = room.join("Ana", "habitant")
    room.advance()
    payload = {"op_id": new_op(), "text": "Envoyée plusieurs fois"}
    results = run_together(8, lambda i: service.post_idea(ana, dict(payload)))
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert sum(not r.replayed for r in results) == 1
    assert len({r.result["idea"]["id"] for r in results}) == 1
    assert count_rows(service, Idea) == 1
    with service.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Operation).where(Operation.op_id == payload["op_id"])) == 1


def test_concurrent_duplicate_vote_op_id_counts_once(service):
    room = Room(service, settings={"dot_budget": 5, "dot_cap": 5})
    ana = room.join("Ana", "habitant")
    room.advance()
    room.advance()
    theme = room.theme("Thème")["id"]
    payload = {"op_id": new_op(), "kind": "theme", "target_id": theme, "delta": 2}
    results = run_together(6, lambda i: service.vote(ana, dict(payload)))
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert sum(not r.replayed for r in results) == 1
    assert [(v["target_id"], v["dots"]) for v in room.round()["votes"]] == [(theme, 2)]


# --------------------------------------------------------------------------- bad input changes nothing


@pytest.fixture
def rooms(service):
    """Two workshops in define, each with ideas, a theme and participants."""
    a = Room(service, settings={"dot_budget": 5, "dot_cap": 3}, title="A")
    b = Room(service, title="B")
    for room in (a, b):
        room.ana = room.join("Ana", "habitant")
        room.bob = room.join("Bob", "agent")
        room.advance()
        room.i_ana = room.idea(room.ana, "Idée d'Ana")
        room.i_bob = room.idea(room.bob, "Idée de Bob")
    return a, b


def test_unknown_code_and_forged_tokens(service, rooms):
    a, b = rooms
    before = [a.full(), b.full()]
    for code in ("ZZZZZZ", "!!!", "", "X" * 40, "AB"):
        with pytest.raises((Unauthenticated, NotFound)) as info:
            service.authenticate(code=code)
        assert info.value.code == "unknown_code"
    with pytest.raises(ValidationError):
        service.authenticate(code=123456)
    with pytest.raises(Unauthenticated) as info:
        service.authenticate()
    assert info.value.code == "missing_code"
    for token in ("forged-token", "", 42, a.created["facilitator_token"], b.tokens[b.ana.participant_id]):
        with pytest.raises(Unauthenticated) as info:
            service.authenticate(code=a.code, token=token)
        assert info.value.code == "bad_token"
    for token in ("forged", "", 0, a.tokens[a.ana.participant_id]):
        with pytest.raises(Unauthenticated) as info:
            service.authenticate(facilitator_token=token)
        assert info.value.code == "bad_token"
    with pytest.raises(NotFound):
        service.find_workshop("ZZZZZZ")
    assert [a.full(), b.full()] == before


def test_wrong_phase_is_refused(service, rooms):
    a, b = rooms
    fac, ana = a.fac, a.ana
    # in diverge: no themes, no theme votes, no actions
    rejected(rooms, lambda: a.theme("Trop tôt"), "wrong_phase", PhaseError)
    rejected(rooms, lambda: a.ok("move_idea", fac, idea_id=a.i_ana["id"], theme_id=None), "wrong_phase", PhaseError)
    a.advance()
    theme = a.theme("Thème")
    # in define: no new ideas, no edits, no action proposals, no action votes
    rejected(rooms, lambda: a.idea(ana, "Trop tard"), "wrong_phase", PhaseError)
    rejected(rooms, lambda: a.idea(fac, "Trop tard"), "wrong_phase", PhaseError)
    rejected(rooms, lambda: a.ok("edit_idea", ana, idea_id=a.i_ana["id"], text="Nouveau"), "wrong_phase", PhaseError)
    rejected(rooms, lambda: a.ok("withdraw_idea", ana, idea_id=a.i_ana["id"]), "wrong_phase", PhaseError)
    rejected(rooms, lambda: a.ok("propose_action", ana, theme_id=theme["id"], title="Action"), "wrong_phase", PhaseError)
    a.advance(kept_theme_ids=[theme["id"]])
    action = a.ok("propose_action", ana, theme_id=theme["id"], title="Action")["action"]
    # in converge: the theme votes and theme edits are over
    rejected(rooms, lambda: a.vote(ana, "theme", theme["id"]), "wrong_phase", PhaseError)
    rejected(rooms, lambda: a.ok("update_theme", fac, theme_id=theme["id"], title="X"), "wrong_phase", PhaseError)
    rejected(rooms, lambda: a.ok("delete_theme", fac, theme_id=theme["id"]), "wrong_phase", PhaseError)
    rejected(rooms, lambda: a.ok("merge_ideas", fac, idea_id=a.i_ana["id"], into_id=a.i_bob["id"]), "wrong_phase", PhaseError)
    a.vote(ana, "action", action["id"])


def test_over_budget_and_item_cap(service, rooms):
    a, _ = rooms
    ana = a.ana
    a.advance()
    t1, t2, t3 = (a.theme(f"T{n}")["id"] for n in range(3))
    a.vote(ana, "theme", t1, 3)
    err = rejected(rooms, lambda: a.vote(ana, "theme", t1, 1), "item_cap", BudgetError)
    assert err.params == {"cap": 3}
    a.vote(ana, "theme", t2, 2)
    err = rejected(rooms, lambda: a.vote(ana, "theme", t3, 1), "budget", BudgetError)
    assert err.params["remaining"] == 0
    rejected(rooms, lambda: a.vote(ana, "theme", t3, -1), "no_dots_to_remove", ValidationError)
    for delta in (0, 4, -4, True, "1", 1.0, None):
        rejected(rooms, lambda: a.vote(ana, "theme", t3, delta), "invalid_field", ValidationError)
    # taking a dot back frees it
    a.vote(ana, "theme", t1, -1)
    a.vote(ana, "theme", t3, 1)
    rejected(rooms, lambda: a.vote(ana, "theme", t3, 1), "budget", BudgetError)


def test_bad_texts_are_refused(service, rooms):
    a, _ = rooms
    ana, fac = a.ana, a.fac
    for text in ("", "   ", " \t\n\r ", "\u200b\u200b", "\x00\x07"):
        rejected(rooms, lambda: a.idea(ana, text), "empty_text", ValidationError)
        rejected(rooms, lambda: a.ok("edit_idea", ana, idea_id=a.i_ana["id"], text=text), "empty_text", ValidationError)
    rejected(rooms, lambda: a.idea(ana, "x" * 281), "text_too_long", ValidationError)
    rejected(rooms, lambda: a.idea(fac, "é" * 281), "text_too_long", ValidationError)
    assert a.idea(ana, "x" * 280)["text"] == "x" * 280  # the limit itself is fine
    for text in (None, 123, ["liste"], {"a": 1}, True):
        rejected(rooms, lambda: a.idea(ana, text), "invalid_field", ValidationError)
    a.advance()
    rejected(rooms, lambda: a.theme("   "), "empty_text", ValidationError)
    rejected(rooms, lambda: a.theme("t" * 201), "text_too_long", ValidationError)


def test_participant_cannot_use_facilitator_use_cases(service, rooms):
    a, _ = rooms
    ana = a.ana
    screen = service.authenticate(code=a.code, role="screen")
    guest = service.authenticate(code=a.code)
    own = a.i_ana["id"]
    facilitator_only = [
        ("advance_phase", {}),
        ("reopen_phase", {}),
        ("reveal_tallies", {}),
        ("set_timer", {"seconds": 60}),
        ("add_round", {"question": "Q3"}),
        ("hide_idea", {"idea_id": own}),
        ("merge_ideas", {"idea_id": own, "into_id": a.i_bob["id"]}),
        ("move_idea", {"idea_id": own, "theme_id": None}),
        ("create_theme", {"title": "Thème"}),
        ("update_theme", {"theme_id": 1, "title": "X"}),
        ("delete_theme", {"theme_id": 1}),
        ("update_action", {"action_id": 1, "owner": "Moi"}),
    ]
    moderation = {"hide_idea", "merge_ideas", "update_theme"}  # a moderator may do these too
    for actor in (ana, screen, guest):
        for method, payload in facilitator_only:
            err = rejected(rooms, lambda: a.ok(method, actor, **payload), "role", Forbidden)
            needs = "moderator" if method in moderation else "facilitator"
            assert err.params == {"role": actor.role, "needs": needs}
    # ideas and votes need a participant (or the facilitator for ideas)
    for actor in (screen, guest):
        rejected(rooms, lambda: a.idea(actor, "Idée"), "role", Forbidden)
        rejected(rooms, lambda: a.ok("edit_idea", actor, idea_id=own, text="X"), "role", Forbidden)
        rejected(rooms, lambda: a.ok("vote", actor, kind="theme", target_id=1), "role", Forbidden)
    rejected(rooms, lambda: a.ok("vote", a.fac, kind="theme", target_id=1), "role", Forbidden)
    rejected(rooms, lambda: a.ok("join", a.fac), "role", Forbidden)
    rejected(rooms, lambda: a.ok("join", ana), "role", Forbidden)
    # a participant cannot touch someone else's idea
    rejected(rooms, lambda: a.ok("edit_idea", ana, idea_id=a.i_bob["id"], text="X"), "not_your_idea", Forbidden)
    rejected(rooms, lambda: a.ok("withdraw_idea", ana, idea_id=a.i_bob["id"]), "not_your_idea", Forbidden)
    rejected(rooms, lambda: a.ok("edit_idea", a.fac, idea_id=a.i_bob["id"], text="X"), "role", Forbidden)


def test_malformed_payloads(service, rooms):
    a, _ = rooms
    ana, fac = a.ana, a.fac
    for payload in (None, "texte", 42, ["op_id", "text"], ("a", "b")):
        rejected(rooms, lambda: service.post_idea(ana, payload), "invalid_payload", ValidationError)
        rejected(rooms, lambda: service.hide_idea(fac, payload), "invalid_payload", ValidationError)
        rejected(rooms, lambda: service.vote(ana, payload), "invalid_payload", ValidationError)
        rejected(rooms, lambda: service.advance_phase(fac, payload), "invalid_payload", ValidationError)
    # missing or malformed op id
    for op in (None, "", "short", "x" * 65, "has space in it", "é" * 10, 12345678, True, ["abcdefgh1"]):
        payload = {"text": "Idée"} if op is None else {"op_id": op, "text": "Idée"}
        rejected(rooms, lambda: service.post_idea(ana, payload), "invalid_op_id", ValidationError)
        rejected(rooms, lambda: service.advance_phase(fac, {k: v for k, v in payload.items() if k != "text"}), "invalid_op_id")
    # ids of the wrong type, booleans passed as integers
    for bad in ("1", 1.0, True, False, None, [1], {"id": 1}, -1, 0, 2**31):
        rejected(rooms, lambda: a.ok("hide_idea", fac, idea_id=bad), "invalid_field", ValidationError)
        rejected(rooms, lambda: a.ok("edit_idea", ana, idea_id=bad, text="X"), "invalid_field", ValidationError)
    for bad in ("1", True, 1.5, -3):
        rejected(rooms, lambda: a.idea(ana, "Idée", round_id=bad), "invalid_field", ValidationError)
    rejected(rooms, lambda: a.ok("hide_idea", fac, idea_id=a.i_ana["id"], hidden="yes"), "invalid_field", ValidationError)
    rejected(rooms, lambda: a.ok("hide_idea", fac, idea_id=a.i_ana["id"], hidden=1), "invalid_field", ValidationError)
    rejected(rooms, lambda: a.ok("set_timer", fac, seconds=True), "invalid_field", ValidationError)
    rejected(rooms, lambda: a.ok("set_timer", fac, seconds="60"), "invalid_field", ValidationError)
    rejected(rooms, lambda: a.ok("reveal_tallies", fac, revealed=1), "invalid_field", ValidationError)
    rejected(rooms, lambda: a.ok("vote", ana, kind="idea", target_id=1), "invalid_field", ValidationError)
    rejected(rooms, lambda: a.ok("vote", ana, kind=["theme"], target_id=1), "invalid_field", ValidationError)
    rejected(rooms, lambda: a.idea(fac, "Idée", group="inconnu"), "unknown_group", ValidationError)
    guest = service.authenticate(code=a.code)
    rejected(rooms, lambda: a.ok("join", guest, group="martien"), "unknown_group", ValidationError)
    rejected(rooms, lambda: a.ok("join", guest, pseudonym=123), "invalid_field", ValidationError)
    rejected(rooms, lambda: a.ok("join", guest, pseudonym="p" * 41), "text_too_long", ValidationError)
    a.advance()
    theme = a.theme("Thème")
    rejected(rooms, lambda: a.ok("update_theme", fac, theme_id=theme["id"]), "nothing_to_update", ValidationError)
    rejected(rooms, lambda: a.ok("update_theme", fac, theme_id=theme["id"], criteria=[1, 2]), "invalid_field")
    rejected(rooms, lambda: a.ok("update_theme", fac, theme_id=theme["id"], criteria={"a": 1}), "invalid_field")
    for kept in ("1", [True], [str(theme["id"])], {"id": theme["id"]}, [1.0]):
        rejected(rooms, lambda: a.advance(kept_theme_ids=kept), "invalid_field", ValidationError)
    a.advance(kept_theme_ids=[theme["id"]])
    action = a.ok("propose_action", ana, theme_id=theme["id"], title="Action")["action"]
    rejected(rooms, lambda: a.ok("update_action", fac, action_id=action["id"], status="fini"), "invalid_field")
    rejected(rooms, lambda: a.ok("update_action", fac, action_id=action["id"], partners=[["x"]]), "invalid_field")
    rejected(rooms, lambda: a.ok("update_action", fac, action_id=action["id"]), "nothing_to_update")
    rejected(rooms, lambda: a.ok("update_action", fac, action_id=action["id"], deadline="d" * 41), "text_too_long")
    for ids in ("1", [True], [a.i_ana["id"], "2"], {"a": 1}):
        rejected(rooms, lambda: a.ok("propose_action", ana, theme_id=theme["id"], title="X", idea_ids=ids), "invalid_field")


def test_unknown_ids(service, rooms):
    a, _ = rooms
    ana, fac = a.ana, a.fac
    missing = 987654
    rejected(rooms, lambda: a.ok("hide_idea", fac, idea_id=missing), "unknown_idea", NotFound)
    rejected(rooms, lambda: a.ok("edit_idea", ana, idea_id=missing, text="X"), "unknown_idea", NotFound)
    rejected(rooms, lambda: a.ok("merge_ideas", fac, idea_id=a.i_ana["id"], into_id=missing), "unknown_idea", NotFound)
    rejected(rooms, lambda: a.idea(ana, "X", round_id=missing), "unknown_round", NotFound)
    rejected(rooms, lambda: a.advance(round_id=missing), "unknown_round", NotFound)
    # merging an idea with itself, or into a withdrawn one
    rejected(rooms, lambda: a.ok("merge_ideas", fac, idea_id=a.i_ana["id"], into_id=a.i_ana["id"]), "cannot_merge")
    a.advance()
    theme = a.theme("Thème")
    rejected(rooms, lambda: a.ok("update_theme", fac, theme_id=missing, title="X"), "unknown_theme", NotFound)
    rejected(rooms, lambda: a.ok("move_idea", fac, idea_id=a.i_ana["id"], theme_id=missing), "unknown_theme", NotFound)
    rejected(rooms, lambda: a.vote(ana, "theme", missing), "unknown_theme", NotFound)
    rejected(rooms, lambda: a.advance(kept_theme_ids=[theme["id"], missing]), "unknown_theme", NotFound)
    a.advance(kept_theme_ids=[theme["id"]])
    rejected(rooms, lambda: a.ok("propose_action", ana, theme_id=missing, title="X"), "unknown_theme", NotFound)
    rejected(rooms, lambda: a.ok("propose_action", ana, theme_id=theme["id"], title="X", idea_ids=[missing]), "unknown_idea")
    rejected(rooms, lambda: a.ok("update_action", fac, action_id=missing, owner="X"), "unknown_action", NotFound)
    rejected(rooms, lambda: a.vote(ana, "action", missing), "unknown_action", NotFound)


def test_ids_from_another_workshop(service, rooms):
    a, b = rooms
    fac, ana = a.fac, a.ana
    theirs = b.i_ana["id"]
    # a facilitator of A cannot touch B's ideas, nor mix them with A's
    rejected(rooms, lambda: a.ok("hide_idea", fac, idea_id=theirs), "unknown_idea", NotFound)
    rejected(rooms, lambda: a.ok("merge_ideas", fac, idea_id=theirs, into_id=a.i_ana["id"]), "unknown_idea", NotFound)
    rejected(rooms, lambda: a.ok("merge_ideas", fac, idea_id=a.i_ana["id"], into_id=theirs), "unknown_idea", NotFound)
    # a participant of A cannot edit a B idea, even one written by "their" id number
    rejected(rooms, lambda: a.ok("edit_idea", ana, idea_id=theirs, text="X"), "unknown_idea", NotFound)
    rejected(rooms, lambda: a.ok("withdraw_idea", ana, idea_id=theirs), "unknown_idea", NotFound)
    rejected(rooms, lambda: a.idea(ana, "X", round_id=b.round()["id"]), "unknown_round", NotFound)
    rejected(rooms, lambda: a.advance(round_id=b.round()["id"]), "unknown_round", NotFound)
    a.advance()
    b.advance()
    their_theme = b.theme("Thème de B")
    mine = a.theme("Thème de A")
    rejected(rooms, lambda: a.ok("move_idea", fac, idea_id=theirs, theme_id=mine["id"]), "unknown_idea", NotFound)
    rejected(rooms, lambda: a.ok("move_idea", fac, idea_id=a.i_ana["id"], theme_id=their_theme["id"]), "unknown_theme")
    rejected(rooms, lambda: a.ok("update_theme", fac, theme_id=their_theme["id"], title="X"), "unknown_theme", NotFound)
    rejected(rooms, lambda: a.ok("delete_theme", fac, theme_id=their_theme["id"]), "unknown_theme", NotFound)
    rejected(rooms, lambda: a.vote(ana, "theme", their_theme["id"]), "unknown_theme", NotFound)
    rejected(rooms, lambda: a.advance(kept_theme_ids=[their_theme["id"]]), "unknown_theme", NotFound)
    a.advance(kept_theme_ids=[mine["id"]])
    b.advance(kept_theme_ids=[their_theme["id"]])
    their_action = b.ok("propose_action", b.ana, theme_id=their_theme["id"], title="Action de B")["action"]
    rejected(rooms, lambda: a.ok("propose_action", ana, theme_id=their_theme["id"], title="X"), "unknown_theme")
    rejected(rooms, lambda: a.ok("propose_action", ana, theme_id=mine["id"], title="X", idea_ids=[theirs]), "unknown_idea")
    rejected(rooms, lambda: a.ok("update_action", fac, action_id=their_action["id"], owner="X"), "unknown_action")
    rejected(rooms, lambda: a.vote(ana, "action", their_action["id"]), "unknown_action", NotFound)


# --------------------------------------------------------------------------- visibility


def test_participants_see_only_what_they_may(service):
    room = Room(service, settings={"tallies": "reveal"})
    fac = room.fac
    ana, bob = room.join("Ana", "habitant"), room.join("Bob", "agent")
    screen = service.authenticate(code=room.code, role="screen")
    guest = service.authenticate(code=room.code)
    room.advance()
    shown = room.idea(ana, "Visible")
    hidden = room.idea(bob, "Masquée")
    gone = room.idea(bob, "Retirée")
    dup = room.idea(bob, "Doublon")
    room.ok("hide_idea", fac, idea_id=hidden["id"])
    room.ok("withdraw_idea", bob, idea_id=gone["id"])
    room.ok("merge_ideas", fac, idea_id=dup["id"], into_id=shown["id"])

    def idea_ids(snapshot) -> set[int]:
        return {i["id"] for i in snapshot["rounds"][0]["ideas"]}

    secrets = [room.created["facilitator_token"], *room.tokens.values()]
    for actor in (ana, bob, screen, guest, fac):
        snap = service.snapshot(actor)
        text = json.dumps(snap, ensure_ascii=False)
        assert not any(secret in text for secret in secrets), actor.role
        assert not {"token", "facilitator_token"} & all_keys(snap), actor.role

    a_snap, b_snap, s_snap, f_snap = (service.snapshot(x) for x in (ana, bob, screen, fac))
    assert idea_ids(a_snap) == {shown["id"]}
    assert idea_ids(s_snap) == {shown["id"]}
    assert idea_ids(b_snap) == {hidden["id"], gone["id"]}  # a phone gets its own ideas only, flagged
    assert all(i.get("mine") for i in b_snap["rounds"][0]["ideas"])
    assert b_snap["presence"]["ideas"] == {str(b_snap["rounds"][0]["id"]): 1}  # the room's visible count
    assert idea_ids(f_snap) == {shown["id"], hidden["id"], gone["id"], dup["id"]}
    assert f_snap["role"] == "facilitator" and len(f_snap["participants"]) == 2
    for snap in (a_snap, b_snap, s_snap):
        assert "participant_id" not in all_keys(snap["rounds"])
        assert "participants" not in snap and "votes" not in snap["rounds"][0]
    assert a_snap["me"]["id"] == ana.participant_id and a_snap["me"]["group"] == "habitant"
    assert "me" not in s_snap and "plan" in s_snap and "plan" not in a_snap
    g_snap = service.snapshot(guest)
    assert "ideas" not in g_snap["rounds"][0] and g_snap["role"] == "guest"

    # "reveal": no tallies for the room until the facilitator reveals them
    room.advance()
    theme = room.theme("Thème")
    room.vote(ana, "theme", theme["id"], 2)
    room.vote(bob, "theme", theme["id"], 1)
    for actor in (ana, bob, screen):
        snap = service.snapshot(actor)
        assert snap["rounds"][0]["tallies"]["theme"] is None, actor.role
    assert service.snapshot(ana)["me"]["votes"][room.round()["id"]]["theme"] == {str(theme["id"]): 2}
    assert sum(v["dots"] for v in service.snapshot(fac)["rounds"][0]["votes"]) == 3
    assert service.tallies(room.id, room.round()["id"], "theme")["visible"] is False

    room.ok("reveal_tallies", fac)
    for actor in (ana, bob, screen):
        tallies = service.snapshot(actor)["rounds"][0]["tallies"]["theme"]
        assert tallies == [{"id": theme["id"], "dots": 3, "voters": 2, "by_group": {"agent": 1, "habitant": 2}}]
    room.ok("reveal_tallies", fac, revealed=False)
    assert service.snapshot(ana)["rounds"][0]["tallies"]["theme"] is None
    # once the vote is closed, its tallies are public
    room.advance(kept_theme_ids=[theme["id"]])
    assert service.snapshot(ana)["rounds"][0]["tallies"]["theme"][0]["dots"] == 3
    assert service.snapshot(ana)["rounds"][0]["tallies"]["action"] is None


def test_live_tallies_are_visible_at_once(service):
    room = Room(service)
    ana = room.join("Ana", "habitant")
    room.advance()
    room.advance()
    theme = room.theme("Thème")
    room.vote(ana, "theme", theme["id"])
    assert service.snapshot(ana)["rounds"][0]["tallies"]["theme"][0]["dots"] == 1


def test_anonymous_workshop_hides_pseudonyms(service):
    room = Room(service, settings={"anonymous": True})
    ana = room.join("Ana", "habitant")
    room.advance()
    idea = room.idea(ana, "Sans nom")
    assert idea["author"] is None
    assert room.full()["participants"][0]["pseudonym"] is None
    assert "Ana" not in json.dumps(service.snapshot(room.fac))


def test_withdrawing_a_merge_target_keeps_the_others_contributions(service):
    created = service.create_workshop("Atelier", rounds=["Q"])
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    code = created["workshop"]["code"]
    people = [
        service.authenticate(code=code, token=service.join(service.authenticate(code=code), {"op_id": new_op()}).result["token"])
        for _ in range(3)
    ]
    service.advance_phase(fac, {"op_id": new_op()})
    ideas = [service.post_idea(p, {"op_id": new_op(), "text": "Des bancs"}).result["idea"] for p in people]
    for duplicate in ideas[1:]:
        service.merge_ideas(fac, {"op_id": new_op(), "idea_id": duplicate["id"], "into_id": ideas[0]["id"]})
    service.withdraw_idea(people[0], {"op_id": new_op(), "idea_id": ideas[0]["id"]})
    round_ = service.full_snapshot(fac.workshop_id)["rounds"][0]
    visible = [i for i in round_["ideas"] if not (i["hidden"] or i["withdrawn"] or i["merged_into"])]
    assert [(i["id"], i["count"]) for i in visible] == [(ideas[1]["id"], 2)]


def test_erasing_personal_data_keeps_the_outcome_and_revokes_access(service):
    from datetime import timedelta

    from workshop.errors import Unauthenticated
    from workshop.storage.models import utcnow

    created = service.create_workshop("Atelier", rounds=["Q"], date="2026-01-10", settings={"retention_days": 30})
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    code = created["workshop"]["code"]
    token = service.join(service.authenticate(code=code), {"op_id": new_op(), "pseudonym": "Nadia", "group": "habitant"}).result["token"]
    phone = service.authenticate(code=code, token=token)
    service.advance_phase(fac, {"op_id": new_op()})
    service.post_idea(phone, {"op_id": new_op(), "text": "Des bancs"})

    assert service.purge_expired(now=utcnow().replace(year=2026, month=1, day=20)) == []
    assert service.purge_expired(now=utcnow().replace(year=2026, month=2, day=20)) == [code]
    snap = service.full_snapshot(fac.workshop_id)
    assert snap["participants"][0]["pseudonym"] is None and snap["participants"][0]["group"] == "habitant"
    assert [i["text"] for i in snap["rounds"][0]["ideas"]] == ["Des bancs"]
    assert snap["rounds"][0]["ideas"][0]["author"] is None
    assert snap["workshop"]["status"] == "archived"
    with pytest.raises(Unauthenticated):
        service.authenticate(code=code, token=token)
    assert service.purge_expired(now=utcnow().replace(year=2026, month=3, day=1) + timedelta(days=1)) == []


def test_a_phone_cannot_flood_the_wall(service):
    from workshop.services import FLOOD_LIMIT

    created = service.create_workshop("Atelier", rounds=["Q"])
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    code = created["workshop"]["code"]
    phone = service.authenticate(code=code, token=service.join(service.authenticate(code=code), {"op_id": new_op()}).result["token"])
    other = service.authenticate(code=code, token=service.join(service.authenticate(code=code), {"op_id": new_op()}).result["token"])
    service.advance_phase(fac, {"op_id": new_op()})
    for n in range(FLOOD_LIMIT):
        service.post_idea(phone, {"op_id": new_op(), "text": f"Idée {n}"})
    with pytest.raises(ValidationError) as info:
        service.post_idea(phone, {"op_id": new_op(), "text": "Une de trop"})
    assert info.value.code == "too_fast"
    # The refusal says when to try again: the outbox of a phone back from an outage waits that long.
    assert 1 <= info.value.params["retry_after"] <= 60
    service.post_idea(other, {"op_id": new_op(), "text": "Les autres continuent"})
    for n in range(FLOOD_LIMIT + 3):  # typing in paper notes is not limited
        service.post_idea(fac, {"op_id": new_op(), "text": f"Post-it {n}"})
    assert len(service.full_snapshot(fac.workshop_id)["rounds"][0]["ideas"]) == 2 * FLOOD_LIMIT + 4


def test_snapshots_follow_every_change_and_the_clock(service):
    """Reconnecting clients share one cached state; a write, a timer or an erasure is always seen."""
    created = service.create_workshop("Atelier", rounds=["Q"])
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    code = created["workshop"]["code"]
    joined = service.join(service.authenticate(code=code), {"op_id": new_op(), "pseudonym": "Yanis"}).result
    phone = service.authenticate(code=code, token=joined["token"])
    first = service.snapshot(phone)
    assert service.snapshot(phone) == first  # served again from the cache
    service.advance_phase(fac, {"op_id": new_op()})
    service.post_idea(phone, {"op_id": new_op(), "text": "Des bancs"})
    again = service.snapshot(phone)
    assert again["rounds"][0]["phase"] == "diverge" and [i["text"] for i in again["rounds"][0]["ideas"]] == ["Des bancs"]

    service.set_timer(fac, {"op_id": new_op(), "seconds": 600})
    remaining = service.snapshot(fac)["rounds"][0]["timer"]["remaining"]
    assert 590 <= remaining <= 600
    fac_view = service.snapshot(fac)
    assert fac_view["role"] == "facilitator" and service.snapshot(phone)["role"] == "participant"  # the shared state is not marked

    service.erase_personal_data(fac.workshop_id)
    assert [p["pseudonym"] for p in service.snapshot(fac)["participants"]] == [None]


def test_phones_get_syntheses_without_every_idea(service):
    created = service.create_workshop("Atelier", rounds=["Q"])
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    code = created["workshop"]["code"]
    phone = service.authenticate(code=code, token=service.join(service.authenticate(code=code), {"op_id": new_op()}).result["token"])
    screen = service.authenticate(code=code, role="screen")
    service.advance_phase(fac, {"op_id": new_op()})
    service.post_idea(phone, {"op_id": new_op(), "text": "Une idée"})
    service.advance_phase(fac, {"op_id": new_op()})
    on_phone = service.snapshot(phone)["rounds"][0]["syntheses"]["diverge"]
    assert on_phone == {"question": "Q", "total_ideas": 1, "contributions": 1}
    assert service.snapshot(screen)["rounds"][0]["syntheses"]["diverge"]["ideas"][0]["text"] == "Une idée"


def test_an_op_id_reused_for_another_event_is_refused(service):
    """A client bug that sends the id of an earlier write with another event gets an error, not the other write's answer."""
    created = service.create_workshop("Atelier", rounds=["Q"])
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    service.advance_phase(fac, {"op_id": new_op()})
    op = new_op()
    first = service.post_idea(fac, {"op_id": op, "text": "Un banc"})
    assert service.post_idea(fac, {"op_id": op, "text": "Un banc"}).result == first.result  # a retry: the same answer
    with pytest.raises(ValidationError) as info:
        service.set_timer(fac, {"op_id": op, "seconds": 60})
    assert info.value.code == "op_id_reused"
    assert service.snapshot(fac)["rounds"][0]["timer"]["seconds"] is None


def test_an_idea_hidden_after_its_phase_closed_leaves_every_synthesis_plan_and_export(service):
    """Issue 9 (1): hidden in converge, an idea of a kept theme must reach no screen, no plan, no document."""
    from workshop.exports import json_export

    created = service.create_workshop("Atelier", rounds=["Q"])
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    service.advance_phase(fac, {"op_id": new_op()})
    secret = service.post_idea(fac, {"op_id": new_op(), "text": "Le nom d'un voisin à ne pas afficher"}).result["idea"]
    kept = service.post_idea(fac, {"op_id": new_op(), "text": "Des bancs sur la place"}).result["idea"]
    service.advance_phase(fac, {"op_id": new_op()})
    theme = service.create_theme(fac, {"op_id": new_op(), "title": "Place publique"}).result["theme"]
    for idea in (secret, kept):
        service.move_idea(fac, {"op_id": new_op(), "idea_id": idea["id"], "theme_id": theme["id"]})
    service.advance_phase(fac, {"op_id": new_op(), "kept_theme_ids": [theme["id"]]})
    before = json.dumps(service.snapshot(fac)["rounds"][0]["syntheses"], ensure_ascii=False)
    assert secret["text"] in before, "frozen while it was visible"

    outcome = service.hide_idea(fac, {"op_id": new_op(), "idea_id": secret["id"]})
    assert {c.kind for c in outcome.changes} >= {"idea", "synthesis", "plan"}, "screens are told"
    service.advance_phase(fac, {"op_id": new_op()})

    screen = service.snapshot(service.authenticate(code=created["workshop"]["code"], role="screen"))
    archive = json.loads(json_export.render(service.full_snapshot(fac.workshop_id), "fr"))
    # The archive keeps the hidden idea itself, flagged (it is the facilitator's record); its plan does not.
    for shown in (screen, archive["plan"], service.snapshot(fac)["plan"]):
        text = json.dumps(shown, ensure_ascii=False)
        assert secret["text"] not in text
        assert kept["text"] in text


def test_a_merge_can_be_undone_and_both_ideas_stand_again(service):
    created = service.create_workshop("Atelier", rounds=["Q"])
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    code = created["workshop"]["code"]
    phones = [
        service.authenticate(code=code, token=service.join(service.authenticate(code=code), {"op_id": new_op()}).result["token"])
        for _ in range(2)
    ]
    service.advance_phase(fac, {"op_id": new_op()})
    keep = service.post_idea(phones[0], {"op_id": new_op(), "text": "Des bancs au square"}).result["idea"]
    dup = service.post_idea(phones[1], {"op_id": new_op(), "text": "Des bancs dans le parc"}).result["idea"]
    service.merge_ideas(fac, {"op_id": new_op(), "idea_id": dup["id"], "into_id": keep["id"]})
    with pytest.raises(ValidationError) as info:
        service.unmerge_idea(fac, {"op_id": new_op(), "idea_id": keep["id"]})
    assert info.value.code == "not_merged"
    out = service.unmerge_idea(fac, {"op_id": new_op(), "idea_id": dup["id"]})
    assert out.result["idea"]["merged_into"] is None
    ideas = {i["id"]: i for i in service.full_snapshot(fac.workshop_id)["rounds"][0]["ideas"]}
    assert ideas[dup["id"]]["merged_into"] is None and ideas[keep["id"]]["count"] == 1
    assert [c.data["id"] for c in out.changes if c.kind == "idea"] == [dup["id"], keep["id"]], "both broadcast"
    mine = service.snapshot(phones[1])["rounds"][0]["ideas"]
    assert [i["id"] for i in mine if not i["merged_into"]] == [dup["id"]], "its author's phone lists it again"
