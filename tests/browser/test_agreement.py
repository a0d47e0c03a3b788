"""Agreement across groups in a real Chromium against a real server (issue 15, part 3).

The facilitator's script brings the round to converge with four actions; the console (1366×768) opens the
agree/disagree round; two phones (360 px) answer with one tap per action, and scripted phones of three
stakeholder groups (docs/example_client.py) answer too — the third group has two people only, so it is
counted under "autres". The console reveals: the projector (1920×1080) shows "Points d'accord" and
"Points qui divisent", text ≥ 28 px. The phone's buttons fit 320 px at 200 % text. Screenshots go to
docs/screenshots/agreement-*.png.
"""

from __future__ import annotations

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
ACTIONS = ["Un jardin partagé au pied des tours", "Une navette le dimanche", "Fermer la rue aux voitures le samedi", "Des bancs à l'ombre"]


def docs_shot(shot, page, name: str, full_page: bool = False) -> None:
    page.evaluate("() => document.querySelectorAll('.toast').forEach((t) => { t.hidden = true; })")
    shutil.copy(shot(page, name, full_page=full_page), DOCS / f"{name}.png")


def to_converge(fac: Client) -> dict[str, int]:
    """Lobby → diverge → define (one kept theme) → converge, with the four actions; their ids by title."""
    fac.ok("phase.advance", {"op_id": new_op()})
    fac.ok("phase.advance", {"op_id": new_op()})
    theme = fac.ok("theme.create", {"op_id": new_op(), "title": "Cadre de vie"})["theme"]
    fac.ok("phase.advance", {"op_id": new_op(), "kept_theme_ids": [theme["id"]]})
    return {t: fac.ok("action.propose", {"op_id": new_op(), "theme_id": theme["id"], "title": t})["action"]["id"] for t in ACTIONS}


def test_console_opens_the_agreement_phones_answer_the_projector_reveals(workshop, new_context, axe, shot):
    fac = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    scripted: list[tuple[Client, str]] = []
    errors: list[str] = []
    try:
        ids = to_converge(fac)
        console = new_context("desktop", viewport={"width": 1366, "height": 768}).new_page()
        console.on("pageerror", lambda e: errors.append(str(e)))
        console.goto(workshop["console"])
        expect(console.locator("#status")).to_have_attribute("data-state", "connected")
        screen = new_context("projector").new_page()
        screen.on("pageerror", lambda e: errors.append(str(e)))
        screen.goto(workshop["screen"])
        phones = []
        for n in range(2):
            _, page, phone_errors = open_phone(new_context, workshop)
            join(page, f"P{n + 1}", "habitant")
            phones.append((page, phone_errors))
        for group, n in (("habitant", 3), ("élu·e", 5), ("association", 2)):
            for _ in range(n):
                client = Client(workshop["base"], {"code": workshop["code"], "guest_id": secrets.token_urlsafe(16)})
                token = client.ok("join", {"op_id": new_op(), "group": group})["token"]
                client.close()
                scripted.append((Client(workshop["base"], {"code": workshop["code"], "token": token}), group))

        # The console opens the round; the phones get three large buttons on each action.
        panel = console.locator("#agreement-panel")
        expect(panel).to_be_visible()
        panel.get_by_role("button", name="Ouvrir le tour d’accord").click()
        expect(console.locator("#agreement-state")).to_contain_text("Ouvert")
        first = phones[0][0]
        expect(first.locator("#agree-note")).to_be_visible()
        expect(first.locator(".stance-row:visible")).to_have_count(4)
        expect(first.locator(".stance-row").first.locator("button")).to_have_text(["D'accord", "Neutre", "Pas d'accord"])

        # Phones tap; habitants agree with everything but the car-free street, élus agree with the garden only.
        for page, _ in phones:
            for title in ACTIONS:
                card = page.locator(".vote-card", has_text=title)
                card.locator("button.stance-disagree" if "rue" in title else "button.stance-agree").click()
            expect(page.locator("button.stance[aria-pressed=true]")).to_have_count(4)
        # one changes their mind
        card = first.locator(".vote-card", has_text=ACTIONS[3])
        card.locator("button.stance-neutral").click()
        expect(card.locator("button.stance[aria-pressed=true]")).to_have_attribute("data-stance", "neutral")
        for client, group in scripted:
            for title, action_id in ids.items():
                if group == "habitant":
                    stance = "disagree" if "rue" in title else "agree"
                elif group == "élu·e":
                    stance = "agree" if "jardin" in title else ("neutral" if "bancs" in title else "disagree")
                else:
                    stance = "agree" if "rue" in title else "neutral"
                client.ok("agreement.answer", {"op_id": new_op(), "action_id": action_id, "stance": stance})

        # Live on the console (coalesced), hidden from the room: the projector counts the people who answered.
        expect(console.locator("#agreement-state")).to_contain_text("12 participant·es ont répondu")
        expect(screen.locator("#sc-agreement-count")).to_have_text("12 réponses")
        assert screen.locator(".ag-item").count() == 0
        assert_projector_text(screen, "agreement open")
        row = console.locator(".agreement-table tr", has_text=ACTIONS[0])
        expect(row).to_contain_text("Point d’accord")
        expect(console.locator(".agreement-table thead")).to_contain_text("autres")
        expect(console.locator(".agreement-table thead")).not_to_contain_text("association")
        console.evaluate("() => document.getElementById('agreement-panel').scrollIntoView()")
        axe(console)
        docs_shot(shot, console, "agreement-console")
        axe(first)
        first.locator(".vote-card", has_text=ACTIONS[0]).scroll_into_view_if_needed()
        docs_shot(shot, first, "agreement-phone-360")

        # Closed, then revealed: the projector shows where the groups agree and what divides them.
        panel.get_by_role("button", name="Clore le tour d’accord").click()
        expect(console.locator("#agreement-state")).to_contain_text("Clos")
        expect(first.locator(".stance-row:visible")).to_have_count(0)
        late = first.evaluate(
            """([opId, id]) => new Promise((resolve) =>
                window.workshopLive.socket.emit("agreement.answer", {op_id: opId, action_id: id, stance: "agree"}, resolve))""",
            [new_op(), ids[ACTIONS[2]]],
        )
        assert late["ok"] is False and late["error"]["code"] == "agreement_closed"
        panel.get_by_role("button", name="Afficher au vidéoprojecteur").click()
        expect(screen.locator("#ag-agreed-h")).to_have_text("Points d’accord")
        expect(screen.locator("#ag-divided-h")).to_have_text("Points qui divisent")
        expect(screen.locator("#ag-agreed .ag-item-title").first).to_have_text(ACTIONS[0])
        expect(screen.locator("#ag-divided .ag-item-title", has_text=ACTIONS[1])).to_have_count(1)
        expect(screen.locator("#ag-agreed .ag-item-title", has_text=ACTIONS[2])).to_have_count(0)
        expect(screen.locator("#sc-agreement")).not_to_contain_text("association")
        assert_projector_text(screen, "agreement revealed")
        axe(screen)
        docs_shot(shot, screen, "agreement-projector")
        wait_until(lambda: fac.ok("snapshot")["agreement"][0]["revealed"] is True)
        assert errors == [] and all(not e for _, e in phones)
    finally:
        fac.close()
        for client, _ in scripted:
            client.close()


def test_the_stance_buttons_fit_320px_at_200_percent(workshop, new_context, axe, shot):
    fac = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    try:
        to_converge(fac)
        fac.ok("agreement.open", {"op_id": new_op(), "open": True})
        _, page, errors = open_phone(new_context, workshop, **NARROW)
        join(page, "Awa", "habitant")
        expect(page.locator(".stance-row:visible")).to_have_count(4)
        big_text(page)
        assert_fits(page, "stance buttons")
        box = page.locator("button.stance").first.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, box
        page.locator("button.stance-agree").first.click()
        expect(page.locator("button.stance[aria-pressed=true]")).to_have_count(1)
        assert_fits(page, "after a tap")
        axe(page)
        docs_shot(shot, page, "agreement-phone-320-200", full_page=False)
        assert errors == []
    finally:
        fac.close()
