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
