"""Benchmark: a room of phones posting and voting against a real server, per async mode.

    .venv/bin/python bench/realtime.py --phones 100 --ideas 3 --modes eventlet threading [--database postgres]

For each mode it starts ``workshop serve`` on 127.0.0.1 with a fresh SQLite
instance, connects the phones, runs diverge (every phone posts) and define
(every phone spends its dot budget), and prints acknowledgement latency
percentiles, writes per second, the server's peak memory, and how many tally
messages each phone received per vote cast (the coalescing figure).  The
first mode listed is the baseline the others are compared with, in the same
run.  Everything is bounded: fixed counts, a time limit per step, 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "docs")]

from example_client import Client  # noqa: E402
from support import Server, _drop_schema, _postgres_schema_url, new_op, wait_until  # noqa: E402


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def timed(phones, fn) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def run(n, phone):
        try:
            for start, end in fn(n, phone):
                with lock:
                    latencies.append(end - start)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n, p)) for n, p in enumerate(phones)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    if errors:
        raise errors[0]
    return latencies


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000 if values else float("nan")


def run_mode(mode: str, phones_n: int, ideas_n: int, database: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        url, schema = (None, None)
        if database == "postgres":
            url, schema = _postgres_schema_url()
        server = Server(Path(tmp), async_mode=mode, database_url=url).start()
        try:
            token = wait_until(lambda: re.search(r"/f/([A-Za-z0-9_-]+)", server.output())).group(1)
            fac = Client(server.url, {"facilitator_token": token})
            code = fac.ok("snapshot")["workshop"]["code"]
            phones = []
            for n in range(phones_n):
                p = Client(server.url, {"code": code})
                p.ok("join", {"op_id": new_op(), "group": ["habitant", "agent", "association"][n % 3]})
                phones.append(p)
            fac.ok("phase.advance", {"op_id": new_op()})

            def post(n, phone):
                for k in range(ideas_n):
                    start = time.perf_counter()
                    phone.ok("idea.post", {"op_id": new_op(), "text": f"Idée {n}-{k} pour le quartier"})
                    yield start, time.perf_counter()

            t0 = time.perf_counter()
            post_lat = timed(phones, post)
            post_rate = len(post_lat) / (time.perf_counter() - t0)

            fac.ok("phase.advance", {"op_id": new_op()})
            themes = [fac.ok("theme.create", {"op_id": new_op(), "title": f"Thème {i}"})["theme"] for i in range(5)]
            settings = fac.ok("snapshot")["workshop"]["settings"]
            fac.ok("tallies.reveal", {"op_id": new_op(), "revealed": True})
            fac.ok("vote.open", {"op_id": new_op(), "open": True})
            before = [len(p.received["tally"]) for p in phones]

            def vote(n, phone):
                for k in range(settings["dot_budget"]):
                    start = time.perf_counter()
                    phone.ok("vote", {"op_id": new_op(), "kind": "theme", "target_id": themes[(n + k) % 5]["id"], "delta": 1})
                    yield start, time.perf_counter()

            t0 = time.perf_counter()
            vote_lat = timed(phones, vote)
            vote_rate = len(vote_lat) / (time.perf_counter() - t0)
            total = len(vote_lat)
            wait_until(
                lambda: all(p.received["tally"] and sum(i["dots"] for i in p.received["tally"][-1]["items"]) == total for p in phones),
                timeout=30,
                message="final tally on every phone",
            )
            tally_msgs = sum(len(p.received["tally"]) - b for p, b in zip(phones, before)) / len(phones)
            peak = rss_kib(server.proc.pid)
            for c in [*phones, fac]:
                c.close()
            return {
                "mode": mode,
                "post p50": pct(post_lat, 50),
                "post p95": pct(post_lat, 95),
                "post p99": pct(post_lat, 99),
                "posts/s": post_rate,
                "vote p50": pct(vote_lat, 50),
                "vote p95": pct(vote_lat, 95),
                "votes/s": vote_rate,
                "tally msgs per phone": tally_msgs,
                "votes": total,
                "peak RSS MiB": peak / 1024,
            }
        finally:
            server.stop()
            if schema:
                _drop_schema(schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=100)
    parser.add_argument("--ideas", type=int, default=3)
    parser.add_argument("--modes", nargs="+", default=["eventlet", "threading"])
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="postgres: a fresh schema in the server at 127.0.0.1:5432 (WORKSHOP_TEST_POSTGRES)",
    )
    args = parser.parse_args()
    results = [run_mode(m, args.phones, args.ideas, args.database) for m in args.modes]
    keys = [k for k in results[0] if k != "mode"]
    print(
        f"\n{args.phones} phones, {args.ideas} ideas each, then every phone spends its dots "
        f"({args.database}; baseline: {results[0]['mode']})"
    )
    print(f"{'':24}" + "".join(f"{r['mode']:>14}" for r in results))
    for k in keys:
        print(f"{k:24}" + "".join(f"{r[k]:14.1f}" for r in results))
    base = results[0]
    for r in results[1:]:
        print(
            f"{r['mode']} vs {base['mode']}: vote p95 ×{r['vote p95'] / base['vote p95']:.2f}, "
            f"posts/s ×{r['posts/s'] / base['posts/s']:.2f}, peak RSS ×{r['peak RSS MiB'] / base['peak RSS MiB']:.2f}"
        )
    print("(latencies in ms; a vote sends no message to the room by itself: tallies are coalesced)")


if __name__ == "__main__":
    main()
