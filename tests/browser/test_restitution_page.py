"""The public restitution, end to end: the console publishes it and records what became of an
action, the phone's closed screen and the projector show the link, and the page /r/<code> is
read on a phone and on a laptop (screenshots restitution-01 and -02, axe-core on each).

Phones and the facilitator's rounds are scripted with docs/example_client.py; what is
tested here is the console's Restitution tab and exports menu, the phone's last screen, the
projector's closed view and the public page, each in a real Chromium against a real server.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from support import ROOT, new_op

sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client

GARDEN = "Des jardins partagés au pied des immeubles"
GARDEN_DUP = "Des potagers en bas des tours"
BUS = "Un bus de nuit qui dessert le quartier"
INSULT = "Une insulte que la modération a masquée"
ACTION = "Ouvrir un jardin partagé par quartier"
OTHER = "Une navette le soir"
COMMENT = "Le terrain de la rue des Écoles est attribué au centre social."
PEOPLE = {"Awa-D": "habitant", "Bruno.elu": "élu·e", "Chloé-asso": "association"}


@pytest.fixture
def clients():
    opened: list[Client] = []
    yield opened
    for client in opened:
        try:
            client.close()
        except Exception:
            pass


def do(client: Client, event: str, **payload) -> dict:
    return client.ok(event, {"op_id": new_op(), **payload})


def run_to_the_end(workshop, clients) -> dict:
    """Three phones and the facilitator run round 1 with moderation and votes, then close round 2."""
    fac = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    clients.append(fac)
    phones = []
    for pseudonym, group in PEOPLE.items():
        phone = Client(workshop["base"], {"code": workshop["code"]})
        do(phone, "join", pseudonym=pseudonym, group=group)
        clients.append(phone)
        phones.append(phone)
    do(fac, "phase.advance", expected_phase="lobby")
    garden = do(phones[0], "idea.post", text=GARDEN)["idea"]
    dup = do(phones[1], "idea.post", text=GARDEN_DUP)["idea"]
    bus = do(phones[2], "idea.post", text=BUS)["idea"]
    insult = do(phones[1], "idea.post", text=INSULT)["idea"]
    do(fac, "idea.hide", idea_id=insult["id"], hidden=True)
    do(fac, "idea.merge", idea_id=dup["id"], into_id=garden["id"])
    do(fac, "phase.advance", expected_phase="diverge")
    living = do(
        fac, "theme.create", title="Vivre ensemble", objective="Des lieux partagés dans chaque quartier", criteria=["3 jardins ouverts"]
    )["theme"]
    moving = do(fac, "theme.create", title="Se déplacer")["theme"]
    do(fac, "idea.move", idea_id=garden["id"], theme_id=living["id"])
    do(fac, "idea.move", idea_id=bus["id"], theme_id=moving["id"])
    do(fac, "phase.advance", expected_phase="define", kept_theme_ids=[living["id"], moving["id"]])
    # The phone names the idea its action comes from: that link, and only it, is the lineage.
    action = do(phones[0], "action.propose", theme_id=living["id"], title=ACTION, idea_ids=[garden["id"]])["action"]
    other = do(fac, "action.propose", theme_id=moving["id"], title=OTHER)["action"]
    do(fac, "action.update", action_id=action["id"], owner="Centre social", deadline="Juin 2027", status="planned")
    do(fac, "vote.open", open=True)
    do(phones[0], "vote", kind="action", target_id=action["id"], delta=2)
    do(phones[1], "vote", kind="action", target_id=action["id"], delta=1)
    do(phones[2], "vote", kind="action", target_id=other["id"], delta=1)
    do(fac, "phase.advance", expected_phase="converge")
    for phase in ("lobby", "diverge", "define", "converge"):  # round 2, quickly
        do(fac, "phase.advance", expected_phase=phase)
    return {"fac": fac, "action": action, "other": other, "garden": garden}


def open_page(new_context, kind: str, url: str):
    page = new_context(kind).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(url)
    return page, errors


def test_publish_follow_up_and_read_the_restitution(workshop, new_context, clients, axe, shot):
    # A phone joins through its page and stays until the end.
    phone, phone_errors = open_page(new_context, "phone", workshop["join"])
    expect(phone.locator("#status")).to_have_attribute("data-state", "connected")
    phone.fill("#pseudonym", "Dora")
    phone.click("#join-button")
    expect(phone.locator("#join")).to_be_hidden()
    projector, projector_errors = open_page(new_context, "projector", workshop["screen"])
    expect(projector.locator("#sc-status")).to_have_attribute("data-state", "connected")

    state = run_to_the_end(workshop, clients)
    fac, action = state["fac"], state["action"]
    expect(phone.locator("#app")).to_have_attribute("data-phase", "closed")
    expect(phone.locator("#restitution")).to_contain_text("Le lien apparaîtra ici")
    expect(phone.locator("#restitution-link")).to_have_count(0)
    expect(projector.locator("#sc-restitution")).to_have_count(0)

    # Not published yet: the public address is a 404 page.
    reader, reader_errors = open_page(new_context, "phone", workshop["base"] + f"/r/{workshop['code']}")
    expect(reader.get_by_role("heading", level=1)).to_have_text("Cette restitution n'est pas publiée")

    # The console: exports menu in the console's language.
    console, console_errors = open_page(new_context, "desktop", workshop["console"])
    expect(console.locator("#status")).to_have_attribute("data-state", "connected")
    menu = console.locator("#exports-menu")
    menu.locator("summary").click()
    token = workshop["token"]
    expect(menu.get_by_role("link", name="Document Word (.docx)")).to_have_attribute("href", f"/f/{token}/export/docx?lang=fr")
    expect(menu.get_by_role("link", name=re.compile(r"Page à imprimer"))).to_have_attribute(
        "href", re.compile(rf"/f/{token}/export/html\?(view=1&lang=fr|lang=fr&view=1)")
    )
    expect(menu.get_by_role("link", name="Texte Markdown (.md)")).to_have_attribute("href", f"/f/{token}/export/markdown?lang=fr")
    for table, label in (
        ("ideas", "Idées"),
        ("themes", "Thèmes"),
        ("actions", "Actions"),
        ("votes", "Votes"),
        ("participation", "Participation"),
    ):
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_attribute(
            "href", re.compile(rf"/f/{token}/export/csv\?(table={table}&lang=fr|lang=fr&table={table})")
        )
    expect(menu.get_by_role("link", name=re.compile("Archive de l'atelier"))).to_have_attribute("href", f"/f/{token}/export/json?lang=fr")
    docx = console.request.get(workshop["base"] + f"/f/{token}/export/docx?lang=fr")
    assert docx.status == 200 and docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    csv = console.request.get(workshop["base"] + f"/f/{token}/export/csv?table=actions&lang=fr")
    assert csv.status == 200 and ACTION in csv.text()
    axe(console)
    console.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")

    # The Restitution tab: publish (after a confirmation).
    console.get_by_role("tab", name="Restitution").click()
    expect(console.locator("#publish-state")).to_have_text("Non publiée : la page n'est pas accessible.")
    expect(console.locator("#publish-link")).to_be_hidden()
    console.get_by_role("button", name="Publier la page").click()
    confirm = console.locator("#confirm-dialog")
    expect(confirm).to_contain_text("Publier la page de restitution ?")
    confirm.get_by_role("button", name="Publier la page").click()
    expect(console.locator("#publish-state")).to_contain_text("Publiée depuis le")
    public_url = f"{workshop['base']}/r/{workshop['code']}"
    expect(console.locator("#publish-url")).to_have_attribute("href", public_url)
    expect(console.locator("#publish-qr")).to_have_attribute("src", f"/qr/r/{workshop['code']}.svg")
    assert fac.ok("snapshot")["workshop"]["published_at"]

    # The phone's last screen and the projector now show the link and its QR code, live.
    link = phone.locator("#restitution-link")
    expect(link).to_have_attribute("href", public_url)
    expect(link).to_have_text("Ce qu'est devenue votre parole")
    axe(phone)
    expect(projector.locator("#sc-restitution img")).to_have_attribute("src", f"/qr/r/{workshop['code']}.svg")
    expect(projector.locator("#sc-restitution")).to_contain_text(public_url.split("://")[1])
    projector.wait_for_function("() => document.querySelector('#sc-restitution img').complete")
    size = projector.evaluate("() => [document.documentElement.scrollHeight, window.innerHeight]")
    assert size[0] <= size[1], size
    axe(projector)
    shot(projector, "restitution-03-projector")

    # What became of the action: one step recorded from the console, in closed round 1.
    item = console.locator(f'.followup-action[data-action-id="{action["id"]}"]')
    expect(item.locator(".fa-head .badge.status")).to_have_text("Programmée")
    expect(item).to_contain_text("Pas encore de suivi.")
    item.get_by_label("Nouveau statut").select_option("in_progress")
    today = datetime.now().date().isoformat()
    expect(item.get_by_label("Date")).to_have_value(today)
    item.get_by_label("Commentaire (facultatif)").fill(COMMENT)
    item.get_by_role("button", name="Ajouter cette étape").click()
    expect(item.locator(".history-comment")).to_have_text(COMMENT)
    expect(item.locator(".fa-head .badge.status")).to_have_text("En cours")
    expect(item.get_by_label("Commentaire (facultatif)")).to_have_value("")
    expect(item.get_by_label("Nouveau statut")).to_have_value("done")  # the next step is proposed
    axe(console)
    console.evaluate("() => window.scrollTo(0, 0)")
    shot(console, "restitution-04-console")
    stored = next(a for r in fac.ok("snapshot")["rounds"] for a in r["actions"] if a["id"] == action["id"])
    assert stored["status"] == "in_progress"
    assert [(u["status"], u["comment"]) for u in stored["updates"]] == [("in_progress", COMMENT)]
    # The plan draft follows the live status.
    console.get_by_role("tab", name="Brouillon du plan d'action").click()
    expect(console.locator(".plan-action", has_text=ACTION).locator(".badge.status")).to_have_text("En cours")

    # The public page on a phone.
    reader.reload()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Quelle politique de la ville demain ?")
    html = reader.content()
    for secret in (INSULT, GARDEN_DUP, *PEOPLE, "Dora", token):
        assert secret not in html, secret
    card = reader.locator(".rs-action", has_text=ACTION)
    expect(card.locator(".rs-action-head .rs-status")).to_contain_text("En cours")
    expect(card.locator(".rs-timeline li")).to_have_count(2)
    expect(card.locator(".rs-timeline li").nth(1)).to_contain_text(COMMENT)
    expect(card.locator(".rs-sheet")).to_contain_text("Centre social")
    expect(reader.locator(".rs-idea", has_text=GARDEN)).to_contain_text("partagée par 2 personnes")
    expect(reader.locator(".rs-theme", has_text="Vivre ensemble")).to_contain_text("3 jardins ouverts")
    axe(reader)
    shot(reader, "restitution-01")
    # The action links to the idea it came from.
    card.locator(".rs-fold > summary").click()  # the ideas it came from are folded under one line
    card.locator(".rs-origin a").first.click()
    expect(reader).to_have_url(re.compile(r"#idea-\d+$"))
    target = reader.url.split("#")[1]
    expect(reader.locator(f"#{target}")).to_contain_text(GARDEN)
    # On a laptop, in English too.
    laptop, laptop_errors = open_page(new_context, "desktop", public_url)
    expect(laptop.locator(".rs-kicker")).to_have_text("Ce qu'est devenue votre parole")
    axe(laptop)
    shot(laptop, "restitution-02")
    laptop.locator("details.lang-menu summary").click()  # the language menu: one tap opens it
    laptop.get_by_role("link", name="English").click()
    expect(laptop.locator(".rs-kicker")).to_have_text("What became of your ideas")
    expect(laptop.locator(".rs-action", has_text=ACTION).locator(".rs-action-head .rs-status")).to_contain_text("In progress")
    axe(laptop)

    # Unpublished again: the page is gone and the phone's link too.
    console.get_by_role("tab", name="Restitution").click()
    console.get_by_role("button", name="Dépublier").click()
    confirm.get_by_role("button", name="Dépublier").click()
    expect(console.locator("#publish-state")).to_have_text("Non publiée : la page n'est pas accessible.")
    expect(phone.locator("#restitution-link")).to_have_count(0)
    expect(projector.locator("#sc-restitution")).to_have_count(0)
    assert reader.request.get(public_url).status == 404
    assert phone_errors == [] and projector_errors == [] and console_errors == [] and reader_errors == [] and laptop_errors == []


def test_status_form_refusals_are_shown(workshop, new_context, clients):
    """A round not closed has no follow-up form; a future date is refused by the server and said."""
    fac = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    clients.append(fac)
    console, errors = open_page(new_context, "desktop", workshop["console"] + "?lang=en")
    expect(console.locator("#status")).to_have_attribute("data-state", "connected")
    console.get_by_role("tab", name="Restitution").click()
    expect(console.locator("#followup-body")).to_contain_text("Once a round is closed")
    phone = Client(workshop["base"], {"code": workshop["code"]})
    clients.append(phone)
    do(phone, "join", pseudonym="Eve", group="habitant")
    do(fac, "phase.advance", expected_phase="lobby")
    do(phone, "idea.post", text=GARDEN)
    do(fac, "phase.advance", expected_phase="diverge")
    theme = do(fac, "theme.create", title="Vivre ensemble")["theme"]
    do(fac, "phase.advance", expected_phase="define", kept_theme_ids=[theme["id"]])
    action = do(fac, "action.propose", theme_id=theme["id"], title=ACTION)["action"]
    refused = fac.call("action.status", {"op_id": new_op(), "action_id": action["id"], "status": "done"})
    assert refused["ok"] is False and refused["error"]["code"] == "round_not_closed"
    do(fac, "phase.advance", expected_phase="converge")
    item = console.locator(f'.followup-action[data-action-id="{action["id"]}"]')
    expect(item).to_be_visible()
    # The browser's date picker stops at today; a forged future date is refused by the server and shown.
    item.get_by_label("Date").evaluate("(el) => { el.removeAttribute('max'); el.value = '2999-01-01'; }")
    item.get_by_role("button", name="Add this step").click()
    expect(console.locator("#alerts")).to_contain_text("Choose a date that is not in the future.")
    console.evaluate(
        """(id) => window.workshopConsole.live.send('action.status', {action_id: id, status: 'done', date: '2999-01-01'}).catch(() => {})""",
        action["id"],
    )
    expect(console.locator("#alerts")).to_contain_text("The date cannot be in the future.")
    assert next(a for a in fac.ok("snapshot")["rounds"][0]["actions"] if a["id"] == action["id"])["updates"] == []
    assert errors == []
    assert datetime.now(UTC).year < 2999
