"""The facilitator console (/f/<token>) in a real Chromium against a real server.

Phones are scripted with docs/example_client.py (they are not what is tested
here); everything the facilitator does goes through the console's UI, and the
server's state is checked afterwards through a facilitator snapshot.
"""

from __future__ import annotations

import re
import sys

import pytest
from playwright.sync_api import expect
from support import ROOT, new_op

sys.path.insert(0, str(ROOT / "docs"))
import example_client

QUESTION = "Dans 10 ans, on aura réussi la politique de la ville si…"
GARDENS = "Des jardins partagés au pied des immeubles"
GARDENS_DUP = "Des jardins partagés en bas des tours"
BUS = "Un bus de nuit qui dessert le quartier"
OFF_TOPIC = "Un message hors sujet à masquer"
SCHOOLS = "Des cours d'école ouvertes le week-end"
PAPER = "Une maison des projets ouverte le samedi"


@pytest.fixture
def clients():
    """Socket.IO clients opened by a test (phones, a second console), closed at the end."""
    opened: list[example_client.Client] = []
    yield opened
    for client in opened:
        try:
            client.close()
        except Exception:
            pass


def phone(workshop, clients, pseudonym: str, group: str) -> example_client.Client:
    client = example_client.Client(workshop["base"], {"code": workshop["code"]})
    client.ok("join", {"op_id": new_op(), "pseudonym": pseudonym, "group": group})
    clients.append(client)
    return client


def facilitator(workshop, clients) -> example_client.Client:
    client = example_client.Client(workshop["base"], {"facilitator_token": workshop["token"]})
    clients.append(client)
    return client


def open_console(new_context, workshop, lang: str | None = None):
    page = new_context("desktop").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A CSP refusal (inline style or script) is a bug of the page: collect them too.
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(workshop["console"] + (f"?lang={lang}" if lang else ""))
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")
    return page, errors


def picture(shot, page, name: str, full_page: bool = True) -> None:
    """Screenshot from the top of the page (the phase controls are pinned where the page was scrolled)."""
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, name, full_page=full_page)


def first_round(snapshot: dict) -> dict:
    return next(r for r in snapshot["rounds"] if r["position"] == 1)


def card(page, idea_id: int):
    return page.locator(f'.idea[data-idea-id="{idea_id}"]')


def column(page, title: str):
    """A theme's target on the define board (its title, ideas and dots)."""
    return page.locator(".target", has=page.locator(".target-name", has_text=title))


def open_theme(page, title: str):
    """Open a theme in the board's pane: its ideas, objective, criteria, dots, edit and delete."""
    column(page, title).locator(".target-open").click()
    expect(page.locator(".theme-head h4")).to_have_text(title)
    return page.locator(".sort-pane")


def current_step(page):
    return page.locator("#stepper .step[aria-current=step] .step-name")


# --------------------------------------------------------------------------- 1. a whole round


def test_console_runs_a_whole_round(workshop, new_context, clients, shot, axe):
    page, errors = open_console(new_context, workshop)
    expect(page.get_by_role("heading", level=1)).to_have_text("Quelle politique de la ville demain ?")
    expect(page.locator("#join-code")).to_have_text(workshop["code"])
    expect(page.get_by_role("link", name=re.compile("Écran de projection"))).to_have_attribute("href", workshop["screen"])
    exports = page.locator("#exports-menu")
    expect(exports.get_by_role("link", name="Document Word (.docx)")).to_be_hidden()  # a closed menu
    exports.locator("summary").click()
    expect(exports.get_by_role("link", name="Document Word (.docx)")).to_have_attribute(
        "href", f"/f/{workshop['token']}/export/docx?lang=fr"
    )
    expect(exports.get_by_role("link", name=re.compile("Archive de l'atelier"))).to_have_attribute(
        "href", f"/f/{workshop['token']}/export/json?lang=fr"
    )
    page.keyboard.press("Escape")
    expect(exports.get_by_role("link", name="Document Word (.docx)")).to_be_hidden()
    expect(page.locator("#round-heading")).to_have_text(QUESTION)
    expect(current_step(page)).to_have_text("Accueil")

    phones = [
        phone(workshop, clients, "Awa", "habitant"),
        phone(workshop, clients, "Bruno", "élu·e"),
        phone(workshop, clients, "Chloé", "association"),
    ]
    expect(page.locator("#presence-count")).to_have_text("3 participants")
    expect(page.locator("#presence-groups")).to_contain_text("habitant")

    # The big QR code on the projector, on and off.
    page.get_by_role("button", name="Afficher le QR code au projecteur").click()
    expect(page.get_by_role("button", name="Retirer le QR code du projecteur")).to_be_visible()
    console_client = facilitator(workshop, clients)
    assert console_client.ok("snapshot")["workshop"]["show_qr"] is True
    page.get_by_role("button", name="Retirer le QR code du projecteur").click()
    expect(page.get_by_role("button", name="Afficher le QR code au projecteur")).to_be_visible()
    axe(page)
    picture(shot, page, "console-01-lobby")

    # Diverge: the phones post, the wall fills live.
    page.get_by_role("button", name="Ouvrir la divergence").click()
    expect(current_step(page)).to_have_text("Divergence")
    ideas = {}
    for n, text in enumerate([GARDENS, BUS, GARDENS_DUP, OFF_TOPIC, SCHOOLS]):
        ideas[text] = phones[n % 3].ok("idea.post", {"op_id": new_op(), "text": text})["idea"]
    for text, idea in ideas.items():
        expect(card(page, idea["id"])).to_contain_text(text)
    expect(card(page, ideas[BUS]["id"])).to_contain_text("Bruno · élu·e")

    # Hide the off-topic one: greyed, labelled, and it can be shown again.
    off = card(page, ideas[OFF_TOPIC]["id"])
    off.get_by_role("button", name="Masquer").click()
    expect(off.locator(".hidden-badge")).to_contain_text("Masquée")
    expect(off).to_have_class(re.compile(r"\bis-hidden\b"))
    expect(off.get_by_role("button", name="Afficher")).to_be_visible()
    expect(page.locator(".wall-main .count-line")).to_have_text("5 idées, dont 1 masquée")

    # Merge in two steps; the first attempt is cancelled.
    dup = card(page, ideas[GARDENS_DUP]["id"])
    keep = card(page, ideas[GARDENS]["id"])
    dup.get_by_role("button", name="Fusionner").click()
    expect(page.locator(".merge-banner")).to_contain_text(f"Fusion du doublon « {GARDENS_DUP} »")
    expect(dup.locator(".source-badge")).to_have_text("Doublon")
    page.get_by_role("button", name="Annuler la fusion").click()
    expect(page.locator(".merge-banner")).to_have_count(0)
    dup.get_by_role("button", name="Fusionner").click()
    expect(dup.get_by_role("button", name="Garder celle-ci")).to_have_count(0)
    keep.get_by_role("button", name="Garder celle-ci").click()
    expect(keep.locator(".badge.count")).to_have_text("2 personnes")
    expect(keep.locator(".idea-merged")).to_contain_text(GARDENS_DUP)
    expect(dup).to_have_count(0)
    expect(page.locator(".merge-banner")).to_have_count(0)
    # A merge can be undone; then done again.
    keep.get_by_role("button", name=f"Séparer de nouveau « {GARDENS_DUP} »").click()
    expect(dup).to_be_visible()
    expect(keep.locator(".idea-merged")).to_have_count(0)
    dup.get_by_role("button", name="Fusionner").click()
    # the search narrows the wall to the likely keepers (accents and case do not count)
    page.get_by_label("Trouver l'idée à garder (texte ou numéro)").fill("JARDINS PARTAGES AU PIED")
    expect(page.locator(".wall .idea")).to_have_count(2)  # the duplicate and its match
    keep.get_by_role("button", name="Garder celle-ci").click()
    expect(keep.locator(".badge.count")).to_have_text("2 personnes")
    expect(dup).to_have_count(0)
    expect(page.locator(".wall .idea")).not_to_have_count(1)  # the whole wall is back

    # A paper sticky note, typed in on someone's behalf.
    page.get_by_label("L'idée", exact=True).fill(PAPER)
    page.get_by_label("Collège (facultatif)").select_option("habitant")
    page.get_by_role("button", name="Ajouter l'idée").click()
    paper = page.locator(".wall .idea", has_text=PAPER)
    expect(paper).to_contain_text("Saisie par l'animation")
    expect(paper).to_contain_text("habitant")
    expect(page.get_by_label("L'idée", exact=True)).to_have_value("")
    # The next note does not inherit this one's group; the confirmation says which group it went to.
    expect(page.get_by_label("Collège (facultatif)")).to_have_value("")
    expect(page.locator("#notices")).to_contain_text("« habitant »")

    # A 5-minute timer.
    page.get_by_role("button", name="5 min", exact=True).click()
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^(5:00|4:[0-5]\d)$"))
    expect(page.get_by_role("button", name="Arrêter")).to_be_enabled()
    axe(page)
    picture(shot, page, "console-02-diverge")

    # Close diverge: the preview lists what will be frozen.
    page.get_by_role("button", name="Clore la divergence, ouvrir la définition").click()
    dialog = page.locator("#preview-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Clore la divergence et ouvrir la définition ?")
    expect(dialog.locator(".preview-list")).to_contain_text(BUS)
    expect(dialog.locator(".preview-list")).to_contain_text(PAPER)
    expect(dialog.locator(".preview-list")).not_to_contain_text(OFF_TOPIC)
    expect(dialog).to_contain_text("4 idées, qui regroupent 5 contributions")
    dialog.get_by_role("button", name="Confirmer et continuer").click()
    expect(dialog).to_be_hidden()
    expect(current_step(page)).to_have_text("Définition")
    expect(page.locator("#countdown")).to_have_text("Pas de minuteur")

    # Two themes, with objective and success criteria.
    for title, objective, criteria in (
        ("Vivre ensemble", "Des lieux partagés dans chaque quartier", "3 lieux ouverts\nfréquentation mensuelle"),
        ("Mobilités", "Relier le quartier au reste de la ville", "temps de trajet divisé par deux"),
    ):
        page.locator("#nt-title").fill(title)
        page.locator(".nt-more summary").click()
        page.locator("#nt-objective").fill(objective)
        page.locator("#nt-criteria").fill(criteria)
        page.get_by_role("button", name="Créer le thème").click()
        expect(page.locator("#board-toasts")).to_contain_text(f"Thème « {title} » créé.")
        expect(column(page, title)).to_be_visible()
    living, mobility = column(page, "Vivre ensemble"), column(page, "Mobilités")
    pane = open_theme(page, "Vivre ensemble")
    expect(pane.locator(".objective")).to_contain_text("Des lieux partagés dans chaque quartier")
    expect(pane.locator(".criteria li")).to_have_text(["3 lieux ouverts", "fréquentation mensuelle"])

    # Rename, then fix the criteria.
    pane = open_theme(page, "Mobilités")
    pane.get_by_role("button", name="Modifier").click()
    edit = pane.locator("form.theme-edit")
    edit.get_by_label("Titre").fill("Se déplacer")
    edit.get_by_role("button", name="Enregistrer").click()
    mobility = column(page, "Se déplacer")
    expect(pane.locator(".theme-head h4")).to_have_text("Se déplacer")
    expect(pane.locator("form.theme-edit")).to_have_count(0)

    # Move ideas: drag and drop, and "Classer…" (choose a theme, then confirm) for keyboard and touch.
    column(page, "À classer").locator(".target-open").click()
    gardens = card(page, ideas[GARDENS]["id"])
    expect(gardens).to_be_visible()
    gardens.drag_to(living, source_position={"x": 90, "y": 14})
    expect(living).to_contain_text("1 idée")
    expect(gardens).to_have_count(0)
    for text, theme in ((BUS, "2. Se déplacer"), (PAPER, "1. Vivre ensemble")):
        page.locator(".idea", has_text=text).get_by_role("button", name="Classer…").click()
        page.locator("#chooser-select").select_option(label=theme)
        page.get_by_role("button", name="Classer", exact=True).click()
        expect(page.locator(".idea", has_text=text)).to_have_count(0)
    expect(living.locator(".target-count")).to_have_text("2 idées")
    expect(mobility.locator(".target-count")).to_have_text("1 idée")
    pane = open_theme(page, "Vivre ensemble")
    expect(pane.locator(".idea", has_text=PAPER)).to_be_visible()
    expect(card(page, ideas[GARDENS]["id"])).to_be_visible()

    # The vote is closed until the facilitator opens it: a phone's vote is refused, "Ouvrir le vote" lets it through.
    snap = first_round(console_client.ok("snapshot"))
    theme_ids = {t["title"]: t["id"] for t in snap["themes"]}
    early = phones[0].call("vote", {"op_id": new_op(), "kind": "theme", "target_id": theme_ids["Vivre ensemble"]})
    assert early["error"]["code"] == "vote_not_open"
    expect(page.locator("#vote-state")).to_contain_text("pas encore ouvert")
    page.get_by_role("button", name="Ouvrir le vote").click()
    expect(page.locator("#vote-state")).to_have_text("ouvert : les téléphones votent")
    expect(page.get_by_role("button", name="Fermer le vote")).to_be_visible()

    # Phones vote: dots appear, with the breakdown by group.
    phones[0].ok("vote", {"op_id": new_op(), "kind": "theme", "target_id": theme_ids["Vivre ensemble"], "delta": 2})
    phones[1].ok("vote", {"op_id": new_op(), "kind": "theme", "target_id": theme_ids["Vivre ensemble"], "delta": 1})
    phones[2].ok("vote", {"op_id": new_op(), "kind": "theme", "target_id": theme_ids["Se déplacer"], "delta": 2})
    expect(living.locator(".badge.dots")).to_contain_text("3 gommettes")
    expect(pane.locator(".voters")).to_have_text("2 personnes")
    expect(mobility.locator(".badge.dots")).to_contain_text("2 gommettes")
    pane.locator("summary", has_text="Par collège").click()
    expect(pane.locator(".group-breakdown")).to_contain_text("habitant2")

    # Reveal the results to the room.
    expect(page.locator("#reveal-state")).to_have_text("Les résultats sont cachés à la salle.")
    page.get_by_role("button", name="Montrer les résultats à la salle").click()
    expect(page.locator("#reveal-state")).to_have_text("La salle voit les résultats.")
    expect(page.get_by_role("button", name="Cacher les résultats")).to_be_visible()
    axe(page)
    picture(shot, page, "console-03-define")

    # Close define: the preview ranks the themes and pre-ticks the top ones; keep only one.
    page.get_by_role("button", name="Clore la définition, ouvrir la convergence").click()
    expect(dialog).to_be_visible()
    keep_living = dialog.get_by_role("checkbox", name=re.compile("Vivre ensemble"))
    keep_mobility = dialog.get_by_role("checkbox", name=re.compile("Se déplacer"))
    expect(keep_living).to_be_checked()
    expect(keep_mobility).to_be_checked()
    expect(dialog.locator(".keep-list li").first).to_contain_text("Vivre ensemble")
    keep_mobility.uncheck()
    axe(page)
    picture(shot, page, "console-06-close-preview", full_page=False)
    dialog.get_by_role("button", name="Confirmer et continuer").click()
    expect(dialog).to_be_hidden()
    expect(current_step(page)).to_have_text("Convergence")

    # Converge: propose an action from the console, a phone proposes another.
    kept = page.locator("section.kept-theme", has_text="Vivre ensemble")
    expect(kept).to_contain_text("Des lieux partagés dans chaque quartier")
    expect(page.locator(".not-kept")).to_contain_text("Se déplacer")
    kept.get_by_label("Proposer une action").fill("Ouvrir un jardin partagé par quartier")
    kept.get_by_role("button", name="Proposer", exact=True).click()
    garden_action = kept.locator(".action", has_text="Ouvrir un jardin partagé par quartier")
    expect(garden_action).to_be_visible()
    other = phones[1].ok(
        "action.propose", {"op_id": new_op(), "theme_id": theme_ids["Vivre ensemble"], "title": "Un local associatif partagé"}
    )["action"]
    expect(kept.locator(f'.action[data-action-id="{other["id"]}"]')).to_be_visible()

    # Phones vote on actions (converge opens with its vote closed): the ranking follows the dots.
    expect(page.locator("#vote-state")).to_contain_text("pas encore ouvert")
    page.get_by_role("button", name="Ouvrir le vote").click()
    expect(page.locator("#vote-state")).to_have_text("ouvert : les téléphones votent")
    garden_id = int(garden_action.get_attribute("data-action-id"))
    phones[0].ok("vote", {"op_id": new_op(), "kind": "action", "target_id": garden_id, "delta": 2})
    phones[2].ok("vote", {"op_id": new_op(), "kind": "action", "target_id": garden_id, "delta": 1})
    phones[1].ok("vote", {"op_id": new_op(), "kind": "action", "target_id": other["id"], "delta": 1})
    expect(garden_action.locator(".badge.dots")).to_contain_text("3 gommettes")
    expect(kept.locator(".action").first).to_have_attribute("data-action-id", str(garden_id))

    # The action sheet.
    garden_action.get_by_role("button", name="Compléter la fiche").click()
    sheet = page.locator("#sheet-dialog")
    expect(sheet).to_be_visible()
    expect(sheet.get_by_label("Titre")).to_have_value("Ouvrir un jardin partagé par quartier")
    # Lineage is what the facilitator ticks: the theme's ideas are offered, none is linked by default.
    lineage = sheet.locator("#sheet-lineage")
    expect(lineage.get_by_role("checkbox", name=re.compile(GARDENS))).not_to_be_checked()
    lineage.get_by_role("checkbox", name=re.compile(GARDENS)).check()
    if lineage.get_by_role("checkbox", name=re.compile(PAPER)).count() == 0:  # another theme's idea: found by search
        lineage.get_by_label("Trouver une autre idée du tour (texte ou numéro)").fill(PAPER[:12])
    lineage.get_by_role("checkbox", name=re.compile(PAPER)).check()
    sheet.get_by_label("Description").fill("Un jardin cultivé par les habitants, avec le centre social.")
    sheet.get_by_label("Porteur").fill("Service politique de la ville")
    sheet.get_by_label("Partenaires (un par ligne)").fill("Centre social\nConseil citoyen")
    sheet.get_by_label("Échéance").fill("Juin 2027")
    sheet.get_by_label("Moyens").fill("0,5 ETP et 10 000 €")
    sheet.get_by_label("Indicateurs (un par ligne)").fill("nombre de jardins ouverts\nnombre de jardiniers")
    sheet.get_by_label("Statut").select_option("planned")
    axe(page)
    picture(shot, page, "console-07-action-sheet", full_page=False)
    # Escape with unsaved typing asks first; keeping on leaves everything typed in place.
    page.keyboard.press("Escape")
    ask = page.locator("#confirm-dialog")
    expect(ask).to_be_visible()
    expect(ask).to_contain_text("Abandonner vos modifications ?")
    ask.locator("#confirm-cancel").click()
    expect(ask).to_be_hidden()
    expect(sheet).to_be_visible()
    expect(sheet.get_by_label("Porteur")).to_have_value("Service politique de la ville")
    sheet.get_by_role("button", name="Enregistrer la fiche").click()
    expect(sheet).to_be_hidden()
    expect(garden_action.locator(".sheet-summary")).to_have_text("Porteur : Service politique de la ville · Échéance : Juin 2027")
    expect(garden_action.locator(".badge.status")).to_have_text("Programmée")
    axe(page)
    picture(shot, page, "console-04-converge")

    # Close converge: the round is over, the plan draft has it.
    page.get_by_role("button", name="Clore la convergence et le tour").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator(".preview-list li").first).to_contain_text("Ouvrir un jardin partagé par quartier")
    dialog.get_by_role("button", name="Confirmer et continuer").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".round-chip").first).to_contain_text("Terminée")
    expect(page.locator("#round-heading")).to_have_text(re.compile("coopération"))  # the next round is current

    page.get_by_role("tab", name="Brouillon du plan d'action").click()
    plan = page.locator("#panel-plan")
    expect(plan).to_be_visible()
    first = plan.locator("article.plan-round").first
    expect(first.get_by_role("heading", level=3)).to_have_text(QUESTION)
    theme_block = first.locator(".plan-theme")
    expect(theme_block).to_have_count(1)
    expect(theme_block).to_contain_text("Vivre ensemble")
    expect(theme_block).to_contain_text("Des lieux partagés dans chaque quartier")
    expect(theme_block.locator("li", has_text="3 lieux ouverts")).to_be_visible()
    top = first.locator(".plan-action").first
    expect(top).to_contain_text("Ouvrir un jardin partagé par quartier")
    expect(top.locator(".sheet-dl")).to_contain_text("Service politique de la ville")
    expect(top.locator(".sheet-dl")).to_contain_text("Juin 2027")
    expect(top.locator(".sheet-dl")).to_contain_text("Centre social, Conseil citoyen")
    expect(top.locator(".lineage")).to_contain_text(GARDENS)
    expect(top.locator(".lineage")).to_contain_text(PAPER)
    expect(top).to_contain_text("habitant 2")
    axe(page)
    picture(shot, page, "console-05-plan")

    # The server agrees with what the console showed.
    final = console_client.ok("snapshot")
    r1 = first_round(final)
    by_text = {i["text"]: i for i in r1["ideas"]}
    assert r1["phase"] == "closed"
    assert by_text[OFF_TOPIC]["hidden"] is True
    assert by_text[GARDENS_DUP]["merged_into"] == by_text[GARDENS]["id"]
    assert by_text[PAPER]["on_behalf"] is True and by_text[PAPER]["group"] == "habitant"
    assert by_text[GARDENS]["theme_id"] == by_text[PAPER]["theme_id"] == theme_ids["Vivre ensemble"]
    assert by_text[BUS]["theme_id"] == theme_ids["Se déplacer"]
    themes = {t["title"]: t for t in r1["themes"]}
    assert set(themes) == {"Vivre ensemble", "Se déplacer"}
    assert themes["Vivre ensemble"]["kept"] is True and themes["Se déplacer"]["kept"] is False
    assert themes["Vivre ensemble"]["criteria"] == ["3 lieux ouverts", "fréquentation mensuelle"]
    action = next(a for a in r1["actions"] if a["id"] == garden_id)
    assert action["participant_id"] is None
    assert action["owner"] == "Service politique de la ville"
    assert action["partners"] == ["Centre social", "Conseil citoyen"]
    assert action["deadline"] == "Juin 2027"
    assert action["resources"] == "0,5 ETP et 10 000 €"
    assert action["indicators"] == ["nombre de jardins ouverts", "nombre de jardiniers"]
    assert action["status"] == "planned"
    assert set(r1["syntheses"]) == {"diverge", "define", "converge"}
    plan_actions = final["plan"]["rounds"][0]["actions"]
    assert plan_actions[0]["id"] == garden_id and plan_actions[0]["dots"] == 3
    assert errors == []


# --------------------------------------------------------------------------- 2. reopen, and refusals shown


def test_reopen_previous_phase_and_errors_are_shown(workshop, new_context, clients):
    page, errors = open_console(new_context, workshop)
    console_client = facilitator(workshop, clients)
    someone = phone(workshop, clients, "Dora", "agent")
    console_client.ok("phase.advance", {"op_id": new_op(), "expected_phase": "lobby"})
    idea = someone.ok("idea.post", {"op_id": new_op(), "text": BUS})["idea"]
    expect(card(page, idea["id"])).to_be_visible()
    expect(page.get_by_role("button", name="Rouvrir la phase précédente")).to_be_hidden()

    # A custom timer, then stopped.
    page.get_by_label("Minutes").fill("2")
    page.get_by_role("button", name="Lancer", exact=True).click()
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^(2:00|1:[0-5]\d)$"))
    assert first_round(console_client.ok("snapshot"))["timer"]["seconds"] == 120
    page.get_by_role("button", name="Arrêter").click()
    expect(page.locator("#countdown")).to_have_text("Pas de minuteur")

    # A write made while the connection is down waits in the outbox and leaves on reconnection.
    page.evaluate("() => window.workshopConsole.live.close()")
    expect(page.locator("#status")).not_to_have_attribute("data-state", "connected")
    card(page, idea["id"]).get_by_role("button", name="Masquer").click()
    expect(page.locator("#pending")).to_have_text("1 modification en attente d'envoi")
    assert first_round(console_client.ok("snapshot"))["ideas"][0]["hidden"] is False
    page.evaluate("() => window.workshopConsole.live.socket.connect()")
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")
    expect(card(page, idea["id"]).locator(".hidden-badge")).to_be_visible()
    expect(page.locator("#pending")).to_be_hidden()
    assert first_round(console_client.ok("snapshot"))["ideas"][0]["hidden"] is True
    card(page, idea["id"]).get_by_role("button", name="Afficher").click()
    expect(card(page, idea["id"]).locator(".hidden-badge")).to_have_count(0)

    # A third round, added from the console; looking at it does not let it move.
    page.locator("#add-round summary").click()
    page.get_by_label("Question du nouveau tour").fill("Comment associer les jeunes ?")
    page.get_by_role("button", name="Ajouter le tour").click()
    chips = page.locator(".round-chip")
    expect(chips).to_have_count(3)
    expect(chips.nth(2)).to_contain_text("Comment associer les jeunes ?")
    chips.nth(2).click()
    expect(page.locator("#round-heading")).to_have_text("Comment associer les jeunes ?")
    expect(page.locator("#other-round")).to_contain_text("Seul le tour en cours (1) peut avancer")
    expect(page.get_by_role("button", name="Ouvrir la divergence")).to_be_disabled()
    page.get_by_role("button", name="Revenir au tour en cours").click()
    expect(page.locator("#round-heading")).to_have_text(QUESTION)
    assert [r["question"] for r in console_client.ok("snapshot")["rounds"]][2] == "Comment associer les jeunes ?"

    page.get_by_role("button", name="Clore la divergence, ouvrir la définition").click()
    page.locator("#preview-dialog").get_by_role("button", name="Confirmer et continuer").click()
    expect(current_step(page)).to_have_text("Définition")

    # Reopen, cancelled first, then confirmed.
    page.get_by_role("button", name="Rouvrir la phase précédente").click()
    confirm = page.locator("#confirm-dialog")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("Divergence")
    confirm.get_by_role("button", name="Annuler").click()
    expect(confirm).to_be_hidden()
    expect(current_step(page)).to_have_text("Définition")
    page.get_by_role("button", name="Rouvrir la phase précédente").click()
    confirm.get_by_role("button", name="Rouvrir : Divergence").click()
    expect(confirm).to_be_hidden()
    expect(current_step(page)).to_have_text("Divergence")
    expect(page.locator("#stepper .step-done .step-name")).to_have_text(["Accueil"])
    expect(page.get_by_role("button", name="Clore la divergence, ouvrir la définition")).to_be_visible()
    expect(page.get_by_role("button", name="Rouvrir la phase précédente")).to_be_hidden()
    r1 = first_round(console_client.ok("snapshot"))
    assert r1["phase"] == "diverge"
    assert "diverge" not in r1["syntheses"]

    # Another console moves the round meanwhile: this one follows, live.
    console_client.ok("phase.advance", {"op_id": new_op(), "expected_phase": "diverge"})
    expect(current_step(page)).to_have_text("Définition")
    theme = console_client.ok("theme.create", {"op_id": new_op(), "title": "Mobilités"})["theme"]
    expect(column(page, "Mobilités")).to_be_visible()
    console_client.ok("phase.advance", {"op_id": new_op(), "expected_phase": "define", "kept_theme_ids": [theme["id"]]})
    expect(current_step(page)).to_have_text("Convergence")
    console_client.ok("action.propose", {"op_id": new_op(), "theme_id": theme["id"], "title": "Un bus de nuit"})
    expect(page.locator(".action", has_text="Un bus de nuit")).to_be_visible()

    # Back to define through the console: deleting a theme that has actions is refused, and said.
    page.get_by_role("button", name="Rouvrir la phase précédente").click()
    confirm.get_by_role("button", name="Rouvrir : Définition").click()
    expect(current_step(page)).to_have_text("Définition")
    open_theme(page, "Mobilités").get_by_role("button", name="Supprimer").click()
    expect(confirm).to_contain_text("Supprimer le thème « Mobilités » ?")
    confirm.get_by_role("button", name="Supprimer").click()
    alert = page.locator("#alerts")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("Ce thème a des actions")
    expect(column(page, "Mobilités")).to_be_visible()
    assert errors == []


# --------------------------------------------------------------------------- 3. accessibility in every state


def test_console_is_accessible_in_every_phase(workshop, new_context, clients, axe):
    """axe-core finds nothing in lobby, diverge, define, converge (sheet open) and the plan (in English)."""
    page, errors = open_console(new_context, workshop, lang="en")
    expect(page.get_by_role("button", name="Open the diverge phase")).to_be_visible()
    axe(page)

    console_client = facilitator(workshop, clients)
    phones = [phone(workshop, clients, f"P{n}", g) for n, g in enumerate(["habitant", "agent"])]
    console_client.ok("phase.advance", {"op_id": new_op(), "expected_phase": "lobby"})
    posted = [
        phones[n % 2].ok("idea.post", {"op_id": new_op(), "text": text})["idea"]
        for n, text in enumerate([GARDENS, BUS, SCHOOLS, OFF_TOPIC])
    ]
    console_client.ok("idea.hide", {"op_id": new_op(), "idea_id": posted[3]["id"], "hidden": True})
    console_client.ok("idea.post", {"op_id": new_op(), "text": PAPER, "group": "habitant"})
    expect(page.locator(".wall .idea")).to_have_count(5)
    expect(page.locator(".idea.is-hidden")).to_have_count(1)
    axe(page)
    # The merge step (a banner and "keep this one" buttons) too.
    card(page, posted[0]["id"]).get_by_role("button", name="Merge").click()
    expect(page.locator(".merge-banner")).to_be_visible()
    axe(page)
    page.keyboard.press("Escape")
    expect(page.locator(".merge-banner")).to_have_count(0)

    console_client.ok("phase.advance", {"op_id": new_op(), "expected_phase": "diverge"})
    theme = console_client.ok(
        "theme.create", {"op_id": new_op(), "title": "Vivre ensemble", "objective": "Des lieux partagés", "criteria": ["3 lieux"]}
    )["theme"]
    console_client.ok("theme.create", {"op_id": new_op(), "title": "Mobilités"})
    console_client.ok("idea.move", {"op_id": new_op(), "idea_id": posted[0]["id"], "theme_id": theme["id"]})
    console_client.ok("vote.open", {"op_id": new_op(), "open": True})
    phones[0].ok("vote", {"op_id": new_op(), "kind": "theme", "target_id": theme["id"], "delta": 2})
    expect(column(page, "Vivre ensemble").locator(".badge.dots")).to_contain_text("2 dots")
    axe(page)
    pane = open_theme(page, "Mobilités")
    pane.get_by_role("button", name="Edit").click()
    expect(pane.locator("form.theme-edit")).to_be_visible()
    axe(page)
    column(page, "Unsorted").locator(".target-open").click()
    card(page, posted[1]["id"]).locator("input.pick").click()  # a selection, with its move bar
    card(page, posted[2]["id"]).get_by_role("button", name="File…").click()  # and the choose-then-file control
    expect(page.locator("#chooser-select")).to_be_focused()
    expect(page.locator("#selected-count")).to_have_text("1 idea selected")
    axe(page)

    console_client.ok("phase.advance", {"op_id": new_op(), "expected_phase": "define", "kept_theme_ids": [theme["id"]]})
    action = console_client.ok("action.propose", {"op_id": new_op(), "theme_id": theme["id"], "title": "Ouvrir un jardin"})["action"]
    console_client.ok("action.update", {"op_id": new_op(), "action_id": action["id"], "owner": "Centre social", "deadline": "2027"})
    console_client.ok("vote.open", {"op_id": new_op(), "open": True})
    phones[1].ok("vote", {"op_id": new_op(), "kind": "action", "target_id": action["id"], "delta": 1})
    item = page.locator(f'.action[data-action-id="{action["id"]}"]')
    expect(item.locator(".sheet-summary")).to_contain_text("Owner: Centre social")
    expect(item.locator(".badge.dots")).to_contain_text("1 dot")
    axe(page)
    # The themes board stays reachable, read-only (no moving, but moderation still works).
    page.locator("summary", has_text="Ideas and themes of this round").click()
    board = page.locator(".board-disclosure")
    expect(board.get_by_role("button", name="Show")).to_have_count(1)  # the hidden idea, unsorted
    board.locator(".target", has_text="Vivre ensemble").locator(".target-open").click()
    expect(board.locator(".idea", has_text=GARDENS)).to_be_visible()
    expect(board.locator(".classify, input.pick, #nt-title")).to_have_count(0)
    expect(board.locator("[data-drop]")).to_have_count(0)
    axe(page)
    item.get_by_role("button", name="Complete the sheet").click()
    expect(page.locator("#sheet-dialog")).to_be_visible()
    expect(page.locator("#sheet-owner")).to_have_value("Centre social")
    axe(page)
    page.keyboard.press("Escape")
    expect(page.locator("#sheet-dialog")).to_be_hidden()

    console_client.ok("phase.advance", {"op_id": new_op(), "expected_phase": "converge"})
    expect(page.locator(".round-chip").first).to_contain_text("Closed")
    page.get_by_role("tab", name="Action plan draft").click()
    expect(page.locator(".plan-action")).to_contain_text("Ouvrir un jardin")
    axe(page)
    # Keyboard: arrows move between the tabs.
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("tab", name="Run the round")).to_be_focused()
    expect(page.locator("#panel-round")).to_be_visible()
    assert errors == []


def test_console_link_with_a_bad_token_is_not_found(workshop, new_context):
    page = new_context("desktop").new_page()
    response = page.goto(workshop["base"] + "/f/not-a-real-token")
    assert response.status == 404
