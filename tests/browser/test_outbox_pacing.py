"""A long outage loses no typed text: the outbox resends at the server's pace, and keeps what is refused for good.

Real Chromium, real server.  The server's idea rate is shortened (4 ideas per
3 s instead of 12 a minute) so the pacing shows in seconds; the phone reads it
from the snapshot's ``rules.idea_rate``, as it reads the default one.
"""

from __future__ import annotations

import re
import sys

import pytest
from playwright.sync_api import expect
from support import ROOT, Server, new_op, wait_until

sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client

LIMIT, WINDOW = 4, 3
TEXTS = [f"Idée {n:02d} tapée pendant la coupure" for n in range(1, 16)]


@pytest.fixture
def paced(tmp_path):
    server = Server(tmp_path, extra_env={"WORKSHOP_ASSIST_EMBEDDER": "none", "WORKSHOP_IDEA_RATE": f"{LIMIT}/{WINDOW}"}).start()
    out = wait_until(lambda: re.search(r"/f/([A-Za-z0-9_-]+)", server.output()) and server.output())
    token = re.search(r"/f/([A-Za-z0-9_-]+)", out).group(1)
    code = re.search(r"/j/([A-Z0-9]+)", out).group(1)
    facilitator = Client(server.url, {"facilitator_token": token})
    yield {"join": f"{server.url}/j/{code}", "facilitator": facilitator}
    facilitator.close()
    server.stop()


def offline_phone_with_15_ideas(paced, new_context):
    facilitator = paced["facilitator"]
    page = new_context("phone").new_page()
    page.goto(paced["join"])
    page.fill("#pseudonym", "Sofiane")
    page.click("#join-button")
    expect(page.locator("#app")).to_have_attribute("data-phase", "lobby")
    facilitator.ok("phase.advance", {"op_id": new_op(), "expected_phase": "lobby"})
    expect(page.locator("#app")).to_have_attribute("data-phase", "diverge")
    assert page.evaluate("() => window.workshopLive.pending().length") == 0
    page.context.set_offline(True)
    expect(page.locator("#status")).to_have_attribute("data-state", "offline")
    for text in TEXTS:
        page.fill("#idea-text", text)
        page.click("#idea-send")
    expect(page.locator("#my-ideas li[data-pending=true]")).to_have_count(len(TEXTS))
    stamps = page.evaluate("() => window.workshopLive.pending().map(i => [i.at, i.offline])")
    assert all(offline for _at, offline in stamps) and [at for at, _o in stamps] == sorted(at for at, _o in stamps)
    return page


def stored(facilitator) -> list[str]:
    return sorted(i["text"] for i in facilitator.ok("snapshot")["rounds"][0]["ideas"])


def unsent(page) -> list[str]:
    return sorted(page.locator("#unsent .unsent-text").all_inner_texts())


def test_fifteen_ideas_typed_offline_all_arrive_at_the_servers_pace(paced, new_context):
    facilitator = paced["facilitator"]
    assert facilitator.ok("snapshot")["rules"]["idea_rate"] == {"limit": LIMIT, "window": WINDOW}
    page = offline_phone_with_15_ideas(paced, new_context)
    refusals = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: refusals.append(frame) if "too_fast" in str(frame) else None))
    page.context.set_offline(False)

    # None lost: each is stored, or listed as not sent, at every moment until the outbox is empty.
    def settled():
        # In the order a write moves (outbox, then the list or the server): none can slip between two reads.
        queued = page.evaluate("() => window.workshopLive.pending().map(i => i.payload.text)")
        listed, on_server = unsent(page), stored(facilitator)
        assert set(TEXTS) <= set(on_server) | set(listed) | set(queued), "a typed idea vanished"
        return on_server if not queued else None

    assert wait_until(settled, timeout=40, interval=0.3, message="the outbox emptied") == sorted(TEXTS)
    assert unsent(page) == [], "paced, none was refused"
    assert refusals == [], "the pacing kept under the server's rate: no too_fast at all"
    expect(page.locator("#my-ideas li")).to_have_count(len(TEXTS))
    expect(page.locator("#my-ideas li[data-pending=true]")).to_have_count(0)
    expect(page.locator("#unsent")).to_be_hidden()


def test_ideas_queued_while_the_phase_closed_are_all_listed_with_the_reason(paced, new_context):
    facilitator = paced["facilitator"]
    page = offline_phone_with_15_ideas(paced, new_context)
    facilitator.ok("phase.advance", {"op_id": new_op(), "expected_phase": "diverge"})
    page.context.set_offline(False)
    expect(page.locator("#app")).to_have_attribute("data-phase", "define")
    box = page.locator("#unsent")
    expect(box.get_by_role("heading", name="Non envoyées")).to_be_visible()
    expect(box.locator("li")).to_have_count(len(TEXTS), timeout=30000)
    assert unsent(page) == sorted(TEXTS)
    reasons = box.locator("li .hint").all_inner_texts()
    assert len(reasons) == len(TEXTS) and all(r.startswith("Impossible pendant la phase") for r in reasons), reasons
    assert page.evaluate("() => window.workshopLive.pending().length") == 0
    assert stored(facilitator) == []

    # Kept on the phone across a reload; sent again once ideas are open again, it arrives.
    page.reload()
    expect(page.locator("#unsent li")).to_have_count(len(TEXTS))
    facilitator.ok("phase.reopen", {"op_id": new_op(), "expected_phase": "define"})
    expect(page.locator("#app")).to_have_attribute("data-phase", "diverge")
    box.locator("li").first.get_by_role("button", name="Renvoyer").click()
    wait_until(lambda: stored(facilitator) == [TEXTS[0]], timeout=15, message="the first one sent again")
    expect(box.locator("li")).to_have_count(len(TEXTS) - 1)


def test_two_tabs_over_the_rate_lose_nothing_and_store_nothing_twice(paced, new_context):
    """Two tabs of one phone each pace themselves, together twice the rate: what the server keeps refusing is listed."""
    facilitator = paced["facilitator"]
    ctx = new_context("phone")
    first = ctx.new_page()
    first.goto(paced["join"])
    first.fill("#pseudonym", "Lina")
    first.click("#join-button")
    expect(first.locator("#app")).to_have_attribute("data-phase", "lobby")
    second = ctx.new_page()
    second.goto(paced["join"])
    expect(second.locator("#app")).to_have_attribute("data-phase", "lobby")
    facilitator.ok("phase.advance", {"op_id": new_op(), "expected_phase": "lobby"})
    for page in (first, second):
        expect(page.locator("#app")).to_have_attribute("data-phase", "diverge")
    ctx.set_offline(True)
    texts = {first: [f"Premier onglet, idée {n}" for n in range(6)], second: [f"Second onglet, idée {n}" for n in range(6)]}
    for page, mine in texts.items():
        expect(page.locator("#status")).to_have_attribute("data-state", "offline")
        for text in mine:
            page.fill("#idea-text", text)
            page.click("#idea-send")
    ctx.set_offline(False)
    everything = sorted(texts[first] + texts[second])
    listed_js = "() => JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.endsWith(':unsent')) || 'null') || '[]').map(i => i.text)"
    queued_js = "() => Object.keys(localStorage).filter(k => k.endsWith(':outbox')).length"

    def settled():
        if first.evaluate(queued_js):
            return None
        listed, on_server = first.evaluate(listed_js), stored(facilitator)
        return listed, on_server

    listed, on_server = wait_until(settled, timeout=60, interval=0.3, message="both outboxes emptied")
    assert not set(listed) & set(on_server), "a text both stored and listed as not sent"
    assert sorted(listed + on_server) == everything, "every text stored once, or listed"
    assert len(on_server) == len(set(on_server))
    print(f"two tabs: {len(on_server)} stored, {len(listed)} listed as not sent")
