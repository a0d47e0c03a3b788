"""Quick polls over a real Socket.IO server: twelve phones answer, the room sees results only once revealed.

The answers are coalesced: phones get no message per answer (not even the
count) while the results are hidden, the console gets a bounded number of
``poll.results``, and every role's folded view equals a fresh snapshot.
"""

from __future__ import annotations

import re
import secrets
import sys
import threading

from support import ROOT, new_op, wait_until

sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client

GROUPS = ["habitant", "élu·e", "agent"]


def test_twelve_phones_answer_a_poll_and_the_reveal_reaches_the_room(server):
    token = re.search(r"/f/([A-Za-z0-9_-]+)", wait_until(server.output)).group(1)
    fac = Client(server.url, {"facilitator_token": token})
    code = fac.ok("snapshot")["workshop"]["code"]
    groups = fac.ok("snapshot")["workshop"]["settings"]["groups"]
    screen = Client(server.url, {"code": code, "role": "screen"})
    phones = []
    try:
        for n in range(12):
            phone = Client(server.url, {"code": code, "guest_id": secrets.token_urlsafe(16)})
            phone.ok("join", {"op_id": new_op(), "group": groups[0] if n < 7 else groups[1 + n % 2]})
            phones.append(phone)
        poll = fac.ok("poll.create", {"op_id": new_op(), "kind": "agree", "question": "D'accord ?", "open": True})["poll"]
        wait_until(lambda: all(p.received["poll"] for p in phones), message="the poll reaches every phone")
        assert phones[0].received["poll"][-1]["results"] is None

        def answer(n: int) -> None:
            phones[n].ok("poll.answer", {"op_id": new_op(), "poll_id": poll["id"], "choices": ["agree" if n % 3 else "disagree"]})

        threads = [threading.Thread(target=answer, args=(n,)) for n in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        phones[0].ok("poll.answer", {"op_id": new_op(), "poll_id": poll["id"], "choices": ["neutral"]})  # changed

        counts = lambda: [o["count"] for o in fac.received["poll.results"][-1]["results"]["options"]]  # noqa: E731
        wait_until(lambda: fac.received["poll.results"] and counts() == [8, 1, 3], message="the last answers counted")
        wait_until(lambda: screen.received["poll.results"] and screen.received["poll.results"][-1]["answers"] == 12)
        assert len(fac.received["poll.results"]) < 13, "coalesced, not one message per answer"
        assert screen.received["poll.results"][-1]["results"] is None, "the projector counts answers, shows nothing else yet"
        assert all(not p.received["poll.results"] for p in phones), "no message per answer to every phone"
        final = fac.received["poll.results"][-1]["results"]
        assert final["answers"] == 12
        assert all(g["answers"] >= 5 for g in final["by_group"].values()) and "autres" in final["by_group"]

        fac.ok("poll.state", {"op_id": new_op(), "poll_id": poll["id"], "state": "closed"})
        late = phones[1].call("poll.answer", {"op_id": new_op(), "poll_id": poll["id"], "choices": ["neutral"]})
        assert late["ok"] is False and late["error"]["code"] == "poll_closed" and late["error"]["type"] == "wrong_phase"
        assert late["error"]["message"]

        fac.ok("poll.reveal", {"op_id": new_op(), "poll_id": poll["id"], "revealed": True})
        wait_until(lambda: all(p.received["poll"][-1]["results"] for p in phones), message="revealed on every phone")
        wait_until(lambda: screen.received["poll"][-1]["results"])
        # every role's view, folded from the broadcasts, is its snapshot's
        for client in [screen, *phones[:3]]:
            folded = dict(client.received["poll"][-1])
            snap = next(p for p in client.ok("snapshot")["polls"] if p["id"] == poll["id"])
            snap.pop("mine", None)
            if "answers" in snap:
                folded["answers"] = client.received["poll.results"][-1]["answers"]
            assert folded == snap
    finally:
        for client in [fac, screen, *phones]:
            client.close()
