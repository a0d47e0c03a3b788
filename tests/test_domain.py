"""The pure domain core: phases, settings, texts, dot voting, syntheses and visibility.

No database, no Flask: round views are plain dicts shaped like
``WorkshopService._round_full`` output, built with :class:`RoundBuilder`.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest

from workshop.domain import phases
from workshop.domain.phases import ALLOWED, CLOSED, CONVERGE, DEFINE, DIVERGE, LOBBY, ORDER
from workshop.domain.settings import DEFAULT_GROUPS, DEFAULTS, normalize_settings
from workshop.domain.synthesis import (
    build_action_plan,
    build_synthesis,
    converge_synthesis,
    define_synthesis,
    diverge_synthesis,
    lineage_idea_ids,
    visible_ideas,
)
from workshop.domain.text import clean_list, clean_text
from workshop.domain.visibility import public_idea, public_snapshot, tallies_visible
from workshop.domain.voting import Ballot, apply_vote, equal_weight_scores, rank, tally
from workshop.errors import BudgetError, PhaseError, ValidationError, WorkshopError

# ----------------------------------------------------------------- builders

STAMP = "2030-06-01T10:00:00+00:00"


class RoundBuilder:
    """Builds one round view as ``WorkshopService._round_full`` returns it."""

    def __init__(self, round_id: int = 1, position: int = 1, question: str = "Dans 10 ans, on aura réussi si…",
                 phase: str = DIVERGE, tallies_revealed: bool = False) -> None:
        self.round_id = round_id
        self.header = {
            "id": round_id,
            "position": position,
            "question": question,
            "phase": phase,
            "timings": {},
            "tallies_revealed": tallies_revealed,
            "timer": {"ends_at": None, "seconds": None, "remaining": None},
        }
        self.ideas: list[dict] = []
        self.themes: list[dict] = []
        self.actions: list[dict] = []
        self.votes: list[dict] = []
        self.syntheses: dict[str, dict] = {}
        self._next_id = round_id * 100  # ids unique across rounds of one workshop

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def idea(self, text: str, *, pid: int | None = None, group: str | None = "habitant", author: str | None = None,
             on_behalf: bool = False, hidden: bool = False, withdrawn: bool = False, merged_into: int | None = None,
             theme: int | None = None) -> int:
        iid = self._id()
        self.ideas.append({
            "id": iid, "round_id": self.round_id, "text": text, "author": author, "participant_id": pid,
            "group": group, "on_behalf": on_behalf, "hidden": hidden, "withdrawn": withdrawn,
            "merged_into": merged_into, "theme_id": theme, "count": 1, "created_at": STAMP, "updated_at": STAMP,
        })
        return iid

    def theme(self, title: str, *, objective: str = "", criteria: tuple[str, ...] = (), kept: bool = False) -> int:
        tid = self._id()
        self.themes.append({
            "id": tid, "round_id": self.round_id, "title": title, "objective": objective,
            "criteria": list(criteria), "position": len(self.themes) + 1, "kept": kept,
        })
        return tid

    def action(self, title: str, theme: int, *, ideas: tuple[int, ...] = (), pid: int | None = None,
               **sheet: Any) -> int:
        aid = self._id()
        self.actions.append({
            "id": aid, "round_id": self.round_id, "theme_id": theme, "participant_id": pid, "title": title,
            "description": sheet.get("description", ""), "owner": sheet.get("owner", ""),
            "partners": list(sheet.get("partners", [])), "deadline": sheet.get("deadline", ""),
            "resources": sheet.get("resources", ""), "indicators": list(sheet.get("indicators", [])),
            "status": sheet.get("status", "proposed"), "idea_ids": list(ideas), "created_at": STAMP,
        })
        return aid

    def vote(self, kind: str, target: int, pid: int, group: str | None, dots: int) -> None:
        self.votes.append({"kind": kind, "target_id": target, "participant_id": pid, "group": group, "dots": dots})

    def build(self) -> dict:
        """The view; an idea's count is itself plus the ideas merged into it, as in the service."""
        ideas = [dict(i, count=1 + sum(1 for o in self.ideas if o["merged_into"] == i["id"])) for i in self.ideas]
        return {
            **self.header,
            "ideas": ideas,
            "themes": [dict(t) for t in self.themes],
            "actions": [dict(a) for a in self.actions],
            "votes": [dict(v) for v in self.votes],
            "syntheses": dict(self.syntheses),
        }


def full_snapshot(rounds: list[dict], settings: dict | None = None,
                  participants: list[dict] | None = None) -> dict:
    """A facilitator-level snapshot as ``WorkshopService.full_snapshot`` returns it."""
    workshop = {
        "id": 1, "code": "ABC123", "title": "Notre quartier", "territory": "Quartier Nord", "date": "2030-06-01",
        "language": "fr", "description": "", "tags": [], "settings": normalize_settings(settings),
        "status": "open", "created_at": STAMP,
    }
    return {
        "schema": "workshop-snapshot/1",
        "workshop": workshop,
        "participants": participants or [],
        "presence": {"count": len(participants or []), "by_group": {}},
        "rounds": rounds,
        "plan": build_action_plan(workshop, rounds),
    }


# ------------------------------------------------------------------- errors


def test_errors_carry_a_stable_code_and_params() -> None:
    err = BudgetError("budget", budget=5, remaining=1)
    assert isinstance(err, WorkshopError)
    assert (err.code, err.params) == ("budget", {"budget": 5, "remaining": 1})
    assert "budget" in str(err)


@pytest.mark.parametrize("cls, code", [(ValidationError, "invalid"), (PhaseError, "wrong_phase"),
                                       (BudgetError, "over_budget"), (WorkshopError, "error")])
def test_errors_default_code(cls: type[WorkshopError], code: str) -> None:
    err = cls()
    assert err.code == code and err.params == {}
    assert str(err) == code


# ------------------------------------------------------------------- phases


def test_phase_order() -> None:
    assert ORDER == ("lobby", "diverge", "define", "converge", "closed")
    assert [phases.next_phase(p) for p in ORDER[:-1]] == list(ORDER[1:])


def test_a_closed_round_has_no_next_phase() -> None:
    with pytest.raises(PhaseError) as info:
        phases.next_phase(CLOSED)
    assert info.value.code == "round_closed"


@pytest.mark.parametrize("phase, previous", [(DEFINE, DIVERGE), (CONVERGE, DEFINE)])
def test_reopen_previous_phase(phase: str, previous: str) -> None:
    assert phases.previous_phase(phase) == previous


@pytest.mark.parametrize("phase, code", [(LOBBY, "nothing_to_reopen"), (DIVERGE, "nothing_to_reopen"),
                                         (CLOSED, "round_closed")])
def test_cannot_reopen(phase: str, code: str) -> None:
    with pytest.raises(PhaseError) as info:
        phases.previous_phase(phase)
    assert info.value.code == code
    assert info.value.params["phase"] == phase


@pytest.mark.parametrize("capability", sorted(ALLOWED))
@pytest.mark.parametrize("phase", ORDER)
def test_require_follows_the_table(capability: str, phase: str) -> None:
    if phase in ALLOWED[capability]:
        phases.require(phase, capability)
        return
    with pytest.raises(PhaseError) as info:
        phases.require(phase, capability)
    assert info.value.code == "wrong_phase"
    assert info.value.params == {"capability": capability, "phase": phase}


@pytest.mark.parametrize("phase, capability", [
    (DEFINE, "post_idea"),
    (CONVERGE, "post_idea"),
    (LOBBY, "post_idea"),
    (DEFINE, "edit_own_idea"),
    (CONVERGE, "vote_theme"),
    (DIVERGE, "vote_theme"),
    (DEFINE, "vote_action"),
    (DEFINE, "propose_action"),
    (CONVERGE, "edit_themes"),
    (CONVERGE, "merge_ideas"),
])
def test_require_refuses_what_the_room_should_not_do(phase: str, capability: str) -> None:
    with pytest.raises(PhaseError):
        phases.require(phase, capability)


def test_nothing_happens_in_the_lobby_or_after_closing() -> None:
    for capability, allowed in ALLOWED.items():
        assert LOBBY not in allowed and CLOSED not in allowed, capability


def test_each_vote_kind_is_allowed_exactly_in_its_phase() -> None:
    assert ALLOWED["vote_theme"] == {phases.VOTE_KIND_PHASE["theme"]} == {DEFINE}
    assert ALLOWED["vote_action"] == {phases.VOTE_KIND_PHASE["action"]} == {CONVERGE}


def test_check_phase_name() -> None:
    assert phases.check_phase_name("define") == "define"
    for bad in ("Define", "", None, 2):
        with pytest.raises(ValidationError) as info:
            phases.check_phase_name(bad)
        assert info.value.code == "invalid_field" and info.value.params["field"] == "phase"


# ----------------------------------------------------------------- settings


def test_default_settings_are_complete() -> None:
    s = normalize_settings(None)
    assert s == DEFAULTS
    assert set(s) == {"anonymous", "groups", "dot_budget", "dot_cap", "tallies", "max_idea_length",
                      "keep_top_k", "equal_weight", "retention_days"}
    assert s["groups"] == list(DEFAULT_GROUPS)
    assert normalize_settings({}) == s


def test_settings_do_not_share_the_default_groups_list() -> None:
    s = normalize_settings(None)
    s["groups"].append("commerçant")
    assert normalize_settings(None)["groups"] == list(DEFAULT_GROUPS)


def test_valid_settings_are_kept_and_groups_trimmed() -> None:
    s = normalize_settings({"groups": [" habitant ", "élu·e"], "dot_budget": 3, "dot_cap": 3, "tallies": "reveal",
                            "anonymous": True, "equal_weight": True, "retention_days": 90})
    assert s["groups"] == ["habitant", "élu·e"]
    assert (s["dot_budget"], s["dot_cap"], s["tallies"]) == (3, 3, "reveal")
    assert s["anonymous"] is True and s["equal_weight"] is True and s["retention_days"] == 90
    assert normalize_settings(s) == s  # idempotent: stored settings can be re-validated


@pytest.mark.parametrize("raw, setting", [
    ({"dot_budget": 0}, "dot_budget"),
    ({"dot_budget": 101}, "dot_budget"),
    ({"dot_budget": "5"}, "dot_budget"),
    ({"dot_budget": True}, "dot_budget"),
    ({"dot_budget": 5.0}, "dot_budget"),
    ({"dot_cap": 0}, "dot_cap"),
    ({"dot_cap": 6}, "dot_cap"),  # over the default budget of 5
    ({"dot_budget": 2, "dot_cap": 3}, "dot_cap"),
    ({"dot_cap": True}, "dot_cap"),
    ({"colour": "red"}, "colour"),
    ({"tallies": "x"}, "tallies"),
    ({"tallies": None}, "tallies"),
    ({"groups": ["habitant", "habitant"]}, "groups"),
    ({"groups": ["habitant", " habitant "]}, "groups"),
    ({"groups": []}, "groups"),
    ({"groups": "habitant"}, "groups"),
    ({"groups": ["habitant", "   "]}, "groups"),
    ({"groups": ["x" * 41]}, "groups"),
    ({"groups": [f"g{i}" for i in range(21)]}, "groups"),
    ({"groups": [1, 2]}, "groups"),
    ({"anonymous": 1}, "anonymous"),
    ({"anonymous": "yes"}, "anonymous"),
    ({"equal_weight": 0}, "equal_weight"),
    ({"max_idea_length": 19}, "max_idea_length"),
    ({"max_idea_length": 2001}, "max_idea_length"),
    ({"keep_top_k": 0}, "keep_top_k"),
    ({"retention_days": 0}, "retention_days"),
    ({"retention_days": True}, "retention_days"),
    ({"retention_days": "30"}, "retention_days"),
])
def test_bad_settings_are_refused_naming_the_setting(raw: dict, setting: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_settings(raw)
    assert info.value.code == "invalid_setting"
    assert info.value.params["setting"] == setting


def test_unknown_settings_error_names_one_of_them() -> None:
    with pytest.raises(ValidationError) as info:
        normalize_settings({"zeta": 1, "alpha": 2})
    assert info.value.params["setting"] == "alpha"


def test_out_of_range_setting_says_the_range() -> None:
    with pytest.raises(ValidationError) as info:
        normalize_settings({"dot_budget": 4, "dot_cap": 5})
    assert info.value.params == {"setting": "dot_cap", "low": 1, "high": 4}


# --------------------------------------------------------------------- text


def test_text_is_nfc_normalised() -> None:
    decomposed = "cafe\u0301 ou\u0300 l'on se retrouve"
    cleaned = clean_text(decomposed, "text", 280)
    assert cleaned == "café où l'on se retrouve"
    assert unicodedata.is_normalized("NFC", cleaned)
    assert cleaned == clean_text("café où l'on se retrouve", "text", 280)


def test_control_and_invisible_characters_are_stripped() -> None:
    assert clean_text("plus\x00 de\u200b bancs\x07", "text", 280) == "plus de bancs"
    assert clean_text("\u202edroite\u202c", "text", 280) == "droite"  # bidi overrides
    assert clean_text("\ufeffbonjour", "text", 280) == "bonjour"  # byte order mark


def test_whitespace_is_collapsed_and_trimmed() -> None:
    assert clean_text("  plus   de \u00a0 bancs  ", "text", 280) == "plus de bancs"
    assert clean_text("a   \n   b", "text", 280) == "a\nb"
    assert clean_text("a\r\nb\rc", "text", 280) == "a\nb\nc"
    assert clean_text("a\n\n\n\n\nb", "text", 280) == "a\n\nb"
    assert clean_text("\n\n  a  \n\n", "text", 280) == "a"


def test_tabs_separate_words() -> None:
    # text pasted from a spreadsheet: a tab is a space, not nothing
    assert clean_text("Plus\tde\tbancs", "text", 280) == "Plus de bancs"
    assert clean_text("Plus\x0bde\x0cbancs", "text", 280) == "Plus de bancs"


@pytest.mark.parametrize("value", ["", "   ", "\n\t \r\n", "\u00a0", "\u200b\u200d", "\x00\x01"])
def test_empty_text_is_refused(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        clean_text(value, "text", 280)
    assert info.value.code == "empty_text"
    assert info.value.params == {"field": "text"}


def test_optional_text_may_be_empty_or_missing() -> None:
    assert clean_text(None, "description", 100, required=False) == ""
    assert clean_text("   ", "description", 100, required=False) == ""


@pytest.mark.parametrize("value", [None, 12, ["idée"], {"text": "idée"}, b"idee"])
def test_non_text_is_an_invalid_field(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        clean_text(value, "text", 280)
    assert info.value.code == "invalid_field" and info.value.params["field"] == "text"


def test_too_long_text_says_max_and_length() -> None:
    assert clean_text("x" * 280, "text", 280) == "x" * 280
    with pytest.raises(ValidationError) as info:
        clean_text("x" * 281, "text", 280)
    assert info.value.code == "text_too_long"
    assert info.value.params == {"field": "text", "max": 280, "length": 281}


def test_length_is_counted_after_cleaning() -> None:
    assert clean_text("a" + " " * 500 + "b", "text", 3) == "a b"
    assert clean_text("e\u0301" * 20, "text", 20) == "é" * 20  # 40 code points in, 20 characters out


def test_french_text_survives_unchanged() -> None:
    text = "Élu·e·s et habitant·e·s : « cœur de quartier », maïs, ça, l’été — où ? Ÿ Æ"
    assert clean_text(text, "text", 280) == text


@pytest.mark.parametrize("text", [
    "Plus d'arbres 🌳 et de vélos 🚲",
    "La France 🇫🇷",
    "Priorité 1️⃣",
    "Des jardins partagés 👩\u200d🌾",  # zero-width-joiner sequence: one emoji
    "Fiertés 🏳️\u200d🌈 et familles 👨\u200d👩\u200d👧",
    "Bravo 👍🏽",
])
def test_emoji_survive(text: str) -> None:
    assert clean_text(text, "text", 280) == text


def test_stray_joiners_do_not_make_a_text_look_different() -> None:
    assert clean_text("\u200dbancs \u200d publics\u200d", "text", 280) == "bancs publics"


def test_clean_list_drops_empty_entries() -> None:
    assert clean_list(None, "criteria", 5, 100) == []
    assert clean_list("Un seul critère", "criteria", 5, 100) == ["Un seul critère"]
    assert clean_list(["  Moins de  bruit ", "", "   ", "\u200b", "Plus de lien"], "criteria", 5, 100) == [
        "Moins de bruit",
        "Plus de lien",
    ]


@pytest.mark.parametrize("value", [["a"] * 6, {"a": 1}, 3, ("a", "b"), ["a", 3]])
def test_clean_list_refuses_bad_lists(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        clean_list(value, "partners", 5, 100)
    assert info.value.code == "invalid_field" and info.value.params["field"] == "partners"


def test_clean_list_checks_each_length() -> None:
    with pytest.raises(ValidationError) as info:
        clean_list(["ok", "x" * 11], "indicators", 5, 10)
    assert info.value.code == "text_too_long"
    assert info.value.params == {"field": "indicators", "max": 10, "length": 11}


# ------------------------------------------------------------------- voting

BUDGET, CAP = 5, 3


def test_adding_dots() -> None:
    assert apply_vote(0, 0, 1, BUDGET, CAP) == 1
    assert apply_vote(1, 2, 2, BUDGET, CAP) == 3
    assert apply_vote(0, 4, 1, BUDGET, CAP) == 1  # the last dot of the budget


def test_over_budget_says_what_remains() -> None:
    with pytest.raises(BudgetError) as info:
        apply_vote(0, 4, 2, BUDGET, CAP)
    assert info.value.code == "budget"
    assert info.value.params == {"budget": 5, "remaining": 1}


def test_budget_spent_leaves_nothing_remaining() -> None:
    with pytest.raises(BudgetError) as info:
        apply_vote(0, 5, 1, BUDGET, CAP)
    assert info.value.params["remaining"] == 0
    with pytest.raises(BudgetError) as info:  # budget lowered after voting: never negative
        apply_vote(0, 7, 1, BUDGET, CAP)
    assert info.value.params["remaining"] == 0


def test_per_item_cap() -> None:
    with pytest.raises(BudgetError) as info:
        apply_vote(2, 2, 2, BUDGET, CAP)
    assert info.value.code == "item_cap"
    assert info.value.params == {"cap": 3}
    with pytest.raises(BudgetError):
        apply_vote(3, 3, 1, BUDGET, CAP)


def test_taking_dots_back_works_with_a_spent_budget() -> None:
    assert apply_vote(2, 5, -1, BUDGET, CAP) == 1
    assert apply_vote(3, 5, -3, BUDGET, CAP) == 0


def test_cannot_remove_dots_that_are_not_there() -> None:
    with pytest.raises(ValidationError) as info:
        apply_vote(1, 5, -2, BUDGET, CAP)
    assert info.value.code == "no_dots_to_remove"
    with pytest.raises(ValidationError):
        apply_vote(0, 0, -1, BUDGET, CAP)


@pytest.mark.parametrize("delta", [0, True, False, CAP + 1, -(CAP + 1), 1.0, "1", None])
def test_invalid_delta(delta: object) -> None:
    with pytest.raises(ValidationError) as info:
        apply_vote(0, 0, delta, BUDGET, CAP)  # type: ignore[arg-type]
    assert info.value.code == "invalid_field"
    assert info.value.params == {"field": "delta"}


def test_tally_by_group() -> None:
    result = tally([
        Ballot(1, "habitant", 2),
        Ballot(1, "agent", 1),
        Ballot(2, None, 3),
        Ballot(1, "habitant", 1),
        Ballot(3, "agent", 0),  # a withdrawn vote leaves no trace
    ])
    assert result == {
        1: {"dots": 4, "voters": 3, "by_group": {"agent": 1, "habitant": 3}},
        2: {"dots": 3, "voters": 1, "by_group": {"—": 3}},
    }
    assert type(result[1]["by_group"]) is dict
    assert list(result[1]["by_group"]) == ["agent", "habitant"]
    json.dumps(result)  # goes over the wire as is
    assert tally([]) == {}


def test_equal_weight_a_lone_association_weighs_as_much_as_many_agents() -> None:
    # Ten agents put 2 dots each on item 1; one association puts 1 dot on item 2.
    ballots = [Ballot(1, "agent", 2) for _ in range(10)] + [Ballot(2, "association", 1)]
    tallies = tally(ballots)
    assert (tallies[1]["dots"], tallies[2]["dots"]) == (20, 1)
    assert equal_weight_scores(tallies) == {1: 50.0, 2: 50.0}


def test_equal_weight_can_change_the_order() -> None:
    # agents: 6 dots on item 1, 4 on item 2; the association: its 1 dot on item 2.
    # Each group's dots are shares of its total: item 1 = (6/10)/2, item 2 = (4/10 + 1/1)/2.
    tallies = tally([Ballot(1, "agent", 6), Ballot(2, "agent", 4), Ballot(2, "association", 1)])
    assert rank([1, 2], tallies) == [1, 2]  # by raw dots: 6 against 5
    scores = equal_weight_scores(tallies)
    assert scores == {1: 30.0, 2: 70.0}
    assert sum(scores.values()) == pytest.approx(100)


def test_equal_weight_without_votes() -> None:
    assert equal_weight_scores({}) == {}


def test_rank_tie_breaks() -> None:
    tallies = tally([
        Ballot(1, "habitant", 4),  # 4 dots, 1 voter
        Ballot(2, "habitant", 2), Ballot(2, "agent", 2),  # 4 dots, 2 voters
        Ballot(3, "habitant", 5),
    ])
    # dots first, then more voters, then unvoted items in their original order, then by id
    assert rank([1, 2, 3, 4, 5, 6], tallies, {4: 3, 5: 1, 6: 2}) == [3, 2, 1, 5, 6, 4]
    assert rank([6, 5, 4], tallies) == [4, 5, 6]


# ---------------------------------------------------------------- synthesis


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
    t["a_plant"] = b.action("Planter 100 arbres", t["nature"], ideas=(t["doublon"], t["arbres"], t["cache"]),
                            pid=7, owner="Mairie", partners=["Bailleur"], deadline="2031", indicators=["arbres"])
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


def test_lineage_falls_back_to_the_themes_visible_ideas() -> None:
    b, t = _converge_round()
    view = b.build()
    jardin = next(a for a in view["actions"] if a["id"] == t["a_jardin"])
    assert lineage_idea_ids(jardin, view) == [t["arbres"], t["jardin"]]


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
    assert plant["theme"] == {"id": t["nature"], "title": "Nature en ville", "objective": "Un arbre par rue",
                              "criteria": ["100 arbres"]}
    assert [(i["id"], i["count"]) for i in plant["ideas"]] == [(t["arbres"], 2)]
    assert [i["id"] for i in jardin["ideas"]] == [t["arbres"], t["jardin"]]
    assert [i["id"] for i in fete["ideas"]] == [t["fete"]]
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


# --------------------------------------------------------------- visibility


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
        "id": 1, "pseudonym": "Léa", "group": "habitant",
        "votes": {1: {"theme": {str(t["theme"]): 2}, "action": {str(t["action"]): 1}}},
        "budget": 5, "cap": 3,
    }
    assert "votes" not in _round_of(snap)  # others' ballots are never sent
    assert "participants" not in snap
    assert "plan" not in snap


def test_live_tallies_are_visible() -> None:
    full, t = _room(phase=DEFINE)
    tallies = _round_of(public_snapshot(full, "participant", 1))["tallies"]
    assert tallies["theme"] == [{"id": t["theme"], "dots": 3, "voters": 2, "by_group": {"agent": 1, "habitant": 2}}]
    assert tallies["action"] == [{"id": t["action"], "dots": 1, "voters": 1, "by_group": {"habitant": 1}}]


@pytest.mark.parametrize("phase, revealed, theme_visible, action_visible", [
    (DIVERGE, False, False, False),
    (DEFINE, False, False, False),
    (DEFINE, True, True, True),
    (CONVERGE, False, True, False),  # the theme vote is over
    (CONVERGE, True, True, True),
    (CLOSED, False, True, True),
])
def test_reveal_mode_hides_tallies_until_revealed_or_past(phase: str, revealed: bool, theme_visible: bool,
                                                          action_visible: bool) -> None:
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
