"""The projector screen (/s/<code>) in a real Chromium, against a real server.

The facilitator and the phones are scripted with docs/example_client.py (the
protocol's own client); the projector is a 1920×1080 browser context. Every
check waits for a condition (Playwright's expect / wait_for_function), never
for a fixed time.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from support import new_op

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client

expect.set_options(timeout=10_000)

IDEAS = [
    "Des jardins partagés au pied des immeubles",
    "Un bus de nuit qui dessert le quartier",
    "Des permanences des services publics dans le centre social",
    "Des habitants associés aux décisions du contrat de ville",
    "Des cours d'école ouvertes le week-end",
    "Des locaux gratuits pour les associations",
    "Des pistes cyclables sûres jusqu'au centre-ville",
    "Un budget participatif pour chaque quartier",
    "Des rénovations thermiques des logements sociaux",
    "Des chantiers éducatifs pour les jeunes",
    "Plus d'arbres et d'ombre dans les rues du quartier",
    "Une maison des projets ouverte le samedi",
    "Des jeunes formés et recrutés dans les services de la ville",
    "Un conseil citoyen écouté et doté d'un vrai budget",
    "Des commerces de proximité au rez-de-chaussée des immeubles",
]


class People:
    """The facilitator and the phones of one test; all disconnected at the end."""

    def __init__(self, ws: dict) -> None:
        self.ws = ws
        self.clients: list[Client] = []
        self.facilitator = self._connect({"facilitator_token": ws["token"]})

    def _connect(self, auth: dict) -> Client:
        client = Client(self.ws["base"], auth)
        self.clients.append(client)
        return client

    def phone(self, pseudonym: str, group: str = "habitant") -> Client:
        client = self._connect({"code": self.ws["code"]})
        client.ok("join", {"op_id": new_op(), "pseudonym": pseudonym, "group": group})
        return client

    def do(self, event: str, **payload) -> dict:
        return self.facilitator.ok(event, {"op_id": new_op(), **payload})

    def close(self) -> None:
        for client in self.clients:
            try:
                client.close()
            except Exception:
                pass


@pytest.fixture
def axe(axe_source):
    """The shared axe check, with axe-core injected by evaluate: the page's strict CSP
    (script-src 'self') blocks the inline <script> tag conftest's helper would add."""
    from conftest import axe_violations

    def check(page):
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source + "\n;undefined")
        violations = axe_violations(page, axe_source)
        assert violations == [], "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in violations)

    return check


@pytest.fixture
def people(workshop):
    crowd = People(workshop)
    yield crowd
    crowd.close()


@pytest.fixture
def projector(new_context, workshop):
    """The screen page on a 1920×1080 projector, connected and showing its first view."""
    page = new_context("projector").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: "Content Security Policy" in msg.text and errors.append(msg.text))
    page.goto(workshop["screen"])
    expect(page.locator("#sc-status")).to_have_attribute("data-state", "connected")
    yield page
    assert errors == [], errors


def post(phone: Client, text: str) -> dict:
    return phone.ok("idea.post", {"op_id": new_op(), "text": text})["idea"]


def vote(phone: Client, kind: str, target_id: int, dots: int = 1) -> None:
    phone.ok("vote", {"op_id": new_op(), "kind": kind, "target_id": target_id, "delta": dots})


def assert_fits_without_scrolling(page) -> None:
    """No scrollbars: the document is exactly the viewport."""
    size = page.evaluate(
        """() => ({sh: document.documentElement.scrollHeight, sw: document.documentElement.scrollWidth,
                  h: window.innerHeight, w: window.innerWidth})"""
    )
    assert size["sh"] <= size["h"] and size["sw"] <= size["w"], size


def assert_no_controls(page) -> None:
    """Read-only: nothing to click or type in, except the skip link every page has."""
    controls = page.evaluate(
        """() => [...document.querySelectorAll('button, input, select, textarea, a[href], [contenteditable], [tabindex]:not([tabindex="-1"])')]
                .filter(e => !e.classList.contains('skip-link')).map(e => e.outerHTML.slice(0, 80))"""
    )
    assert controls == [], controls


def settle(page) -> None:
    """Wait for arrival animations to end (axe measures contrast mid-fade otherwise)."""
    page.wait_for_function("() => !document.querySelector('.note-new')")


def cloud_words(page) -> list[str]:
    return page.eval_on_selector_all("#sc-cloud .cloud-word", "els => els.map(e => e.dataset.word)")


def test_lobby_shows_the_qr_code_the_code_and_the_address(workshop, projector, people, axe, shot, new_context):
    page = projector
    qr = page.locator("#sc-qr")
    expect(qr).to_be_visible()
    page.wait_for_function("() => { const i = document.getElementById('sc-qr'); return i.complete && i.naturalWidth > 0; }")
    box = qr.bounding_box()
    assert box["height"] > 600, box  # big enough to scan from the middle of the room
    expect(page.locator("#sc-code")).to_have_text(workshop["code"])
    expect(page.locator("#sc-url")).to_have_text(workshop["join"].split("://", 1)[1])
    expect(page.locator("h1")).to_have_text("Quelle politique de la ville demain ?")
    expect(page.locator(".join-question")).to_contain_text("Dans 10 ans")
    expect(page.locator("#sc-joined")).to_have_text("Personne n'a encore rejoint l'atelier")
    expect(page.locator("#sc-phase")).to_contain_text("Bienvenue")

    people.phone("Awa")
    people.phone("Bruno", "élu·e")
    expect(page.locator("#sc-joined")).to_have_text("2 personnes ont rejoint l'atelier")
    expect(page.locator("#sc-people")).to_have_text("2 participants")

    assert_fits_without_scrolling(page)
    assert_no_controls(page)
    shot(page, "screen-01-lobby")
    axe(page)

    # The same on a 1280×720 projector: everything visible, nothing scrolls.
    small = new_context("projector", viewport={"width": 1280, "height": 720}).new_page()
    small.goto(workshop["screen"])
    expect(small.locator("#sc-code")).to_have_text(workshop["code"])
    expect(small.locator("#sc-joined")).to_have_text("2 personnes ont rejoint l'atelier")
    small.wait_for_function("() => document.getElementById('sc-qr').naturalWidth > 0")
    assert_fits_without_scrolling(small)
    for selector in ("#sc-qr", "#sc-code", "#sc-url", "#sc-joined"):
        b = small.locator(selector).bounding_box()
        assert b["y"] >= 0 and b["y"] + b["height"] <= 720 and b["x"] + b["width"] <= 1280, (selector, b)
    shot(small, "screen-01-lobby-720")


def test_diverge_wall_word_cloud_hidden_ideas_and_qr_on_demand(workshop, projector, people, axe, shot):
    page = projector
    awa, bruno, chloe = people.phone("Awa"), people.phone("Bruno", "élu·e"), people.phone("Chloé", "association")
    people.do("phase.advance", expected_phase="lobby")
    expect(page.locator("#sc-phase")).to_contain_text("Divergence")
    expect(page.locator("h1")).to_have_text("Dans 10 ans, on aura réussi la politique de la ville si…")
    expect(page.locator("#sc-idea-count")).to_have_text("Pas encore d'idée : les vôtres apparaîtront ici")

    first = post(awa, "les jardins partagés")
    post(bruno, "des jardins pour les enfants")
    off_topic = post(chloe, "Un message hors sujet à masquer")
    wall = page.locator("#sc-wall")
    expect(wall.locator(".note")).to_have_count(3)
    expect(wall).to_contain_text("les jardins partagés")
    expect(wall).to_contain_text("des jardins pour les enfants")
    expect(page.locator("#sc-idea-count")).to_have_text("3 idées")

    # Moderation: a hidden idea leaves the wall (and the cloud).
    people.do("idea.hide", idea_id=off_topic["id"], hidden=True)
    expect(wall.locator(".note", has_text="hors sujet")).to_have_count(0)
    expect(page.locator("#sc-idea-count")).to_have_text("2 idées")

    # Word cloud: content words in, French/English stop words out.
    page.wait_for_function("() => [...document.querySelectorAll('#sc-cloud .cloud-word')].some(e => e.dataset.word === 'jardins')")
    words = cloud_words(page)
    assert "jardins" in words and "partagés" in words and "enfants" in words, words
    for absent in ("les", "des", "pour", "message", "sujet"):  # stop words, and the hidden idea's words
        assert absent not in words, words
    jardins = page.locator("#sc-cloud .cloud-word[data-word=jardins]")
    assert float(jardins.get_attribute("data-weight")) == 2
    # The cloud settles its sizes after fitting itself to the panel: wait for it rather than measure once.
    page.wait_for_function(
        "() => { const size = w => { const e = document.querySelector(`#sc-cloud .cloud-word[data-word=${w}]`);"
        " return e ? parseFloat(getComputedStyle(e).fontSize) : 0; }; return size('jardins') > size('partagés'); }"
    )

    # A withdrawn idea disappears too; a merged duplicate shows how many it stands for.
    mine = post(bruno, "Retirée par son auteur")
    expect(wall).to_contain_text("Retirée par son auteur")
    bruno.ok("idea.withdraw", {"op_id": new_op(), "idea_id": mine["id"]})
    expect(wall.locator(".note", has_text="Retirée")).to_have_count(0)
    duplicate = post(chloe, "Jardins partagés !")
    expect(wall.locator(".note")).to_have_count(3)
    people.do("idea.merge", idea_id=duplicate["id"], into_id=first["id"])
    expect(wall.locator(".note")).to_have_count(2)
    expect(wall.locator(f".note[data-idea-id='{first['id']}'] .note-count")).to_contain_text("×2")

    # A room's worth of ideas, and a timer.
    phones = [awa, bruno, chloe]
    for n, text in enumerate(IDEAS):
        post(phones[n % 3], text)
    expect(wall.locator(".note")).to_have_count(2 + len(IDEAS))
    people.do("timer.set", seconds=600)
    expect(page.locator("#sc-timer")).to_be_visible()
    expect(page.locator("#sc-timer .sc-timer-value")).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    words = cloud_words(page)
    assert "quartier" in words and "immeubles" in words, words
    assert not {"les", "des", "pour", "dans", "une", "plus", "d'un", "jusqu"} & set(words), words

    settle(page)
    assert_fits_without_scrolling(page)
    assert_no_controls(page)
    shot(page, "screen-02-diverge")
    axe(page)

    # The facilitator shows the QR code for latecomers, then hides it.
    people.do("screen.qr", visible=True)
    expect(page.locator("#sc-qr")).to_be_visible()
    expect(page.locator("#sc-code")).to_have_text(workshop["code"])
    expect(page.locator("#sc-wall")).to_have_count(0)
    shot(page, "screen-02b-qr-on-demand")
    people.do("screen.qr", visible=False)
    expect(page.locator("#sc-qr")).to_have_count(0)
    expect(page.locator("#sc-wall .note")).to_have_count(2 + len(IDEAS))

    # A 1280×720 projector gets the same wall, fitted.
    page.set_viewport_size({"width": 1280, "height": 720})
    page.wait_for_function("() => document.getElementById('sc-wall') && document.getElementById('sc-wall').clientWidth < 1000")
    assert_fits_without_scrolling(page)
    shot(page, "screen-02-diverge-720")


def test_many_ideas_turn_into_pages(workshop, projector, people):
    page = projector
    phones = [people.phone(f"P{n}") for n in range(10)]  # a phone writes at a human pace (flood limit)
    people.do("phase.advance", expected_phase="lobby")
    total = 90
    for n in range(total):
        post(phones[n % 10], f"{IDEAS[n % len(IDEAS)]} (proposition {n + 1})")
    expect(page.locator("#sc-idea-count")).to_have_text(f"{total} idées")
    expect(page.locator("#sc-pager")).to_have_text(re.compile(r"^Page \d+ sur \d+$"))
    pages = int(page.locator("#sc-pager").inner_text().split()[-1])
    assert pages >= 2
    visible = page.eval_on_selector_all("#sc-wall .note", "els => els.filter(e => !e.hidden).length")
    assert 10 <= visible < total
    # every visible note lies inside the wall: nothing is cut or scrolled
    assert page.evaluate(
        """() => { const w = document.getElementById('sc-wall'); const r = w.getBoundingClientRect();
                   return [...w.querySelectorAll('.note')].filter(e => !e.hidden)
                     .every(e => e.getBoundingClientRect().bottom <= r.bottom + 1); }"""
    )
    # the last idea posted is on the page shown
    expect(page.locator("#sc-wall .note", has_text=f"(proposition {total})")).to_be_visible()
    assert_fits_without_scrolling(page)


def test_define_converge_and_closed(workshop, projector, people, axe, shot):
    page = projector
    phones = [
        people.phone(name, group) for name, group in (("Awa", "habitant"), ("Bruno", "élu·e"), ("Chloé", "association"), ("Driss", "agent"))
    ]
    people.do("phase.advance", expected_phase="lobby")
    ideas = [post(phones[n % 4], text) for n, text in enumerate(IDEAS[:9])]
    expect(page.locator("#sc-wall .note")).to_have_count(9)

    # --- define: themes with their ideas, tallies hidden until revealed
    people.do("phase.advance", expected_phase="diverge")
    expect(page.locator("#sc-phase")).to_contain_text("Définition")
    spec = [
        ("Vivre ensemble", "Des lieux partagés dans chaque quartier", ["3 lieux ouverts", "fréquentation mensuelle"]),
        ("Mobilités", "Relier le quartier au reste de la ville", ["temps de trajet divisé par deux"]),
        ("Participation", "Les habitants décident avec les élus", []),
    ]
    themes = [people.do("theme.create", title=t, objective=o, criteria=c)["theme"] for t, o, c in spec]
    for n, idea in enumerate(ideas[:8]):
        people.do("idea.move", idea_id=idea["id"], theme_id=themes[n % 3]["id"])
    cards = page.locator("#sc-themes .theme[data-theme-id]")
    expect(cards).to_have_count(3)
    expect(cards.nth(0)).to_contain_text("Vivre ensemble")
    expect(cards.nth(0)).to_contain_text("Des lieux partagés dans chaque quartier")
    expect(cards.nth(0)).to_contain_text("fréquentation mensuelle")
    expect(cards.nth(0)).to_contain_text(IDEAS[0])
    expect(page.locator(".theme-unsorted")).to_contain_text(IDEAS[8])

    # a discreet line says whether the phones may vote: closed until the facilitator opens it
    expect(page.locator("#sc-vote")).to_have_text("Le vote n'est pas encore ouvert")
    people.do("vote.open", open=True)
    expect(page.locator("#sc-vote")).to_have_text("Vote ouvert")
    # theme votes: Vivre ensemble 6, Participation 3, Mobilités 1
    for phone in phones[:3]:
        vote(phone, "theme", themes[0]["id"], 2)
    vote(phones[3], "theme", themes[2]["id"], 2)
    vote(phones[0], "theme", themes[2]["id"], 1)
    vote(phones[1], "theme", themes[1]["id"], 1)
    expect(page.locator("#sc-results-hidden")).to_contain_text("Les résultats seront dévoilés")
    expect(page.locator(".theme-dots")).to_have_count(0)
    assert not re.search(r"\d+ gommette", page.locator("#sc-themes").inner_text())

    people.do("tallies.reveal", revealed=True)
    expect(page.locator("#sc-results-hidden")).to_have_count(0)
    # revealed: in the server's ranking
    expect(cards.locator(".theme-title")).to_have_text(["Vivre ensemble", "Participation", "Mobilités"])
    expect(cards.locator(".theme-dots")).to_have_text(["6 gommettes", "3 gommettes", "1 gommette"])
    assert_fits_without_scrolling(page)
    assert_no_controls(page)
    shot(page, "screen-03-define")
    axe(page)

    # --- converge: actions listed without numbers, then ranked bars
    people.do("phase.advance", expected_phase="define", kept_theme_ids=[themes[0]["id"], themes[2]["id"]])
    expect(page.locator("#sc-phase")).to_contain_text("Convergence")
    expect(page.locator(".empty")).to_contain_text("Pas encore d'action")
    titles = ["Ouvrir un jardin partagé par quartier", "Un budget participatif de 50 000 €", "Une fête des voisins au printemps"]
    actions = [
        phones[0].ok("action.propose", {"op_id": new_op(), "theme_id": themes[0]["id"], "title": titles[0]})["action"],
        people.do("action.propose", theme_id=themes[2]["id"], title=titles[1])["action"],
        phones[1].ok("action.propose", {"op_id": new_op(), "theme_id": themes[0]["id"], "title": titles[2]})["action"],
    ]
    rows = page.locator("#sc-actions .action")
    expect(rows).to_have_count(3)
    people.do("vote.open", open=True)
    expect(page.locator("#sc-actions")).to_contain_text("Thème : Participation")
    # dots: budget action 6, fête 3, jardin 1
    for phone in phones[:3]:
        vote(phone, "action", actions[1]["id"], 2)
    vote(phones[3], "action", actions[2]["id"], 2)
    vote(phones[3], "action", actions[2]["id"], -1)
    vote(phones[0], "action", actions[2]["id"], 2)
    vote(phones[1], "action", actions[0]["id"], 1)
    expect(page.locator("#sc-results-hidden")).to_be_visible()
    expect(page.locator(".action-dots")).to_have_count(0)
    expect(page.locator(".action-rank")).to_have_count(0)

    people.do("tallies.reveal", revealed=True)
    expect(page.locator("#sc-actions .action-dots")).to_have_count(3)
    expect(rows.locator(".action-title")).to_have_text([titles[1], titles[2], titles[0]])
    expect(rows.locator(".action-dots")).to_have_text(["6 gommettes", "3 gommettes", "1 gommette"])
    widths = rows.locator(".bar-fill").evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
    assert widths[0] > widths[1] > widths[2] > 0, widths
    # a late vote moves the bars live
    vote(phones[2], "action", actions[0]["id"], 2)
    vote(phones[3], "action", actions[0]["id"], 1)
    expect(rows.locator(".action-dots")).to_have_text(["6 gommettes", "4 gommettes", "3 gommettes"])
    expect(rows.locator(".action-title")).to_have_text([titles[1], titles[0], titles[2]])
    assert_fits_without_scrolling(page)
    assert_no_controls(page)
    shot(page, "screen-04-converge")
    axe(page)

    # --- closed: the frozen synthesis, and thanks
    people.do("phase.advance", expected_phase="converge")
    expect(page.locator("h1")).to_have_text("Merci !")
    kept = page.locator("#sc-kept .kept-theme")
    expect(kept).to_have_count(2)
    expect(kept.nth(0)).to_contain_text("Vivre ensemble")
    expect(kept.nth(0)).to_contain_text("Des lieux partagés dans chaque quartier")
    expect(page.locator("#sc-kept")).not_to_contain_text("Mobilités")
    final = page.locator("#sc-synthesis-actions .action")
    expect(final.locator(".action-title")).to_have_text([titles[1], titles[0], titles[2]])
    expect(final.locator(".action-dots")).to_have_text(["6 gommettes", "4 gommettes", "3 gommettes"])
    expect(page.locator(".next-question")).to_contain_text("Quelle coopération idéale")
    expect(page.locator("#sc-phase")).to_contain_text("Terminée")
    assert_fits_without_scrolling(page)
    assert_no_controls(page)
    shot(page, "screen-05-closed")
    axe(page)

    # The restitution is published: its QR code joins the synthesis, still without scrolling.
    expect(page.locator("#sc-restitution")).to_have_count(0)
    people.do("restitution.publish", published=True)
    expect(page.locator("#sc-restitution img")).to_have_attribute("src", f"/qr/r/{workshop['code']}.svg")
    expect(page.locator("#sc-restitution")).to_contain_text(f"/r/{workshop['code']}")
    assert_fits_without_scrolling(page)
    assert_no_controls(page)
    axe(page)

    # The same synthesis after a reload (rebuilt from the snapshot alone).
    page.reload()
    expect(page.locator("#sc-synthesis-actions .action .action-title")).to_have_text([titles[1], titles[0], titles[2]])
    expect(page.locator("#sc-restitution img")).to_be_visible()


def test_screen_recovers_after_the_server_restarts(workshop, projector, people):
    page = projector
    awa = people.phone("Awa")
    people.do("phase.advance", expected_phase="lobby")
    post(awa, "Avant la coupure")
    expect(page.locator("#sc-wall .note")).to_have_count(1)
    people.close()

    server = workshop["server"]
    server.stop()
    expect(page.locator("#sc-status")).to_have_attribute("data-state", re.compile("reconnecting|offline"))
    expect(page.locator("#sc-wall .note")).to_have_count(1)  # the wall stays up meanwhile
    server.start()

    # Something happened while the screen was away: it catches up on reconnection.
    again = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    try:
        again.ok("idea.post", {"op_id": new_op(), "text": "Pendant la coupure"})
        expect(page.locator("#sc-status")).to_have_attribute("data-state", "connected", timeout=20_000)
        expect(page.locator("#sc-wall .note")).to_have_count(2)
        expect(page.locator("#sc-wall")).to_contain_text("Pendant la coupure")
        expect(page.locator("#sc-idea-count")).to_have_text("2 idées")
    finally:
        again.close()


def test_reduced_motion_and_english(workshop, people, new_context):
    """A projector set to reduce motion gets no arrival animation; ?lang=en switches the wording."""
    page = new_context("projector", reduced_motion="reduce").new_page()
    page.goto(workshop["screen"] + "?lang=en")
    expect(page.locator("#sc-joined")).to_have_text("Nobody has joined yet")
    expect(page.locator(".join-kicker")).to_have_text("Take part with your phone")
    awa = people.phone("Awa")
    people.do("phase.advance", expected_phase="lobby")
    expect(page.locator("#sc-phase")).to_contain_text("Diverge")
    post(awa, "Des bancs à l'ombre")
    note = page.locator("#sc-wall .note")
    expect(note).to_have_count(1)
    assert note.evaluate("e => getComputedStyle(e).animationName") == "none"
    expect(page.locator("#sc-idea-count")).to_have_text("1 idea")
    expect(page.locator("#sc-people")).to_have_text("1 participant")


# ----------------------------------------------------------------------------- a readable projector

BODY_TEXT = ".theme-objective, .theme-criteria li, .theme-idea, .theme-empty, .action-desc, .action-sheet, .action-theme"
SPEC_60 = [
    ("Emploi et formation", "Chaque jeune du quartier trouve une formation ou un emploi", ["100 jeunes accompagnés", "taux d'emploi"]),
    ("Cadre de vie", "Des rues propres, ombragées et sûres", ["nombre d'arbres plantés", "sentiment de sécurité"]),
    ("Participation", "Les habitants décident avec les élus", ["un conseil citoyen par quartier"]),
    ("Mobilités", "Relier le quartier au reste de la ville", ["temps de trajet divisé par deux"]),
    ("Services publics", "Des services ouverts quand les habitants sont là", ["horaires élargis"]),
]


def body_font_sizes(page, selector: str = BODY_TEXT) -> list[float]:
    """Computed font sizes (px) of the body text that is on screen (waiting out a page turn of the board, when none is)."""
    handle = page.wait_for_function(
        """(sel) => { const s = [...document.querySelectorAll(sel)].filter(e => e.getClientRects().length)
                          .map(e => parseFloat(getComputedStyle(e).fontSize));
                     return s.length ? s : null; }""",
        arg=selector,
    )
    return handle.json_value()


def assert_nothing_overflows(page) -> None:
    """Every element shown lies inside the viewport, and every idea inside its card's frame (nothing cut)."""
    out = page.evaluate(
        """() => {
            const W = innerWidth, H = innerHeight, bad = [];
            for (const e of document.body.querySelectorAll('*')) {
                if (!e.getClientRects().length || e.closest('.visually-hidden, .skip-link')) continue;
                const r = e.getBoundingClientRect();
                if (r.width && r.height && (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1)) bad.push(e.className || e.tagName);
            }
            for (const f of document.querySelectorAll('.theme-ideas-frame, .rows-frame')) {
                const fr = f.getBoundingClientRect();
                for (const i of f.querySelectorAll('.theme-idea, .action')) {
                    if (!i.getClientRects().length) continue;
                    const r = i.getBoundingClientRect();
                    if (r.bottom > fr.bottom + 1 || r.right > fr.right + 1) bad.push('cut: ' + i.textContent.slice(0, 30));
                }
            }
            return bad;
        }"""
    )
    assert out == [], out


def assert_pages_use_the_space(page, frames: str = ".theme-ideas-frame", items: str = ".theme-idea") -> int:
    """Where a list turns into pages, the first hidden item would not have fitted; returns how many lists have pages."""
    result = page.evaluate(
        """([frames, items]) => {
            let paged = 0; const wasted = [];
            for (const f of document.querySelectorAll(frames)) {
                if (!f.getClientRects().length) continue;
                const all = [...f.querySelectorAll(items)];
                const shown = all.filter(i => !i.hidden);
                if (shown.length === all.length) continue;
                paged++;
                const next = all[all.indexOf(shown[shown.length - 1]) + 1] || all[0];
                next.hidden = false;
                const fits = next.getBoundingClientRect().bottom <= f.getBoundingClientRect().bottom + 1;
                next.hidden = true;
                if (fits) wasted.push(next.textContent.slice(0, 40));
            }
            return {paged, wasted};
        }""",
        [frames, items],
    )
    assert result["wasted"] == [], f"room was left for: {result['wasted']}"
    return result["paged"]


def themed_room(people, n_ideas: int, spec=SPEC_60, unsorted: int = 0):
    """Diverge with n_ideas from ten phones, then define with the themes of ``spec`` and the ideas filed round-robin."""
    phones = [people.phone(f"P{n}", ("habitant", "élu·e", "association", "agent")[n % 4]) for n in range(10)]
    people.do("phase.advance", expected_phase="lobby")
    ideas = [post(phones[n % 10], f"{IDEAS[n % len(IDEAS)]} (n° {n + 1})") for n in range(n_ideas)]
    people.do("phase.advance", expected_phase="diverge")
    themes = [people.do("theme.create", title=t, objective=o, criteria=c)["theme"] for t, o, c in spec]
    for n, idea in enumerate(ideas[: n_ideas - unsorted]):
        people.do("idea.move", idea_id=idea["id"], theme_id=themes[n % len(themes)]["id"])
    return phones, themes, ideas


def test_define_on_the_projector_is_readable_and_uses_the_space(workshop, projector, people, axe, shot):
    """60 ideas under 5 themes at 1080p: body text ≥ 28 px, nothing cut, pages instead of "and N more"."""
    page = projector
    phones, themes, ideas = themed_room(people, 60, unsorted=6)
    cards = page.locator("#sc-themes .theme")
    expect(cards).to_have_count(6)  # five themes and the unsorted ideas
    expect(page.locator("#sc-themes .theme-idea")).to_have_count(60)  # every idea is on the board, some on later pages
    shown = "() => [...document.querySelectorAll('#sc-themes .theme-idea')].filter(e => e.getClientRects().length).length"
    page.wait_for_function(f"() => ({shown})() >= 18")

    sizes = body_font_sizes(page)
    assert sizes and min(sizes) >= 28, sorted(set(sizes))
    # read on a title that is in the page (a page turn may replace the one found a moment before: NaN)
    title = page.wait_for_function(
        """() => {
            const e = document.querySelector('#sc-themes .theme-title');
            const v = e && e.isConnected ? parseFloat(getComputedStyle(e).fontSize) : NaN;
            return Number.isFinite(v) ? v : null;
        }"""
    ).json_value()
    assert title >= 1.3 * min(sizes), (title, min(sizes))
    assert_nothing_overflows(page)
    assert_fits_without_scrolling(page)
    assert not re.search(r"et \d+ de plus", page.locator("#sc-view").inner_text())
    assert page.locator(".more").count() == 0
    paged = assert_pages_use_the_space(page)
    assert paged >= 1  # twelve ideas a theme do not fit at 28 px: they turn in pages
    pagers = page.eval_on_selector_all(".theme-pager", "els => els.filter(e => e.getClientRects().length).map(e => e.textContent)")
    assert pagers and all(re.fullmatch(r"Idées 1 à \d+ sur 1[0-2]", p) for p in pagers), pagers
    # a card's objective and criteria are there in full
    first = cards.nth(0)
    expect(first).to_contain_text("Chaque jeune du quartier trouve une formation ou un emploi")
    expect(first).to_contain_text("taux d'emploi")
    assert_no_controls(page)
    shot(page, "screen-03-define-60-ideas")
    axe(page)

    # A 1366×768 projector: the same board, scaled, nothing cut.
    page.evaluate("() => { document.getElementById('sc-themes').dataset.before = 'resize'; }")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.wait_for_function("() => !document.getElementById('sc-themes').dataset.before")  # laid out again for this size
    assert_nothing_overflows(page)
    assert_fits_without_scrolling(page)
    assert min(body_font_sizes(page)) >= 28 * 768 / 1080 - 0.5
    assert_pages_use_the_space(page)
    shot(page, "screen-03-define-768")


def test_define_with_room_to_spare_shows_every_idea_larger(workshop, projector, people):
    """Few ideas: all of them, no pager, and the type grows into the free space."""
    page = projector
    themed_room(people, 9, spec=SPEC_60[:3])
    page.wait_for_function(
        "() => [...document.querySelectorAll('#sc-themes .theme-idea')].filter(e => e.getClientRects().length).length === 9"
    )
    expect(page.locator(".theme-pager:not([hidden])")).to_have_count(0)
    assert min(body_font_sizes(page)) > 32  # grown above the 28 px floor
    assert_nothing_overflows(page)


def test_revealed_results_follow_the_server_ranking_with_ties(workshop, projector, people, axe, shot):
    """Define then converge: revealed results sorted by dots in the server's ranking, ties marked "ex æquo"."""
    page = projector
    phones, themes, ideas = themed_room(people, 20, spec=SPEC_60[:4])
    # Mobilités 4, Cadre de vie 3, Participation 3 (a tie), Emploi 0
    people.do("vote.open", open=True)
    for phone, theme, dots in (
        (phones[0], 3, 2),
        (phones[1], 3, 2),
        (phones[2], 1, 2),
        (phones[3], 1, 1),
        (phones[4], 2, 2),
        (phones[5], 2, 1),
    ):
        vote(phone, "theme", themes[theme]["id"], dots)
    people.do("tallies.reveal", revealed=True)
    cards = page.locator("#sc-themes .theme[data-theme-id]")
    expect(cards.locator(".theme-dots")).to_have_text(["4 gommettes", "3 gommettes", "3 gommettes", "Aucune gommette"])
    ranking = people.facilitator.ok("snapshot")["rounds"][0]["ranking"]["theme"]
    shown = [int(i) for i in cards.evaluate_all("els => els.map(e => e.dataset.themeId)")]
    assert shown[: len(ranking)] == ranking, (shown, ranking)
    expect(cards.nth(0).locator(".tie")).to_have_count(0)
    expect(cards.nth(1).locator(".tie")).to_have_text("ex æquo")
    expect(cards.nth(2).locator(".tie")).to_have_text("ex æquo")
    expect(cards.locator(".rank-badge")).to_have_count(3)  # no place for a theme nobody voted for
    expect(cards.nth(2).locator(".rank-badge")).to_contain_text("2")
    assert_nothing_overflows(page)
    shot(page, "screen-03-define-results")

    # converge: action cards with their sheet, then the ranking
    people.do("phase.advance", expected_phase="define", kept_theme_ids=[themes[3]["id"], themes[1]["id"]])
    sheets = [
        (
            "Une navette le soir",
            themes[3],
            {"owner": "Mairie", "deadline": "juin 2027", "partners": ["Keolis"], "description": "De 20 h à minuit"},
        ),
        ("Des vélos en libre service", themes[3], {"owner": "Métropole", "resources": "80 000 €"}),
        (
            "Planter 200 arbres",
            themes[1],
            {"owner": "Service des espaces verts", "deadline": "hiver 2027", "indicators": ["arbres plantés"]},
        ),
        ("Un éclairage des cheminements", themes[1], {}),
    ]
    actions = []
    for title, theme, sheet in sheets:
        action = people.do("action.propose", theme_id=theme["id"], title=title)["action"]
        if sheet:
            people.do("action.update", action_id=action["id"], **sheet)
        actions.append(action)
    cards = page.locator("#sc-actions .action-card")
    expect(cards).to_have_count(4)
    navette = page.locator(f"#sc-actions .action-card[data-action-id='{actions[0]['id']}']")
    expect(navette.locator(".action-sheet")).to_contain_text("Porteur : Mairie")
    expect(navette.locator(".action-sheet")).to_contain_text("Échéance : juin 2027")
    expect(navette.locator(".action-desc")).to_have_text("De 20 h à minuit")
    sizes = body_font_sizes(page)
    assert sizes and min(sizes) >= 28, sizes
    assert_nothing_overflows(page)
    shot(page, "screen-04-converge-sheets")
    # arbres 3, navette 3 (a tie), vélos 1, éclairage 0
    people.do("vote.open", open=True)
    for phone, action, dots in ((phones[0], 2, 2), (phones[1], 2, 1), (phones[2], 0, 2), (phones[3], 0, 1), (phones[4], 1, 1)):
        vote(phone, "action", actions[action]["id"], dots)
    people.do("tallies.reveal", revealed=True)
    rows = page.locator("#sc-actions .rank-row")
    expect(rows.locator(".action-dots")).to_have_text(["3 gommettes", "3 gommettes", "1 gommette", "Aucune gommette"])
    ranking = people.facilitator.ok("snapshot")["rounds"][0]["ranking"]["action"]
    shown = [int(i) for i in rows.evaluate_all("els => els.map(e => e.dataset.actionId)")]
    assert shown[: len(ranking)] == ranking, (shown, ranking)
    expect(rows.nth(0).locator(".tie")).to_have_text("ex æquo")
    expect(rows.nth(1).locator(".tie")).to_have_text("ex æquo")
    expect(rows.nth(2).locator(".tie")).to_have_count(0)
    expect(rows.locator(".rank-badge > [aria-hidden]")).to_have_text(["1", "1", "3"])
    expect(rows.nth(0).locator(".action-theme")).to_contain_text("Porteur")
    assert min(body_font_sizes(page)) >= 28
    assert_nothing_overflows(page)
    assert_fits_without_scrolling(page)
    assert_no_controls(page)
    shot(page, "screen-04-converge-results")
    axe(page)


def test_many_actions_turn_into_pages_of_readable_cards(workshop, projector, people):
    """Converge with 24 action sheets: cards at ≥ 28 px, pages that use the space, never "and N more"."""
    page = projector
    _, themes, _ = themed_room(people, 4, spec=SPEC_60[:2])
    people.do("phase.advance", expected_phase="define", kept_theme_ids=[t["id"] for t in themes])
    for n in range(24):
        action = people.do("action.propose", theme_id=themes[n % 2]["id"], title=f"Action concrète numéro {n + 1} pour le quartier")[
            "action"
        ]
        if n % 3 == 0:
            people.do(
                "action.update",
                action_id=action["id"],
                owner="Centre social",
                deadline="2027",
                description="Une description de deux lignes",
            )
    expect(page.locator("#sc-actions .action-card")).to_have_count(24)
    expect(page.locator("#sc-board-pager")).to_have_text(re.compile(r"^Actions 1 à \d+ sur 24$"))
    assert min(body_font_sizes(page)) >= 28
    assert_nothing_overflows(page)
    assert assert_pages_use_the_space(page, ".rows-frame", ".action-card") == 1
    assert not re.search(r"et \d+ de plus", page.locator("#sc-view").inner_text())
    # the page turns on its own (every 12 s), to the next actions
    first = page.eval_on_selector_all(
        "#sc-actions .action-card", "els => els.filter(e => e.getClientRects().length).map(e => e.dataset.actionId)"
    )
    expect(page.locator("#sc-board-pager")).not_to_have_text(re.compile(r"^Actions 1 à"), timeout=15_000)
    then = page.eval_on_selector_all(
        "#sc-actions .action-card", "els => els.filter(e => e.getClientRects().length).map(e => e.dataset.actionId)"
    )
    assert then and not set(first) & set(then), (first, then)
    assert_nothing_overflows(page)
