"""The phone's outbox: two tabs of one phone, offline, share it and lose nothing."""

from __future__ import annotations

import sys

from playwright.sync_api import expect
from support import ROOT, new_op, wait_until

sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client


def test_two_tabs_offline_deliver_both_ideas_exactly_once(workshop, new_context):
    facilitator = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    try:
        ctx = new_context("phone")
        first = ctx.new_page()
        first.goto(workshop["join"])
        first.fill("#pseudonym", "Inès")
        first.click("#join-button")
        expect(first.locator("#app")).to_have_attribute("data-phase", "lobby")
        second = ctx.new_page()
        second.goto(workshop["join"])  # same phone, same token: the same person
        expect(second.locator("#app")).to_have_attribute("data-phase", "lobby")
        facilitator.ok("phase.advance", {"op_id": new_op(), "expected_phase": "lobby"})
        for page in (first, second):
            expect(page.locator("#app")).to_have_attribute("data-phase", "diverge")

        ctx.set_offline(True)
        for page, text in ((first, "Une idée écrite dans le premier onglet"), (second, "Une idée écrite dans le second onglet")):
            expect(page.locator("#status")).to_have_attribute("data-state", "offline")
            page.fill("#idea-text", text)
            page.click("#idea-send")
        stored = first.evaluate(
            "() => Object.keys(localStorage).filter(k => k.includes('outbox')).map(k => JSON.parse(localStorage.getItem(k)).length)"
        )
        assert sum(stored) == 2, "each tab's write is kept, neither overwrites the other"
        ctx.set_offline(False)

        def delivered():
            ideas = [i["text"] for i in facilitator.ok("snapshot")["rounds"][0]["ideas"]]
            return sorted(ideas) if len(ideas) >= 2 else None

        assert wait_until(delivered, timeout=30, message="both ideas delivered") == [
            "Une idée écrite dans le premier onglet",
            "Une idée écrite dans le second onglet",
        ]
        for page in (first, second):
            expect(page.locator("#my-ideas li")).to_have_count(2)
            expect(page.locator("#my-ideas li[data-pending=true]")).to_have_count(0)
        assert len(facilitator.ok("snapshot")["rounds"][0]["ideas"]) == 2, "each idea exactly once"
    finally:
        facilitator.close()


def join_and_open_diverge(workshop, new_context, facilitator, name):
    page = new_context("phone").new_page()
    page.goto(workshop["join"])
    page.fill("#pseudonym", name)
    page.click("#join-button")
    expect(page.locator("#app")).to_have_attribute("data-phase", "lobby")
    facilitator.ok("phase.advance", {"op_id": new_op(), "expected_phase": "lobby"})
    expect(page.locator("#app")).to_have_attribute("data-phase", "diverge")
    return page


def post_offline(page, texts):
    page.context.set_offline(True)
    expect(page.locator("#status")).to_have_attribute("data-state", "offline")
    for text in texts:
        page.fill("#idea-text", text)
        page.click("#idea-send")
    expect(page.locator("#my-ideas li[data-pending=true]")).to_have_count(len(texts))


def test_a_long_outage_loses_no_idea_past_the_rate_limit(workshop, new_context):
    """14 ideas typed offline: the server takes 12 a minute; the other two stay queued, not dropped."""
    facilitator = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    try:
        page = join_and_open_diverge(workshop, new_context, facilitator, "Malik")
        texts = [f"Idée numéro {n} écrite sans réseau" for n in range(1, 15)]
        post_offline(page, texts)
        page.context.set_offline(False)
        wait_until(lambda: len(facilitator.ok("snapshot")["rounds"][0]["ideas"]) == 12, timeout=30, message="12 ideas taken")
        expect(page.locator("#my-ideas li[data-pending=true]")).to_have_count(2)
        expect(page.locator("#my-ideas li")).to_have_count(14)
        expect(page.locator("#toast-info")).to_contain_text("rien n'est perdu")
        queued = page.evaluate("() => window.workshopLive.pending().filter(i => i.event === 'idea.post').length")
        assert queued == 2, "refused for now, kept in the outbox to go again when the server says"
        expect(page.locator("#unsent")).to_be_hidden()
    finally:
        facilitator.close()


def test_ideas_queued_when_the_phase_closed_keep_their_text(workshop, new_context):
    facilitator = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    try:
        page = join_and_open_diverge(workshop, new_context, facilitator, "Chloé")
        texts = ["Un terrain de basket éclairé le soir", "Des bancs à l'ombre près de l'école"]
        post_offline(page, texts)
        facilitator.ok("phase.advance", {"op_id": new_op(), "expected_phase": "diverge"})
        page.context.set_offline(False)
        expect(page.locator("#app")).to_have_attribute("data-phase", "define")
        unsent = page.locator("#unsent")
        expect(unsent).to_be_visible()
        expect(unsent.get_by_role("heading", name="Non envoyées")).to_be_visible()
        for text in texts:
            expect(unsent).to_contain_text(text)
        assert facilitator.ok("snapshot")["rounds"][0]["ideas"] == []
        page.reload()  # kept on the phone, not only in the page
        expect(page.locator("#unsent li")).to_have_count(2)
        unsent.get_by_role("button", name="Effacer").first.click()
        expect(page.locator("#unsent li")).to_have_count(1)
    finally:
        facilitator.close()
