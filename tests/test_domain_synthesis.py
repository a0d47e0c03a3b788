"""workshop.domain.synthesis: the frozen synthesis of each phase, lineage, and the action plan."""

from __future__ import annotations

import json

import pytest
from domain_builders import RoundBuilder

from workshop.domain.phases import CLOSED, CONVERGE, DEFINE, DIVERGE, LOBBY
from workshop.domain.synthesis import (
    build_action_plan,
    build_synthesis,
    converge_synthesis,
    define_synthesis,
    diverge_synthesis,
    lineage_idea_ids,
    visible_ideas,
)


def test_visible_ideas_exclude_hidden_withdrawn_and_merged() -> None:
    b = RoundBuilder()
    keep = b.idea("Des bancs")
    b.idea("insulte", hidden=True)
    b.idea("finalement non", withdrawn=True)
    b.idea("des bancs !", merged_into=keep)
    assert [i["id"] for i in visible_ideas(b.build())] == [keep]


def test_diverge_synthesis() -> None:
    b = RoundBuilder()
    bancs = b.idea("Des bancs", group="habitant")
    arbres = b.idea("Des arbres", group="agent")
    b.idea("des bancs !", merged_into=bancs, group="habitant")
    b.idea("bancs partout", merged_into=bancs, group="association")
    b.idea("Sur papier", group=None, on_behalf=True)
    b.idea("insulte", hidden=True)
    b.idea("finalement non", withdrawn=True)
    syn = diverge_synthesis(b.build())
    assert syn["question"] == b.header["question"]
    assert [(i["text"], i["count"]) for i in syn["ideas"]] == [("Des bancs", 3), ("Des arbres", 1), ("Sur papier", 1)]
    assert syn["ideas"][0] == {"id": bancs, "text": "Des bancs", "group": "habitant", "on_behalf": False, "count": 3}
    assert syn["ideas"][2]["on_behalf"] is True
    assert syn["total_ideas"] == 3
    assert syn["contributions"] == 5  # the merged origins count as contributions
    assert syn["by_group"] == {"agent": 1, "habitant": 1, "—": 1}
    assert arbres in {i["id"] for i in syn["ideas"]}
    assert "participant_id" not in json.dumps(syn)


def _define_round(equal_votes: bool = True) -> tuple[RoundBuilder, dict[str, int]]:
    b = RoundBuilder(phase=DEFINE)
    t = {
        "nature": b.theme("Nature en ville", objective="Un arbre par rue", criteria=("100 arbres plantés",)),
        "lien": b.theme("Lien social", objective="Se connaître"),
        "vide": b.theme("Sans vote"),
    }
    t["arbres"] = b.idea("Des arbres", theme=t["nature"])
    b.idea("plus d'arbres", theme=None, merged_into=t["arbres"])
    b.idea("caché", theme=t["nature"], hidden=True)
    t["fete"] = b.idea("Une fête des voisins", theme=t["lien"])
    t["libre"] = b.idea("Idée pas encore classée")
    # agents: 6 dots on nature, 4 on lien; the association: 1 on lien
    b.vote("theme", t["nature"], 1, "agent", 3)
    b.vote("theme", t["nature"], 2, "agent", 3)
    b.vote("theme", t["lien"], 3, "agent", 2)
    b.vote("theme", t["lien"], 4, "agent", 2)
    b.vote("theme", t["lien"], 5, "association", 1)
    b.vote("action", t["vide"], 5, "association", 3)  # another vote kind: ignored here
    return b, t


def test_define_synthesis_ranks_themes_by_dots() -> None:
    b, t = _define_round()
    syn = define_synthesis(b.build(), equal_weight=False)
    themes = syn["themes"]
    assert [(e["rank"], e["id"]) for e in themes] == [(1, t["nature"]), (2, t["lien"]), (3, t["vide"])]
    nature, lien, vide = themes
    assert (nature["dots"], nature["voters"], nature["by_group"]) == (6, 2, {"agent": 6})
    assert (lien["dots"], lien["voters"], lien["by_group"]) == (5, 3, {"agent": 4, "association": 1})
    assert (vide["dots"], vide["voters"], vide["by_group"]) == (0, 0, {})
    assert nature["objective"] == "Un arbre par rue" and nature["criteria"] == ["100 arbres plantés"]
    assert [(i["id"], i["count"]) for i in nature["ideas"]] == [(t["arbres"], 2)]  # hidden and merged left out
    assert [i["id"] for i in lien["ideas"]] == [t["fete"]]
    assert [i["id"] for i in syn["unsorted"]] == [t["libre"]]
    assert "equal_weight" not in nature and "equal_weight_rank" not in nature


def test_define_synthesis_with_equal_weight() -> None:
    b, t = _define_round()
    themes = {e["id"]: e for e in define_synthesis(b.build(), equal_weight=True)["themes"]}
    assert themes[t["nature"]]["rank"] == 1  # raw dots still decide the rank
    assert themes[t["nature"]]["equal_weight"] == 30.0
    assert themes[t["lien"]]["equal_weight"] == 70.0
    assert themes[t["vide"]]["equal_weight"] == 0.0
    assert themes[t["lien"]]["equal_weight_rank"] == 1
    assert themes[t["nature"]]["equal_weight_rank"] == 2
    assert themes[t["vide"]]["equal_weight_rank"] == 3


def test_define_ties_keep_the_facilitators_order() -> None:
    b = RoundBuilder(phase=DEFINE)
    first, second, third = b.theme("A"), b.theme("B"), b.theme("C")
    b.themes[0]["position"], b.themes[2]["position"] = 3, 1  # facilitator reordered: C, B, A
    syn = define_synthesis(b.build(), equal_weight=False)
    assert [e["id"] for e in syn["themes"]] == [third, second, first]


def _converge_round() -> tuple[RoundBuilder, dict[str, int]]:
    b = RoundBuilder(phase=CONVERGE)
    t: dict[str, int] = {}
    t["nature"] = b.theme("Nature en ville", objective="Un arbre par rue", criteria=("100 arbres",), kept=True)
    t["lien"] = b.theme("Lien social", objective="Se connaître", kept=True)
    t["arbres"] = b.idea("Des arbres", theme=t["nature"])
    t["doublon"] = b.idea("plus d'arbres", merged_into=t["arbres"])
    t["jardin"] = b.idea("Un jardin", theme=t["nature"])
    t["cache"] = b.idea("caché", theme=t["nature"], hidden=True)
    t["retire"] = b.idea("retiré", theme=t["nature"], withdrawn=True)
    t["fete"] = b.idea("Une fête", theme=t["lien"])
    t["a_plant"] = b.action(
        "Planter 100 arbres",
        t["nature"],
        ideas=(t["doublon"], t["arbres"], t["cache"]),
        pid=7,
        owner="Mairie",
        partners=["Bailleur"],
        deadline="2031",
        indicators=["arbres"],
    )
    t["a_fete"] = b.action("Fête annuelle", t["lien"])
    t["a_jardin"] = b.action("Jardin partagé", t["nature"])
    b.vote("action", t["a_jardin"], 1, "habitant", 3)
    b.vote("action", t["a_jardin"], 4, "habitant", 1)
    b.vote("action", t["a_fete"], 2, "habitant", 2)
    b.vote("action", t["a_fete"], 3, "élu·e", 1)
    b.vote("theme", t["a_plant"], 1, "habitant", 5)  # a theme vote: ignored here
    return b, t


def test_lineage_follows_merged_ideas_and_leaves_hidden_out() -> None:
    b, t = _converge_round()
    view = b.build()
    plant = next(a for a in view["actions"] if a["id"] == t["a_plant"])
    # the merged duplicate stands as its target, only once; the hidden idea is left out
    assert lineage_idea_ids(plant, view) == [t["arbres"]]


def test_an_action_without_linked_ideas_claims_none_of_its_themes_ideas() -> None:
    b, t = _converge_round()
    view = b.build()
    jardin = next(a for a in view["actions"] if a["id"] == t["a_jardin"])
    # its theme holds "arbres" and "jardin", but nobody linked them to this action
    assert lineage_idea_ids(jardin, view) == []
    syn = converge_synthesis(view, equal_weight=False)
    assert next(a for a in syn["actions"] if a["id"] == t["a_jardin"])["ideas"] == []


def test_lineage_through_a_hidden_merge_target_is_empty() -> None:
    b = RoundBuilder(phase=CONVERGE)
    theme = b.theme("T", kept=True)
    target = b.idea("cible", theme=theme, hidden=True)
    source = b.idea("source", merged_into=target)
    b.action("A", theme, ideas=(source,))
    view = b.build()
    assert lineage_idea_ids(view["actions"][0], view) == []


def test_converge_synthesis() -> None:
    b, t = _converge_round()
    syn = converge_synthesis(b.build(), equal_weight=False)
    assert syn["question"] == b.header["question"]
    actions = syn["actions"]
    assert [(a["rank"], a["id"]) for a in actions] == [(1, t["a_jardin"]), (2, t["a_fete"]), (3, t["a_plant"])]
    jardin, fete, plant = actions
    assert (jardin["dots"], jardin["voters"], jardin["by_group"]) == (4, 2, {"habitant": 4})
    assert (fete["dots"], fete["voters"], fete["by_group"]) == (3, 2, {"habitant": 2, "élu·e": 1})
    assert (plant["dots"], plant["voters"], plant["by_group"]) == (0, 0, {})
    assert plant["title"] == "Planter 100 arbres" and plant["owner"] == "Mairie"
    assert plant["partners"] == ["Bailleur"] and plant["deadline"] == "2031" and plant["indicators"] == ["arbres"]
    assert plant["theme"] == {"id": t["nature"], "title": "Nature en ville", "objective": "Un arbre par rue", "criteria": ["100 arbres"]}
    assert [(i["id"], i["count"]) for i in plant["ideas"]] == [(t["arbres"], 2)]
    assert jardin["ideas"] == []  # nothing linked: nothing claimed
    assert fete["ideas"] == []
    assert "participant_id" not in json.dumps(syn)


def test_converge_synthesis_equal_weight_rank() -> None:
    b, t = _converge_round()
    actions = {a["id"]: a for a in converge_synthesis(b.build(), equal_weight=True)["actions"]}
    # habitants spent 6 (4 jardin, 2 fête), the élu·e 1 (fête): fête = (2/6 + 1)/2, jardin = (4/6)/2
    assert actions[t["a_fete"]]["equal_weight"] == 66.7
    assert actions[t["a_jardin"]]["equal_weight"] == 33.3
    assert actions[t["a_plant"]]["equal_weight"] == 0.0
    assert (actions[t["a_jardin"]]["rank"], actions[t["a_jardin"]]["equal_weight_rank"]) == (1, 2)
    assert (actions[t["a_fete"]]["rank"], actions[t["a_fete"]]["equal_weight_rank"]) == (2, 1)
    assert actions[t["a_plant"]]["equal_weight_rank"] == 3


def test_build_synthesis_dispatches_by_phase() -> None:
    b, _ = _converge_round()
    view = b.build()
    assert build_synthesis(DIVERGE, view, False) == diverge_synthesis(view)
    assert build_synthesis(DEFINE, view, True) == define_synthesis(view, True)
    assert build_synthesis(CONVERGE, view, False) == converge_synthesis(view, False)
    with pytest.raises(ValueError):
        build_synthesis(LOBBY, view, False)


def _closed_round(round_id: int, position: int, question: str) -> dict:
    b = RoundBuilder(round_id=round_id, position=position, question=question, phase=CLOSED)
    kept = b.theme(f"Gardé {round_id}", objective="Objectif", criteria=("Critère",), kept=True)
    b.theme(f"Écarté {round_id}", kept=False)
    idea = b.idea("Une idée", theme=kept)
    b.idea("Un doublon", merged_into=idea)
    b.action(f"Action {round_id}", kept, ideas=(idea,))
    b.vote("theme", kept, 1, "habitant", 2)
    view = b.build()
    for phase in (DIVERGE, DEFINE, CONVERGE):
        view["syntheses"][phase] = build_synthesis(phase, view, False)
    return view


def test_action_plan_keeps_only_kept_themes_and_converge_actions_in_round_order() -> None:
    first = _closed_round(1, 1, "Première question")
    second = _closed_round(2, 2, "Deuxième question")
    workshop = {"title": "Notre quartier", "territory": "Quartier Nord", "date": "2030-06-01", "code": "SECRET"}
    plan = build_action_plan(workshop, [second, first])
    assert plan["workshop"] == {"title": "Notre quartier", "territory": "Quartier Nord", "date": "2030-06-01"}
    assert [r["question"] for r in plan["rounds"]] == ["Première question", "Deuxième question"]
    r1 = plan["rounds"][0]
    assert (r1["position"], r1["phase"], r1["ideas_total"], r1["contributions"]) == (1, CLOSED, 1, 2)
    assert [t["title"] for t in r1["themes"]] == ["Gardé 1"]
    assert set(r1["themes"][0]) == {"id", "title", "objective", "criteria", "dots", "by_group", "ideas"}
    assert r1["themes"][0]["dots"] == 2 and r1["themes"][0]["criteria"] == ["Critère"]
    assert [a["title"] for a in r1["actions"]] == ["Action 1"]
    assert r1["actions"][0]["theme"]["title"] == "Gardé 1"
    assert r1["closed_phases"] == ["diverge", "define", "converge"]


def test_action_plan_only_reflects_closed_phases() -> None:
    b = RoundBuilder(phase=DEFINE)
    theme = b.theme("Thème en cours", kept=True)
    b.idea("Une idée", theme=theme)
    view = b.build()
    view["syntheses"] = {DIVERGE: diverge_synthesis(view)}
    lobby = RoundBuilder(round_id=2, position=2, phase=LOBBY).build()
    plan = build_action_plan({"title": "T"}, [view, lobby])
    r1, r2 = plan["rounds"]
    assert (r1["ideas_total"], r1["themes"], r1["actions"], r1["closed_phases"]) == (1, [], [], ["diverge"])
    assert (r2["ideas_total"], r2["contributions"], r2["themes"], r2["actions"], r2["closed_phases"]) == (0, 0, [], [], [])
    assert plan["workshop"] == {"title": "T", "territory": None, "date": None}
