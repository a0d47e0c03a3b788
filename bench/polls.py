"""Quick polls under load: N phones answer at once through a real server; what the room receives.

    .venv/bin/python bench/polls.py --phones 200

Starts ``workshop serve`` (eventlet, SQLite, the shipped tally interval of 0.5 s) on 127.0.0.1, joins N
phones (python-socketio clients), opens a single-choice poll and has every phone answer at once (each
then changes its answer once). Prints the acknowledgement latencies, how many ``poll.results`` the
console, the projector and the phones received (the phones: none while hidden — no fan-out per answer),
and how long the reveal takes to reach every phone. Stops the server by its PID.
"""

from __future__ import annotations

import argparse
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "docs")]
from example_client import Client  # noqa: E402
from support import Server, new_op, wait_until  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phones", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp), extra_env={"WORKSHOP_TALLY_INTERVAL": "0.5", "WORKSHOP_ASSIST_EMBEDDER": "none"}).start()
        try:
            run(server, args.phones)
        finally:
            server.stop()


def run(server: Server, n: int) -> None:
    token = re.search(r"/f/([A-Za-z0-9_-]+)", wait_until(server.output)).group(1)
    fac = Client(server.url, {"facilitator_token": token})
    snap = fac.ok("snapshot")
    code, groups = snap["workshop"]["code"], snap["workshop"]["settings"]["groups"]
    screen = Client(server.url, {"code": code, "role": "screen"})
    phones: list[Client] = []
    for k in range(n):
        phone = Client(server.url, {"code": code, "guest_id": secrets.token_urlsafe(16)})
        phone.ok("join", {"op_id": new_op(), "group": groups[k % len(groups)]})
        phones.append(phone)
    poll = fac.ok(
        "poll.create",
        {
            "op_id": new_op(),
            "kind": "single",
            "question": "Comment êtes-vous venus ?",
            "options": ["À pied", "En bus", "En voiture", "À vélo"],
            "open": True,
        },
    )["poll"]
    wait_until(lambda: all(p.received["poll"] for p in phones), timeout=60)
    latencies: list[float] = []
    lock = threading.Lock()

    def answer(k: int, choice: str) -> None:
        t0 = time.perf_counter()
        phones[k].ok("poll.answer", {"op_id": new_op(), "poll_id": poll["id"], "choices": [choice]})
        with lock:
            latencies.append(time.perf_counter() - t0)

    start = time.perf_counter()
    for round_ in range(2):  # everyone answers, then everyone changes their answer
        threads = [threading.Thread(target=answer, args=(k, str(1 + (k + round_) % 4))) for k in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    burst = time.perf_counter() - start
    wait_until(lambda: fac.received["poll.results"] and fac.received["poll.results"][-1]["answers"] == n, timeout=30)
    time.sleep(1.2)  # let the last coalesced flush go out before counting
    phone_messages = sum(len(p.received["poll.results"]) for p in phones)
    t0 = time.perf_counter()
    fac.ok("poll.reveal", {"op_id": new_op(), "poll_id": poll["id"], "revealed": True})
    wait_until(lambda: all(p.received["poll"] and p.received["poll"][-1]["results"] for p in phones), timeout=60)
    reveal = time.perf_counter() - t0
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    print(f"phones: {n}; answers: {len(latencies)} (each phone answered, then changed) in {burst:.2f} s")
    print(f"ack latency: p50 {1000 * q[49]:.0f} ms, p95 {1000 * q[94]:.0f} ms, max {1000 * latencies[-1]:.0f} ms")
    print(
        f"poll.results received: console {len(fac.received['poll.results'])}, projector {len(screen.received['poll.results'])}, all phones together {phone_messages} (hidden)"
    )
    print(
        f"reveal reached every phone in {1000 * reveal:.0f} ms; final counts {[o['count'] for o in fac.received['poll.results'][-1]['results']['options']]}"
    )
    for c in [fac, screen, *phones]:
        c.close()


if __name__ == "__main__":
    main()
