"""The participant phone page (/j/<code>) in a real Chromium against a real server.

Each browser context is one person's phone; the facilitator is driven from
Python with docs/example_client.py's ``Client``, exactly as the console would
drive the server. Nothing here sleeps: every step waits for a condition.
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect
from support import new_op, wait_until

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs"))
from example_client import Client

FIRST_LOAD_BUDGET = 60 * 1024  # bytes, gzipped: HTML + CSS + JS, socket.io included


# ----------------------------------------------------------------- helpers


@pytest.fixture
def facilitator(workshop):
    client = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    yield client
    client.close()


def advance(fac: Client, expected: str, open_vote: bool = True, **extra) -> dict:
    """Close the ``expected`` phase; in define and converge, open the vote too, as the facilitator does before the room votes."""
    answer = fac.ok("phase.advance", {"op_id": new_op(), "expected_phase": expected, **extra})
    if open_vote and answer["round"]["can"]["open_vote"]:
        fac.ok("vote.open", {"op_id": new_op(), "open": True})
    return answer


def current_round(snapshot: dict) -> dict:
    return next((r for r in snapshot["rounds"] if r["phase"] != "closed"), snapshot["rounds"][-1])


@pytest.fixture
def phone(new_context, workshop):
    """open() -> (context, page, page errors): a phone on the join page, connected."""

    def open_(**options):
        return open_phone(new_context, workshop, **options)

    return open_


def open_phone(new_context, workshop, **options):
    ctx = new_context("phone", **options)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(workshop["join"])
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")
    return ctx, page, errors


def join(page, pseudonym: str | None = None, group: str | None = None) -> None:
    if pseudonym:
        page.fill("#pseudonym", pseudonym)
    if group:
        page.locator("label.choice", has_text=group).click()
    page.click("#join-button")
    expect(page.locator("#app")).to_have_attribute("data-phase", re.compile(r"\w+"))
    expect(page.locator("#join")).to_be_hidden()


def phase_is(page, phase: str, timeout: float = 10000) -> None:
    expect(page.locator("#app")).to_have_attribute("data-phase", phase, timeout=timeout)


def post_idea(page, text: str) -> None:
    page.fill("#idea-text", text)
    page.click("#idea-send")


def mine(page):
    return page.locator("#my-ideas li")


def shoot(shot, page, name: str) -> None:
    """Screenshot from the top of the page (the budget bar is sticky), without a passing toast."""
    page.evaluate("() => { document.querySelectorAll('.toast').forEach((t) => { t.hidden = true; }); window.scrollTo(0, 0); }")
    shot(page, name)


def card(page, title: str):
    return page.locator(".vote-card", has=page.locator(".item-title", has_text=title))


# ------------------------------------------------------------------- tests


def test_two_phones_through_a_whole_round(workshop, facilitator, phone, axe, shot):
    """Join (with and without pseudonym), ideas, themes, actions, closed; axe on every phase."""
    _, zoe, zoe_errors = phone()
    _, anon, anon_errors = phone()

    # Join: the group labels are shown as given; nothing else is asked.
    expect(zoe.locator("label.choice")).to_have_count(6)
    expect(zoe.locator("label.choice", has_text="élu·e")).to_be_visible()
    expect(zoe.locator(".privacy")).to_contain_text("pseudonyme est facultatif")
    axe(zoe)
    shoot(shot, zoe, "phone-01-join")
    join(zoe, "Zoé", "habitant")
    join(anon)
    phase_is(zoe, "lobby")
    expect(zoe.locator("#phase-title")).to_have_text("Bienvenue, Zoé\u00a0!")
    expect(anon.locator("#phase-title")).to_have_text("Bienvenue\u00a0!")
    expect(anon.locator("#view")).to_contain_text("anonyme")
    expect(zoe.locator(".people")).to_contain_text("2 personnes")
    axe(zoe)
    shoot(shot, zoe, "phone-01b-lobby")
    token = zoe.evaluate(f"() => localStorage.getItem('workshop:{workshop['code']}:token')")
    assert token and len(token) > 10

    # Diverge: each posts; each sees only its own ideas as "mine".
    advance(facilitator, "lobby")
    facilitator.ok("timer.set", {"op_id": new_op(), "seconds": 900})
    phase_is(zoe, "diverge")
    phase_is(anon, "diverge")
    expect(zoe.locator(".timer")).to_contain_text("Temps restant")
    zoe.fill("#idea-text", "Des jardins")
    expect(zoe.locator("#idea-count")).to_have_text("11 / 200 caractères")
    post_idea(zoe, "Des jardins partagés au pied des immeubles")
    post_idea(zoe, "Un bus de nuit qui dessert le quartier")
    post_idea(anon, "Des cours d'école ouvertes le week-end")
    expect(mine(zoe)).to_have_count(2)
    expect(mine(anon)).to_have_count(1)
    expect(mine(anon)).to_contain_text("Des cours d'école ouvertes le week-end")
    expect(mine(zoe).first).to_contain_text("Des jardins partagés")
    expect(zoe.locator("#my-ideas li[data-pending=true]")).to_have_count(0)
    expect(zoe.locator("#room-count")).to_have_text("3 idées dans la salle")
    snap = facilitator.ok("snapshot")
    texts = sorted(i["text"] for i in snap["rounds"][0]["ideas"])
    assert texts == sorted(
        ["Des jardins partagés au pied des immeubles", "Un bus de nuit qui dessert le quartier", "Des cours d'école ouvertes le week-end"]
    )
    by_author = {i["text"]: i["author"] for i in snap["rounds"][0]["ideas"]}
    assert by_author["Des jardins partagés au pied des immeubles"] == "Zoé"
    assert by_author["Des cours d'école ouvertes le week-end"] is None

    # Edit inline, withdraw with a confirmation.
    zoe.locator("#my-ideas li", has_text="Un bus de nuit").locator("[data-action=edit]").click()
    zoe.fill("#my-ideas textarea", "Un bus de nuit jusqu'au centre-ville")
    zoe.locator("#my-ideas form button[type=submit]").click()
    expect(mine(zoe).nth(1)).to_contain_text("jusqu'au centre-ville")
    expect(zoe.locator("#my-ideas li[data-pending=true]")).to_have_count(0)
    post_idea(anon, "Une idée que je retire")
    row = anon.locator("#my-ideas li", has_text="Une idée que je retire")
    row.locator("[data-action=withdraw]").click()
    expect(row).to_contain_text("Retirer cette idée")
    axe(anon)
    row.locator("[data-action=withdraw-yes]").click()
    expect(mine(anon)).to_have_count(1)
    wait_until(
        lambda: all(i["withdrawn"] for i in facilitator.ok("snapshot")["rounds"][0]["ideas"] if i["text"] == "Une idée que je retire"),
        message="withdrawn",
    )
    expect(zoe.locator("#room-count")).to_have_text("3 idées dans la salle")
    zoe.fill("#idea-text", "Des locaux")
    axe(zoe)
    shoot(shot, zoe, "phone-02-diverge")

    # Define: a waiting screen, then themes with dot votes (tallies hidden: "reveal").
    advance(facilitator, "diverge", open_vote=False)
    phase_is(zoe, "define")
    expect(zoe.locator("#view")).to_contain_text("regroupe les idées en thèmes")
    specs = [
        ("Vivre ensemble", "Des lieux partagés dans chaque quartier", ["3 lieux ouverts", "fréquentation mensuelle"]),
        ("Mobilités", "Relier le quartier au reste de la ville", ["temps de trajet divisé par deux"]),
        ("Participation", "Les habitants décident avec les élus", []),
    ]
    themes = [facilitator.ok("theme.create", {"op_id": new_op(), "title": t, "objective": o, "criteria": c})["theme"] for t, o, c in specs]
    expect(zoe.locator(".vote-card")).to_have_count(3)
    expect(card(zoe, "Vivre ensemble")).to_contain_text("3 lieux ouverts")
    expect(zoe.locator(".results-note")).to_have_text("Les résultats seront dévoilés par l'animation.")
    # The vote opens when the facilitator says: until then a clear line, and the buttons cannot be pressed.
    expect(zoe.locator(".vote-closed")).to_contain_text("Le vote n'est pas encore ouvert")
    expect(card(zoe, "Vivre ensemble").locator(".plus")).to_be_disabled()
    facilitator.ok("vote.open", {"op_id": new_op(), "open": True})
    expect(zoe.locator(".vote-closed")).to_be_hidden()
    expect(card(zoe, "Vivre ensemble").locator(".plus")).to_be_enabled()
    card(zoe, "Vivre ensemble").locator(".plus").click()
    card(zoe, "Vivre ensemble").locator(".plus").click()
    card(zoe, "Mobilités").locator(".plus").click()
    expect(zoe.locator("#budget-text")).to_have_text("Il vous reste 2 gommettes sur\u00a05")
    card(anon, "Mobilités").locator(".plus").click()
    expect(anon.locator("#budget-text")).to_have_text("Il vous reste 4 gommettes sur\u00a05")
    axe(zoe)
    shoot(shot, zoe, "phone-03-define")
    facilitator.ok("tallies.reveal", {"op_id": new_op(), "revealed": True})
    expect(card(zoe, "Mobilités").locator(".tally")).to_have_text("2 gommettes au total")
    expect(zoe.locator(".results-note")).to_be_hidden()
    shoot(shot, zoe, "phone-03b-define-revealed")

    # Converge: kept themes, actions with dot votes, a proposal form.
    advance(facilitator, "define", kept_theme_ids=[themes[0]["id"], themes[1]["id"]])
    phase_is(zoe, "converge")
    expect(zoe.locator(".theme-group")).to_have_count(2)
    facilitator.ok("action.propose", {"op_id": new_op(), "theme_id": themes[0]["id"], "title": "Ouvrir un jardin partagé rue Jean-Jaurès"})
    zoe.select_option("#action-theme", label="Mobilités")
    zoe.fill("#action-title", "Une navette le soir")
    zoe.fill("#action-description", "De 20 h à minuit, toutes les 30 minutes")
    zoe.click("#propose-form button[type=submit]")
    expect(zoe.locator(".vote-card")).to_have_count(2)
    expect(anon.locator(".vote-card")).to_have_count(2)
    expect(zoe.locator(".theme-group", has_text="Mobilités").locator(".vote-card")).to_contain_text("Une navette le soir")
    expect(zoe.locator("[data-pending=true]")).to_have_count(0)
    card(zoe, "Ouvrir un jardin").locator(".plus").click()
    card(anon, "Une navette").locator(".plus").click()
    expect(zoe.locator("#budget-text")).to_have_text("Il vous reste 4 gommettes sur\u00a05")
    expect(zoe.locator(".results-note")).to_be_visible()  # revealing in define does not reveal converge
    expect(card(zoe, "Une navette").locator(".tally")).to_be_hidden()
    axe(zoe)
    shoot(shot, zoe, "phone-04-converge")
    facilitator.ok("tallies.reveal", {"op_id": new_op(), "revealed": True})
    expect(card(zoe, "Une navette").locator(".tally")).to_have_text("1 gommette au total")
    snap = facilitator.ok("snapshot")
    assert {a["title"] for a in snap["rounds"][0]["actions"]} == {"Ouvrir un jardin partagé rue Jean-Jaurès", "Une navette le soir"}

    # Round 1 closes: the next round's lobby recaps it; when all close: thanks and recap.
    advance(facilitator, "converge")
    expect(zoe.locator("#app")).to_have_attribute("data-round", str(snap["rounds"][1]["id"]))
    phase_is(zoe, "lobby")
    expect(zoe.locator(".recap")).to_contain_text("Une navette le soir")
    axe(zoe)
    shoot(shot, zoe, "phone-04b-next-round")
    for phase in ("lobby", "diverge", "define", "converge"):
        advance(facilitator, phase)
    phase_is(zoe, "closed")
    phase_is(anon, "closed")
    expect(zoe.locator("#phase-title")).to_have_text("Merci de votre participation\u00a0!")
    expect(zoe.locator("#view")).to_contain_text("Les organisateurs publieront la restitution")
    expect(zoe.locator(".recap").first).to_contain_text("Vivre ensemble")
    expect(zoe.locator(".recap").first).to_contain_text("Ouvrir un jardin partagé")
    axe(zoe)
    shoot(shot, zoe, "phone-05-closed")
    # The organiser publishes the restitution: the promised link appears, live.
    expect(zoe.locator("#restitution-link")).to_have_count(0)
    facilitator.ok("restitution.publish", {"op_id": new_op(), "published": True})
    expect(zoe.locator("#restitution-link")).to_have_attribute("href", f"{workshop['base']}/r/{workshop['code']}")
    expect(anon.locator("#restitution-link")).to_have_text("Ce qu'est devenue votre parole")
    axe(zoe)
    shoot(shot, zoe, "phone-05b-closed-published")
    assert zoe_errors == [] and anon_errors == []


def test_reload_keeps_the_same_participant(workshop, facilitator, phone):
    """A reload (or a phone waking up) comes back as the same person: same ideas, same dots."""
    ctx, page, errors = phone()
    join(page, "Karim", "association")
    advance(facilitator, "lobby")
    phase_is(page, "diverge")
    post_idea(page, "Des locaux gratuits pour les associations")
    post_idea(page, "Un budget participatif pour chaque quartier")
    expect(mine(page)).to_have_count(2)
    expect(page.locator("#my-ideas li[data-pending=true]")).to_have_count(0)

    page.fill("#idea-text", "Une idée pas encore envoyée")

    page.reload()
    phase_is(page, "diverge")
    expect(page.locator("#join")).to_be_hidden()
    expect(mine(page)).to_have_count(2)
    expect(page.locator("#idea-text")).to_have_value("Une idée pas encore envoyée")  # the draft too
    expect(mine(page).first.locator("[data-action=edit]")).to_be_visible()  # still mine: editable

    advance(facilitator, "diverge")
    theme = facilitator.ok("theme.create", {"op_id": new_op(), "title": "Vie associative"})["theme"]
    facilitator.ok("theme.create", {"op_id": new_op(), "title": "Budget"})
    phase_is(page, "define")
    card(page, "Vie associative").locator(".plus").click()
    card(page, "Vie associative").locator(".plus").click()
    card(page, "Budget").locator(".plus").click()
    expect(page.locator("#budget-text")).to_have_text("Il vous reste 2 gommettes sur\u00a05")
    expect(page.locator("[data-pending=true]")).to_have_count(0)
    wait_until(lambda: pending_count(page) == 0, message="outbox empty")

    # After a reload the dots are still there, and still count against the budget.
    page.reload()
    again = page
    phase_is(again, "define")
    expect(again.locator("#budget-text")).to_have_text("Il vous reste 2 gommettes sur\u00a05")
    expect(card(again, "Vie associative").locator(".mine-count")).to_have_text("Mes gommettes\u00a0: 2")
    expect(card(again, "Vie associative").locator(".plus")).to_be_disabled()
    snap = facilitator.ok("snapshot")
    assert len(snap["participants"]) == 1
    assert sum(v["dots"] for v in current_round(snap)["votes"]) == 3
    assert theme["id"] in {v["target_id"] for v in current_round(snap)["votes"]}
    assert errors == []


def pending_count(page) -> int:
    return page.evaluate("() => window.workshopLive.pending().length")


def test_offline_idea_is_delivered_exactly_once(workshop, facilitator, phone, shot):
    ctx, page, errors = phone()
    join(page, "Lina")
    advance(facilitator, "lobby")
    phase_is(page, "diverge")
    post_idea(page, "Une idée envoyée en ligne")
    expect(page.locator("#my-ideas li[data-pending=false]")).to_have_count(1)

    ctx.set_offline(True)
    expect(page.locator("#status")).to_have_attribute("data-state", "offline")
    post_idea(page, "Une idée écrite sans réseau")
    pending = page.locator("#my-ideas li[data-pending=true]")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("En attente d'envoi")
    expect(page.locator("#status")).to_contain_text("Pas de réseau")
    shoot(shot, page, "phone-06-offline")
    assert pending_count(page) == 1

    ctx.set_offline(False)
    expect(page.locator("#status")).to_have_attribute("data-state", "connected", timeout=20000)
    expect(pending).to_have_count(0, timeout=20000)
    expect(mine(page)).to_have_count(2)
    wait_until(lambda: pending_count(page) == 0, timeout=20000, message="outbox drained")
    ideas = facilitator.ok("snapshot")["rounds"][0]["ideas"]
    assert [i["text"] for i in ideas].count("Une idée écrite sans réseau") == 1
    # And a reload does not send it again.
    page.reload()
    phase_is(page, "diverge")
    expect(mine(page)).to_have_count(2)
    ideas = facilitator.ok("snapshot")["rounds"][0]["ideas"]
    assert [i["text"] for i in ideas].count("Une idée écrite sans réseau") == 1
    assert errors == []


def test_facilitator_event_from_a_phone_is_refused(workshop, facilitator, phone):
    _, page, errors = phone()
    join(page, "Malo")
    phase_is(page, "lobby")
    answer = page.evaluate(
        """(opId) => new Promise((resolve) =>
            window.workshopLive.socket.emit("phase.advance", {op_id: opId}, resolve))""",
        new_op(),
    )
    assert answer["ok"] is False
    assert answer["error"]["code"] == "role"
    assert answer["error"]["message"] == "Seule l'animation peut faire cela."
    assert facilitator.ok("snapshot")["rounds"][0]["phase"] == "lobby"
    phase_is(page, "lobby")
    assert errors == []


def test_dot_budget_and_cap_in_ui_and_server_then_english(workshop, facilitator, phone, shot):
    _, page, errors = phone()
    join(page, "Inès", "élu·e")
    advance(facilitator, "lobby")
    advance(facilitator, "diverge")
    for title in ("Écoles", "Santé", "Emploi"):
        facilitator.ok("theme.create", {"op_id": new_op(), "title": title})
    phase_is(page, "define")
    expect(page.locator(".vote-card")).to_have_count(3)
    ecoles, sante, emploi = card(page, "Écoles"), card(page, "Santé"), card(page, "Emploi")
    expect(ecoles.locator(".minus")).to_be_disabled()
    expect(ecoles.locator(".plus")).to_have_attribute("aria-label", "Ajouter une gommette à «\u00a0Écoles\u00a0»")

    # Per-item cap (2): the third tap is not possible.
    ecoles.locator(".plus").click()
    ecoles.locator(".plus").click()
    expect(ecoles.locator(".plus")).to_be_disabled()
    expect(ecoles.locator(".mine-count")).to_have_text("Mes gommettes\u00a0: 2")
    ecoles.locator(".plus").click(force=True)  # still focusable: explains why, sends nothing
    expect(page.locator("#toast")).to_contain_text("2 gommettes au plus")
    expect(page.locator("#budget-text")).to_have_text("Il vous reste 3 gommettes sur\u00a05")

    # Budget (5): at zero every + is disabled.
    sante.locator(".plus").click()
    sante.locator(".plus").click()
    emploi.locator(".plus").click()
    expect(page.locator("#budget-text")).to_have_text("Il vous reste 0 gommette sur\u00a05")
    for c in (ecoles, sante, emploi):
        expect(c.locator(".plus")).to_be_disabled()
    expect(emploi.locator(".minus")).to_be_enabled()
    wait_until(lambda: pending_count(page) == 0, message="votes acknowledged")

    # The server enforces it too: a vote sent behind the UI's back is refused, readably.
    emploi_id = next(t["id"] for t in current_round(facilitator.ok("snapshot"))["themes"] if t["title"] == "Emploi")
    answer = page.evaluate(
        """([opId, id]) => new Promise((resolve) =>
            window.workshopLive.socket.emit("vote", {op_id: opId, kind: "theme", target_id: id, delta: 1}, resolve))""",
        [new_op(), emploi_id],
    )
    assert answer["ok"] is False and answer["error"]["code"] == "budget"
    assert "plus de gommettes" in answer["error"]["message"]

    # Take one back: budget 1, the + buttons come back (except on the capped item).
    sante.locator(".minus").click()
    expect(page.locator("#budget-text")).to_have_text("Il vous reste 1 gommette sur\u00a05")
    expect(emploi.locator(".plus")).to_be_enabled()
    expect(ecoles.locator(".plus")).to_be_disabled()
    wait_until(lambda: pending_count(page) == 0, message="votes acknowledged")

    # English: the same state, English labels.
    page.locator("details.lang-menu summary").click()  # the language menu: one tap opens it
    page.get_by_role("link", name="English").click()
    phase_is(page, "define")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#budget-text")).to_have_text("You have 1 dot left out of 5")
    expect(page.locator("#phase-title")).to_have_text("Choose the themes")
    expect(card(page, "Écoles").locator(".plus")).to_have_attribute("aria-label", "Add a dot to “Écoles”")
    expect(card(page, "Écoles").locator(".mine-count")).to_have_text("My dots: 2")
    expect(page.locator("#status")).to_have_text("Connected")
    card(page, "Écoles").locator(".plus").click(force=True)
    expect(page.locator("#toast")).to_have_text("At most 2 dots here: you cannot add more.")
    shoot(shot, page, "phone-08-define-english")
    assert errors == []


def test_stale_token_shows_the_join_form_again(workshop, phone):
    ctx, page, _ = phone()
    page.evaluate(f"() => localStorage.setItem('workshop:{workshop['code']}:token', 'forged-token-1234567890')")
    page.reload()
    expect(page.locator("#join")).to_be_visible()
    expect(page.locator("#join-message")).to_contain_text("QR code")
    assert page.evaluate(f"() => localStorage.getItem('workshop:{workshop['code']}:token')") is None
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")
    join(page, "Nour")
    phase_is(page, "lobby")
    expect(page.locator("#phase-title")).to_have_text("Bienvenue, Nour\u00a0!")


ANONYMOUS_PLAN = """
title = "Que faire du parc ?"
language = "fr"
[settings]
anonymous = true
groups = ["riverain", "usager du parc"]
tallies = "live"
dot_budget = 3
dot_cap = 3
[[rounds]]
question = "Que faire du parc Bellevue ?"
"""


def test_anonymous_workshop_with_live_results(workshop, new_context, axe, tmp_path, shot):
    """No pseudonym asked when the workshop is anonymous; live tallies are shown at once, at 320 px."""
    server = workshop["server"]
    plan = tmp_path / "parc.toml"
    plan.write_text(ANONYMOUS_PLAN, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "workshop", "new", "--plan", str(plan)],
        env=server.env,
        cwd=server.instance.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    code = re.search(r"/j/([A-Z0-9]+)", out).group(1)
    fac = Client(workshop["base"], {"facilitator_token": re.search(r"/f/([A-Za-z0-9_-]+)", out).group(1)})
    try:
        _, page, errors = open_phone(
            new_context, {**workshop, "join": f"{workshop['base']}/j/{code}"}, viewport={"width": 320, "height": 640}
        )
        expect(page.locator("#pseudonym")).to_have_count(0)
        expect(page.locator(".privacy")).to_contain_text("anonyme")
        join(page, group="usager du parc")
        expect(page.locator("#view")).to_contain_text("usager du parc")
        advance(fac, "lobby")
        advance(fac, "diverge")
        fac.ok("theme.create", {"op_id": new_op(), "title": "Un parc ouvert la nuit, éclairé et surveillé"})
        expect(page.locator(".vote-card")).to_have_count(1)
        expect(page.locator(".vote-card .tally")).to_have_text("0 gommette au total")
        expect(page.locator(".results-note")).to_be_hidden()
        page.locator(".vote-card .plus").click()
        page.locator(".vote-card .plus").click()
        expect(page.locator(".vote-card .tally")).to_have_text("2 gommettes au total")
        expect(page.locator("#budget-text")).to_have_text("Il vous reste 1 gommette sur\u00a03")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320  # no sideways scrolling
        axe(page)
        shoot(shot, page, "phone-07-anonymous-320px")
        assert errors == []
    finally:
        fac.close()


def test_a_phone_sees_what_it_votes_on(workshop, facilitator, phone, axe, shot):
    """Define: a theme card folds out its visible ideas (read on demand); converge: an action card shows its sheet."""
    _, zoe, errors = phone()
    join(zoe, "Zoé", "habitant")
    awa = Client(workshop["base"], {"code": workshop["code"]})
    try:
        awa.ok("join", {"op_id": new_op(), "pseudonym": "Awa", "group": "association"})
        advance(facilitator, "lobby")
        texts = ["Un bus de nuit jusqu'au centre-ville", "Des pistes cyclables séparées des voitures", "Un message à masquer"]
        posted = [awa.ok("idea.post", {"op_id": new_op(), "text": text})["idea"] for text in texts]
        paper = facilitator.ok("idea.post", {"op_id": new_op(), "text": "Une navette pour les anciens le samedi", "group": "agent"})["idea"]
        late = awa.ok("idea.post", {"op_id": new_op(), "text": "Des vélos en libre service"})["idea"]
        tree = awa.ok("idea.post", {"op_id": new_op(), "text": "Plus d'arbres dans les cours"})["idea"]
        advance(facilitator, "diverge")
        specs = [("Mobilités", "Relier le quartier au reste de la ville", ["temps de trajet divisé par deux"]), ("Nature en ville", "", [])]
        mob, nature = (
            facilitator.ok("theme.create", {"op_id": new_op(), "title": t, "objective": o, "criteria": c})["theme"] for t, o, c in specs
        )
        for idea in (*posted, paper):
            facilitator.ok("idea.move", {"op_id": new_op(), "idea_id": idea["id"], "theme_id": mob["id"]})
        facilitator.ok("idea.move", {"op_id": new_op(), "idea_id": tree["id"], "theme_id": nature["id"]})
        facilitator.ok("idea.hide", {"op_id": new_op(), "idea_id": posted[2]["id"], "hidden": True})

        phase_is(zoe, "define")
        mobility = card(zoe, "Mobilités")
        fold = mobility.locator("details.fold")
        expect(fold.locator("summary")).to_have_text("Voir les idées de ce thème")
        expect(fold.locator(".fold-idea")).to_have_count(0)  # nothing is sent before it is unfolded
        fold.locator("summary").click()
        ideas = fold.locator(".fold-idea")
        expect(ideas).to_have_count(3)
        expect(fold.locator("summary")).to_have_text("3 idées dans ce thème")
        expect(ideas.locator(".fold-text")).to_have_text([texts[0], texts[1], "Une navette pour les anciens le samedi"])
        expect(ideas.nth(0).locator(".fold-who")).to_have_text("association · Awa")
        expect(ideas.nth(2).locator(".fold-who")).to_have_text("agent")  # typed in for someone: a group, no name
        expect(fold).not_to_contain_text("Un message à masquer")  # hidden by the facilitator
        expect(fold).not_to_contain_text("Plus d'arbres")  # another theme's
        expect(card(zoe, "Nature en ville").locator(".fold-idea")).to_have_count(0)

        # The facilitator files one more idea and rewrites the objective: the open fold follows.
        facilitator.ok("idea.move", {"op_id": new_op(), "idea_id": late["id"], "theme_id": mob["id"]})
        facilitator.ok("theme.update", {"op_id": new_op(), "theme_id": mob["id"], "objective": "Relier le quartier à toute la ville"})
        expect(ideas).to_have_count(4)
        expect(ideas.last.locator(".fold-text")).to_have_text("Des vélos en libre service")
        expect(mobility.locator(".objective")).to_contain_text("à toute la ville")
        # Folded and unfolded again: read again (hidden in the meantime: gone).
        fold.locator("summary").click()
        facilitator.ok("idea.hide", {"op_id": new_op(), "idea_id": posted[1]["id"], "hidden": True})
        fold.locator("summary").click()
        expect(ideas).to_have_count(3)
        expect(fold).not_to_contain_text("pistes cyclables")
        axe(zoe)
        shoot(shot, zoe, "phone-03-define-ideas")

        # 320 px with the text at 200 %: everything wraps, nothing scrolls sideways.
        zoe.set_viewport_size({"width": 320, "height": 640})
        zoe.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
        wide = "() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 321).map((e) => e.className || e.tagName)"
        wait_until(
            lambda: zoe.evaluate("() => document.documentElement.scrollWidth") <= 320 or print(zoe.evaluate(wide)),
            message="no sideways scrolling at 200 %",
        )
        summary_box = fold.locator("summary").bounding_box()
        assert summary_box["height"] >= 44 and summary_box["x"] + summary_box["width"] <= 321, summary_box
        fold.locator("summary").scroll_into_view_if_needed()
        zoe.evaluate("() => window.scrollBy(0, -40)")
        shot(zoe, "phone-03c-define-320px-200pct", full_page=False)
        zoe.evaluate("() => { document.documentElement.style.fontSize = ''; }")
        zoe.set_viewport_size({"width": 360, "height": 740})

        # Converge: an action card shows its sheet as the facilitator fills it.
        advance(facilitator, "define", kept_theme_ids=[mob["id"]])
        phase_is(zoe, "converge")
        action = facilitator.ok("action.propose", {"op_id": new_op(), "theme_id": mob["id"], "title": "Une navette le soir"})["action"]
        sheet = {
            "description": "De 20 h à minuit, toutes les 30 minutes",
            "owner": "Mairie, service mobilités",
            "partners": ["Keolis", "Centre social"],
            "deadline": "juin 2027",
            "resources": "40 000 € par an",
            "indicators": ["voyageurs par soir"],
        }
        facilitator.ok("action.update", {"op_id": new_op(), "action_id": action["id"], **sheet})
        navette = card(zoe, "Une navette le soir")
        expect(navette.locator(".description")).to_have_text(sheet["description"])
        expect(navette.locator(".sheet-row[data-field=owner]")).to_have_text("Porteur :Mairie, service mobilités")
        expect(navette.locator(".sheet-row[data-field=deadline]")).to_have_text("Échéance :juin 2027")
        expect(navette.locator(".sheet-row[data-field=partners] dd")).to_have_text("Keolis, Centre social")
        expect(navette.locator(".sheet-row[data-field=resources] dd")).to_have_text("40 000 € par an")
        expect(navette.locator(".sheet-row[data-field=indicators] dd")).to_have_text("voyageurs par soir")
        # the kept theme's heading folds out its ideas too
        group = zoe.locator(".theme-group", has_text="Mobilités")
        group.locator("details.fold > summary").first.click()
        expect(group.locator(".fold-idea")).to_have_count(3)
        axe(zoe)
        shoot(shot, zoe, "phone-04-converge")
        assert errors == []
    finally:
        awa.close()


def test_first_load_is_light(workshop, new_context):
    """HTML + CSS + JS of the first load, gzipped (-9), socket.io included: at most 60 KB."""
    ctx = new_context("phone")
    page = ctx.new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url) if r.resource_type in ("document", "stylesheet", "script") else None)
    page.goto(workshop["join"])
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")
    assert any(u.endswith("socket.io.min.js") for u in urls) and any(u.endswith("participant.js") for u in urls)
    sizes = {}
    for url in dict.fromkeys(urls):
        with urllib.request.urlopen(url, timeout=10) as response:
            sizes[url.replace(workshop["base"], "")] = len(gzip.compress(response.read(), compresslevel=9))
    total = sum(sizes.values())
    for path, size in sizes.items():
        print(f"  {size:6d} B gz  {path}")
    print(f"participant first load: {total} bytes gzipped ({total / 1024:.1f} KB) for {len(sizes)} files")
    assert total <= FIRST_LOAD_BUDGET, sizes
