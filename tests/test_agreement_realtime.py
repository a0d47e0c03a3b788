"""Agreement across groups over a real Socket.IO server: 30 phones × 4 actions, the room sees figures only once revealed.

The stances are coalesced: phones get no message per stance while the results are hidden, the console and
the projector a bounded number of ``agreement.results`` (the fan-out grows with the room, not its square),
and every role's folded view equals a fresh snapshot.
"""

from __future__ import annotations

import re
import secrets
import sys
import threading

from support import ROOT, new_op, wait_until

sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client


def test_thirty_phones_answer_and_the_reveal_reaches_the_room(server):
    token = re.search(r"/f/([A-Za-z0-9_-]+)", wait_until(server.output)).group(1)
    fac = Client(server.url, {"facilitator_token": token})
    snap = fac.ok("snapshot")
    code, groups = snap["workshop"]["code"], snap["workshop"]["settings"]["groups"]
    screen = Client(server.url, {"code": code, "role": "screen"})
    phones: list[Client] = []
    try:
        fac.ok("phase.advance", {"op_id": new_op()})
        fac.ok("phase.advance", {"op_id": new_op()})
        theme = fac.ok("theme.create", {"op_id": new_op(), "title": "Cadre de vie"})["theme"]
        fac.ok("phase.advance", {"op_id": new_op(), "kept_theme_ids": [theme["id"]]})
        actions = [
            fac.ok("action.propose", {"op_id": new_op(), "theme_id": theme["id"], "title": f"Action {n}"})["action"] for n in range(4)
        ]
        for n in range(30):
            guest = Client(server.url, {"code": code, "guest_id": secrets.token_urlsafe(16)})
            token = guest.ok("join", {"op_id": new_op(), "group": groups[n % 3]})["token"]
            guest.close()
            phones.append(Client(server.url, {"code": code, "token": token}))
        state = fac.ok("agreement.open", {"op_id": new_op(), "open": True})["agreement"]
        wait_until(lambda: all(p.received["agreement"] for p in phones), message="the opening reaches every phone")
        assert phones[0].received["agreement"][-1]["results"] is None and state["open"]

        def answer(n: int) -> None:
            for i, a in enumerate(actions):
                stance = "agree" if i == 0 or (i == 1 and n % 3 == 0) else ("disagree" if i == 1 else "neutral")
                phones[n].ok("agreement.answer", {"op_id": new_op(), "action_id": a["id"], "stance": stance})

        threads = [threading.Thread(target=answer, args=(n,)) for n in range(30)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        last = lambda c: c.received["agreement.results"][-1]  # noqa: E731
        wait_until(lambda: fac.received["agreement.results"] and last(fac)["results"]["actions"][0]["stances"] == 30, message="all counted")
        wait_until(lambda: screen.received["agreement.results"] and last(screen)["answers"] == 30)
        sent = len(fac.received["agreement.results"])
        print(
            f"120 stances from 30 phones: {sent} agreement.results to the console, {len(screen.received['agreement.results'])} to the projector, 0 to phones"
        )
        assert sent < 30, "coalesced, not one message per stance"
        assert last(screen)["results"] is None, "the projector counts people, shows nothing else yet"
        assert all(not p.received["agreement.results"] for p in phones), "no message per stance to every phone"
        results = last(fac)["results"]
        assert results["agreed"] == [actions[0]["id"]] and results["divided"] == [actions[1]["id"]]

        fac.ok("agreement.open", {"op_id": new_op(), "open": False})
        late = phones[1].call("agreement.answer", {"op_id": new_op(), "action_id": actions[0]["id"], "stance": "neutral"})
        assert late["ok"] is False and late["error"]["code"] == "agreement_closed" and late["error"]["type"] == "wrong_phase"
        fac.ok("agreement.reveal", {"op_id": new_op(), "revealed": True})
        wait_until(lambda: all(p.received["agreement"][-1]["results"] for p in phones), message="revealed on every phone")
        wait_until(lambda: screen.received["agreement"][-1]["results"])
        # every role's view, folded from the broadcasts, is its snapshot's
        for client in [screen, *phones[:3]]:
            folded = dict(client.received["agreement"][-1])
            fresh = client.ok("snapshot")["agreement"][0]
            fresh.pop("mine", None)
            if "answers" in fresh:
                folded["answers"] = last(client)["answers"]
            assert folded == fresh
    finally:
        for client in [fac, screen, *phones]:
            client.close()
