"""Quick polls in a real Chromium against a real server: the console launches one, five phones answer, the reveal.

The console (1366×768) launches a single-choice poll from its form; five phones (360 px) see it over the
lobby and answer with one tap each (one changes its answer); six more people answer from a script, so two
stakeholder groups are large enough to be shown. The console closes and reveals it: the projector
(1920×1080) draws the bars with the group breakdown, the phones the results. Then a word poll, shown as
a word cloud. Screenshots go to docs/screenshots/poll-*.png; text on the projector stays ≥ 28 px; the
phone's panel fits 320 px at 200 % text.
"""

from __future__ import annotations

import re
import secrets
import shutil
import sys

from playwright.sync_api import expect
from support import ROOT, new_op, wait_until
from test_layout import NARROW, assert_fits, assert_projector_text, big_text
from test_participant import join, open_phone

sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client

DOCS = ROOT / "docs" / "screenshots"


def docs_shot(shot, page, name: str, full_page: bool = False) -> None:
    page.evaluate("() => document.querySelectorAll('.toast').forEach((t) => { t.hidden = true; })")
    shutil.copy(shot(page, name, full_page=full_page), DOCS / f"{name}.png")


def test_console_launches_a_poll_phones_answer_the_projector_reveals(workshop, new_context, axe, shot):
    console = new_context("desktop", viewport={"width": 1366, "height": 768}).new_page()
    errors: list[str] = []
    console.on("pageerror", lambda e: errors.append(str(e)))
    console.goto(workshop["console"])
    expect(console.locator("#status")).to_have_attribute("data-state", "connected")
    screen = new_context("projector").new_page()
    screen.on("pageerror", lambda e: errors.append(str(e)))
    screen.goto(workshop["screen"])
    phones = []
    for n in range(5):
        _, page, phone_errors = open_phone(new_context, workshop)
        join(page, f"P{n + 1}", "habitant")
        phones.append((page, phone_errors))
    scripted = []
    try:
        for _ in range(6):
            client = Client(workshop["base"], {"code": workshop["code"], "guest_id": secrets.token_urlsafe(16)})
            client.ok("join", {"op_id": new_op(), "group": "agent"})
            scripted.append(client)

        # The console launches a single-choice poll from its form, in its "Sondages" tab.
        console.get_by_role("tab", name="Sondages").click()
        console.locator("#poll-add summary").click()
        console.select_option("#poll-kind", "single")
        console.fill("#poll-question", "Comment êtes-vous venus ?")
        console.fill("#poll-options", "À pied\nEn bus ou en tram\nEn voiture\nÀ vélo")
        console.get_by_role("button", name="Lancer maintenant").click()
        item = console.locator(".poll-item", has_text="Comment êtes-vous venus ?")
        expect(item).to_have_attribute("data-state", "open")
        expect(item.locator(".poll-item-state")).to_contain_text("ouvert")
        expect(console.locator("#polls-tab-count")).to_have_text(" · 1 ouvert")

        # The projector shows the question over the lobby; each phone the panel.
        expect(screen.locator("#sc-poll .sc-poll-question")).to_have_text("Comment êtes-vous venus ?")
        expect(screen.locator("#sc-poll .sc-poll-status")).to_have_text("Répondez sur votre téléphone")
        first = phones[0][0]
        expect(first.locator("#poll-panel")).to_be_visible()
        expect(first.locator("#poll-title")).to_be_focused()
        axe(first)
        docs_shot(shot, first, "poll-phone-360")
        for n, (page, _) in enumerate(phones):
            page.locator(".poll-choice", has_text="En bus ou en tram" if n < 3 else "À pied").click()
            expect(page.locator("#poll-panel")).to_have_count(0)
            expect(page.locator(".poll-reopen")).to_contain_text("Votre réponse")
        # One person changes their mind while the poll is open.
        phones[4][0].locator(".poll-reopen").click()
        expect(phones[4][0].locator(".poll-choice[aria-pressed=true]")).to_have_text("À pied")
        phones[4][0].locator(".poll-choice", has_text="À vélo").click()
        expect(phones[4][0].locator(".poll-reopen")).to_contain_text("À vélo")
        poll_id = int(item.get_attribute("data-poll-id"))
        for client in scripted:
            client.ok("poll.answer", {"op_id": new_op(), "poll_id": poll_id, "choices": ["3"]})

        # Answers are counted live on the console (coalesced) and on the projector, not shown to the room yet.
        expect(item.locator(".poll-item-count")).to_have_text("11 réponses")
        expect(screen.locator("#sc-poll-count")).to_have_text("11 réponses")
        assert screen.locator(".pc-row").count() == 0 and first.locator(".poll-result-card").count() == 0
        console.evaluate("() => window.scrollTo(0, 0)")
        axe(console)
        docs_shot(shot, console, "poll-console")
        assert_projector_text(screen, "poll open")
        docs_shot(shot, screen, "poll-projector-open")

        # Closed, then revealed: bars with the stakeholder groups on the projector, results on the phones.
        item.get_by_role("button", name="Fermer le sondage").click()
        expect(item).to_have_attribute("data-state", "closed")
        item.get_by_role("button", name="Révéler les résultats").click()
        rows = screen.locator("#sc-poll .pc-row")
        expect(rows).to_have_count(4)
        expect(rows.nth(0)).to_have_attribute("data-count", "1")
        expect(rows.nth(1)).to_have_attribute("data-count", "3")
        expect(rows.nth(2)).to_have_attribute("data-count", "6")
        expect(rows.nth(3)).to_have_attribute("data-count", "1")
        expect(screen.locator("#sc-poll .pc-legend li")).to_have_text(["agent (6)", "habitant (5)"])
        assert screen.locator("#sc-poll .pc-bar rect").count() >= 4 + 4, "a track and one segment per group per option"
        expect(screen.locator("#sc-poll .pc-foot")).to_contain_text("11 réponses")
        assert_projector_text(screen, "poll results")
        axe(screen)
        docs_shot(shot, screen, "poll-projector-results")
        for page, _ in phones:
            expect(page.locator(".poll-result-card .pc-row")).to_have_count(4)
        late = first.evaluate(
            """([opId, id]) => new Promise((resolve) =>
                window.workshopLive.socket.emit("poll.answer", {op_id: opId, poll_id: id, choices: ["1"]}, resolve))""",
            [new_op(), poll_id],
        )
        assert late["ok"] is False and late["error"]["code"] == "poll_closed"
        assert late["error"]["message"] == "Ce sondage est fermé : les réponses ne sont plus prises."
        docs_shot(shot, first, "poll-phone-results", full_page=True)

        # A one-word poll from the console: the phones type a word; the projector shows the word cloud.
        item.get_by_role("button", name="Cacher les résultats").click()
        expect(screen.locator("#sc-poll")).to_have_count(0)
        console.locator("#poll-add summary").click() if not console.locator("#poll-form").is_visible() else None
        console.select_option("#poll-kind", "word")
        expect(console.locator("#poll-options-box")).to_be_hidden()
        console.fill("#poll-question", "Un mot pour cet atelier ?")
        console.get_by_role("button", name="Lancer maintenant").click()
        words = ["Écoute", "écoute", "Partage", "écoute", "Avenir"]
        for (page, _), word in zip(phones, words, strict=True):
            expect(page.locator("#poll-word")).to_be_visible()
            page.fill("#poll-word", word)
            page.locator(".poll-send").click()
            expect(page.locator("#poll-panel")).to_have_count(0)
        word_item = console.locator(".poll-item", has_text="Un mot pour cet atelier ?")
        expect(word_item.locator(".poll-item-count")).to_have_text("5 réponses")
        word_item.get_by_role("button", name="Révéler les résultats").click()
        cloud = screen.locator("#sc-poll-cloud .cloud-word")
        expect(cloud.first).to_be_visible()
        expect(screen.locator("#sc-poll-cloud .cloud-word[data-word='écoute']")).to_have_attribute("data-weight", "3")
        assert_projector_text(screen, "word cloud")
        docs_shot(shot, screen, "poll-projector-words")
        assert errors == [] and all(not e for _, e in phones)
    finally:
        for client in scripted:
            client.close()


def test_the_poll_panel_fits_320px_at_200_percent(workshop, new_context, axe, shot):
    fac = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    try:
        _, page, errors = open_phone(new_context, workshop, **NARROW)
        join(page, "Awa", "habitant")
        fac.ok("poll.create", {"op_id": new_op(), "kind": "scale", "question": "Cet atelier vous a-t-il été utile ?", "open": True})
        expect(page.locator("#poll-panel .poll-choice")).to_have_count(5)
        big_text(page)
        assert_fits(page, "scale poll")
        axe(page)
        docs_shot(shot, page, "poll-phone-320-200")
        page.locator(".poll-choice", has_text="4").click()
        expect(page.locator("#poll-panel")).to_have_count(0)
        multiple = fac.ok(
            "poll.create",
            {
                "op_id": new_op(),
                "kind": "multiple",
                "question": "Qu'attendez-vous de cette journée ?",
                "options": ["Être écouté·e", "Comprendre le contrat de ville", "Rencontrer des voisins", "Agir concrètement"],
                "max_choices": 2,
                "open": True,
            },
        )["poll"]
        expect(page.locator("#poll-panel .poll-choice")).to_have_count(4)
        assert_fits(page, "multiple choice poll")
        for label in ("Être écouté·e", "Agir concrètement"):
            page.locator(".poll-choice", has_text=label).click()
        page.locator(".poll-choice", has_text="Rencontrer").click()  # a third tick is refused on the phone
        expect(page.locator("#toast")).to_contain_text("2 choix au maximum")
        page.locator(".poll-send").click()
        expect(page.locator("#poll-panel")).to_have_count(0)
        wait_until(lambda: fac.ok("snapshot")["polls"][-1]["results"]["answers"] == 1)
        assert [o["count"] for o in fac.ok("snapshot")["polls"][-1]["results"]["options"]] == [1, 0, 0, 1]
        assert multiple["max_choices"] == 2
        assert_fits(page, "after answering")
        assert errors == []
    finally:
        fac.close()


def test_agree_poll_labels_follow_the_phone_language(workshop, new_context):
    fac = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    try:
        _, page, _ = open_phone(new_context, workshop)
        page.goto(workshop["join"] + "?lang=es")
        join(page, None, "agente" if False else None)
        fac.ok("poll.create", {"op_id": new_op(), "kind": "agree", "question": "¿De acuerdo?", "open": True})
        expect(page.locator("#poll-panel .poll-choice")).to_have_text(["De acuerdo", "Neutral", "En desacuerdo"])
        expect(page.locator("#poll-panel .poll-kicker")).to_have_text(re.compile("Encuesta"))
    finally:
        fac.close()
