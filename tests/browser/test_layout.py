"""Phones at 320 px with the text at 200 %: nothing scrolls sideways, every control stays on screen.

"200 % text" is emulated as Android's and iOS's text-size settings act on a web page: the root
font size doubled (``html { font-size: 200% }``, set through the CSSOM since the page's CSP refuses
inline style tags), in a 320 × 640 CSS-pixel viewport (``device_scale_factor`` 2, a mobile
context). Every page sizes its type in ``rem``, so everything scales with it.

Each phase is checked where a phone sees it: join, lobby, diverge, define vote, converge vote,
closed, and the public restitution page. The same in right-to-left (``dir="rtl"``) for the vote,
so the logical properties (``margin-inline-start``…) are exercised.
"""

from __future__ import annotations

import shutil
import sys

import pytest
from playwright.sync_api import expect
from support import ROOT, new_op

sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client
from test_plenary import cli, clients  # noqa: F401 - the plenary's fixtures
from test_plenary import event as plenary_event  # noqa: F401 - three ateliers, two of them run

DOCS_SHOTS = ROOT / "docs" / "screenshots"
NARROW = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}

# Every visible control and every element wider than the viewport; the skip link (off screen until focused) aside.
LAYOUT_JS = """(W) => {
  const bad = [];
  const what = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const sw = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  if (sw > W || window.innerWidth > W) bad.push('page scrolls sideways: ' + sw + ' (window ' + window.innerWidth + ') > ' + W);
  const controls = 'a[href], button, input, select, textarea, summary, label.choice, [tabindex]:not([tabindex="-1"])';
  for (const e of document.querySelectorAll(controls)) {
    if (e.classList.contains('skip-link') && document.activeElement !== e) continue;
    if (e.closest('details:not([open])') && e.tagName !== 'SUMMARY') continue;  // folded away: not on screen
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(e).visibility === 'hidden') continue;
    if (r.left < -0.5 || r.right > W + 0.5) bad.push(what(e) + ' [' + Math.round(r.left) + ', ' + Math.round(r.right) + ']');
  }
  for (const e of document.querySelectorAll('body *')) {
    if (e.closest('details:not([open])') && !e.closest('summary') && e.tagName !== 'DETAILS') continue;  // folded away
    const r = e.getBoundingClientRect();
    if (r.width && r.right > W + 0.5 && !e.closest('.skip-link')) bad.push('wide: ' + what(e) + ' right=' + Math.round(r.right));
    else if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible' && e.clientWidth) bad.push('content overflows: ' + what(e) + ' ' + e.scrollWidth + ' > ' + e.clientWidth);
  }
  return bad;
}"""


def big_text(page, rtl: bool = False) -> None:
    page.evaluate("(rtl) => { document.documentElement.style.fontSize = '200%'; if (rtl) document.documentElement.dir = 'rtl'; }", rtl)


def assert_fits(page, where: str) -> None:
    page.evaluate("() => document.fonts.ready")
    # The width the phone was given, not innerWidth: a mobile browser zooms out to show what overflows.
    bad = page.evaluate(LAYOUT_JS, page.viewport_size["width"])
    assert bad == [], f"{where}: " + "\n".join(bad[:15])


def do(client: Client, event: str, **payload) -> dict:
    return client.ok(event, {"op_id": new_op(), **payload})


def advance(fac: Client, expected: str, **extra) -> dict:
    answer = do(fac, "phase.advance", expected_phase=expected, **extra)
    if answer["round"]["can"]["open_vote"]:
        do(fac, "vote.open", open=True)
    return answer


def phase_is(page, phase: str) -> None:
    expect(page.locator("#app")).to_have_attribute("data-phase", phase)


@pytest.fixture
def fac(workshop):
    client = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    yield client
    client.close()


def budget_bar_report(page) -> dict:
    return page.evaluate(
        """() => { const b = document.querySelector('.budget'); const r = b.getBoundingClientRect();
        const lh = parseFloat(getComputedStyle(b).lineHeight) || parseFloat(getComputedStyle(b).fontSize) * 1.5;
        return {height: r.height, viewport: innerHeight, position: getComputedStyle(b).position, line: lh}; }"""
    )


def test_every_phone_phase_fits_320px_at_200_percent(workshop, fac, new_context, axe, shot):
    ctx = new_context("phone", **NARROW)
    page = ctx.new_page()
    page.goto(workshop["join"])
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")
    big_text(page)
    assert_fits(page, "join")
    shot(page, "layout-320-200-join")
    page.fill("#pseudonym", "Marie-Françoise")
    page.locator("label.choice", has_text="association").click()
    page.click("#join-button")
    phase_is(page, "lobby")
    assert_fits(page, "lobby")
    shot(page, "layout-320-200-lobby")

    advance(fac, "lobby")
    do(fac, "timer.set", seconds=600)
    phase_is(page, "diverge")
    page.fill("#idea-text", "Des jardins partagés au pied des immeubles, avec des bancs")
    page.click("#idea-send")
    expect(page.locator("#my-ideas li[data-pending=false]")).to_have_count(1)
    page.fill("#idea-text", "Une maison des associations ouverte le soir")
    assert_fits(page, "diverge")
    shot(page, "layout-320-200-diverge")
    quiet(page)
    page.locator("#idea-text").scroll_into_view_if_needed()
    page.evaluate("() => window.scrollBy(0, -120)")
    docs_shot(shot, page, "phone-320-200-diverge")

    advance(fac, "diverge")
    for title, objective in [
        ("Vivre ensemble", "Des lieux partagés dans chaque quartier"),
        ("Mobilités", "Relier le quartier au reste de la ville"),
    ]:
        do(fac, "theme.create", title=title, objective=objective, criteria=["3 lieux ouverts d'ici 2028"])
    phase_is(page, "define")
    expect(page.locator(".vote-card")).to_have_count(2)
    page.locator(".vote-card .plus").first.click()
    expect(page.locator("#budget-text")).to_contain_text("4")
    assert_fits(page, "define vote")
    outside = page.evaluate(
        """() => [...document.querySelectorAll('.vote-card')].flatMap((card) => {
            const c = card.getBoundingClientRect();
            return [...card.querySelectorAll('button.vote')].filter((b) => { const r = b.getBoundingClientRect();
                return r.left < c.left || r.right > c.right || r.top < c.top || r.bottom > c.bottom; }).map((b) => b.className); })"""
    )
    assert outside == [], outside  # the "+" stays inside its card, under "Mes gommettes"
    print("define budget bar", budget_bar_report(page))
    shot(page, "layout-320-200-define")
    bar = budget_bar_report(page)
    assert bar["position"] == "sticky" and bar["height"] <= 1.6 * bar["line"], bar  # one line, not 40 % of the screen
    quiet(page)
    page.locator(".vote-card").first.scroll_into_view_if_needed()
    page.evaluate("() => window.scrollBy(0, -80)")
    assert_fits(page, "define vote, scrolled")
    docs_shot(shot, page, "phone-320-200-vote")

    themes = fac.ok("snapshot")["rounds"][0]["themes"]
    advance(fac, "define", kept_theme_ids=[themes[0]["id"]])
    phase_is(page, "converge")
    action = do(fac, "action.propose", theme_id=themes[0]["id"], title="Ouvrir un jardin partagé rue Jean-Jaurès")["action"]
    do(
        fac,
        "action.update",
        action_id=action["id"],
        owner="Mairie, service des espaces verts",
        partners=["Centre social"],
        deadline="juin 2027",
    )
    expect(page.locator(".vote-card")).to_have_count(1)
    page.locator(".vote-card .plus").first.click()
    expect(page.locator(".vote-card.has-dots")).to_have_count(1)
    page.fill("#action-title", "Une navette le soir jusqu'au centre-ville")
    assert_fits(page, "converge vote")
    bar = budget_bar_report(page)
    assert bar["position"] == "sticky" and bar["height"] <= 1.6 * bar["line"], bar
    shot(page, "layout-320-200-converge")

    advance(fac, "converge")
    phase_is(page, "lobby")
    assert_fits(page, "lobby of round 2, with the recap")
    for phase in ("lobby", "diverge", "define", "converge"):
        advance(fac, phase)
    phase_is(page, "closed")
    do(fac, "restitution.publish", published=True)
    expect(page.locator("#restitution-link")).to_be_visible()
    assert_fits(page, "closed")
    shot(page, "layout-320-200-closed")

    page.goto(f"{workshop['base']}/r/{workshop['code']}")
    big_text(page)
    assert_fits(page, "restitution")
    shot(page, "layout-320-200-restitution")
    page.locator("details.rs-theme > summary").first.click()
    big_text(page, rtl=True)
    assert_fits(page, "restitution, a theme unfolded, right to left")


def docs_shot(shot, page, name: str) -> None:
    """The window as the phone shows it, kept in docs/screenshots/ for the README."""
    shutil.copy(shot(page, name, full_page=False), DOCS_SHOTS / f"{name}.png")


def quiet(page) -> None:
    page.evaluate("() => document.querySelectorAll('.toast').forEach((t) => { t.hidden = true; })")


def test_right_to_left_vote_mirrors_and_fits(workshop, fac, new_context):
    """dir="rtl" (as the Arabic pages set it): the cards' accent border and the counter move to the other side, nothing overflows."""
    ctx = new_context("phone", **NARROW)
    page = ctx.new_page()
    page.goto(workshop["join"])
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")
    page.click("#join-button")
    phase_is(page, "lobby")
    advance(fac, "lobby")
    advance(fac, "diverge")
    do(fac, "theme.create", title="Vivre ensemble", objective="Des lieux partagés", criteria=["3 lieux ouverts"])
    phase_is(page, "define")
    expect(page.locator(".vote-card")).to_have_count(1)
    for rtl in (False, True):
        big_text(page, rtl=rtl)
        assert_fits(page, "define, rtl" if rtl else "define")
    borders = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('.vote-card')); return [s.borderRightWidth, s.borderLeftWidth]; }"
    )
    assert borders == ["4px", "1px"], borders
    plus = page.locator(".vote-card .plus").bounding_box()
    minus = page.locator(".vote-card .minus").bounding_box()
    assert plus["x"] < minus["x"], (plus, minus)  # "+" at the start of the line, on the left in right-to-left


GROUPS = ["habitant", "élu·e", "agent", "association", "professionnel", "autre"]
THEMES = ["Vivre ensemble", "Se déplacer", "Emploi et formation", "Cadre de vie", "Jeunesse", "Santé"]


def seed_a_full_workshop(fac: Client) -> dict:
    """60 ideas in 6 themes, 3 kept, 6 actions with their sheets and origins, follow-up recorded, published."""
    advance(fac, "lobby")
    ideas = [
        do(fac, "idea.post", text=f"Idée n° {n} : {THEMES[n % 6].lower()}, une proposition concrète pour le quartier", group=GROUPS[n % 6])[
            "idea"
        ]
        for n in range(60)
    ]
    advance(fac, "diverge")
    themes = [
        do(fac, "theme.create", title=t, objective=f"Objectif : {t.lower()} dans chaque quartier", criteria=["un indicateur suivi"])[
            "theme"
        ]
        for t in THEMES
    ]
    for n, idea in enumerate(ideas):
        do(fac, "idea.move", idea_id=idea["id"], theme_id=themes[n % 6]["id"])
    kept = themes[:3]
    advance(fac, "define", kept_theme_ids=[t["id"] for t in kept])
    actions = []
    for n in range(6):
        theme = kept[n % 3]
        origin = [i["id"] for k, i in enumerate(ideas) if k % 6 == n % 3][:3]
        action = do(fac, "action.propose", theme_id=theme["id"], title=f"Action {n + 1} pour « {theme['title']} »", idea_ids=origin)[
            "action"
        ]
        do(
            fac,
            "action.update",
            action_id=action["id"],
            owner="Mairie, service de la vie associative",
            partners=["Centre social", "Bailleur"],
            deadline="juin 2027",
            resources="20 000 € par an",
            indicators=["nombre de participants"],
        )
        actions.append(action)
    advance(fac, "converge")
    for phase in ("lobby", "diverge", "define", "converge"):
        advance(fac, phase)
    for action in actions[:3]:
        do(fac, "action.status", action_id=action["id"], status="in_progress", comment="Une première réunion a eu lieu avec les habitants.")
    do(fac, "restitution.publish", published=True)
    return {"ideas": ideas, "themes": themes, "actions": actions}


def test_the_restitution_is_compact_on_a_phone_and_everything_is_reachable(workshop, fac, new_context, axe, shot):
    seed = seed_a_full_workshop(fac)
    page = new_context("phone").new_page()
    page.goto(f"{workshop['base']}/r/{workshop['code']}")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    print(f"restitution at 360 px: {height} px tall (60 ideas, 6 themes, 6 actions)")
    # Actions first, then the ideas folded by theme.
    order = page.evaluate("() => [...document.querySelectorAll('.rs-plan, .rs-ideas-section')].map((e) => e.className)")
    assert order[:2] == ["rs-plan", "rs-ideas-section"], order
    expect(page.locator(".rs-round").first.locator("details.rs-theme")).to_have_count(6)
    expect(page.locator("details.rs-theme[open]")).to_have_count(0)
    assert height <= 8000, height  # 17,394 px before the folds (same data)
    links = page.evaluate(
        "() => [...document.querySelectorAll('.rs a')].map((a) => [getComputedStyle(a).fontWeight, getComputedStyle(a).textDecorationThickness])"
    )
    assert all(int(w) <= 400 for w, _ in links), links  # links plainly, not bold
    axe(page)
    shot(page, "restitution-phone-360")

    # Every idea is still there: an action's origin opens its theme's fold at the idea, and each fold opens.
    first = page.locator(".rs-action").first
    first.locator(".rs-fold > summary").click()
    target = first.locator(".rs-origin a").first.get_attribute("href")[1:]
    first.locator(".rs-origin a").first.click()
    expect(page.locator(f"#{target}")).to_be_visible()
    closed = page.locator(".rs-round").first.locator("details.rs-theme:not([open]) > summary")
    for left in range(closed.count(), 0, -1):
        expect(closed).to_have_count(left)
        closed.first.focus()
        page.keyboard.press("Enter")  # by keyboard
    expect(page.locator(".rs-round").first.locator(".rs-idea:visible")).to_have_count(60)
    axe(page)
    assert len(seed["ideas"]) == 60


# Every visible piece of text on the projector and its font size; the skip link and screen-reader-only text aside.
SMALL_TEXT_JS = """(min) => {
  const out = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, e = node.parentElement;
    if (!node.textContent.trim() || e.closest('.visually-hidden, .skip-link, script, style, [hidden]')) continue;
    const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
    if (!r.width || !r.height || cs.visibility === 'hidden' || r.bottom <= 0 || r.top >= innerHeight) continue;
    const size = parseFloat(cs.fontSize);
    if (size < min) out.push(size.toFixed(1) + 'px ' + e.tagName.toLowerCase() + '.' + String(e.className).trim().replace(/\\s+/g, '.') + ' "' + node.textContent.trim().slice(0, 40) + '"');
  }
  return [...new Set(out)];
}"""


def assert_projector_text(page, where: str, minimum: float = 28) -> None:
    small = page.evaluate(SMALL_TEXT_JS, minimum)
    assert small == [], f"{where}: text under {minimum} px at 1080p:\n" + "\n".join(small[:40])


def test_projector_text_is_at_least_28px_at_1080p(workshop, fac, new_context, shot):
    projector = new_context("projector").new_page()
    projector.goto(workshop["screen"])
    expect(projector.locator("#sc-status")).to_have_attribute("data-state", "connected")
    failures = []

    def check(where):
        try:
            assert_projector_text(projector, where)
        except AssertionError as error:
            failures.append(str(error))
        shot(projector, f"projector-28px-{where}", full_page=False)

    check("lobby")
    advance(fac, "lobby")
    do(fac, "timer.set", seconds=600)
    ideas = [
        do(fac, "idea.post", text=f"Des jardins partagés au pied des immeubles, idée {n}", group="habitant")["idea"] for n in range(14)
    ]
    expect(projector.locator(".note").first).to_be_visible()
    check("diverge")
    advance(fac, "diverge")
    themes = [do(fac, "theme.create", title=t, objective=f"Objectif {t.lower()}", criteria=["un critère"])["theme"] for t in THEMES[:4]]
    for n, idea in enumerate(ideas):
        do(fac, "idea.move", idea_id=idea["id"], theme_id=themes[n % 4]["id"])
    expect(projector.locator(".theme-title", has_text=THEMES[3])).to_be_visible()
    check("define")
    advance(fac, "define", kept_theme_ids=[themes[0]["id"], themes[1]["id"]])
    actions = [
        do(fac, "action.propose", theme_id=themes[n % 2]["id"], title=f"Action {n + 1} : ouvrir un lieu partagé")["action"]
        for n in range(4)
    ]
    voter = Client(workshop["base"], {"code": workshop["code"]})
    try:
        do(voter, "join", pseudonym="Awa")
        do(voter, "vote", kind="action", target_id=actions[1]["id"], delta=2)
    finally:
        voter.close()
    do(fac, "tallies.reveal", revealed=True)
    expect(projector.locator("body")).to_contain_text("Action 4")
    expect(projector.locator(".results-hidden")).to_have_count(0)
    check("converge-results")
    advance(fac, "converge")
    for phase in ("lobby", "diverge", "define", "converge"):
        advance(fac, phase)
    do(fac, "restitution.publish", published=True)
    expect(projector.locator(".thanks")).to_be_visible()
    check("closed")
    assert failures == [], "\n\n".join(failures)


def test_plenary_text_is_at_least_28px_at_1080p(workshop, plenary_event, new_context, shot):  # noqa: F811 - the fixture
    """Three ateliers side by side (test_plenary's event): the columns trim their lists, the text stays ≥ 28 px."""
    event = plenary_event
    page = new_context("projector").new_page()
    page.goto(event["url"])
    expect(page.locator(".pl-atelier[data-status=connected]")).to_have_count(3)
    expect(page.locator(f"#pl-w-{event['ateliers'][0]['code']} .pl-action").first).to_be_visible()
    shot(page, "projector-28px-plenary", full_page=False)
    assert_projector_text(page, "plenary")
    size = page.evaluate("() => [document.documentElement.scrollHeight, innerHeight, document.documentElement.scrollWidth, innerWidth]")
    assert size[0] <= size[1] and size[2] <= size[3], size
