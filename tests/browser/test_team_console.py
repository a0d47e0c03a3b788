"""A team at the consoles, in a real Chromium against a real server: the moderator's inbox and what the wall shows,
the team's links handed over and revoked, and one action sheet saved from two consoles.

Phones are scripted with docs/example_client.py; the facilitator, the moderator and the projector are pages.
"""

from __future__ import annotations

import re
import sys

from playwright.sync_api import expect
from support import ROOT, new_op

sys.path.insert(0, str(ROOT / "docs"))
import example_client

GARDENS = "Des jardins partagés au pied des immeubles"
BUS = "Un bus de nuit qui dessert le quartier"
INSULT = "Le maire est un connard, qu'il dégage"
LATE = "Des bancs à l'ombre sur la place"


def client(workshop, auth, opened):
    c = example_client.Client(workshop["base"], auth)
    opened.append(c)
    return c


def open_page(new_context, url, kind="desktop"):
    page = new_context(kind).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return page, errors


def test_a_moderator_approves_and_rejects_while_the_wall_shows_only_what_was_approved(workshop, new_context, axe, shot):
    opened: list = []
    try:
        fac = client(workshop, {"facilitator_token": workshop["token"]}, opened)
        fac.ok("phase.advance", {"op_id": new_op()})
        phone = client(workshop, {"code": workshop["code"]}, opened)
        phone.ok("join", {"op_id": new_op(), "pseudonym": "Awa", "group": "habitant"})

        moderation, errors = open_page(new_context, workshop["moderation"])
        expect(moderation.locator("#status")).to_have_attribute("data-state", "connected")
        expect(moderation.locator(".console-kicker")).to_have_text("Console de modération")
        # What only the facilitator may do is not offered to a moderator.
        for hidden in ("#advance-btn", "#reopen-btn", "#control-tools", "#exports-menu", "#qr-toggle", "#tab-restitution", "#tab-team"):
            expect(moderation.locator(hidden)).to_be_hidden()
        projector, _ = open_page(new_context, workshop["screen"], "projector")

        # The moderator switches the queue on, live: the phone's ideas now wait in the inbox.
        moderation.get_by_role("button", name="Activer la file de validation").click()
        expect(moderation.locator(".queue-state")).to_contain_text("File de validation activée")
        assert fac.ok("snapshot")["workshop"]["settings"]["approval"] is True
        kept = phone.ok("idea.post", {"op_id": new_op(), "text": GARDENS})["idea"]
        refused = phone.ok("idea.post", {"op_id": new_op(), "text": BUS})["idea"]
        held = phone.ok("idea.post", {"op_id": new_op(), "text": INSULT})["idea"]
        assert {kept["review"], refused["review"], held["review"]} == {"pending"}
        inbox = moderation.locator("#inbox")
        expect(inbox.locator(".inbox-item")).to_have_count(3)
        flagged = inbox.locator(".inbox-item.is-flagged")
        expect(flagged.locator("mark.flagged")).to_have_text("connard")  # what matched, highlighted
        expect(inbox.get_by_role("button", name="Tout valider (2)")).to_be_visible()  # a flagged text is approved one by one
        axe(moderation)
        shot(moderation, "moderation-01-inbox", full_page=False)

        item = inbox.locator(f'.inbox-item[data-review-id="{kept["id"]}"]')
        item.get_by_role("button", name="Valider").click()
        inbox.locator(f'.inbox-item[data-review-id="{refused["id"]}"]').get_by_role("button", name="Refuser").click()
        expect(inbox.locator(".inbox-item")).to_have_count(1)
        wall = projector.locator("#sc-wall")
        expect(wall).to_contain_text(GARDENS)
        # A later clean idea (queue off again) reaches the wall: what came before it was decided already.
        moderation.get_by_role("button", name="Désactiver la file de validation").click()
        expect(moderation.locator(".queue-state")).to_contain_text("désactivée")
        phone.ok("idea.post", {"op_id": new_op(), "text": LATE})
        expect(wall).to_contain_text(LATE)
        expect(wall.locator(".note")).to_have_count(2)
        expect(wall).not_to_contain_text(BUS)
        expect(wall).not_to_contain_text("connard")
        # The moderator's wall (the ideas below the inbox) holds only what was approved.
        expect(moderation.locator(".wall")).to_contain_text(GARDENS)
        expect(moderation.locator(".wall")).not_to_contain_text(BUS)
        # The phone is told where its ideas stand.
        mine = {i["id"]: i["review"] for r in phone.ok("snapshot")["rounds"] for i in r["ideas"]}
        assert (mine[kept["id"]], mine[refused["id"]], mine[held["id"]]) == ("approved", "rejected", "pending")
        assert errors == []
    finally:
        for c in opened:
            c.close()


def test_the_facilitator_hands_over_and_revokes_the_team_links(workshop, new_context, shot, axe):
    console, errors = open_page(new_context, workshop["console"])
    expect(console.locator("#status")).to_have_attribute("data-state", "connected")
    moderation, _ = open_page(new_context, workshop["moderation"])
    expect(moderation.locator("#status")).to_have_attribute("data-state", "connected")
    console.get_by_role("tab", name="Équipe").click()
    card = console.locator('.team-card[data-team-role="moderator"]')
    expect(card.locator(".team-url")).to_have_value(workshop["moderation"])
    qr = card.locator("img.team-qr")
    expect(qr).to_be_visible()
    assert console.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    axe(console)
    shot(console, "console-team-links", full_page=False)

    card.get_by_role("button", name="Nouveau lien").click()
    console.locator("#confirm-dialog").get_by_role("button", name="Nouveau lien").click()
    expect(card.locator(".team-url")).not_to_have_value(workshop["moderation"])
    new_url = card.locator(".team-url").input_value()
    assert re.fullmatch(re.escape(workshop["base"]) + r"/m/[A-Za-z0-9_-]{20,}", new_url)
    # The console opened with the old link is told at once, and the old link leads nowhere.
    expect(moderation.locator(".revoked")).to_contain_text("révoqué")
    assert moderation.goto(workshop["moderation"]).status == 404
    fresh, _ = open_page(new_context, new_url)
    expect(fresh.locator("#status")).to_have_attribute("data-state", "connected")

    scribe = console.locator('.team-card[data-team-role="scribe"]')
    scribe.get_by_role("button", name="Révoquer").click()
    console.locator("#confirm-dialog").get_by_role("button", name="Révoquer").click()
    expect(scribe.locator(".team-off")).to_be_visible()
    assert fresh.goto(workshop["scribe"]).status == 404
    assert errors == []


def test_two_consoles_saving_the_same_sheet_the_second_gets_the_conflict(workshop, new_context):
    opened: list = []
    try:
        fac = client(workshop, {"facilitator_token": workshop["token"]}, opened)
        for _ in range(2):
            fac.ok("phase.advance", {"op_id": new_op()})  # diverge, define
        theme = fac.ok("theme.create", {"op_id": new_op(), "title": "Mobilités"})["theme"]
        fac.ok("phase.advance", {"op_id": new_op(), "kept_theme_ids": [theme["id"]]})
        action = fac.ok("action.propose", {"op_id": new_op(), "theme_id": theme["id"], "title": "Une navette le soir"})["action"]

        pages = []
        for _ in range(2):
            page, _errors = open_page(new_context, workshop["console"])
            expect(page.locator("#status")).to_have_attribute("data-state", "connected")
            page.locator(f'.action[data-action-id="{action["id"]}"]').get_by_role("button", name="Compléter la fiche").click()
            expect(page.locator("#sheet-dialog")).to_be_visible()
            pages.append(page)
        first, second = pages
        first.locator("#sheet-dialog").get_by_label("Porteur").fill("Mairie")
        second.locator("#sheet-dialog").get_by_label("Porteur").fill("Centre social")
        first.locator("#sheet-dialog").get_by_role("button", name="Enregistrer la fiche").click()
        expect(first.locator("#sheet-dialog")).to_be_hidden()
        # The second console is told while its sheet is open, before it saves.
        conflict = second.locator("#sheet-conflict")
        expect(conflict).to_contain_text("vient d’être modifiée dans une autre console")
        expect(conflict).to_contain_text("« Mairie »")
        second.locator("#sheet-dialog").get_by_role("button", name="Enregistrer la fiche").click()
        expect(second.locator("#sheet-dialog .dialog-alerts")).to_contain_text("dans une autre console")
        expect(conflict).to_contain_text("Non enregistrée")
        assert fac.ok("snapshot")["rounds"][0]["actions"][0]["owner"] == "Mairie"  # nothing overwritten silently
        # Saving again, knowingly, replaces the other console's value.
        second.locator("#sheet-dialog").get_by_role("button", name="Enregistrer la fiche").click()
        expect(second.locator("#sheet-dialog")).to_be_hidden()
        owner = next(a for r in fac.ok("snapshot")["rounds"] for a in r["actions"] if a["id"] == action["id"])["owner"]
        assert owner == "Centre social"
    finally:
        for c in opened:
            c.close()
