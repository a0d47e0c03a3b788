"""The pages around the workshop: typing a code by hand, and a wrong code or link."""

from __future__ import annotations

from playwright.sync_api import expect


def test_typing_the_code_by_hand_reaches_the_workshop(workshop, new_context, axe, shot):
    page = new_context("phone").new_page()
    page.goto(workshop["base"] + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejoindre un atelier")
    axe(page)
    shot(page, "home-01")
    code = workshop["code"]
    page.get_by_label("Code de l'atelier").fill(f"{code[:3].lower()} {code[3:].lower()}")  # as read aloud
    page.get_by_role("button", name="Rejoindre").click()
    expect(page).to_have_url(workshop["join"])
    expect(page.locator("#join-button")).to_be_visible()


def test_a_wrong_code_says_so_and_offers_to_try_again(workshop, new_context, axe):
    page = new_context("phone").new_page()
    response = page.goto(workshop["base"] + "/j/ZZZZZZ")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aucun atelier ouvert n'a ce code")
    expect(page.get_by_label("Code de l'atelier")).to_have_value("ZZZZZZ")
    axe(page)
    console = page.goto(workshop["base"] + "/f/not-a-real-token")
    assert console.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("lien d'animation n'est pas valable")
    expect(page.get_by_label("Code de l'atelier")).to_have_count(0)
