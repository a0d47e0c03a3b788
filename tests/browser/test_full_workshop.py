"""A whole workshop in real Chromium: one facilitator console, one projector, five phones.

Everyone acts through their own page — nothing here is scripted over the
protocol — from the QR lobby to the action-plan draft.  Screenshots of every
screen at every phase are written to tests/artifacts/screenshots/full-*.png.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

PEOPLE = [
    ("Awa", "habitant"),
    ("Bruno", "élu·e"),
    ("Chloé", "association"),
    ("Dédé", "agent"),
    (None, None),  # someone who gives neither a name nor a group
]
IDEAS = [
    ("Des jardins partagés au pied des immeubles", "Un bus de nuit jusqu'au centre-ville"),
    ("Des jardins partagés au pied des immeubles", "Un conseil citoyen écouté par les élus"),
    ("Des locaux gratuits pour les associations", "Une maison des projets ouverte le samedi"),
    ("Des permanences des services publics", "Des pistes cyclables sûres"),
    ("Des cours d'école ouvertes le week-end", "Un message hors sujet à masquer"),
]
OFF_TOPIC = "Un message hors sujet à masquer"


def step(console) -> str:
    return console.locator("#stepper .step[aria-current=step] .step-name")


def phase_is(page, phase: str) -> None:
    expect(page.locator("#app")).to_have_attribute("data-phase", phase)


def quiet(page) -> None:
    page.evaluate("() => { document.querySelectorAll('.toast').forEach((t) => { t.hidden = true; }); window.scrollTo(0, 0); }")


def confirm_preview(console, button: str) -> None:
    console.get_by_role("button", name=button).click()
    dialog = console.locator("#preview-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Confirmer et continuer").click()
    expect(dialog).to_be_hidden()


def test_a_room_runs_a_whole_workshop_through_its_screens(workshop, new_context, shot):
    errors: list[str] = []

    def watch(page):
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
        return page

    console = watch(new_context("desktop").new_page())
    console.goto(workshop["console"])
    screen = watch(new_context("projector").new_page())
    screen.goto(workshop["screen"])
    expect(screen.locator("body")).to_contain_text(workshop["code"])

    # Lobby: five phones scan the QR code and join.
    phones = []
    for name, group in PEOPLE:
        page = watch(new_context("phone").new_page())
        page.goto(workshop["join"])
        expect(page.locator("#status")).to_have_attribute("data-state", "connected")
        if name:
            page.fill("#pseudonym", name)
        if group:
            page.locator("label.choice", has_text=group).click()
        page.click("#join-button")
        phase_is(page, "lobby")
        phones.append(page)
    expect(console.locator("#presence-count")).to_have_text("5 participants")
    expect(screen.locator("body")).to_contain_text("5 personnes")
    shot(screen, "full-01-screen-lobby")
    quiet(phones[0])
    shot(phones[0], "full-01-phone-lobby")

    # Diverge: every phone posts two ideas from its own page.
    console.get_by_role("button", name="Ouvrir la divergence").click()
    expect(step(console)).to_have_text("Divergence")
    for page, texts in zip(phones, IDEAS):
        phase_is(page, "diverge")
        for text in texts:
            page.fill("#idea-text", text)
            page.click("#idea-send")
        expect(page.locator("#my-ideas li")).to_have_count(2)
        expect(page.locator("#my-ideas li[data-pending=true]")).to_have_count(0)
    wall = console.locator(".wall .idea")
    expect(wall).to_have_count(10)
    expect(screen.locator(".note")).to_have_count(10)
    expect(phones[0].locator("#room-count")).to_have_text("10 idées dans la salle")

    # Moderation from the console: hide the off-topic note, merge the duplicate.
    console.locator(".wall .idea", has_text=OFF_TOPIC).get_by_role("button", name="Masquer").click()
    expect(screen.locator(".note", has_text=OFF_TOPIC)).to_have_count(0)
    gardens = console.locator(".wall .idea", has_text="Des jardins partagés")
    gardens.nth(1).get_by_role("button", name="Fusionner").click()
    gardens.nth(0).get_by_role("button", name="Garder celle-ci").click()
    expect(console.locator(".wall .idea", has_text="Des jardins partagés")).to_have_count(1)
    expect(screen.locator(".note")).to_have_count(8)
    expect(phones[0].locator("#room-count")).to_have_text("8 idées dans la salle")
    shot(console, "full-02-console-diverge")
    shot(screen, "full-02-screen-diverge")
    quiet(phones[1])
    shot(phones[1], "full-02-phone-diverge")

    # Define: themes with objectives and criteria, ideas sorted with the tap-friendly select.
    confirm_preview(console, "Clore la divergence, ouvrir la définition")
    expect(step(console)).to_have_text("Définition")
    for title, objective, criteria in (
        ("Vivre ensemble", "Des lieux partagés dans chaque quartier", "3 lieux ouverts\nfréquentation mensuelle"),
        ("Mobilités", "Relier le quartier au reste de la ville", "temps de trajet divisé par deux"),
        ("Participation", "Les habitants décident avec les élus", "un conseil citoyen par quartier"),
    ):
        console.locator("#nt-title").fill(title)
        console.locator(".nt-more summary").click()
        console.locator("#nt-objective").fill(objective)
        console.locator("#nt-criteria").fill(criteria)
        console.get_by_role("button", name="Créer le thème").click()
        expect(console.locator(".target-name", has_text=title)).to_be_visible()
    sorting = {
        "Des jardins partagés": "Vivre ensemble",
        "Des locaux gratuits": "Vivre ensemble",
        "Une maison des projets": "Vivre ensemble",
        "Un bus de nuit": "Mobilités",
        "Des pistes cyclables": "Mobilités",
        "Un conseil citoyen": "Participation",
    }
    for text, theme in sorting.items():
        console.locator(".idea", has_text=text).get_by_role("button", name="Classer…").click()
        position = ["Vivre ensemble", "Mobilités", "Participation"].index(theme) + 1
        console.locator("#chooser-select").select_option(label=f"{position}. {theme}")
        console.get_by_role("button", name="Classer", exact=True).click()
        expect(console.locator(".idea", has_text=text)).to_have_count(0)
    for theme, n in (("Vivre ensemble", 3), ("Mobilités", 2), ("Participation", 1)):
        target = console.locator(".target", has=console.locator(".target-name", has_text=theme))
        expect(target.locator(".target-count")).to_have_text(f"{n} idée" + ("s" if n > 1 else ""))

    # The facilitator opens the vote; phones spend their dots on the themes.
    console.get_by_role("button", name="Ouvrir le vote").click()
    plan = {
        0: ["Vivre ensemble", "Vivre ensemble", "Mobilités"],
        1: ["Participation", "Participation", "Vivre ensemble"],
        2: ["Vivre ensemble", "Vivre ensemble"],
        3: ["Mobilités", "Mobilités", "Participation"],
        4: ["Vivre ensemble"],
    }
    for n, page in enumerate(phones):
        phase_is(page, "define")
        for theme in plan[n]:
            card = page.locator(".vote-card", has=page.locator(".item-title", has_text=theme))
            card.locator(".plus").click()
        expect(page.locator("#budget-text")).to_contain_text(f"Il vous reste {5 - len(plan[n])} gommette")
    living = console.locator(".target", has=console.locator(".target-name", has_text="Vivre ensemble"))
    expect(living.locator(".badge.dots")).to_contain_text("6 gommettes")

    # The plan's tallies are hidden until the facilitator reveals them; then the wall shows them.
    expect(screen.locator("body")).to_contain_text("dévoilés")
    console.get_by_role("button", name="Montrer les résultats à la salle").click()
    expect(screen.locator("body")).to_contain_text("6 gommettes")
    shot(console, "full-03-console-define")
    shot(screen, "full-03-screen-define")
    quiet(phones[2])
    shot(phones[2], "full-03-phone-define")

    # Close define, keeping the two themes with most dots (pre-ticked by the preview).
    console.get_by_role("button", name="Clore la définition, ouvrir la convergence").click()
    dialog = console.locator("#preview-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("checkbox", name=re.compile("Participation")).uncheck()
    dialog.get_by_role("button", name="Confirmer et continuer").click()
    expect(step(console)).to_have_text("Convergence")

    # Converge: a phone proposes an action, the console another; phones vote.
    proposer = phones[2]
    phase_is(proposer, "converge")
    proposer.locator("#action-theme").select_option(label="Vivre ensemble")
    proposer.fill("#action-title", "Un jardin partagé dans chaque quartier")
    proposer.click("#propose-form button[type=submit]")
    expect(proposer.locator("[data-pending=true]")).to_have_count(0)
    kept = console.locator("section.kept-theme", has_text="Mobilités")
    kept.get_by_label("Proposer une action").fill("Une navette le soir")
    kept.get_by_role("button", name="Proposer", exact=True).click()
    expect(console.locator(".action")).to_have_count(2)
    console.get_by_role("button", name="Ouvrir le vote").click()
    votes = {
        0: ["Un jardin", "Un jardin", "Une navette"],
        1: ["Une navette"],
        2: ["Un jardin", "Un jardin"],
        3: ["Une navette", "Une navette"],
        4: ["Un jardin"],
    }
    for n, page in enumerate(phones):
        expect(page.locator(".vote-card")).to_have_count(2)
        for title in votes[n]:
            page.locator(".vote-card", has=page.locator(".item-title", has_text=title)).locator(".plus").click()
        expect(page.locator("#budget-text")).to_contain_text(f"Il vous reste {5 - len(votes[n])} gommette")
    garden = console.locator(".action", has_text="Un jardin partagé dans chaque quartier")
    expect(garden.locator(".badge.dots")).to_contain_text("5 gommettes")

    # The action sheet, completed at the console.
    garden.get_by_role("button", name="Compléter la fiche").click()
    sheet = console.locator("#sheet-dialog")
    sheet.get_by_label("Porteur").fill("Service politique de la ville")
    sheet.get_by_label("Partenaires (un par ligne)").fill("Centre social\nConseil citoyen")
    sheet.get_by_label("Échéance").fill("Juin 2027")
    sheet.get_by_label("Moyens").fill("0,5 ETP et 10 000 €")
    sheet.get_by_label("Indicateurs (un par ligne)").fill("nombre de jardins ouverts")
    # Lineage: the facilitator ticks the idea the action comes from.
    sheet.locator("#sheet-lineage").get_by_role("checkbox", name=re.compile("Des jardins partagés au pied des immeubles")).check()
    sheet.get_by_role("button", name="Enregistrer la fiche").click()
    expect(sheet).to_be_hidden()
    console.get_by_role("button", name="Montrer les résultats à la salle").click()
    expect(screen.locator("body")).to_contain_text("Un jardin partagé dans chaque quartier")
    shot(console, "full-04-console-converge")
    shot(screen, "full-04-screen-converge")
    quiet(phones[3])
    shot(phones[3], "full-04-phone-converge")

    # Close converge: the round is over; phones thank, the wall shows the result, the plan has it.
    confirm_preview(console, "Clore la convergence et le tour")
    for page in phones:
        expect(page.locator("#view")).to_contain_text("Un jardin partagé dans chaque quartier")
    expect(screen.locator("body")).to_contain_text("Un jardin partagé dans chaque quartier")
    console.get_by_role("tab", name="Brouillon du plan d'action").click()
    top = console.locator("#panel-plan article.plan-round").first.locator(".plan-action").first
    expect(top).to_contain_text("Un jardin partagé dans chaque quartier")
    expect(top.locator(".sheet-dl")).to_contain_text("Service politique de la ville")
    expect(top.locator(".lineage")).to_contain_text("Des jardins partagés au pied des immeubles")
    expect(console.locator("#panel-plan")).not_to_contain_text(OFF_TOPIC)
    shot(console, "full-05-console-plan")
    shot(screen, "full-05-screen-closed")
    quiet(phones[4])
    shot(phones[4], "full-05-phone-closed")
    assert errors == [], errors
