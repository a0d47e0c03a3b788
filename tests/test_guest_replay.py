"""A join's replay goes back only to the phone that sent it (issue 11, finding 6).

All guests used to share one operation identity, so a second guest sending the same
join ``op_id`` was handed the first guest's token.  Guests are now keyed by the
phone's secret ``guest_id`` (sent in the connect ``auth``); without one, by a random
id drawn for the connection.  Real server, real clients.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import sys

import pytest
from support import ROOT, Server, new_op, wait_until

from workshop.services import GUEST, Actor

sys.path.insert(0, str(ROOT / "docs"))
import example_client


@pytest.fixture
def room(tmp_path):
    server = Server(tmp_path).start()
    token = wait_until(lambda: re.search(r"/f/([A-Za-z0-9_-]+)", server.output()), message="facilitator link").group(1)
    facilitator = example_client.Client(server.url, {"facilitator_token": token})
    code = facilitator.ok("snapshot")["workshop"]["code"]
    yield server, code
    facilitator.close()
    server.stop()


def join(server: Server, code: str, op_id: str, guest_id: str | None, pseudonym: str) -> dict:
    auth = {"code": code} if guest_id is None else {"code": code, "guest_id": guest_id}
    guest = example_client.Client(server.url, auth)
    try:
        return guest.ok("join", {"op_id": op_id, "pseudonym": pseudonym})
    finally:
        guest.close()


def test_the_same_join_op_id_from_two_guests_makes_two_participants(room):
    server, code = room
    op_id = new_op()  # e.g. seen over a shoulder, or a client with a fixed id
    first = join(server, code, op_id, secrets.token_urlsafe(16), "Awa")
    second = join(server, code, op_id, secrets.token_urlsafe(16), "Intrus")
    assert first["participant"]["id"] != second["participant"]["id"]
    assert first["token"] != second["token"]
    assert second["participant"]["pseudonym"] == "Intrus"


def test_without_a_guest_id_each_connection_is_its_own_guest(room):
    server, code = room
    op_id = new_op()
    first = join(server, code, op_id, None, "Awa")
    second = join(server, code, op_id, None, "Bob")
    assert first["token"] != second["token"]


def test_a_short_guest_id_is_not_trusted(room):
    server, code = room
    op_id = new_op()
    first = join(server, code, op_id, "aaaa", "Awa")
    second = join(server, code, op_id, "aaaa", "Bob")  # guessable: replaced by a random id per connection
    assert first["token"] != second["token"]


def test_a_retried_join_after_a_lost_ack_replays_its_own_answer(room):
    server, code = room
    guest_id, op_id = secrets.token_urlsafe(16), new_op()
    first = join(server, code, op_id, guest_id, "Awa")
    again = join(server, code, op_id, guest_id, "Awa")  # the phone reconnected and resent its outbox
    assert again == first
    # and the token works
    phone = example_client.Client(server.url, {"code": code, "token": first["token"]})
    assert phone.ok("snapshot")["me"]["id"] == first["participant"]["id"]
    phone.close()


def test_the_secret_guest_id_is_never_stored(room):
    server, code = room
    guest_id = secrets.token_urlsafe(16)
    join(server, code, new_op(), guest_id, "Awa")
    db = sqlite3.connect(server.instance / "workshop.db")
    try:
        actors = [row[0] for row in db.execute("SELECT actor FROM operations")]
        dump = "\n".join(db.iterdump())
    finally:
        db.close()
    assert guest_id not in dump
    assert Actor(GUEST, 1).as_guest(guest_id).key in actors
    assert all(len(actor) <= 40 for actor in actors)


def test_guest_keys_keep_the_guest_prefix_and_hash_the_secret():
    secret = secrets.token_urlsafe(16)
    actor = Actor(GUEST, 7).as_guest(secret)
    assert actor.key.startswith("guest:") and len(actor.key) == len("guest:") + 32
    assert secret not in actor.key
    assert actor.key == Actor(GUEST, 7).as_guest(secret).key
    assert Actor(GUEST, 7).as_guest(None).key != Actor(GUEST, 7).as_guest(None).key


@pytest.mark.browser
def test_the_phone_page_keeps_a_secret_guest_id_and_joins_with_it(room, browser):
    """The real page draws its guest id once, keeps it in localStorage, and its join is keyed by it."""
    from playwright.sync_api import expect

    server, code = room
    ctx = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    try:
        page = ctx.new_page()
        page.goto(f"{server.url}/j/{code}")
        expect(page.locator("#status")).to_have_attribute("data-state", "connected")
        key = f"workshop:{code}:guest"
        guest_id = page.evaluate("(key) => localStorage.getItem(key)", key)
        assert re.fullmatch(r"[0-9a-f]{32}", guest_id)
        page.fill("#pseudonym", "Awa")
        page.click("#join-button")
        expect(page.locator("#join")).to_be_hidden()
        page.reload()
        expect(page.locator("#status")).to_have_attribute("data-state", "connected")
        assert page.evaluate("(key) => localStorage.getItem(key)", key) == guest_id  # drawn once
        db = sqlite3.connect(server.instance / "workshop.db")
        try:
            actors = {row[0] for row in db.execute("SELECT actor FROM operations WHERE event = 'join'")}
        finally:
            db.close()
        assert actors == {Actor(GUEST, 1).as_guest(guest_id).key}
    finally:
        ctx.close()
