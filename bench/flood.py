"""Benchmark: one socket floods at 1,000 events/s while 50 phones take part normally.

    .venv/bin/python bench/flood.py [--phones 50] [--rate 1000] [--seconds 5] [--unlimited]
    .venv/bin/python bench/flood.py --refusal-cost

For each scenario it starts ``workshop serve`` (eventlet, fresh SQLite) on
127.0.0.1, joins the phones, and runs two stages of ``--seconds`` each: diverge
(every phone posts an idea every few seconds and asks for a snapshot) and define
with the vote open (every phone votes, +1 then -1).  In the flood scenarios one
more joined phone sends mixed ``idea.post`` / ``vote`` / ``snapshot`` at
``--rate`` per second during both stages, without waiting for answers.

It prints the other phones' acknowledgement latency (p50 / p95 / p99 / max) and
their timeouts (no answer in 10 s), per event, and what became of the flooder:
events sent, accepted, refused ``too_fast``, and when it was disconnected.
Scenarios: ``calm`` (no flood), ``flood`` (the budgets of workshop/web/limits.py),
and with ``--unlimited`` also ``flood, limits off`` (``WORKSHOP_LIMIT_ENABLED=false``:
the server before the budgets).  ``--refusal-cost`` only measures, in-process,
the server time of one refused event.  Bounded: fixed durations and counts, 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import random
import re
import secrets
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "docs")]

import socketio  # noqa: E402
from example_client import Client  # noqa: E402
from support import Server, new_op, wait_until  # noqa: E402

ACK_TIMEOUT = 10.0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000 if values else float("nan")


class Flooder:
    """One joined phone that sends at ``rate`` per second and never waits for an answer."""

    def __init__(self, client: Client, rate: float) -> None:
        self.client, self.rate = client, rate
        self.sent = self.accepted = self.refused = self.other = 0
        self.disconnected_after: float | None = None
        self.lock = threading.Lock()
        self.started = 0.0
        client.sio.on("disconnect", self._gone)

    def _gone(self, *_args) -> None:
        if self.disconnected_after is None:
            self.disconnected_after = time.monotonic() - self.started

    def _answer(self, answer=None) -> None:
        with self.lock:
            if answer and answer.get("ok"):
                self.accepted += 1
            elif answer and answer["error"]["code"] == "too_fast":
                self.refused += 1
            else:
                self.other += 1

    def run(self, seconds: float, theme_id: int | None, stop: threading.Event) -> None:
        self.started = self.started or time.monotonic()
        begin = time.monotonic()
        n = 0
        while not stop.is_set() and time.monotonic() - begin < seconds:
            due = begin + n / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # pacing the sender, not waiting for a condition
            kind = n % 3
            if kind == 0:
                event, payload = "idea.post", {"op_id": new_op(), "text": f"bruit {n}"}
            elif kind == 1:
                event, payload = "vote", {"op_id": new_op(), "kind": "theme", "target_id": theme_id or 1, "delta": 1}
            else:
                event, payload = "snapshot", {}
            if not self.client.sio.connected:
                return
            try:
                self.client.sio.emit(event, payload, callback=self._answer)
            except (socketio.exceptions.BadNamespaceError, socketio.exceptions.SocketIOError):
                return
            self.sent += 1
            n += 1


def flood_process(url: str, auth: dict, rate: float, seconds: float, theme_id: int | None, results) -> None:
    """The flooder in its own process (its sending loop must not share the phones' GIL): stats to ``results``."""
    logging.getLogger("engineio.client").setLevel(logging.CRITICAL)
    flooder = Flooder(Client(url, auth), rate)
    flooder.run(seconds, theme_id, threading.Event())
    deadline = time.monotonic() + 5
    while flooder.client.sio.connected and time.monotonic() < deadline and flooder.disconnected_after is None:
        time.sleep(0.05)  # let the last answers (or the disconnection) arrive; bounded
    with flooder.lock:
        results.put([flooder.sent, flooder.accepted, flooder.refused, flooder.other, flooder.disconnected_after or -1])
    if flooder.client.sio.connected:
        flooder.client.close()


def phone_loop(phone: Client, n: int, stage: str, seconds: float, themes: list[int], out: dict, lock: threading.Lock) -> None:
    """A person: one event about every second (an idea every ~5 s, snapshots; or votes)."""
    rng = random.Random(n)
    begin = time.monotonic()
    step = 0
    time.sleep(rng.random())  # people do not tap in step
    while time.monotonic() - begin < seconds:
        if stage == "diverge":
            event, payload = (
                ("idea.post", {"op_id": new_op(), "text": f"Idée {n}-{step} pour le quartier"}) if step % 5 == 0 else ("snapshot", {})
            )
        else:
            delta = 1 if step % 2 == 0 else -1
            event, payload = "vote", {"op_id": new_op(), "kind": "theme", "target_id": themes[n % len(themes)], "delta": delta}
        start = time.perf_counter()
        try:
            answer = phone.sio.call(event, payload, timeout=ACK_TIMEOUT)
            latency = time.perf_counter() - start
            with lock:
                out[event].append(latency)
                if not answer.get("ok"):
                    out["refused " + answer["error"]["code"]].append(latency)
        except socketio.exceptions.TimeoutError:
            with lock:
                out["timeouts " + event].append(ACK_TIMEOUT)
        except (socketio.exceptions.BadNamespaceError, socketio.exceptions.SocketIOError):
            with lock:
                out["disconnected"].append(0.0)
            return
        step += 1
        time.sleep(max(0.0, 0.8 + 0.4 * rng.random() - (time.perf_counter() - start)))


def facilitate(fac: Client, event: str, payload: dict, patience: float = 60.0) -> dict:
    """A facilitator's step, waiting as long as it takes (a server swamped by a flood answers late)."""
    answer = fac.sio.call(event, payload, timeout=patience)
    if not answer.get("ok"):
        raise RuntimeError(f"{event} refused: {answer['error']}")
    return answer["data"]


def scenario(name: str, phones_n: int, rate: float, seconds: float, flood: bool, limits: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {} if limits else {"WORKSHOP_LIMIT_ENABLED": "false"}
        server = Server(Path(tmp), extra_env=env).start()
        try:
            token = wait_until(lambda: re.search(r"/f/([A-Za-z0-9_-]+)", server.output())).group(1)
            fac = Client(server.url, {"facilitator_token": token})
            code = fac.ok("snapshot")["workshop"]["code"]
            phones = []
            for n in range(phones_n):
                phone = Client(server.url, {"code": code, "guest_id": secrets.token_urlsafe(16)})
                phone.ok("join", {"op_id": new_op(), "pseudonym": f"P{n}"})
                phones.append(phone)
            flooder_auth = None
            if flood:
                guest = Client(server.url, {"code": code, "guest_id": secrets.token_urlsafe(16)})
                flooder_auth = {"code": code, "token": guest.ok("join", {"op_id": new_op(), "pseudonym": "Bruit"})["token"]}
                guest.close()
            results: multiprocessing.Queue = multiprocessing.Queue()
            floods: list[list[float]] = []
            out: dict[str, list[float]] = defaultdict(list)
            lock = threading.Lock()
            themes: list[int] = []
            for stage in ("diverge", "define"):
                begin = time.monotonic()
                try:
                    facilitate(fac, "phase.advance", {"op_id": new_op()})
                    if stage == "define":
                        themes = [
                            facilitate(fac, "theme.create", {"op_id": new_op(), "title": f"Thème {i}"})["theme"]["id"] for i in range(5)
                        ]
                        facilitate(fac, "vote.open", {"op_id": new_op(), "open": True})
                        out["_facilitator_wait"] = [time.monotonic() - begin]
                except (socketio.exceptions.TimeoutError, socketio.exceptions.SocketIOError):
                    out["_stalled"] = [time.monotonic() - begin]  # the facilitator could not move on: the room is stalled
                    break
                stop = threading.Event()
                threads = [
                    threading.Thread(target=phone_loop, args=(p, n, stage, seconds, themes, out, lock), daemon=True)
                    for n, p in enumerate(phones)
                ]
                child = None
                if flooder_auth:
                    args = (server.url, flooder_auth, rate, seconds, themes[0] if themes else None, results)
                    child = multiprocessing.Process(target=flood_process, args=args, daemon=True)
                    child.start()
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(timeout=seconds + 3 * ACK_TIMEOUT)
                stop.set()
                if child is not None:
                    floods.append(results.get(timeout=60))
                    child.join(timeout=30)
            for c in [*phones, fac]:
                if c.sio.connected:
                    c.close()
            for k, stats in enumerate(floods):
                out[f"_flooder {('diverge', 'define')[k]}"] = stats
            return out
        finally:
            server.stop()


def refusal_cost(n: int = 20000) -> tuple[float, float]:
    """Server time of one refused and of one granted-then-forwarded event, measured in-process (µs)."""
    from workshop import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"INSTANCE_PATH": tmp})
        socketio = app.extensions["socketio"]
        budgets = app.extensions["workshop.budgets"]
        eio = socketio.server.eio
        sent: list = []
        eio.send = lambda sid, data: sent.append(data)  # the wire, not measured
        on_message = eio.handlers["message"]
        with app.test_request_context():
            from workshop.web.limits import too_fast_message

            message = too_fast_message("fr")
        budgets.connect("bench", "127.0.0.1", message=message)
        bucket = budgets.connections["bench"].events
        bucket.rate, bucket.tokens = 0, 0  # every event refused
        budgets.flood_refusals = n * 10
        frame = '21["idea.post",{"op_id":"0123456789abcdef","text":"Une idée de 40 caractères pour voir"}]'
        start = time.perf_counter()
        for _ in range(n):
            on_message("bench", frame)
        refused = (time.perf_counter() - start) / n * 1e6
        assert len(sent) == n and "too_fast" in sent[-1]
        return refused, float(budgets.refusals)


def main() -> None:
    logging.getLogger("engineio.client").setLevel(logging.CRITICAL)  # "packet queue is empty" as clients close
    logging.getLogger("socketio.client").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--rate", type=float, default=1000.0, help="the flooder's events per second")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each stage (diverge, define)")
    parser.add_argument("--unlimited", action="store_true", help="also flood a server with the budgets off")
    parser.add_argument("--refusal-cost", action="store_true", help="only measure a refusal's server time, in-process")
    args = parser.parse_args()
    if args.refusal_cost:
        micro, _ = refusal_cost()
        print(f"one refused event: {micro:.1f} µs of server time (budget check, ack encoded; nothing decoded, no database)")
        return
    runs = [("calm", False, True), ("flood", True, True)]
    if args.unlimited:
        runs.append(("flood, limits off", True, False))
    print(f"{args.phones} phones, one flooder at {args.rate:.0f} events/s, two stages of {args.seconds:.0f} s (eventlet, SQLite)\n")
    print(f"{'scenario':<19} {'event':<10} {'acks':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'timeouts':>9}")
    for name, flood, limits in runs:
        out = scenario(name, args.phones, args.rate, args.seconds, flood, limits)
        for event in ("idea.post", "snapshot", "vote"):
            lat = out.get(event, [])
            timeouts = len(out.get("timeouts " + event, []))
            print(
                f"{name:<19} {event:<10} {len(lat):>5} {pct(lat, 50):>8.0f} {pct(lat, 95):>8.0f} {pct(lat, 99):>8.0f} "
                f"{max(lat) * 1000 if lat else float('nan'):>8.0f} {timeouts:>9}"
            )
        refused = {k: len(v) for k, v in out.items() if k.startswith("refused ")}
        if refused or out.get("disconnected"):
            print(f"{'':<19} other phones refused: {refused or 0}, disconnected: {len(out.get('disconnected', []))}")
        if "_stalled" in out:
            print(f"{'':<19} the facilitator's next step got no answer ({out['_stalled'][0]:.0f} s): the define stage never ran")
        if out.get("_facilitator_wait", [0])[0] > 2:
            print(f"{'':<19} the facilitator's next step (define, 5 themes, open the vote) waited {out['_facilitator_wait'][0]:.1f} s")
        for stage in ("diverge", "define"):
            if f"_flooder {stage}" not in out:
                continue
            sent, accepted, refused_n, other, gone = out[f"_flooder {stage}"]
            when = f"disconnected after {gone:.2f} s" if gone >= 0 else "never disconnected"
            print(
                f"{'':<19} flooder ({stage}): {sent:.0f} sent, {accepted:.0f} accepted, {refused_n:.0f} refused too_fast, {other:.0f} other errors; {when}"
            )


if __name__ == "__main__":
    main()
