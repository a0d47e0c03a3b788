"""Events (parallel ateliers, plenary, combined compte-rendu) and the observatory.

Service tests run on both engines (the ``service`` fixture: SQLite and
PostgreSQL); the CLI runs as the local operator runs it (``WORKSHOP_INSTANCE_PATH``
pointing at a fresh instance); the HTTP routes through Flask's test client.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import update
from support import new_op
from test_exports import HIDDEN_TEXT, MERGED_AWAY_1, PEOPLE, WITHDRAWN_TEXT, build_seed_workshop

from workshop.commands import cli
from workshop.errors import NotFound, ValidationError
from workshop.exports import event as event_exports
from workshop.gatherings import GatheringService
from workshop.services import WorkshopService
from workshop.storage.db import Database
from workshop.storage.models import Workshop

Q_EXPE = "Droit à l'expérimentation : pourquoi et comment expérimenter ?"
Q_PART = "Participation : comment associer vraiment les habitants ?"
SECOND_HIDDEN = "Message insultant retiré par l'animation"


# --------------------------------------------------------------------------- helpers


def small_workshop(
    service,
    title,
    question,
    *,
    territory="",
    tags=(),
    people=(("Awa", "habitant"), ("Bruno", "élu·e")),
    theme="Expérimenter",
    action="Un laboratoire des possibles",
    hidden=None,
):
    """A one-round workshop driven to closed: ideas (one hidden), a kept theme, one voted action."""
    created = service.create_workshop(
        title,
        rounds=[question],
        territory=territory,
        tags=list(tags),
        settings={"groups": ["habitant", "élu·e", "agent", "association"], "dot_budget": 3, "dot_cap": 2},
    )
    code = created["workshop"]["code"]
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    phones, tokens = [], []
    for pseudonym, group in people:
        out = service.join(service.authenticate(code=code), {"op_id": new_op(), "pseudonym": pseudonym, "group": group})
        tokens.append(out.result["token"])
        phones.append(service.authenticate(code=code, token=out.result["token"]))

    def ok(method, actor, **payload):
        return getattr(service, method)(actor, {"op_id": new_op(), **payload}).result

    ok("advance_phase", fac)
    ideas = [ok("post_idea", p, text=f"Idée {k} pour {title}")["idea"]["id"] for k, p in enumerate(phones, start=1)]
    if hidden:
        hid = ok("post_idea", phones[0], text=hidden)["idea"]["id"]
        ok("hide_idea", fac, idea_id=hid, hidden=True)
    ok("advance_phase", fac)
    ok("open_vote", fac, open=True)
    tid = ok("create_theme", fac, title=theme, objective=f"Objectif : {theme.lower()}", criteria=["un critère"])["theme"]["id"]
    for iid in ideas:
        ok("move_idea", fac, idea_id=iid, theme_id=tid)
    for p in phones:
        ok("vote", p, kind="theme", target_id=tid, delta=1)
    ok("advance_phase", fac)
    ok("open_vote", fac, open=True)
    aid = ok("propose_action", fac, theme_id=tid, title=action)["action"]["id"]
    for p in phones:
        ok("vote", p, kind="action", target_id=aid, delta=2)
    ok("advance_phase", fac)
    return {
        "code": code,
        "id": created["workshop"]["id"],
        "token": created["facilitator_token"],
        "tokens": tokens,
        "pseudonyms": [p for p, _ in people],
    }


def publish(db, *codes):
    with db.transaction() as s:
        s.execute(update(Workshop).where(Workshop.code.in_(codes)).values(published_at=datetime(2024, 5, 1, tzinfo=UTC)))


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(re.sub(r"<[^>]+>", "", z.read(n).decode("utf-8")) for n in z.namelist() if n.endswith(".xml"))


def text_of(data: bytes, fmt: str) -> str:
    return docx_text(data) if fmt == "docx" else data.decode("utf-8")


# --------------------------------------------------------------------------- events: the service


def test_create_event_groups_workshops_and_validates(service):
    g = GatheringService(service)
    a = service.create_workshop("Atelier 1 - Coopérations locales", rounds=["Quelle coopération idéale ?"], territory="Occitanie")
    b = service.create_workshop("Atelier 2 - Droit à l'expérimentation", rounds=[Q_EXPE])
    c = service.create_workshop("Atelier 3 - Participation", rounds=[Q_PART])
    code_a, code_b, code_c = (x["workshop"]["code"] for x in (a, b, c))

    typed = code_b.lower()[:3] + "-" + code_b.lower()[3:]  # as typed on a keyboard
    created = g.create_event("Quelle politique de la ville demain ?", "Occitanie", "2020-11-03", [code_a, typed, code_a])
    event, token = created["event"], created["organiser_token"]
    assert len(token) >= 24 and token not in json.dumps(event)
    assert re.fullmatch(r"[A-Z0-9]{6}", event["code"]) and event["code"] not in (code_a, code_b, code_c)
    assert [w["code"] for w in event["workshops"]] == [code_a, code_b]
    assert event["workshops"][0] == {
        "code": code_a,
        "title": "Atelier 1 - Coopérations locales",
        "territory": "Occitanie",
        "status": "open",
    }
    assert (event["title"], event["territory"], event["date"]) == ("Quelle politique de la ville demain ?", "Occitanie", "2020-11-03")

    assert [w["code"] for w in g.add_workshop(event["code"].lower(), [code_c])["workshops"]] == [code_a, code_b, code_c]
    assert g.add_workshop(event["code"], code_c)["workshops"][-1]["code"] == code_c  # idempotent
    assert [w["code"] for w in g.remove_workshop(event["code"], [code_b])["workshops"]] == [code_a, code_c]
    view = g.event_view(event["code"])
    assert [w["code"] for w in view["workshops"]] == [code_a, code_c] and "organiser_token" not in view
    assert g.event_for_organiser(token)["code"] == event["code"]
    assert [s["workshop"]["code"] for s in g.event_snapshots(event["code"])] == [code_a, code_c]
    assert [e["organiser_token"] for e in g.list_events()] == [token]

    with pytest.raises(ValidationError) as error:
        g.create_event("   ", "", None, [])
    assert error.value.code == "empty_text"
    with pytest.raises(ValidationError) as error:
        g.create_event("Rencontre", "", "03/11/2020", [])
    assert (error.value.code, error.value.params) == ("invalid_field", {"field": "date"})
    with pytest.raises(NotFound) as error:
        g.create_event("Rencontre", "", None, ["ZZZZZZ"])
    assert error.value.code == "unknown_code"
    assert len(g.list_events()) == 1  # nothing half-created
    other = g.create_event("Une autre journée", workshop_codes=[code_b])["event"]
    with pytest.raises(ValidationError) as error:
        g.add_workshop(other["code"], [code_a])  # a workshop meets in one plenary
    assert (error.value.code, error.value.params) == ("workshop_in_other_event", {"workshop": code_a})
    with pytest.raises(NotFound) as error:
        g.remove_workshop(other["code"], [code_c])
    assert error.value.code == "not_in_event"
    for bad in ("NOPE42", "!!", "", None):
        with pytest.raises(NotFound) as error:
            g.event_view(bad)
        assert error.value.code == "unknown_event_code"
    for bad in ("", "x" * 100, None, event["code"]):
        with pytest.raises(NotFound):
            g.event_for_organiser(bad)
    with pytest.raises(ValidationError):
        g.add_workshop(event["code"], [])


def test_combined_export_has_every_atelier_and_nothing_private(service):
    g = GatheringService(service)
    seed = build_seed_workshop(service)
    second = small_workshop(
        service,
        "Atelier 2 - Droit à l'expérimentation",
        Q_EXPE,
        hidden=SECOND_HIDDEN,
        people=(("Zoé-habitante", "habitant"), ("Marc-agent", "agent")),
        action="Créer un lab des possibles dans le quartier",
    )
    created = g.create_event("Quelle politique de la ville demain ?", "Occitanie", "2020-11-03", [seed.code, second["code"]])
    code, organiser = created["event"]["code"], created["organiser_token"]
    snapshots = g.event_snapshots(code)
    questions = [r["question"] for s in snapshots for r in s["rounds"]]
    actions = [a["title"] for s in snapshots for r in s["rounds"] for a in r["actions"]]
    assert len(questions) == 3 and "Créer un lab des possibles dans le quartier" in actions
    secrets = [
        HIDDEN_TEXT,
        WITHDRAWN_TEXT,
        MERGED_AWAY_1,
        SECOND_HIDDEN,
        *PEOPLE,
        "Zoé-habitante",
        "Marc-agent",
        *seed.tokens,
        seed.facilitator_token,
        seed.code,
        *second["tokens"],
        second["token"],
        second["code"],
        organiser,
        code,
    ]
    for fmt in event_exports.FORMATS:
        for lang in ("fr", "en"):
            body, media_type, name = g.event_export(code, fmt, lang)
            text = text_of(body, fmt)
            for q in questions:
                expected = q.replace("'", "&#x27;") if fmt == "html" else q
                assert expected in text or q in text, (fmt, lang, q)
            for title in actions:
                expected = title.replace("'", "&#x27;") if fmt == "html" else title
                assert expected in text or title in text, (fmt, lang, title)
            for secret in secrets:
                assert secret not in text, f"{secret!r} leaked into the {fmt}/{lang} event export"
            assert media_type == event_exports.media_type(fmt)
    assert g.event_export(code, "docx")[2] == "compte-rendu-rencontre-quelle-politique-de-la-ville-demain-2020-11-03.docx"
    assert g.event_export(code, "json", "en")[2] == "event-quelle-politique-de-la-ville-demain-2020-11-03.json"


def test_combined_documents_are_well_formed(tmp_path):
    """Pure functions on snapshots: the event is the top of the outline, each atelier one level down."""
    from docx import Document

    db = Database(f"sqlite:///{tmp_path / 'w.db'}")
    db.upgrade()
    service = WorkshopService(db)
    one = small_workshop(service, "Coopérations locales", "Quelle coopération idéale ?", action="Un groupe de travail")
    two = small_workshop(service, "Atelier 2 - Transitions", "Comment devenir acteurs de la transition ?", action="Un repair café")
    snapshots = [service.full_snapshot(one["id"]), service.full_snapshot(two["id"])]
    db.dispose()
    event = {"title": "Rencontre régionale", "territory": "Occitanie", "date": "2020-11-03"}

    md = event_exports.export(event, snapshots, "markdown").decode()
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings[0] == "# Rencontre régionale"
    assert [h for h in headings if h.startswith("## ")] == [
        "## Les ateliers",
        "## Atelier 1 — Coopérations locales",
        "## Atelier 2 - Transitions",
    ]
    assert "### Contexte et démarche" in headings and "##### Expérimenter (retenu)" in headings
    assert md.count("Document produit avec workshop") == 1 and md.rstrip().endswith("pendant les ateliers.*")
    assert "3 novembre 2020" in md and "2 ateliers en parallèle" in md

    html = event_exports.export(event, snapshots, "html", "en").decode()
    assert html.count("<h1>") == 1 and "<h1>Rencontre régionale</h1>" in html
    assert 'id="atelier-1"' in html and 'id="a1-tour-1"' in html and 'id="a2-tour-1"' in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids
    assert html.count("<main>") == 1 and "<script" not in html and "2 parallel workshops" in html

    doc = Document(io.BytesIO(event_exports.export(event, snapshots, "docx")))
    styles = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert styles[0] == ("Title", "Rencontre régionale")
    assert ("Heading 1", "Coopérations locales") in styles and ("Heading 1", "Atelier 2 - Transitions") in styles
    assert ("Heading 2", "Contexte et démarche") in styles and not any(s == "Title" for s, _ in styles[1:])
    assert doc.core_properties.title == "Rencontre régionale"

    data = json.loads(event_exports.export(event, snapshots, "json"))
    assert data["schema"] == "workshop-event-export/1"
    assert data["event"]["totals"]["ateliers"] == 2
    assert [w["title"] for w in data["workshops"]] == ["Coopérations locales", "Atelier 2 - Transitions"]
    assert data["workshops"][1]["rounds"][0]["actions"][0]["title"] == "Un repair café"

    empty = event_exports.export(event, [], "markdown").decode()
    assert "Aucun atelier n'est rattaché à cette rencontre." in empty
    assert event_exports.export(event, [], "docx")[:2] == b"PK"
    with pytest.raises(ValidationError):
        event_exports.export(event, snapshots, "pdf")


# --------------------------------------------------------------------------- the observatory: the service


def test_observatory_rows_filters_and_publication(service):
    g = GatheringService(service)
    tls = small_workshop(
        service,
        "Toulouse — Empalot",
        "Dans 10 ans, le quartier…",
        territory="Toulouse",
        tags=["politique de la ville", "transitions"],
        hidden=SECOND_HIDDEN,
        theme="Nature en ville",
        action="Planter 100 arbres",
        people=(("Awa", "habitant"), ("Bruno", "élu·e"), ("Chloé", "habitant")),
    )
    mtp = small_workshop(
        service,
        "Montpellier — Mosson",
        "Dans 10 ans, le quartier…",
        territory="Montpellier",
        tags=["Politique de la ville"],
        theme="Mobilités",
        action="Un bus de nuit",
    )
    tls2 = small_workshop(
        service,
        "Toulouse — Bagatelle",
        "Et demain ?",
        territory="toulouse ",
        tags=["jeunesse"],
        theme="Jeunesse",
        action="Des chantiers éducatifs",
    )

    rows = g.observatory()
    assert [r["code"] for r in rows] == [tls["code"], mtp["code"], tls2["code"]]
    first = rows[0]
    assert first["participants"] == 3 and first["territory"] == "Toulouse" and first["published_at"] is None
    assert {x["group"]: x["participants"] for x in first["by_group"] if x["participants"]} == {"habitant": 2, "élu·e": 1}
    assert [(t["title"], t["kept"]) for t in first["themes"]] == [("Nature en ville", True)]
    assert first["themes"][0]["objective"] == "Objectif : nature en ville"
    assert [(a["title"], a["dots"], a["rank"]) for a in first["actions"]] == [("Planter 100 arbres", 6, 1)]
    assert first["questions"] == ["Dans 10 ans, le quartier…"]
    dumped = json.dumps(rows, ensure_ascii=False)
    for secret in ("Awa", "Bruno", "Chloé", SECOND_HIDDEN, tls["token"], *tls["tokens"], "participant_id"):
        assert secret not in dumped

    assert [r["title"] for r in g.observatory(territory="TOULOUSE")] == ["Toulouse — Empalot", "Toulouse — Bagatelle"]
    assert [r["title"] for r in g.observatory(tag="politique de la ville")] == ["Toulouse — Empalot", "Montpellier — Mosson"]
    assert [r["title"] for r in g.observatory(territory="toulouse", tag="Politique de la ville")] == ["Toulouse — Empalot"]
    assert g.observatory(territory="Nîmes") == [] and g.observatory(tag="inconnu") == []

    assert g.observatory(published_only=True) == []
    publish(service.db, mtp["code"], tls2["code"])
    public = g.observatory(published_only=True)
    assert [r["title"] for r in public] == ["Montpellier — Mosson", "Toulouse — Bagatelle"]
    assert all("code" not in r and r["published_at"].startswith("2024-05-01") for r in public)
    assert [r["title"] for r in g.observatory(territory="Toulouse", published_only=True)] == ["Toulouse — Bagatelle"]
    assert g.observatory_filters(published_only=True) == {
        "territories": ["Montpellier", "toulouse"],
        "tags": ["jeunesse", "Politique de la ville"],
    }
    assert g.observatory_filters()["territories"] == ["Montpellier", "Toulouse"]

    english = g.observatory(territory="Montpellier", lang="en")[0]
    assert english["actions"][0]["status_label"] == "proposed"


def test_observatory_csv_and_json_files():
    from workshop.exports.observatory import render_csv, render_json

    row = {
        "title": "=Atelier",
        "territory": "Toulouse",
        "date": "2024-05-01",
        "tags": ["a", "b"],
        "event": None,
        "questions": ["Q1", "Q2"],
        "participants": 3,
        "contributions": 4,
        "dots": 6,
        "by_group": [
            {"group": "habitant", "label": "habitant", "participants": 2, "contributions": 3, "dots": 4},
            {"group": "—", "label": "non précisé", "participants": 1, "contributions": 1, "dots": 2},
        ],
        "themes": [
            {"round": 1, "title": "Nature", "objective": "Verdir", "criteria": [], "kept": True, "dots": 3, "rank": 1},
            {"round": 1, "title": "Autre", "objective": "", "criteria": [], "kept": False, "dots": 0, "rank": 2},
        ],
        "actions": [
            {
                "round": 1,
                "rank": k,
                "title": f"Action {k}",
                "theme": "Nature",
                "dots": 10 - k,
                "voters": 2,
                "status": "proposed",
                "status_label": "proposée",
                "owner": "",
                "deadline": "",
            }
            for k in range(1, 8)
        ],
    }
    raw = render_csv([row], "fr")
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    header, line = table
    assert header[:3] == ["Atelier", "Territoire", "Date"]
    cells = dict(zip(header, line))
    assert cells["Atelier"] == "'=Atelier"  # formula defused
    assert cells["Participants : habitant"] == "2" and cells["Participants : non précisé"] == "1"
    assert header.index("Participants : non précisé") > header.index("Participants : habitant")
    assert cells["Thèmes retenus"] == "Nature" and cells["Actions prioritaires"].count("\n") == 4  # top 5
    assert json.loads(render_json([row], {"territory": "Toulouse", "tag": None}))["filters"] == {"territory": "Toulouse"}


# --------------------------------------------------------------------------- the CLI


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_cli_event_new_add_export_and_observatory(run, tmp_path):
    codes = [run("new", "villes-moyennes").output.split()[0] for _ in range(3)]
    created = run(
        "event", "new", "--title", "Rencontre régionale", "--territory", "Occitanie", "--date", "2020-11-03", codes[0], codes[1].lower()
    )
    assert created.exit_code == 0, created.output
    event_code = created.output.split()[0]
    token = re.search(r"/e/([A-Za-z0-9_-]+)/export/docx", created.output).group(1)
    assert f"/p/{event_code}" in created.output
    assert f"atelier 1: {codes[0]}" in created.output and f"atelier 2: {codes[1]}" in created.output

    added = run("event", "add", event_code.lower(), codes[2])
    assert added.exit_code == 0 and f"atelier 3: {codes[2]}" in added.output and token not in added.output
    listed = run("event", "list")
    assert event_code in listed.output and "3 ateliers" in listed.output and token in listed.output

    out = tmp_path / "cr.md"
    exported = run("event", "export", event_code, "--format", "markdown", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Rencontre régionale") and text.count("## Atelier ") == 3
    for code in codes:
        assert code not in text
    docx = tmp_path / "cr.docx"
    assert run("event", "export", event_code, "-o", str(docx)).exit_code == 0 and docx.read_bytes()[:2] == b"PK"
    assert json.loads(run("event", "export", event_code, "--format", "json", "-o", "-").output)["event"]["title"] == "Rencontre régionale"

    removed = run("event", "remove", event_code, codes[2])
    assert removed.exit_code == 0 and codes[2] not in removed.output

    table = run("observatory")
    assert table.exit_code == 0
    rows = list(csv.reader(io.StringIO(table.output.lstrip("\ufeff"), newline=""), delimiter=";"))
    assert rows[0][:2] == ["Code", "Atelier"] and sorted(r[0] for r in rows[1:]) == sorted(codes)
    target = tmp_path / "obs.json"
    assert run("observatory", "--format", "json", "--territory", "nowhere", "-o", str(target)).exit_code == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["workshops"] == [] and data["filters"] == {"territory": "nowhere"}


def test_cli_event_errors_are_clear(run):
    bad = CliRunner().invoke(cli, ["event", "new", "--title", "R", "ZZZZZZ"])
    assert bad.exit_code != 0 and "unknown_code" in bad.output
    bad = CliRunner().invoke(cli, ["event", "add", "NOPE42", "ZZZZZZ"])
    assert bad.exit_code != 0 and "unknown_event_code" in bad.output
    bad = CliRunner().invoke(cli, ["event", "new", "--title", "R", "--date", "demain"])
    assert bad.exit_code != 0 and "invalid_field" in bad.output


# --------------------------------------------------------------------------- HTTP


@pytest.fixture
def event_app(app):
    """Two finished ateliers in an event, a third published on its own."""
    service = app.extensions["workshop.service"]
    g = app.extensions["workshop.gatherings"]
    one = small_workshop(
        service,
        "Atelier 1 - Coopérations",
        "Quelle coopération idéale ?",
        territory="Occitanie",
        tags=["coopération"],
        hidden=SECOND_HIDDEN,
        action="Un groupe de travail multi-partenarial",
    )
    two = small_workshop(
        service, "Atelier 2 - Expérimentation", Q_EXPE, territory="Occitanie", tags=["expérimentation"], action="Un lab des possibles"
    )
    three = small_workshop(
        service, "Atelier de Nîmes", "Et demain ?", territory="Nîmes", tags=["coopération"], action="Des permanences au pied des immeubles"
    )
    created = g.create_event("Rencontre régionale", "Occitanie", "2020-11-03", [one["code"], two["code"]])
    return {
        "one": one,
        "two": two,
        "three": three,
        "event": created["event"],
        "token": created["organiser_token"],
        "db": app.extensions["workshop.db"],
    }


def test_plenary_page(client, event_app):
    code = event_app["event"]["code"]
    response = client.get(f"/p/{code.lower()}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Rencontre régionale" in html and "Atelier 1 - Coopérations" in html and "Atelier 2 - Expérimentation" in html
    page = json.loads(re.search(r'<script id="page-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert page["role"] == "plenary" and page["code"] == code
    assert [w["code"] for w in page["workshops"]] == [event_app["one"]["code"], event_app["two"]["code"]]
    assert event_app["token"] not in html and event_app["one"]["token"] not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<button" not in html and "<input" not in html
    assert client.get("/p/NOPE42").status_code == 404


def test_event_export_route_is_for_the_organiser_only(client, event_app):
    token = event_app["token"]
    response = client.get(f"/e/{token}/export/html")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="compte-rendu-rencontre-rencontre-regionale')
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Un groupe de travail multi-partenarial" in html and "Un lab des possibles" in html
    assert SECOND_HIDDEN not in html and "Awa" not in html
    assert "Des permanences au pied des immeubles" not in html  # not in this event
    assert client.get(f"/e/{token}/export/html?view=1").headers["Content-Disposition"].startswith("inline")
    assert client.get(f"/e/{token}/export/docx").data[:2] == b"PK"
    assert client.get(f"/e/{token}/export/markdown?lang=en").get_data(as_text=True).startswith("# Rencontre régionale")
    assert json.loads(client.get(f"/e/{token}/export/json").data)["schema"] == "workshop-event-export/1"
    assert client.get(f"/e/{token}/export/pdf").status_code == 404
    assert client.get(f"/e/{token}/export/html?lang=de").status_code == 400
    assert client.get("/e/not-a-token/export/html").status_code == 404
    assert client.get(f"/e/{event_app['event']['code']}/export/html").status_code == 404  # the public code is not the key
    assert client.get(f"/e/{event_app['one']['token']}/export/html").status_code == 404  # nor a facilitator's


def test_observatory_page_shows_only_published_workshops(client, event_app):
    page = client.get("/observatory").get_data(as_text=True)
    assert "Aucun atelier publié ne correspond à ces filtres." in page
    publish(event_app["db"], event_app["one"]["code"], event_app["three"]["code"])

    response = client.get("/observatory")
    assert response.status_code == 200 and "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert "Atelier 1 - Coopérations" in html and "Atelier de Nîmes" in html
    assert "Atelier 2 - Expérimentation" not in html  # not published
    for secret in (SECOND_HIDDEN, "Awa", "Bruno", event_app["one"]["code"], event_app["three"]["code"], event_app["one"]["token"]):
        assert secret not in html
    assert html.count("<caption") == 2 and 'scope="row"' in html and 'scope="col"' in html
    assert '<form class="ob-filters card" method="get"' in html
    assert "Un groupe de travail multi-partenarial" in html and "Des permanences au pied des immeubles" in html

    by_territory = client.get("/observatory?territory=n%C3%AEmes").get_data(as_text=True)
    assert "Atelier de Nîmes" in by_territory and "Atelier 1 - Coopérations" not in by_territory
    by_tag = client.get("/observatory?tag=Coop%C3%A9ration").get_data(as_text=True)
    assert "Atelier de Nîmes" in by_tag and "Atelier 1 - Coopérations" in by_tag
    assert "Atelier 1 - Coopérations" not in client.get("/observatory?tag=exp%C3%A9rimentation").get_data(as_text=True)
    assert '<option value="Nîmes" selected>' in by_territory

    raw = client.get("/observatory.csv?territory=Occitanie")
    assert raw.headers["Content-Type"].startswith("text/csv")
    assert raw.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][0] == "Atelier" and [r[0] for r in rows[1:]] == ["Atelier 1 - Coopérations"]
    assert "Code" not in rows[0]
    data = json.loads(client.get("/observatory.json?tag=coop%C3%A9ration").data)
    assert [w["title"] for w in data["workshops"]] == ["Atelier 1 - Coopérations", "Atelier de Nîmes"]
    assert data["filters"] == {"tag": "coopération"}
    assert all("code" not in w for w in data["workshops"])
    english = client.get("/observatory.csv?lang=en").data.decode("utf-8-sig")
    assert english.startswith("Workshop,Territory,Date")
