"""The scribe's phone page (/e/<token>) and the review states on the phone, in a real Chromium against a real server.

A scribe types the paper notes of people without a phone, choosing each one's
stakeholder group (reset after each note); the facilitator, the projector and the
scribe's own list follow. With the approval queue on (or when the abuse filter
matches), what is typed waits for a moderator: the scribe's and the phone's lists
say so, the projector shows only what was approved. A revoked link stops the
page. The page's new strings are not in the catalogue yet: nothing here asserts
on their wording, only on structure, roles and data attributes — and on what the
projector shows.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect
from support import ROOT, new_op
from test_layout import NARROW, assert_fits, big_text
from test_participant import join, open_phone, phase_is, post_idea

sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client

DOCS_SHOTS = ROOT / "docs" / "screenshots"


# ----------------------------------------------------------------- helpers


@pytest.fixture
def team(workshop):
    """The facilitator and a moderator, as Socket.IO clients; the scribe's link."""
    fac = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    links = fac.ok("snapshot")["team"]
    mod = Client(workshop["base"], {"moderator_token": links["moderator"]})
    yield {"fac": fac, "mod": mod, "scribe_url": f"{workshop['base']}/e/{links['scribe']}", "scribe_token": links["scribe"]}
    mod.close()
    fac.close()


def do(client: Client, event: str, **payload) -> dict:
    return client.ok(event, {"op_id": new_op(), **payload})


def open_scribe(new_context, team, **options):
    ctx = new_context("phone", **options)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(team["scribe_url"])
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")
    return page, errors


def open_projector(new_context, workshop):
    page = new_context("projector").new_page()
    page.goto(workshop["screen"])
    return page


def group_radio(page, group: str):
    return page.locator(f"#note-groups input[name=group][value='{group}']")


def type_note(page, text: str, group: str | None = None) -> None:
    page.fill("#note-text", text)
    if group:
        page.locator("#note-groups label.choice", has=page.locator(f"input[value='{group}']")).click()
        expect(group_radio(page, group)).to_be_checked()
    page.click("#note-send")


def note_row(page, text: str):
    return page.locator("#notes li", has_text=text)


def current_ideas(client: Client) -> list[dict]:
    snap = client.ok("snapshot")
    return next(r for r in snap["rounds"] if r["phase"] != "closed")["ideas"]


def quiet(page) -> None:
    page.evaluate("() => { document.querySelectorAll('.toast').forEach((t) => { t.hidden = true; }); window.scrollTo(0, 0); }")


# ------------------------------------------------------------------- tests


def test_scribe_types_three_notes_with_their_groups(workshop, team, new_context):
    page, errors = open_scribe(new_context, team)
    screen = open_projector(new_context, workshop)
    # In the lobby the page says what is happening instead of showing a dead form.
    expect(page.locator("#app")).to_have_attribute("data-phase", "lobby")
    expect(page.locator("#note-form")).to_be_hidden()
    expect(page.locator("#phase-note")).to_be_visible()

    do(team["fac"], "phase.advance", expected_phase="lobby")
    expect(page.locator("#app")).to_have_attribute("data-phase", "diverge")
    expect(page.locator("#note-form")).to_be_visible()
    expect(page.locator("#phase-note")).to_be_hidden()
    # one radio per group, and "not specified" (checked at first)
    groups = team["fac"].ok("snapshot")["workshop"]["settings"]["groups"]
    expect(page.locator("#note-groups input[type=radio]")).to_have_count(len(groups) + 1)
    expect(group_radio(page, "")).to_be_checked()

    notes = [
        ("Un banc devant la mairie", "habitant"),
        ("Des horaires de bus le dimanche", "agent"),
        ("Une salle pour les associations", "association"),
    ]
    for n, (text, group) in enumerate(notes, start=1):
        type_note(page, text, group)
        # the next note is someone else's: its group is chosen anew, the cursor is back in the box
        expect(group_radio(page, "")).to_be_checked()
        expect(group_radio(page, group)).not_to_be_checked()
        expect(page.locator("#note-text")).to_be_focused()
        expect(page.locator("#note-text")).to_have_value("")
        expect(page.locator("#toast-info")).to_be_visible()
        expect(note_row(page, text)).to_have_attribute("data-review", "approved")
        expect(note_row(page, text)).to_have_attribute("data-group", group)
        expect(page.locator("#notes li")).to_have_count(n)
    # newest first
    expect(page.locator("#notes li").first).to_contain_text(notes[-1][0])

    ideas = current_ideas(team["fac"])
    assert sorted((i["text"], i["group"], i["on_behalf"], i["participant_id"]) for i in ideas) == sorted(
        (t, g, True, None) for t, g in notes
    )
    wall = screen.locator("#sc-wall")
    for text, _ in notes:
        expect(wall.locator(".note", has_text=text)).to_have_count(1)

    # A note without a group; a reload lists every note again, from the snapshot.
    type_note(page, "Un panneau d'affichage")
    expect(note_row(page, "Un panneau d'affichage")).to_have_attribute("data-group", "")
    page.reload()
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")
    expect(page.locator("#notes li")).to_have_count(4)
    expect(note_row(page, "Un banc devant la mairie")).to_have_attribute("data-group", "habitant")
    assert errors == []


def test_approval_queue_pending_then_approved_or_rejected_live(workshop, team, new_context):
    fac, mod = team["fac"], team["mod"]
    do(fac, "phase.advance", expected_phase="lobby")
    do(mod, "approval.set", enabled=True)
    page, errors = open_scribe(new_context, team)
    screen = open_projector(new_context, workshop)
    expect(page.locator("#note-form")).to_be_visible()

    texts = {"keep": "Des jardins partagés", "drop": "Hors sujet complet", "wait": "Un marché le samedi"}
    type_note(page, texts["keep"], "habitant")
    type_note(page, texts["drop"], "agent")
    type_note(page, texts["wait"], "élu·e")
    for text in texts.values():
        expect(note_row(page, text)).to_have_attribute("data-review", "pending")
        expect(note_row(page, text).locator(".state-badge")).to_have_attribute("data-state", "pending")

    by_text = {i["text"]: i for i in current_ideas(mod)}
    assert all(by_text[t]["review"] == "pending" and by_text[t]["on_behalf"] for t in texts.values())
    do(mod, "review", decision="approve", idea_ids=[by_text[texts["keep"]]["id"]])
    do(mod, "review", decision="reject", idea_ids=[by_text[texts["drop"]]["id"]])

    # the scribe's badges follow live, without a reload
    expect(note_row(page, texts["keep"])).to_have_attribute("data-review", "approved")
    expect(note_row(page, texts["drop"])).to_have_attribute("data-review", "rejected")
    expect(note_row(page, texts["wait"])).to_have_attribute("data-review", "pending")

    # the projector shows only the approved one
    wall = screen.locator("#sc-wall")
    expect(wall.locator(".note", has_text=texts["keep"])).to_have_count(1)
    expect(wall.locator(".note", has_text=texts["drop"])).to_have_count(0)
    expect(wall.locator(".note", has_text=texts["wait"])).to_have_count(0)

    # a reload rebuilds the same states from the snapshot
    page.reload()
    expect(note_row(page, texts["drop"])).to_have_attribute("data-review", "rejected")
    expect(note_row(page, texts["wait"])).to_have_attribute("data-review", "pending")
    expect(note_row(page, texts["keep"])).to_have_attribute("data-review", "approved")
    quiet(page)
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SHOTS / "scribe-01.png"), full_page=True)
    assert errors == []


def test_a_phone_posting_an_insult_waits_for_review_and_the_projector_never_shows_it(workshop, team, new_context, axe):
    fac = team["fac"]
    _, phone, phone_errors = open_phone(new_context, workshop)
    join(phone, "Lina", "habitant")
    _, other, _ = open_phone(new_context, workshop)
    join(other, "Malik", "agent")
    screen = open_projector(new_context, workshop)
    do(fac, "phase.advance", expected_phase="lobby")
    phase_is(phone, "diverge")

    insult = "Le maire est un connard"
    post_idea(phone, insult)
    mine = phone.locator("#my-ideas li", has_text=insult)
    expect(mine).to_have_attribute("data-review", "pending")
    expect(mine.locator(".review-badge")).to_have_attribute("data-review", "pending")
    expect(mine.locator(".review-badge")).to_be_visible()
    # not counted as shown: the room's count stays at zero ideas
    expect(phone.locator("#room-count")).to_contain_text("0")

    post_idea(other, "Des bancs à l'ombre dans le parc")
    wall = screen.locator("#sc-wall")
    expect(wall.locator(".note", has_text="Des bancs à l'ombre")).to_have_count(1)
    expect(wall.locator(".note")).to_have_count(1)
    expect(wall).not_to_contain_text("connard")
    expect(phone.locator("#room-count")).to_contain_text("1")
    axe(phone)
    quiet(phone)
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(DOCS_SHOTS / "phone-pending.png"), full_page=True)

    # Rejected by the team: the phone says so, the projector still never showed it.
    held = next(i for i in current_ideas(fac) if i["text"] == insult)
    assert held["review"] == "pending" and held["flags"]
    do(team["mod"], "review", decision="reject", idea_ids=[held["id"]])
    expect(mine).to_have_attribute("data-review", "rejected")
    expect(mine.locator(".review-badge")).to_have_attribute("data-review", "rejected")
    expect(wall).not_to_contain_text("connard")
    assert phone_errors == []


def test_a_phone_action_waiting_for_review_cannot_be_voted(workshop, team, new_context):
    fac = team["fac"]
    _, phone, phone_errors = open_phone(new_context, workshop)
    join(phone, "Lina", "habitant")
    do(fac, "phase.advance", expected_phase="lobby")
    do(fac, "phase.advance", expected_phase="diverge")
    theme = do(fac, "theme.create", title="Mobilités")["theme"]
    do(fac, "phase.advance", expected_phase="define", kept_theme_ids=[theme["id"]])
    do(fac, "vote.open", open=True)
    do(fac, "approval.set", enabled=True)
    phase_is(phone, "converge")
    phone.fill("#action-title", "Une navette le dimanche")
    phone.click("#propose-form button[type=submit]")
    card = phone.locator(".vote-card", has_text="Une navette le dimanche")
    expect(card).to_have_attribute("data-review", "pending")
    expect(card.locator(".review-badge")).to_be_visible()
    expect(card.locator(".controls")).to_be_hidden()
    action = next(a for a in next(r for r in fac.ok("snapshot")["rounds"] if r["phase"] == "converge")["actions"])
    do(team["mod"], "review", decision="approve", action_ids=[action["id"]])
    expect(card).to_have_attribute("data-review", "approved")
    expect(card.locator(".controls")).to_be_visible()
    expect(card.locator(".review-badge")).to_have_count(0)
    assert phone_errors == []


def test_scribe_page_fits_320px_at_200_percent_and_passes_axe(workshop, team, new_context, axe, shot):
    fac, mod = team["fac"], team["mod"]
    do(fac, "phase.advance", expected_phase="lobby")
    page, errors = open_scribe(new_context, team, **NARROW)
    big_text(page)
    expect(page.locator("#note-form")).to_be_visible()
    assert_fits(page, "scribe, empty")
    axe(page)

    do(mod, "approval.set", enabled=True)
    type_note(page, "Une maison des projets ouverte le soir, avec un accueil en plusieurs langues", "professionnel")
    type_note(page, "Anticonstitutionnellement long mot pour voir", "élu·e")
    expect(page.locator("#notes li[data-review=pending]")).to_have_count(2)
    ideas = {i["text"]: i["id"] for i in current_ideas(mod)}
    do(mod, "review", decision="reject", idea_ids=[ideas["Anticonstitutionnellement long mot pour voir"]])
    do(mod, "approval.set", enabled=False)
    type_note(page, "Des fêtes de quartier", "association")
    expect(page.locator("#notes li[data-review=rejected]")).to_have_count(1)
    expect(page.locator("#notes li[data-review=approved]")).to_have_count(1)
    quiet(page)
    assert_fits(page, "scribe, notes in three states")
    axe(page)
    shot(page, "scribe-320-200-notes")

    # Define: the page says the ideas are closed; converge: the action form, under the kept theme.
    do(fac, "phase.advance", expected_phase="diverge")
    expect(page.locator("#app")).to_have_attribute("data-phase", "define")
    expect(page.locator("#note-form")).to_be_hidden()
    expect(page.locator("#phase-note")).to_be_visible()
    assert_fits(page, "scribe, define")
    theme = do(fac, "theme.create", title="Vie de quartier et lien social entre générations")["theme"]
    do(fac, "phase.advance", expected_phase="define", kept_theme_ids=[theme["id"]])
    expect(page.locator("#action-form")).to_be_visible()
    expect(page.locator("#action-theme option")).to_have_count(1)
    page.fill("#action-title", "Un repas partagé chaque mois")
    page.click("#action-send")
    expect(page.locator("#actions li[data-review=approved]")).to_have_count(1)
    actions = next(r for r in fac.ok("snapshot")["rounds"] if r["phase"] == "converge")["actions"]
    assert [(a["title"], a["theme_id"], a["participant_id"]) for a in actions] == [("Un repas partagé chaque mois", theme["id"], None)]
    quiet(page)
    assert_fits(page, "scribe, converge")
    axe(page)
    shot(page, "scribe-320-200-converge")
    assert errors == []


def test_a_revoked_scribe_link_stops_the_page(workshop, team, new_context, axe):
    fac = team["fac"]
    do(fac, "phase.advance", expected_phase="lobby")
    page, errors = open_scribe(new_context, team)
    type_note(page, "Une aire de jeux", "habitant")
    expect(note_row(page, "Une aire de jeux")).to_have_attribute("data-review", "approved")

    do(fac, "team.link", role="scribe", revoke=True)
    expect(page.locator("#revoked")).to_be_visible()
    expect(page.locator("#revoked")).to_have_attribute("role", "alert")
    expect(page.locator("#app")).to_be_hidden()
    expect(page.locator("#revoked-title")).to_be_focused()
    axe(page)
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(team["scribe_url"], timeout=5)
    assert gone.value.code == 404
    # the old link's socket is refused too
    with pytest.raises(Exception):  # noqa: B017 - socketio's ConnectionError
        Client(workshop["base"], {"scribe_token": team["scribe_token"]})
    assert errors == []


def test_notes_typed_offline_leave_when_the_network_is_back(workshop, team, new_context):
    fac = team["fac"]
    do(fac, "phase.advance", expected_phase="lobby")
    ctx = new_context("phone")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(team["scribe_url"])
    expect(page.locator("#note-form")).to_be_visible()

    ctx.set_offline(True)
    expect(page.locator("#status")).to_have_attribute("data-state", "offline")
    type_note(page, "Une note sans réseau", "agent")
    type_note(page, "Une autre note sans réseau")
    # kept on the phone, listed as waiting to be sent, the group reset all the same; the person is told
    expect(page.locator("#notes li[data-review=unsent]")).to_have_count(2)
    expect(group_radio(page, "")).to_be_checked()
    expect(page.locator("#toast-info")).to_be_visible()
    assert [i["text"] for i in current_ideas(fac)] == []

    ctx.set_offline(False)
    expect(page.locator("#notes li[data-review=approved]")).to_have_count(2)
    expect(page.locator("#notes li")).to_have_count(2)
    ideas = sorted((i["text"], i["group"]) for i in current_ideas(fac))
    assert ideas == [("Une autre note sans réseau", None), ("Une note sans réseau", "agent")], "each note exactly once"
    assert errors == []
