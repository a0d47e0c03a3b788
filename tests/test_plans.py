"""Workshop plans: the shipped files load, and every mistake is reported clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workshop.errors import ValidationError
from workshop.plans import SETTING_KEYS, Plan, RoundPlan, list_plans, load_plan, parse_plan

ROOT = Path(__file__).parents[1]
SESSIONS = ROOT / "sessions"

MINIMAL = """
title = "Notre quartier dans 10 ans"

[[rounds]]
question = "Dans 10 ans, on aimera vivre ici si…"
"""


def invalid(text: str, source: str = "<test>") -> ValidationError:
    """Parse ``text``, expecting it to be rejected; return the error."""
    with pytest.raises(ValidationError) as info:
        parse_plan(text, source=source)
    err = info.value
    assert err.code == "invalid_plan"
    assert err.params["source"] == source
    assert isinstance(err.params["detail"], str) and err.params["detail"]
    return err


# ------------------------------------------------------------- shipped plans


def test_politique_de_la_ville_plan_loads() -> None:
    plan = load_plan(SESSIONS / "politique-de-la-ville-2030.toml")
    assert plan.title == "Quelle politique de la ville demain ?"
    assert plan.territory == "Occitanie"
    assert plan.language == "fr"
    assert len(plan.rounds) >= 2
    assert plan.rounds[0].question == "Dans 10 ans, on aura réussi la politique de la ville si…"
    assert plan.settings["dot_budget"] == 5
    assert plan.settings["dot_cap"] in (2, 3)
    assert plan.settings["groups"] == ["habitant", "élu·e", "agent", "association", "professionnel", "autre"]
    for r in plan.rounds:
        assert set(r.timings) <= {"diverge", "define", "converge"}
        assert all(isinstance(m, int) and m > 0 for m in r.timings.values())


def test_villes_moyennes_plan_loads() -> None:
    plan = load_plan(SESSIONS / "villes-moyennes.toml")
    assert "villes moyennes" in plan.tags
    assert plan.settings.get("anonymous") is False  # pseudonymous, not anonymous
    assert 1 <= len(plan.rounds) <= 2
    assert "ville moyenne" in plan.rounds[0].question


def test_list_plans_finds_the_shipped_plans() -> None:
    found = list_plans(SESSIONS)
    names = [name for name, _ in found]
    assert names == sorted(names)
    assert {"politique-de-la-ville-2030", "villes-moyennes"} <= set(names)
    assert all(isinstance(plan, Plan) for _, plan in found)


def test_list_plans_accepts_a_relative_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert {"politique-de-la-ville-2030", "villes-moyennes"} <= {n for n, _ in list_plans("sessions")}


def test_shipped_settings_are_accepted_by_the_service_rules() -> None:
    """The plans only check setting names; the values must pass the real rules too."""
    settings = pytest.importorskip("workshop.domain.settings")
    for _, plan in list_plans(SESSIONS):
        settings.normalize_settings(plan.settings)


def test_setting_keys_match_the_settings_module() -> None:
    settings = pytest.importorskip("workshop.domain.settings")
    assert set(settings.DEFAULTS) == SETTING_KEYS


def test_readme_example_parses() -> None:
    readme = (SESSIONS / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, flags=re.S)
    assert blocks
    for block in blocks:
        plan = parse_plan(block, source="sessions/README.md")
        assert plan.rounds


# ------------------------------------------------------------- valid inputs


def test_minimal_plan_gets_the_defaults() -> None:
    plan = parse_plan(MINIMAL)
    assert plan == Plan(
        title="Notre quartier dans 10 ans",
        territory="",
        date=None,
        language="fr",
        tags=(),
        description="",
        settings={},
        rounds=(RoundPlan(question="Dans 10 ans, on aimera vivre ici si…", timings={}),),
    )


def test_full_plan() -> None:
    plan = parse_plan(
        """
        title = "  Atelier  "
        territory = "Narbonne"
        date = 2030-11-03
        language = "EN"
        tags = ["mobilités", "jeunesse", "mobilités"]
        description = \"\"\"
        Bienvenue.
        \"\"\"

        [settings]
        dot_budget = 7
        groups = ["habitant", "autre"]
        tallies = "whatever"  # values are the service layer's business

        [[rounds]]
        question = "Première question ?"
        timings = { converge = 30, diverge = 10 }

        [[rounds]]
        question = "Deuxième question ?"
        [rounds.timings]
        define = 20
        """
    )
    assert plan.title == "Atelier"
    assert plan.date == "2030-11-03"
    assert plan.language == "en"
    assert plan.tags == ("mobilités", "jeunesse")
    assert plan.description == "Bienvenue."
    assert plan.settings == {"dot_budget": 7, "groups": ["habitant", "autre"], "tallies": "whatever"}
    assert plan.rounds[0].timings == {"diverge": 10, "converge": 30}
    assert list(plan.rounds[0].timings) == ["diverge", "converge"]  # phase order
    assert plan.rounds[1] == RoundPlan("Deuxième question ?", {"define": 20})


def test_date_may_be_a_string() -> None:
    plan = parse_plan('date = "2030-02-28"\n' + MINIMAL)
    assert plan.date == "2030-02-28"


def test_plans_are_frozen() -> None:
    plan = parse_plan(MINIMAL)
    with pytest.raises(AttributeError):
        plan.title = "autre"  # type: ignore[misc]


def test_load_plan_tolerates_a_byte_order_mark(tmp_path: Path) -> None:
    f = tmp_path / "bom.toml"
    f.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert load_plan(f).title == "Notre quartier dans 10 ans"


def test_list_plans_sorts_and_ignores_other_files(tmp_path: Path) -> None:
    (tmp_path / "b.toml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "a.toml").write_text(MINIMAL.replace("Notre", "Votre"), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("pas un plan", encoding="utf-8")
    (tmp_path / ".#a.toml").write_text("broken = ", encoding="utf-8")
    found = list_plans(tmp_path)
    assert [name for name, _ in found] == ["a", "b"]
    assert found[0][1].title == "Votre quartier dans 10 ans"


def test_list_plans_of_an_empty_directory(tmp_path: Path) -> None:
    assert list_plans(tmp_path) == []


# ------------------------------------------------------------- error cases


def test_missing_title() -> None:
    err = invalid('[[rounds]]\nquestion = "Q ?"\n')
    assert "title" in err.params["detail"]
    assert "missing" in err.params["detail"]


def test_empty_title() -> None:
    err = invalid(MINIMAL.replace('"Notre quartier dans 10 ans"', '"   "'))
    assert "'title' is empty" in err.params["detail"]


def test_title_too_long() -> None:
    err = invalid(MINIMAL.replace("Notre quartier dans 10 ans", "x" * 201))
    assert "'title'" in err.params["detail"] and "200" in err.params["detail"]


def test_title_wrong_type() -> None:
    err = invalid(MINIMAL.replace('"Notre quartier dans 10 ans"', "42"))
    assert "'title' must be a string" in err.params["detail"]


def test_no_rounds() -> None:
    err = invalid('title = "Atelier"\n')
    assert "rounds" in err.params["detail"]
    assert "at least one round" in err.params["detail"]


def test_empty_rounds_array() -> None:
    err = invalid('title = "Atelier"\nrounds = []\n')
    assert "'rounds' is empty" in err.params["detail"]


def test_rounds_not_tables() -> None:
    err = invalid('title = "Atelier"\nrounds = ["Q ?"]\n')
    assert "[[rounds]]" in err.params["detail"]


def test_empty_question() -> None:
    err = invalid('title = "Atelier"\n[[rounds]]\nquestion = "Q ?"\n[[rounds]]\nquestion = "  "\n')
    assert "round 2" in err.params["detail"]
    assert "'question' is empty" in err.params["detail"]


def test_missing_question() -> None:
    err = invalid('title = "Atelier"\n[[rounds]]\ntimings = { diverge = 5 }\n')
    assert "round 1: 'question' is missing" in err.params["detail"]


def test_unknown_round_key() -> None:
    err = invalid('title = "Atelier"\n[[rounds]]\nquestoin = "Q ?"\n')
    detail = err.params["detail"]
    assert "unknown key 'questoin' in round 1" in detail
    assert "did you mean 'question'" in detail


def test_top_level_key_written_under_a_round() -> None:
    err = invalid(MINIMAL + 'territory = "Sète"\n')
    assert "'territory' is a top-level key" in err.params["detail"]


def test_unknown_setting_key() -> None:
    err = invalid('title = "Atelier"\n[settings]\ndot_budjet = 5\n[[rounds]]\nquestion = "Q ?"\n')
    detail = err.params["detail"]
    assert "unknown key 'dot_budjet' in [settings]" in detail
    assert "did you mean 'dot_budget'" in detail


def test_top_level_key_written_under_settings() -> None:
    err = invalid('title = "Atelier"\n[settings]\nlanguage = "fr"\n[[rounds]]\nquestion = "Q ?"\n')
    detail = err.params["detail"]
    assert "unknown key 'language' in [settings]" in detail
    assert "move it above the [settings] line" in detail


def test_settings_not_a_table() -> None:
    err = invalid("settings = 3\n" + MINIMAL)
    assert "'settings' must be a table" in err.params["detail"]


def test_unknown_top_level_key() -> None:
    err = invalid('titel = "x"\n' + MINIMAL)
    detail = err.params["detail"]
    assert "unknown key 'titel' at the top level" in detail
    assert "did you mean 'title'" in detail


def test_setting_written_at_the_top_level() -> None:
    err = invalid("dot_budget = 5\n" + MINIMAL)
    assert "'dot_budget' is a setting" in err.params["detail"]


@pytest.mark.parametrize(
    "value, expected",
    [
        ('"03/11/2030"', "YYYY-MM-DD"),
        ('"2030-02-30"', "not a real calendar day"),
        ('"20301103"', "YYYY-MM-DD"),
        ("2030-11-03T10:00:00", "without a time"),
        ("10:00:00", "not a time"),
        ("2030", "not an integer"),
    ],
)
def test_bad_date(value: str, expected: str) -> None:
    err = invalid(f"date = {value}\n" + MINIMAL)
    assert "'date'" in err.params["detail"]
    assert expected in err.params["detail"]


@pytest.mark.parametrize("value", ['"de"', '"français"', '""', "1"])
def test_bad_language(value: str) -> None:
    err = invalid(f"language = {value}\n" + MINIMAL)
    assert "'language'" in err.params["detail"]


def test_bad_language_names_the_choices() -> None:
    err = invalid('language = "de"\n' + MINIMAL)
    assert '"fr", "en"' in err.params["detail"]


@pytest.mark.parametrize(
    "value, expected",
    [('"villes moyennes"', "array of strings"), ('["ok", 3]', "item 2"), ('["ok", " "]', "item 2 is empty")],
)
def test_bad_tags(value: str, expected: str) -> None:
    err = invalid(f"tags = {value}\n" + MINIMAL)
    assert "'tags'" in err.params["detail"]
    assert expected in err.params["detail"]


def test_bad_description() -> None:
    err = invalid("description = [1]\n" + MINIMAL)
    assert "'description' must be a string" in err.params["detail"]


@pytest.mark.parametrize(
    "timings, expected",
    [
        ("{ divergence = 10 }", "unknown key 'divergence'"),
        ("{ diverge = 0 }", "between 1 and"),
        ("{ diverge = 1000 }", "between 1 and"),
        ("{ diverge = 7.5 }", "whole number of minutes"),
        ('{ diverge = "10" }', "whole number of minutes"),
        ("{ diverge = true }", "whole number of minutes"),
        ("15", "must be a table"),
    ],
)
def test_bad_timings(timings: str, expected: str) -> None:
    err = invalid(f'title = "Atelier"\n[[rounds]]\nquestion = "Q ?"\ntimings = {timings}\n')
    assert "round 1" in err.params["detail"]
    assert "timings" in err.params["detail"]
    assert expected in err.params["detail"]


def test_toml_syntax_error_gives_the_line() -> None:
    err = invalid('title = "Atelier\n[[rounds]]\nquestion = "Q ?"\n')
    detail = err.params["detail"]
    assert detail.startswith("TOML syntax error")
    assert "line 1" in detail


def test_duplicate_key_is_a_syntax_error() -> None:
    err = invalid('title = "A"\ntitle = "B"\n[[rounds]]\nquestion = "Q ?"\n')
    assert "TOML syntax error" in err.params["detail"]
    assert "line 2" in err.params["detail"]


def test_default_source() -> None:
    with pytest.raises(ValidationError) as info:
        parse_plan("")
    assert info.value.params["source"] == "<plan>"


def test_load_plan_names_the_file(tmp_path: Path) -> None:
    f = tmp_path / "cassé.toml"
    f.write_text('title = "Atelier"\n', encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_plan(f)
    assert info.value.code == "invalid_plan"
    assert info.value.params["source"] == str(f)


def test_load_plan_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        load_plan(tmp_path / "absent.toml")
    assert info.value.code == "invalid_plan"
    assert "file not found" in info.value.params["detail"]


def test_load_plan_not_utf8(tmp_path: Path) -> None:
    f = tmp_path / "latin1.toml"
    f.write_bytes(MINIMAL.replace("…", "é").encode("latin-1"))
    with pytest.raises(ValidationError) as info:
        load_plan(f)
    assert "UTF-8" in info.value.params["detail"]


def test_list_plans_reports_the_bad_file(tmp_path: Path) -> None:
    (tmp_path / "bon.toml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "mauvais.toml").write_text('title = "Sans tour"\n', encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        list_plans(tmp_path)
    assert info.value.params["source"].endswith("mauvais.toml")


def test_list_plans_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        list_plans(tmp_path / "absent")
    assert info.value.code == "invalid_plan"
    assert "directory not found" in info.value.params["detail"]
