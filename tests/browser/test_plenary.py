"""The plenary screen (/p/<event code>) and the observatory (/observatory) in a real Chromium.

A real server (fixture ``workshop``) holds the default workshop; the test adds
two ateliers and an event with the CLI against the same instance, as an
organiser would, runs a whole round on two ateliers with docs/example_client.py
(the protocol's own client), then watches the plenary screen — one Socket.IO
connection per atelier — follow a third atelier live. Every check waits for a
condition (Playwright's expect / wait_for_function), never for a fixed time.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect
from sqlalchemy import update
from support import new_op

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client, run_workshop

expect.set_options(timeout=15_000)

PLAN = """title = "{title}"
territory = "{territory}"
language = "fr"
tags = [{tags}]

[settings]
dot_budget = 5
dot_cap = 3
tallies = "live"

[[rounds]]
question = "{question}"
"""
ATELIERS = [
    (
        "Atelier 2 – Droit à l'expérimentation",
        "Occitanie",
        '"expérimentation", "politique de la ville"',
        "Droit à l'expérimentation : pourquoi et comment expérimenter ?",
    ),
    (
        "Atelier 3 – Transitions écologiques",
        "Montpellier",
        '"transitions"',
        "Comment les quartiers peuvent-ils devenir acteurs de la transition écologique ?",
    ),
]


@pytest.fixture
def axe(axe_source):
    """axe-core injected by evaluate: the page's CSP (script-src 'self') blocks an inline <script> tag."""
    from conftest import axe_violations

    def check(page):
        violations = axe_violations(page, axe_source)
        assert violations == [], "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in violations)

    return check


@pytest.fixture
def cli(workshop, monkeypatch):
    """The ``workshop`` command against the running server's instance (same SQLite file)."""
    from workshop.commands import cli as command

    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(workshop["server"].instance))
    monkeypatch.setenv("WORKSHOP_LANG", "en")  # its English lines are read below (the French default: tests/test_cli.py)
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(command, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    return run


@pytest.fixture
def clients():
    opened: list[Client] = []
    yield opened
    for client in opened:
        try:
            client.close()
        except Exception:
            pass


@pytest.fixture
def event(workshop, cli, tmp_path, clients):
    """Three ateliers in one event; a whole round run on the first two."""
    ateliers = [{"code": workshop["code"], "token": workshop["token"], "title": "Quelle politique de la ville demain ?"}]
    for n, (title, territory, tags, question) in enumerate(ATELIERS):
        plan = tmp_path / f"atelier-{n}.toml"
        plan.write_text(PLAN.format(title=title, territory=territory, tags=tags, question=question), encoding="utf-8")
        out = cli("new", "--plan", str(plan))
        ateliers.append({"code": out.split()[0], "token": re.search(r"facilitator token: (\S+)", out).group(1), "title": title})
    out = cli(
        "event",
        "new",
        "--title",
        "Quelle politique de la ville demain ?",
        "--territory",
        "Occitanie",
        "--date",
        "2020-11-03",
        *[a["code"] for a in ateliers],
    )
    code = out.split()[0]
    assert f"plenary screen:    /p/{code}" in out
    organiser = re.search(r"/e/([A-Za-z0-9_-]+)/export/docx", out).group(1)
    for atelier in ateliers[:2]:
        result = run_workshop(workshop["base"], atelier["token"], participants=6)
        clients += [result["facilitator"], result["screen"], *result["phones"]]
        atelier["result"] = result
    return {"code": code, "organiser": organiser, "ateliers": ateliers, "url": f"{workshop['base']}/p/{code}"}


def assert_fits_without_scrolling(page) -> None:
    size = page.evaluate(
        """() => ({sh: document.documentElement.scrollHeight, sw: document.documentElement.scrollWidth,
                  h: window.innerHeight, w: window.innerWidth})"""
    )
    assert size["sh"] <= size["h"] and size["sw"] <= size["w"], size


def assert_no_controls(page) -> None:
    """Read-only: nothing to click or type in, except the skip link every page has."""
    controls = page.evaluate(
        """() => [...document.querySelectorAll('button, input, select, textarea, a[href], [contenteditable], [tabindex]:not([tabindex="-1"])')]
                .filter(e => !e.classList.contains('skip-link')).map(e => e.outerHTML.slice(0, 80))"""
    )
    assert controls == [], controls


def test_plenary_shows_every_atelier_side_by_side_and_live(workshop, event, new_context, clients, axe, shot):
    page = new_context("projector").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: "Content Security Policy" in msg.text and errors.append(msg.text))
    page.goto(event["url"])

    expect(page.locator("h1")).to_have_text("Quelle politique de la ville demain ?")
    expect(page.locator(".pl-header")).to_contain_text("Occitanie · 3 novembre 2020")
    expect(page.locator("#pl-status")).to_have_attribute("data-state", "connected")
    columns = page.locator(".pl-atelier")
    expect(columns).to_have_count(3)
    expect(columns.locator(".pl-name")).to_have_text([a["title"] for a in event["ateliers"]])
    expect(page.locator(".pl-atelier[data-status=connected]")).to_have_count(3)
    expect(page.locator("#pl-people")).to_have_text("3 ateliers · 12 participants")

    # The two ateliers that ran a round: their question, kept themes with objectives, ranked actions with dots.
    for atelier in event["ateliers"][:2]:
        column = page.locator(f"#pl-w-{atelier['code']}")
        final = atelier["result"]["final"]
        first = final["rounds"][0]
        expect(column.locator(".pl-phase")).to_have_attribute("data-phase", re.compile(r"^(closed|finished)$"))
        expect(column.locator(".pl-phase")).to_contain_text(re.compile(r"Terminée · Tour 1 sur 2|Atelier terminé"))
        expect(column.locator(".pl-count")).to_have_text("6 participants")
        expect(column.locator(".pl-question").first).to_have_text(first["question"])
        kept = [t for t in first["themes"] if t["kept"]]
        expect(column.locator(".pl-theme")).to_have_count(len(kept))
        for theme in kept:  # their objectives too, unless the column had to drop them to keep its text ≥ 28 px
            expect(column.locator(".pl-themes")).to_contain_text(theme["title"])
        ranked = first["syntheses"]["converge"]["actions"]
        expect(column.locator(".pl-action").first).to_be_visible()
        shown = column.locator(".pl-action").count()  # the top of the 6 actions, as many as fit at 28 px and more
        assert 3 <= shown < 6, shown
        expect(column.locator(".pl-action").first.locator(".pl-action-title")).to_have_text(ranked[0]["title"])
        expect(column.locator(".pl-action").first).to_have_attribute("data-dots", str(ranked[0]["dots"]))
        expect(column.locator(".pl-action").first.locator(".pl-dots")).to_have_text(f"{ranked[0]['dots']} gommettes")
        expect(column.locator(".more")).to_have_text(f"et {6 - shown} de plus")
        dots = [int(d) for d in column.locator(".pl-action").evaluate_all("els => els.map(e => e.dataset.dots)")]
        assert dots == sorted(dots, reverse=True) and sum(dots) > 0

    third = event["ateliers"][2]
    column = page.locator(f"#pl-w-{third['code']}")
    expect(column.locator(".pl-phase")).to_have_text("Pas encore commencé")
    expect(column.locator(".pl-question")).to_have_text(ATELIERS[1][3])

    assert_fits_without_scrolling(page)
    assert_no_controls(page)
    shot(page, "plenary-01")
    axe(page)

    # Live: the third atelier opens divergence, ideas arrive, then define with a theme.
    facilitator = Client(workshop["base"], {"facilitator_token": third["token"]})
    clients.append(facilitator)
    facilitator.ok("phase.advance", {"op_id": new_op(), "expected_phase": "lobby"})
    expect(column.locator(".pl-phase")).to_have_text("Divergence : les idées")
    expect(column.locator(".pl-phase")).to_have_attribute("data-phase", "diverge")
    for text in ("Des îlots de fraîcheur dans les cours", "Un repair café au centre social"):
        facilitator.ok("idea.post", {"op_id": new_op(), "text": text})
    expect(column.locator(".pl-ideas")).to_have_text("2 idées")
    facilitator.ok("phase.advance", {"op_id": new_op(), "expected_phase": "diverge"})
    facilitator.ok("theme.create", {"op_id": new_op(), "title": "Nature en ville", "objective": "Rafraîchir le quartier"})
    expect(column.locator(".pl-phase")).to_have_text("Définition : les thèmes")
    expect(column.locator(".pl-theme")).to_have_text(["Nature en villeObjectif : Rafraîchir le quartier"])
    facilitator.ok("phase.advance", {"op_id": new_op(), "expected_phase": "define"})
    expect(column.locator(".pl-phase")).to_have_text("Convergence : les actions")
    expect(column.locator(".pl-sub").first).to_have_text("Thèmes retenus")
    theme_id = facilitator.ok("snapshot")["rounds"][0]["themes"][0]["id"]
    facilitator.ok("action.propose", {"op_id": new_op(), "theme_id": theme_id, "title": "Planter cent arbres"})
    expect(column.locator(".pl-action-title")).to_have_text(["Planter cent arbres"])
    # The other columns did not move.
    expect(page.locator(f"#pl-w-{event['ateliers'][0]['code']} .pl-phase")).to_have_text("Terminée · Tour 1 sur 2")
    assert_fits_without_scrolling(page)
    assert errors == [], errors


def test_observatory_lists_published_workshops(workshop, event, new_context, axe, shot):
    from workshop.storage.db import Database
    from workshop.storage.models import Workshop

    # Publication is another feature: set published_at directly, as it will.
    db = Database(f"sqlite:///{workshop['server'].instance / 'workshop.db'}")
    published = [a["code"] for a in event["ateliers"][:2]]
    with db.transaction() as s:
        s.execute(update(Workshop).where(Workshop.code.in_(published)).values(published_at=datetime.now(UTC)))
    db.dispose()

    page = new_context("desktop").new_page()
    page.goto(f"{workshop['base']}/observatory")
    expect(page.locator("h1")).to_have_text("Observatoire des ateliers")
    expect(page.locator(".ob-count")).to_have_text("2 ateliers publiés")
    rows = page.locator(".ob-participation tbody tr")
    expect(rows.locator("th")).to_have_text([event["ateliers"][0]["title"], event["ateliers"][1]["title"]])
    expect(page.locator(".ob-outcomes")).to_contain_text("Vivre ensemble")
    expect(page.locator(".ob-outcomes")).to_contain_text("gommettes")
    expect(page.locator("main")).not_to_contain_text(event["ateliers"][2]["title"])  # not published
    html = page.content()
    for secret in ("P01", "P02", "Un message hors sujet à masquer", *published, workshop["token"]):
        assert secret not in html
    shot(page, "observatory-01")
    axe(page)

    # Filtering with the form (a plain GET).
    page.select_option("#ob-tag", "expérimentation")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"tag=exp%C3%A9rimentation"))
    expect(page.locator(".ob-count")).to_contain_text("1 atelier publié")
    expect(page.locator(".ob-participation tbody th")).to_have_text([event["ateliers"][1]["title"]])
    page.get_by_role("link", name="Effacer les filtres").click()
    expect(page.locator(".ob-count")).to_have_text("2 ateliers publiés")

    # At 320 px: nothing wider than the screen but the tables' own scrolling regions.
    phone = new_context("phone", viewport={"width": 320, "height": 640}).new_page()
    phone.goto(f"{workshop['base']}/observatory")
    expect(phone.locator(".ob-count")).to_have_text("2 ateliers publiés")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, width
    axe(phone)
