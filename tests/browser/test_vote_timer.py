"""The vote opens when the facilitator says, and the plan's timings run the countdown: console, phone and projector.

A real server, Debian's Chromium: the console's "Ouvrir le vote" enables a
phone's vote buttons (and "Fermer le vote" disables them again), the phone
says "Le vote n'est pas encore ouvert" meanwhile, the projector shows it
discreetly; "Lancer 20 min (prévu)" starts the define phase's planned 20
minutes, "+1 min" adds one, and the projector and the phone count down too.
"""

from __future__ import annotations

import re
import sys

from playwright.sync_api import expect
from support import ROOT, new_op
from test_participant import card, join, open_phone, phase_is

sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client


def test_console_opens_the_vote_and_runs_the_planned_timer(workshop, new_context, axe, shot):
    fac = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    try:
        console = new_context("desktop", viewport={"width": 1366, "height": 768}).new_page()
        errors: list[str] = []
        console.on("pageerror", lambda e: errors.append(str(e)))
        console.goto(workshop["console"])
        expect(console.locator("#status")).to_have_attribute("data-state", "connected")
        _, phone, phone_errors = open_phone(new_context, workshop)
        join(phone, "Awa", "habitant")
        screen = new_context("projector").new_page()
        screen.goto(workshop["screen"])

        fac.ok("phase.advance", {"op_id": new_op(), "expected_phase": "lobby"})
        # Diverge: the plan's 15 minutes are offered; no vote to open.
        expect(console.get_by_role("button", name="Lancer 15 min (prévu)")).to_be_visible()
        expect(console.locator("#vote-tool")).to_be_hidden()
        fac.ok("phase.advance", {"op_id": new_op(), "expected_phase": "diverge"})
        for title in ("Vivre ensemble", "Mobilités"):
            fac.ok("theme.create", {"op_id": new_op(), "title": title})

        # Define: the vote is closed; the phone says so and its buttons cannot be pressed.
        phase_is(phone, "define")
        expect(phone.locator(".vote-closed")).to_have_text(re.compile("^Le vote n'est pas encore ouvert"))
        plus = card(phone, "Vivre ensemble").locator(".plus")
        expect(plus).to_be_disabled()
        expect(console.locator("#vote-state")).to_have_text("pas encore ouvert : les téléphones ne peuvent pas voter")
        expect(screen.locator("#sc-vote")).to_have_text("Le vote n'est pas encore ouvert")
        axe(phone)
        phone.evaluate("() => window.scrollTo(0, 0)")
        shot(phone, "vote-phone-not-open", full_page=False)

        # The console opens it: the phone's button is enabled and the dot counts.
        console.get_by_role("button", name="Ouvrir le vote").click()
        expect(console.locator("#vote-state")).to_have_text("ouvert : les téléphones votent")
        expect(plus).to_be_enabled()
        expect(phone.locator(".vote-closed")).to_be_hidden()
        expect(screen.locator("#sc-vote")).to_have_text("Vote ouvert")
        plus.click()
        expect(card(phone, "Vivre ensemble").locator(".mine-count")).to_have_text("Mes gommettes\u00a0: 1")

        # The plan's 20 minutes for define, then "+1 min": the server moves the end.
        planned = console.get_by_role("button", name="Lancer 20 min (prévu)")
        expect(planned).to_be_visible()
        expect(console.locator("#timer-extend")).to_be_hidden()
        planned.click()
        expect(console.locator("#countdown")).to_have_text(re.compile(r"^(20:00|19:5\d)$"))
        expect(screen.locator("#sc-timer .sc-timer-value")).to_have_text(re.compile(r"^(20:00|19:5\d)$"))
        expect(phone.locator(".timer")).to_have_text(re.compile(r"(20:00|19:5\d)"))
        console.get_by_role("button", name="+1 min").click()
        expect(console.locator("#countdown")).to_have_text(re.compile(r"^(21:00|20:5\d)$"))
        expect(screen.locator("#sc-timer .sc-timer-value")).to_have_text(re.compile(r"^(21:00|20:5\d)$"))
        round_ = next(r for r in fac.ok("snapshot")["rounds"] if r["phase"] == "define")
        assert round_["timer"]["seconds"] == 21 * 60 and round_["timer"]["planned"] == 20 * 60
        living = next(t["id"] for t in round_["themes"] if t["title"] == "Vivre ensemble")
        assert [(v["target_id"], v["dots"]) for v in round_["votes"]] == [(living, 1)]
        axe(console)
        console.evaluate("() => window.scrollTo(0, 0)")
        shot(console, "vote-console-header", full_page=False)
        console.locator(".sidebar-pinned").screenshot(path=str(ROOT / "tests" / "artifacts" / "screenshots" / "vote-console-controls.png"))
        shot(screen, "vote-projector-countdown", full_page=False)

        # Closing the vote again: the phone's buttons are disabled, a vote sent anyway is refused.
        console.get_by_role("button", name="Fermer le vote").click()
        expect(plus).to_be_disabled()
        expect(phone.locator(".vote-closed")).to_be_visible()
        answer = phone.evaluate(
            """([opId, id]) => new Promise((resolve) =>
                window.workshopLive.socket.emit("vote", {op_id: opId, kind: "theme", target_id: id, delta: 1}, resolve))""",
            [new_op(), round_["themes"][0]["id"]],
        )
        assert answer["error"]["code"] == "vote_not_open" and answer["error"]["message"] == "Le vote n'est pas encore ouvert."

        # The end, without sound: every screen says the time is up.
        fac.ok("timer.set", {"op_id": new_op(), "seconds": 2})
        expect(console.locator("#countdown")).to_have_text("Temps écoulé")
        expect(console.locator("#countdown")).to_have_class(re.compile("is-over"))
        expect(screen.locator("#sc-timer")).to_contain_text("Temps écoulé")
        expect(phone.locator(".timer")).to_contain_text("Le temps est écoulé")
        expect(console.get_by_role("button", name="+1 min")).to_be_visible()  # one more minute once time is up
        assert errors == [] and phone_errors == []
    finally:
        fac.close()
