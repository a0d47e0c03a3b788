"""axe-core on the screens and states the other tests do not reach: the accessibility statement, the
console's close-phase preview (its scrollable body), the phone's offline state, the projector in each phase.

0 violations everywhere (WCAG 2.0/2.1/2.2 A and AA rules, the axe fixture of conftest.py).
"""

from __future__ import annotations

import sys

from playwright.sync_api import expect
from support import ROOT, new_op

sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client


def do(client: Client, event: str, **payload) -> dict:
    return client.ok(event, {"op_id": new_op(), **payload})


def test_the_accessibility_statement_is_linked_and_accessible(workshop, new_context, axe):
    page = new_context("phone").new_page()
    page.goto(workshop["join"])
    page.get_by_role("link", name="Accessibilité : partiellement conforme").click()
    expect(page.locator("h1")).to_have_text("Déclaration d'accessibilité")
    expect(page.locator("main")).to_contain_text("Partiellement conforme")
    expect(page.locator("main")).to_contain_text("axe-core 4.14.1")
    expect(page.locator("main")).to_contain_text("Défenseur des droits")
    expect(page.locator("main")).to_contain_text("Lecteurs d'écran : non testés")
    axe(page)
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Accessibility statement")
    axe(page)


def preview(console, axe, button: str) -> None:
    """Open a close-phase preview from the console, check it with axe, confirm it."""
    console.get_by_role("button", name=button).click()
    dialog = console.locator("#preview-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#preview-body")).not_to_contain_text("Chargement")
    axe(console)  # its scrollable body can be reached with the keyboard (scrollable-region-focusable)
    dialog.get_by_role("button", name="Confirmer et continuer").click()
    expect(dialog).to_be_hidden()


def test_dialogs_offline_phone_not_sent_list_and_projector_phases_have_no_violation(workshop, new_context, axe):
    """The three close-phase previews, the action sheet and its "discard?" confirmation; the phone offline with an
    idea waiting, then its "not sent" list (the phase closed meanwhile); the projector in each phase."""
    fac = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    try:
        projector = new_context("projector").new_page()
        projector.goto(workshop["screen"])
        expect(projector.locator("#sc-status")).to_have_attribute("data-state", "connected")
        axe(projector)  # lobby
        ctx = new_context("phone")
        phone = ctx.new_page()
        phone.goto(workshop["join"])
        phone.click("#join-button")
        expect(phone.locator("#app")).to_have_attribute("data-phase", "lobby")
        do(fac, "phase.advance", expected_phase="lobby")
        for n in range(12):
            do(fac, "idea.post", text=f"Une idée un peu longue, numéro {n}, pour remplir l'aperçu de la synthèse", group="habitant")
        expect(phone.locator("#app")).to_have_attribute("data-phase", "diverge")
        ctx.set_offline(True)
        expect(phone.locator("#status")).to_have_attribute("data-state", "offline")
        phone.fill("#idea-text", "Une idée écrite sans réseau")
        phone.click("#idea-send")
        expect(phone.locator("#my-ideas li[data-pending=true]")).to_have_count(1)
        axe(phone)  # offline, an idea waiting
        axe(projector)  # diverge wall

        console = new_context("desktop", viewport={"width": 1366, "height": 600}).new_page()
        console.goto(workshop["console"])
        expect(console.locator("#status")).to_have_attribute("data-state", "connected")
        preview(console, axe, "Clore la divergence, ouvrir la définition")

        ctx.set_offline(False)  # too late: the phase closed, the idea is kept on the phone
        expect(phone.locator("#unsent")).to_be_visible()
        expect(phone.locator("#unsent")).to_contain_text("Une idée écrite sans réseau")
        axe(phone)

        theme = do(fac, "theme.create", title="Vivre ensemble", objective="Des lieux partagés")["theme"]
        do(fac, "vote.open", open=True)
        expect(projector.locator(".theme-title", has_text="Vivre ensemble")).to_be_visible()
        axe(projector)  # define board
        preview(console, axe, "Clore la définition, ouvrir la convergence")
        action = do(fac, "action.propose", theme_id=theme["id"], title="Ouvrir un jardin partagé")["action"]
        do(fac, "vote.open", open=True)
        do(fac, "tallies.reveal", revealed=True)
        expect(projector.locator("body")).to_contain_text("Ouvrir un jardin partagé")
        axe(projector)  # converge results

        item = console.locator(f'.action[data-action-id="{action["id"]}"]')
        item.get_by_role("button", name="Compléter la fiche").click()
        sheet = console.locator("#sheet-dialog")
        expect(sheet).to_be_visible()
        console.fill("#sheet-owner", "Centre social")
        console.keyboard.press("Escape")
        confirm = console.locator("#confirm-dialog")
        expect(confirm).to_be_visible()  # unsaved typing: discard it?
        axe(console)
        confirm.locator("#confirm-ok").click()
        expect(sheet).to_be_hidden()
        preview(console, axe, "Clore la convergence et le tour")
        for phase in ("lobby", "diverge", "define", "converge"):
            do(fac, "phase.advance", expected_phase=phase)
        expect(projector.locator(".thanks")).to_be_visible()
        axe(projector)  # closed
    finally:
        fac.close()
