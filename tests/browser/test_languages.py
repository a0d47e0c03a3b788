"""The phone in six languages, in real Chromium: the menu one tap away, Arabic right to left, ideas as typed.

The join page is checked in every language (parametrised); one Arabic phone
goes through the diverge phase, posts ideas that stay as typed, gets a server
refusal in Arabic in its not-sent list, then switches to Turkish without
joining again.  Screenshots at 360 px go to docs/screenshots/ (phone-es-join,
phone-ar-diverge).
"""

from __future__ import annotations

import re
import sys

import pytest
from babel.support import Translations
from playwright.sync_api import expect
from support import ROOT, new_op

sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client

SCREENSHOTS = ROOT / "docs" / "screenshots"
TRANSLATIONS = ROOT / "workshop" / "translations"

# lang, <html lang>, the join heading, the language's own name in the menu
LANGUAGES = [
    ("ar", "ar", "انضم إلى الورشة", "العربية"),
    ("tr", "tr", "Atölyeye katılın", "Türkçe"),
    ("pt", "pt-PT", "Entrar na oficina", "Português"),
    ("es", "es", "Unirse al taller", "Español"),
    ("en", "en", "Join the workshop", "English"),
    ("fr", "fr", "Rejoindre l'atelier", "Français"),
]


def choose_language(page, native: str) -> None:
    """One tap opens the menu, one tap chooses."""
    menu = page.locator("details.lang-menu")
    menu.locator("summary").click()
    menu.get_by_role("link", name=native, exact=True).click()
    expect(menu.locator("summary")).to_contain_text(native)


def no_sideways_scroll(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


@pytest.mark.parametrize("lang, tag, heading, native", LANGUAGES, ids=[x[0] for x in LANGUAGES])
def test_the_join_page_in_each_phone_language(workshop, new_context, axe, lang, tag, heading, native):
    page = new_context("phone").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(workshop["join"] + ("?lang=en" if lang == "fr" else ""))
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")
    choose_language(page, native)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", tag)
    if lang == "ar":
        expect(html).to_have_attribute("dir", "rtl")
    else:
        assert html.get_attribute("dir") in (None, "ltr")
    expect(page.locator("#join-title")).to_have_text(heading)
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")
    page.locator("#join-button").scroll_into_view_if_needed()
    expect(page.locator("#join-button")).to_be_in_viewport()  # reachable, not pushed off the side
    no_sideways_scroll(page)
    # the closed menu stays small: one line of the top bar
    box = page.locator("details.lang-menu summary").bounding_box()
    assert box and box["height"] <= 60 and box["width"] <= 180, box
    axe(page)
    if lang == "es":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "phone-es-join.png"), full_page=True)
    assert errors == []


def test_an_arabic_phone_posts_ideas_as_typed_and_reads_refusals_in_arabic(workshop, new_context, axe):
    arabic = Translations.load(str(TRANSLATIONS), ["ar"])
    facilitator = Client(workshop["base"], {"facilitator_token": workshop["token"]})
    try:
        page = new_context("phone").new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(workshop["join"])
        choose_language(page, "العربية")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        page.fill("#pseudonym", "سلمى")
        page.click("#join-button")
        expect(page.locator("#app")).to_have_attribute("data-phase", "lobby")
        expect(page.locator("#phase-title")).to_have_text("مرحبًا بك يا سلمى!")
        facilitator.ok("phase.advance", {"op_id": new_op(), "expected_phase": "lobby"})
        expect(page.locator("#app")).to_have_attribute("data-phase", "diverge")
        expect(page.locator("#phase-title")).to_have_text("شارك أفكارك")
        expect(page.locator("#round-label")).to_contain_text("الجولة 1 من")

        typed = ["حديقة مشتركة للحي", "Des bancs à l'ombre près de l'école"]
        for text in typed:
            page.fill("#idea-text", text)
            page.click("#idea-send")
        mine = page.locator("#my-ideas li[data-pending=false] .idea-text")
        expect(mine).to_have_text(typed[::-1] if _newest_first(page) else typed)
        expect(page.locator("#my-ideas .idea-text").first).to_have_attribute("dir", "auto")
        server_texts = sorted(i["text"] for i in facilitator.ok("snapshot")["rounds"][0]["ideas"])
        assert server_texts == sorted(typed), "ideas are stored as typed, never translated"
        expect(page.locator("#view")).to_contain_text("فكرتان في القاعة")  # Arabic's dual, from the catalogue
        no_sideways_scroll(page)
        axe(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("() => { document.querySelectorAll('.toast').forEach((t) => { t.hidden = true; }); window.scrollTo(0, 0); }")
        page.screenshot(path=str(SCREENSHOTS / "phone-ar-diverge.png"), full_page=True)

        # Offline, an idea waits; the phase closes meanwhile: the refusal comes back in Arabic, text kept.
        page.context.set_offline(True)
        expect(page.locator("#status")).to_have_attribute("data-state", "offline")
        expect(page.locator("#status")).to_have_text(arabic.gettext("No network. What you send will leave when the network is back."))
        page.fill("#idea-text", "ملعب صغير للأطفال")
        page.click("#idea-send")
        expect(page.locator("#my-ideas li[data-pending=true]")).to_have_count(1)
        facilitator.ok("phase.advance", {"op_id": new_op(), "expected_phase": "diverge"})
        page.context.set_offline(False)
        expect(page.locator("#app")).to_have_attribute("data-phase", "define")
        unsent = page.locator("#unsent")
        expect(unsent.get_by_role("heading", name="لم تُرسَل")).to_be_visible()
        expect(unsent.locator(".unsent-text")).to_have_text("ملعب صغير للأطفال")
        reason = unsent.locator(".unsent-text + .hint").inner_text()
        assert reason and re.search(r"[\u0600-\u06FF]", reason) and not re.search(r"[A-Za-z]{3}", reason), reason
        expect(page.locator("#phase-title")).to_have_text("اختر المواضيع")

        # And to Turkish, still joined: the same phone, another language.
        choose_language(page, "Türkçe")
        expect(page.locator("html")).to_have_attribute("lang", "tr")
        assert page.locator("html").get_attribute("dir") in (None, "ltr")
        expect(page.locator("#app")).to_have_attribute("data-phase", "define")
        expect(page.locator("#phase-title")).to_have_text("Konuları seçin")
        expect(page.locator("#unsent").get_by_role("heading", name="Gönderilmedi")).to_be_visible()
        assert errors == []
    finally:
        facilitator.close()


def _newest_first(page) -> bool:
    """Whichever order the list uses, the texts are the ones typed."""
    first = page.locator("#my-ideas li .idea-text").first.inner_text()
    return first == "Des bancs à l'ombre près de l'école"
