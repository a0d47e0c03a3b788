"""Plans prepare quick polls (``[[polls]]``) and the end-of-workshop evaluation (``[[evaluation]]``).

They are checked by the domain's rules of a poll, with the plan module's talkative errors, and created
as drafts with the workshop (the evaluation's filed under the section "evaluation").
"""

from __future__ import annotations

import pytest
from support import ROOT

from workshop.errors import ValidationError
from workshop.plans import load_plan, parse_plan

HEAD = 'title = "Atelier"\n[[rounds]]\nquestion = "Q ?"\n'


@pytest.mark.parametrize(
    "section, detail",
    [
        ('[[polls]]\nquestion = "x"\nkind = "sondage"', "poll 1: 'kind' is 'sondage'; it must be one of: \"single\""),
        ('[[polls]]\nquestion = "x"', "poll 1: 'kind' is missing"),
        ('[[polls]]\nquestion = "x"\nkind = "single"\noptions = ["a"]', "poll 1: 'options' needs 2 to 10 different choices"),
        ('[[polls]]\nquestion = "x"\nkind = "scale"\noptions = ["a", "b"]', "poll 1: a scale poll has fixed choices: remove 'options'"),
        ('[[polls]]\nquestoin = "x"\nkind = "agree"', "did you mean 'question'?"),
        ('[[polls]]\nkind = "agree"', "poll 1: 'question' is missing"),
        ('[[polls]]\nquestion = "x"\nkind = "single"\noptions = ["a", "b"]\nmax_choices = 1', "'max_choices' is only for a multiple poll"),
        (
            '[[evaluation]]\nquestion = "x"\nkind = "multiple"\noptions = ["a", "b"]\nmax_choices = 3',
            "evaluation question 1: 'max_choices' must be",
        ),
        ("polls = 3", "'polls' must be written as one or more [[polls]] sections"),
    ],
)
def test_a_bad_poll_is_named_and_explained(section, detail):
    with pytest.raises(ValidationError) as info:
        parse_plan(section + "\n" + HEAD if section.startswith("polls =") else HEAD + section, source="plan.toml")
    assert info.value.code == "invalid_plan" and detail in info.value.params["detail"], info.value.params["detail"]


def test_the_shipped_plan_prepares_polls_and_an_evaluation():
    plan = load_plan(ROOT / "sessions" / "politique-de-la-ville-2030.toml")
    assert [p.kind for p in plan.polls] == ["single", "word"]
    assert [p.kind for p in plan.evaluation] == ["scale", "scale", "agree", "single", "word"]
    assert plan.evaluation[3].options == ("Oui", "Peut-être", "Non")


def test_a_plan_without_polls_has_none():
    plan = parse_plan(HEAD)
    assert plan.polls == () and plan.evaluation == ()


def test_the_plans_polls_are_created_as_drafts(app):
    from workshop.commands import create_from_plan

    with app.app_context():
        created = create_from_plan(app, ROOT / "sessions" / "politique-de-la-ville-2030.toml")
    service = app.extensions["workshop.service"]
    polls = service.full_snapshot(created["workshop"]["id"])["polls"]
    assert [(p["state"], p["section"]) for p in polls] == [("draft", "")] * 2 + [("draft", "evaluation")] * 5
    assert polls[0]["options"][0] == {"value": "1", "label": "Curieux·se"}
    phone = service.authenticate(code=created["workshop"]["code"], role="screen")
    assert service.snapshot(phone)["polls"] == [], "drafts stay on the console"
