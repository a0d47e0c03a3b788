"""The theme board (define) at a real room's size: 300 ideas, 12 themes, a 1366×768 laptop.

The room is seeded through the real server with a facilitator's Socket.IO client
(docs/example_client.py): ideas typed in on behalf of groups, then themes. Everything
the test then does goes through the console's UI in Chromium.
"""

from __future__ import annotations

import re
import shutil
import sys

import pytest
from playwright.sync_api import expect
from support import ROOT, new_op, wait_until

sys.path.insert(0, str(ROOT / "docs"))
import example_client

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
GRAB = {"x": 90, "y": 14}  # on the idea's text, where a hand grabs a card (not on its buttons)
THEMES = [
    "Emploi et formation",
    "Mobilités et transports",
    "Logement et cadre de vie",
    "Santé et accès aux soins",
    "Éducation et jeunesse",
    "Tranquillité publique",
    "Culture et sport",
    "Commerces de proximité",
    "Nature en ville",
    "Participation des habitants",
    "Services publics",
    "Lien social et solidarité",
]
SUBJECTS = [
    "des ateliers d'aide à l'emploi",
    "un bus qui passe plus souvent le soir",
    "des halls d'immeubles rénovés",
    "un centre de santé avec des médecins",
    "du soutien scolaire gratuit",
    "plus d'éclairage dans les rues",
    "un terrain de foot éclairé",
    "une boulangerie au pied des tours",
    "des jardins partagés",
    "un conseil citoyen qui décide vraiment",
    "une maison France services ouverte le samedi",
    "une fête des voisins chaque été",
]
PLACES = ["dans le quartier", "près de l'école", "pour les jeunes", "pour les seniors", "le week-end", "avec les associations"]
GROUPS = ["habitant", "association", "agent", "élu·e"]


def idea_text(n: int) -> str:
    return f"{SUBJECTS[n % len(SUBJECTS)].capitalize()} {PLACES[(n // len(SUBJECTS)) % len(PLACES)]} ({n + 1})"


@pytest.fixture
def clients():
    opened: list[example_client.Client] = []
    yield opened
    for client in opened:
        try:
            client.close()
        except Exception:
            pass


def seed(workshop, clients, ideas: int, themes: int) -> dict:
    """A round in define with ``ideas`` ideas (typed in on behalf of the groups) and ``themes`` themes."""
    fac = example_client.Client(workshop["base"], {"facilitator_token": workshop["token"]})
    clients.append(fac)
    fac.ok("phase.advance", {"op_id": new_op(), "expected_phase": "lobby"})
    posted = [
        fac.ok("idea.post", {"op_id": new_op(), "text": idea_text(n), "group": GROUPS[n % len(GROUPS)]})["idea"] for n in range(ideas)
    ]
    fac.ok("phase.advance", {"op_id": new_op(), "expected_phase": "diverge"})
    made = [
        fac.ok("theme.create", {"op_id": new_op(), "title": title, "objective": f"Objectif : {title.lower()}"})["theme"]
        for title in THEMES[:themes]
    ]
    return {"fac": fac, "ideas": posted, "themes": made}


def open_board(new_context, workshop, viewport=LAPTOP):
    page = new_context("desktop", **viewport).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(workshop["console"])
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")
    expect(page.locator(".board-layout")).to_be_visible()
    return page, errors


def target(page, title: str):
    return page.locator(".target", has=page.locator(".target-name", has_text=title))


def card(page, idea_id: int):
    return page.locator(f'.idea[data-idea-id="{idea_id}"]')


def theme_of(fac, idea_id: int):
    snap = fac.ok("snapshot")
    r = next(r for r in snap["rounds"] if r["phase"] == "define")
    return next(i for i in r["ideas"] if i["id"] == idea_id)["theme_id"]


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= vw and box["y"] + box["height"] <= vh


def save(shot, page, name: str, docs: bool = False):
    """A screenshot of the window as the facilitator sees it (page scrolled to the top)."""
    page.evaluate("() => { window.scrollTo(0, 0); const l = document.getElementById('sort-list'); if (l) l.scrollTop = 0; }")
    path = shot(page, name, full_page=False)
    if docs:
        shutil.copy(path, ROOT / "docs" / "screenshots" / f"{name}.png")


# --------------------------------------------------------------------------- 300 ideas, 12 themes, 1366×768


def test_300_ideas_and_12_themes_fit_a_laptop(workshop, new_context, clients, shot):
    room = seed(workshop, clients, 300, 12)
    page, errors = open_board(new_context, workshop)
    pane = page.locator("#sort-list")
    expect(pane.locator(".idea")).to_have_count(300)
    expect(page.locator(".pane-count")).to_have_text("300 idées")
    # Newest first.
    expect(pane.locator(".idea").first).to_contain_text("(300)")

    # Every theme target is inside the window, the page itself does not scroll, the pane does.
    expect(page.locator(".target")).to_have_count(13)
    for title in THEMES:
        assert in_viewport(page, target(page, title)), title
    assert page.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight + 1") or page.evaluate(
        "() => document.querySelector('.board-layout').getBoundingClientRect().bottom <= window.innerHeight"
    )
    assert page.evaluate("() => { const l = document.getElementById('sort-list'); return l.scrollHeight > l.clientHeight * 5; }")
    pane.evaluate("(l) => { l.scrollTop = l.scrollHeight; }")
    expect(pane.locator(".idea").last).to_contain_text("(1)")
    assert page.evaluate("() => window.scrollY") == 0
    for title in THEMES:
        assert in_viewport(page, target(page, title)), title
    expect(target(page, "Services publics")).to_contain_text("0 idée")

    # Filing the last idea of the list by drag and drop (the pane is scrolled to the bottom).
    oldest = room["ideas"][0]
    card(page, oldest["id"]).drag_to(target(page, "Nature en ville"), source_position=GRAB)
    expect(target(page, "Nature en ville")).to_contain_text("1 idée")
    expect(page.locator("#board-toasts")).to_contain_text("1 idée classée dans « Nature en ville »")
    assert theme_of(room["fac"], oldest["id"]) == room["themes"][8]["id"]
    assert page.evaluate("() => document.getElementById('sort-list').scrollTop") > 1000, "the pane kept its place"

    # Re-rendering stays fast with 300 cards: tally ticks reuse them.
    voters = []
    for name, group in (("Awa", "habitant"), ("Bruno", "agent")):
        voters.append(example_client.Client(workshop["base"], {"code": workshop["code"]}))
        clients.append(voters[-1])
        voters[-1].ok("join", {"op_id": new_op(), "pseudonym": name, "group": group})
    room["fac"].ok("vote.open", {"op_id": new_op(), "open": True})
    page.evaluate("() => { window.workshopBoard.times.length = 0; }")
    for n in range(6):
        voters[n // 3].ok("vote", {"op_id": new_op(), "kind": "theme", "target_id": room["themes"][n % 3]["id"], "delta": 1})
        expect(target(page, THEMES[n % 3]).locator(".badge.dots")).to_contain_text(str(n // 3 + 1))
    times = page.evaluate("() => window.workshopBoard.times.slice()")
    median = sorted(times)[len(times) // 2]
    print(f"\nboard re-render with 300 ideas, 12 themes: {len(times)} renders, median {median:.1f} ms, max {max(times):.1f} ms")
    # Measured on a 2-CPU machine under load (load average ~12): median 57 ms, style and layout included, the list
    # left in place; re-inserting the 300 cards on each render took 800-1400 ms there. Room is left for a loaded CI machine.
    assert times and median < 300 and max(times) < 1500, times

    pane.evaluate("(l) => { l.scrollTop = 0; }")
    # axe-core checks the same board at 60 ideas (test_creating_a_theme_…): over 300 cards it takes minutes.
    save(shot, page, "console-03-define", docs=True)
    assert errors == []


def test_keyboard_files_an_idea_under_theme_5(workshop, new_context, clients, shot):
    room = seed(workshop, clients, 40, 12)
    page, errors = open_board(new_context, workshop)
    newest = room["ideas"][-1]
    # Tab from the filter box: the first card's checkbox, then its "Classer…" button.
    page.locator("#board-filter").focus()
    classify = card(page, newest["id"]).get_by_role("button", name="Classer…")
    for _ in range(12):
        page.keyboard.press("Tab")
        if classify.evaluate("(b) => b === document.activeElement"):
            break
    expect(classify).to_be_focused()
    page.keyboard.press("Enter")
    chooser = page.locator("#chooser-select")
    expect(chooser).to_be_focused()
    # Choosing does not file anything (WCAG 3.2.2): five steps down is theme 5.
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    expect(chooser).to_have_value(str(room["themes"][4]["id"]))
    assert theme_of(room["fac"], newest["id"]) is None, "nothing moves on change"
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Classer", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(target(page, THEMES[4])).to_contain_text("1 idée")
    expect(card(page, newest["id"])).to_have_count(0)
    expect(page.locator("#board-toasts")).to_contain_text(f"1 idée classée dans « {THEMES[4]} »")
    expect(page.locator("#notices")).to_have_text(f"1 idée classée dans « {THEMES[4]} ».")
    # The focus goes on to the next idea's "Classer…", ready for the next one.
    expect(card(page, room["ideas"][-2]["id"]).get_by_role("button", name="Classer…")).to_be_focused()
    assert theme_of(room["fac"], newest["id"]) == room["themes"][4]["id"]

    # Escape closes the chooser without filing; the focus returns to its button.
    page.keyboard.press("Enter")
    expect(page.locator("#chooser-select")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(".chooser")).to_have_count(0)
    expect(card(page, room["ideas"][-2]["id"]).get_by_role("button", name="Classer…")).to_be_focused()

    # Opening theme 5 by keyboard shows its idea; it can be put back among the unsorted ones.
    target(page, THEMES[4]).locator(".target-open").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#pane-heading")).to_have_text(THEMES[4])
    expect(page.locator(".theme-head")).to_contain_text(f"Objectif : {THEMES[4].lower()}")
    card(page, newest["id"]).get_by_role("button", name="Classer…").click()
    page.locator("#chooser-select").select_option(label="À classer")
    page.get_by_role("button", name="Classer", exact=True).click()
    expect(page.locator("#board-toasts")).to_contain_text("1 idée remise à classer")
    expect(target(page, THEMES[4])).to_contain_text("0 idée")
    assert errors == []


def test_select_several_then_file_them_at_once(workshop, new_context, clients):
    room = seed(workshop, clients, 30, 4)
    page, errors = open_board(new_context, workshop)
    ids = [i["id"] for i in room["ideas"]]
    # Click one, shift-click two further down: three ideas.
    card(page, ids[-1]).locator("input.pick").click()
    card(page, ids[-3]).locator("input.pick").click(modifiers=["Shift"])
    expect(page.locator("#selected-count")).to_have_text("3 idées sélectionnées")
    expect(page.locator(".idea.is-selected")).to_have_count(3)
    page.locator("#bulk-target").select_option(label=f"2. {THEMES[1]}")
    page.get_by_role("button", name="Classer", exact=True).click()
    expect(target(page, THEMES[1])).to_contain_text("3 idées")
    expect(page.locator("#board-toasts")).to_contain_text(f"3 idées classées dans « {THEMES[1]} »")
    snap = room["fac"].ok("snapshot")
    placed = {i["id"]: i["theme_id"] for r in snap["rounds"] for i in r["ideas"]}
    assert [placed[i] for i in ids[-3:]] == [room["themes"][1]["id"]] * 3
    assert placed[ids[-4]] is None

    # Clearing the selection.
    card(page, ids[0]).locator("input.pick").click()
    expect(page.locator("#selected-count")).to_have_text("1 idée sélectionnée")
    page.get_by_role("button", name="Tout désélectionner").click()
    expect(page.locator(".idea.is-selected")).to_have_count(0)
    expect(page.get_by_role("button", name="Tout sélectionner (filtré)")).to_be_focused()

    # The filter narrows the list (text, number, group); "Tout sélectionner (filtré)" takes what is shown.
    page.locator("#board-filter").fill("jardins")
    expect(page.locator("#sort-list .idea")).to_have_count(2)
    expect(page.locator(".pane-count")).to_have_text("2 sur 27 idées affichées")
    page.get_by_role("button", name="Tout sélectionner (filtré)").click()
    expect(page.locator("#selected-count")).to_have_text("2 idées sélectionnées")
    # Dragging one selected card carries the whole selection.
    page.locator("#sort-list .idea").first.drag_to(target(page, THEMES[0]), source_position=GRAB)
    expect(target(page, THEMES[0])).to_contain_text("2 idées")
    expect(page.locator("#sort-list .idea")).to_have_count(0)
    expect(page.locator(".pane-empty")).to_have_text("Aucune idée ne correspond au filtre.")
    page.locator("#board-filter").fill("n°7")
    expect(page.locator("#sort-list .idea")).to_have_count(1)
    expect(page.locator("#sort-list .idea")).to_contain_text("(7)")
    page.locator("#board-filter").fill("élu")
    expect(page.locator("#sort-list .idea")).to_have_count(len([n for n in range(30) if GROUPS[n % 4] == "élu·e"]) - 1)
    assert errors == []


def test_creating_a_theme_is_confirmed_and_the_board_is_accessible(workshop, new_context, clients, axe, shot):
    room = seed(workshop, clients, 60, 5)
    page, errors = open_board(new_context, workshop)
    page.locator("#nt-title").fill("Propreté")
    page.locator(".nt-more summary").click()
    page.locator("#nt-objective").fill("Un quartier propre")
    page.locator("#nt-criteria").fill("moins de dépôts sauvages\nbacs vidés chaque jour")
    page.get_by_role("button", name="Créer le thème").click()
    expect(page.locator("#board-toasts")).to_contain_text("Thème « Propreté » créé.")
    expect(target(page, "Propreté")).to_be_visible()
    expect(page.locator("#nt-title")).to_be_focused()
    expect(page.locator("#nt-title")).to_have_value("")

    # Open it: objective, criteria, edit and delete.
    target(page, "Propreté").locator(".target-open").click()
    head = page.locator(".theme-head")
    expect(head.locator(".criteria li")).to_have_text(["moins de dépôts sauvages", "bacs vidés chaque jour"])
    head.get_by_role("button", name="Modifier").click()
    head.get_by_label("Titre").fill("Propreté des rues")
    head.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#pane-heading")).to_have_text("Propreté des rues")
    expect(target(page, "Propreté des rues")).to_be_visible()

    # Back to the unsorted ideas; three of them filed under the new theme, whose pane then lists them.
    page.get_by_role("button", name="Retour aux idées à classer").click()
    expect(page.locator("#pane-heading")).to_have_text("À classer")
    for n in range(3):
        card(page, room["ideas"][n]["id"]).locator("input.pick").click()
    page.locator("#bulk-target").select_option(label="6. Propreté des rues")
    page.get_by_role("button", name="Classer", exact=True).click()
    expect(target(page, "Propreté des rues")).to_contain_text("3 idées")
    target(page, "Propreté des rues").locator(".target-open").click()
    expect(page.locator("#sort-list .idea")).to_have_count(3)
    target(page, "À classer").locator(".target-open").click()
    expect(page.locator(".pane-count").first).to_have_text("57 idées")
    phone = example_client.Client(workshop["base"], {"code": workshop["code"]})
    clients.append(phone)
    phone.ok("join", {"op_id": new_op(), "pseudonym": "Awa", "group": "habitant"})
    room["fac"].ok("vote.open", {"op_id": new_op(), "open": True})
    phone.ok("vote", {"op_id": new_op(), "kind": "theme", "target_id": room["themes"][0]["id"], "delta": 2})
    expect(target(page, THEMES[0]).locator(".badge.dots")).to_contain_text("2")
    axe(page)
    save(shot, page, "console-03b-define-60", docs=True)
    target(page, THEMES[0]).locator(".target-open").click()
    page.locator(".theme-head summary", has_text="Par collège").click()
    expect(page.locator(".group-breakdown")).to_contain_text("habitant2")
    axe(page)

    # Delete, confirmed.
    target(page, "Propreté des rues").locator(".target-open").click()
    page.locator(".theme-head").get_by_role("button", name="Supprimer").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Supprimer le thème « Propreté des rues » ?")
    dialog.get_by_role("button", name="Supprimer").click()
    expect(target(page, "Propreté des rues")).to_have_count(0)
    expect(page.locator("#pane-heading")).to_have_text("À classer")
    assert errors == []


def test_touch_drag_with_the_handle(workshop, new_context, clients):
    room = seed(workshop, clients, 12, 3)
    ctx = new_context("desktop", viewport={"width": 1366, "height": 768}, has_touch=True)
    page = ctx.new_page()
    page.goto(workshop["console"])
    expect(page.locator(".board-layout")).to_be_visible()
    idea = room["ideas"][-1]
    handle = card(page, idea["id"]).locator(".drag-handle")
    box, dest = handle.bounding_box(), target(page, THEMES[2]).bounding_box()
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    end = (dest["x"] + dest["width"] / 2, dest["y"] + dest["height"] / 2)
    # A finger on the handle: pointer events of type "touch", dispatched as Chromium does.
    handle.dispatch_event(
        "pointerdown", {"pointerType": "touch", "pointerId": 7, "isPrimary": True, "button": 0, "clientX": start[0], "clientY": start[1]}
    )
    for k in (0.3, 0.7, 1.0):
        x, y = start[0] + (end[0] - start[0]) * k, start[1] + (end[1] - start[1]) * k
        card(page, idea["id"]).dispatch_event(
            "pointermove", {"pointerType": "touch", "pointerId": 7, "isPrimary": True, "clientX": x, "clientY": y}
        )
    expect(target(page, THEMES[2])).to_have_class(re.compile("is-over"))
    card(page, idea["id"]).dispatch_event(
        "pointerup", {"pointerType": "touch", "pointerId": 7, "isPrimary": True, "clientX": end[0], "clientY": end[1]}
    )
    expect(target(page, THEMES[2])).to_contain_text("1 idée")
    wait_until(lambda: theme_of(room["fac"], idea["id"]) == room["themes"][2]["id"], message="the move committed")
