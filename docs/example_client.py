"""A scripted workshop written only from docs/protocol.md.

Runs one complete round — participants join, post ideas, the facilitator
moderates and groups them into themes, everyone dot-votes, actions are
proposed, completed and prioritised — then downloads the JSON export.

    python docs/example_client.py http://127.0.0.1:8000 <facilitator token> --participants 20 --out atelier.json

It uses nothing but python-socketio's client and the standard library, and is
run by the test-suite against a real server (tests/test_realtime.py).
"""

from __future__ import annotations

import argparse
import json
import secrets
import threading
import time
import urllib.request
import uuid
from collections import defaultdict

import socketio

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
]
GROUPS = ["habitant", "élu·e", "agent", "association", "professionnel", "autre"]


def op() -> str:
    return uuid.uuid4().hex


class Client:
    """One Socket.IO connection that records what it receives."""

    EVENTS = (
        "idea",
        "idea.removed",
        "theme",
        "theme.removed",
        "action",
        "round",
        "tally",
        "presence",
        "synthesis",
        "plan",
        "poll",
        "poll.results",
        "agreement",
        "agreement.results",
    )

    def __init__(self, url: str, auth: dict) -> None:
        self.url = url
        self.received: dict[str, list] = defaultdict(list)
        self.lock = threading.Lock()
        self.sio = socketio.Client(reconnection=False)
        for event in self.EVENTS:
            self.sio.on(event, self._recorder(event))
        self.sio.connect(url, auth=auth, transports=["websocket"], wait_timeout=10)

    def _recorder(self, event):
        def record(data):
            with self.lock:
                self.received[event].append(data)

        return record

    def call(self, event: str, payload: dict | None = None, retries: int = 3) -> dict:
        """Send and wait for the acknowledgement; retry a timeout with the same op_id.

        ``too_fast`` means "not now": wait ``retry_after`` seconds and send the same again.
        """
        slowed = 0
        attempt = 0
        while True:
            try:
                answer = self.sio.call(event, payload or {}, timeout=15)
            except socketio.exceptions.TimeoutError:
                attempt += 1
                if attempt == retries:
                    raise
                continue
            error = answer.get("error") or {}
            if error.get("code") != "too_fast" or slowed == 20:
                return answer
            slowed += 1
            time.sleep(error["params"].get("retry_after", 1))

    def ok(self, event: str, payload: dict | None = None) -> dict:
        answer = self.call(event, payload)
        if not answer.get("ok"):
            raise RuntimeError(f"{event} refused: {answer['error']}")
        return answer["data"]

    def close(self) -> None:
        self.sio.disconnect()


def run_workshop(base_url: str, facilitator_token: str, participants: int = 20) -> dict:
    """Run one whole round of the workshop's current round; return what happened."""
    facilitator = Client(base_url, {"facilitator_token": facilitator_token})
    state = facilitator.ok("snapshot")
    code = state["workshop"]["code"]
    budget, cap = state["workshop"]["settings"]["dot_budget"], state["workshop"]["settings"]["dot_cap"]
    screen = Client(base_url, {"code": code, "role": "screen"})

    # Participants scan the QR code: connect as guests, join, keep their token.
    phones: list[Client] = []
    for n in range(participants):
        # guest_id: the phone's own secret (kept with its outbox): a retried join replays its own answer
        phone = Client(base_url, {"code": code, "guest_id": secrets.token_urlsafe(16)})
        phone.ok("join", {"op_id": op(), "pseudonym": f"P{n + 1:02d}", "group": GROUPS[n % len(GROUPS)]})
        phones.append(phone)

    # Diverge: every phone posts two ideas, in parallel, as a room does.
    facilitator.ok("phase.advance", {"op_id": op(), "expected_phase": "lobby"})
    posted: list[dict] = []
    posted_lock = threading.Lock()

    def post_ideas(n: int, phone: Client) -> None:
        for k in range(2):
            idea = phone.ok("idea.post", {"op_id": op(), "text": IDEAS[(2 * n + k) % len(IDEAS)]})["idea"]
            with posted_lock:
                posted.append(idea)

    run_parallel(post_ideas, phones)
    paper = facilitator.ok("idea.post", {"op_id": op(), "text": "Une maison des projets ouverte le samedi", "group": "habitant"})["idea"]
    offensive = phones[0].ok("idea.post", {"op_id": op(), "text": "Un message hors sujet à masquer"})["idea"]
    facilitator.ok("idea.hide", {"op_id": op(), "idea_id": offensive["id"], "hidden": True})
    # Merge exact duplicates into the first idea with the same text.
    first_by_text: dict[str, int] = {}
    for idea in sorted(posted, key=lambda i: i["id"]):
        if idea["text"] in first_by_text:
            facilitator.ok("idea.merge", {"op_id": op(), "idea_id": idea["id"], "into_id": first_by_text[idea["text"]]})
        else:
            first_by_text[idea["text"]] = idea["id"]

    # Define: themes with objectives and criteria; ideas moved into them.
    facilitator.ok("phase.advance", {"op_id": op(), "expected_phase": "diverge"})
    spec = [
        ("Vivre ensemble", "Des lieux partagés dans chaque quartier", ["3 lieux ouverts", "fréquentation mensuelle"]),
        ("Mobilités", "Relier le quartier au reste de la ville", ["temps de trajet divisé par deux"]),
        ("Participation", "Les habitants décident avec les élus", ["1 habitant sur 10 a voté au budget participatif"]),
    ]
    themes = [facilitator.ok("theme.create", {"op_id": op(), "title": t, "objective": o, "criteria": c})["theme"] for t, o, c in spec]
    kept_ideas = sorted(first_by_text.values()) + [paper["id"]]
    for index, idea_id in enumerate(kept_ideas):
        facilitator.ok("idea.move", {"op_id": op(), "idea_id": idea_id, "theme_id": themes[index % len(themes)]["id"]})

    def vote_themes(n: int, phone: Client) -> None:
        spent = 0
        for k in range(len(themes)):
            theme = themes[(n + k) % len(themes)]
            dots = min(cap, budget - spent)
            if dots <= 0:
                break
            phone.ok("vote", {"op_id": op(), "kind": "theme", "target_id": theme["id"], "delta": dots})
            spent += dots

    # The vote is closed until the facilitator opens it (a vote before is refused: vote_not_open).
    facilitator.ok("vote.open", {"op_id": op(), "open": True})
    run_parallel(vote_themes, phones)
    facilitator.ok("phase.advance", {"op_id": op(), "expected_phase": "define"})
    snap = facilitator.ok("snapshot")
    current = next(r for r in snap["rounds"] if r["phase"] == "converge")
    kept = [t for t in current["themes"] if t["kept"]]

    # Converge: actions proposed by phones and the facilitator, sheets completed, dot vote.
    actions = []
    for index, theme in enumerate(kept):
        proposer = phones[index % len(phones)]
        actions.append(
            proposer.ok("action.propose", {"op_id": op(), "theme_id": theme["id"], "title": f"Action pour « {theme['title']} »"})["action"]
        )
        actions.append(
            facilitator.ok(
                "action.propose",
                {
                    "op_id": op(),
                    "theme_id": theme["id"],
                    "title": f"Expérimenter : {theme['title']}",
                    "idea_ids": [
                        i["id"] for i in current["ideas"] if i["theme_id"] == theme["id"] and not i["hidden"] and not i["merged_into"]
                    ][:2],
                },
            )["action"]
        )
    for index, action in enumerate(actions):
        facilitator.ok(
            "action.update",
            {
                "op_id": op(),
                "action_id": action["id"],
                "owner": "Service politique de la ville",
                "partners": ["Centre social", "Conseil citoyen"],
                "deadline": f"2027-T{index % 4 + 1}",
                "resources": "0,5 ETP et 10 000 €",
                "indicators": ["nombre d'habitants impliqués"],
                "status": "planned",
            },
        )

    def vote_actions(n: int, phone: Client) -> None:
        for k in range(budget):
            phone.ok("vote", {"op_id": op(), "kind": "action", "target_id": actions[(n + k) % len(actions)]["id"], "delta": 1})

    facilitator.ok("vote.open", {"op_id": op(), "open": True})  # every phase opens with its vote closed
    run_parallel(vote_actions, phones)
    facilitator.ok("phase.advance", {"op_id": op(), "expected_phase": "converge"})

    final = facilitator.ok("snapshot")
    with urllib.request.urlopen(f"{base_url}/f/{facilitator_token}/export.json", timeout=30) as response:
        export = json.loads(response.read().decode("utf-8"))
    result = {
        "code": code,
        "final": final,
        "export": export,
        "posted": posted,
        "hidden_idea": offensive,
        "paper_idea": paper,
        "themes": themes,
        "actions": actions,
        "phones": phones,
        "screen": screen,
        "facilitator": facilitator,
    }
    return result


def run_parallel(fn, phones: list[Client]) -> None:
    """Run ``fn(index, phone)`` for every phone at once; re-raise the first failure."""
    errors: list[BaseException] = []

    def target(n: int, phone: Client) -> None:
        try:
            fn(n, phone)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=target, args=(n, p)) for n, p in enumerate(phones)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if errors:
        raise errors[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="server address, e.g. http://127.0.0.1:8000")
    parser.add_argument("facilitator_token")
    parser.add_argument("--participants", type=int, default=20)
    parser.add_argument("--out", default="atelier.json", help="where to write the JSON export")
    args = parser.parse_args()
    result = run_workshop(args.url, args.facilitator_token, args.participants)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result["export"], f, ensure_ascii=False, indent=2)
    plan = result["final"]["plan"]
    for r in plan["rounds"]:
        print(r["question"])
        for a in r["actions"]:
            print(f"  {a['rank']}. {a['title']} — {a['dots']} points {a['by_group']}")
    for client in [*result["phones"], result["screen"], result["facilitator"]]:
        client.close()
    print(f"export written to {args.out}")


if __name__ == "__main__":
    main()
