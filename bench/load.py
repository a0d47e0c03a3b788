"""Load bench: thousands of phones on raw WebSockets against ``workshop serve`` and a bare relay.

    .venv/bin/python bench/load.py --phones 500 1000 2000 --repeats 3 --modes eventlet gevent
    .venv/bin/python bench/load.py --quick             # ≤ 20 min preset (see --help)
    .venv/bin/python bench/load.py --scaleout --phones 5000 --repeats 1

For every phone count, async mode and repeat — interleaved — it runs the same
script against the app as shipped (``workshop serve`` in a subprocess, a fresh
SQLite instance per run) and against ``bench/relay.py`` (a bare Flask-SocketIO
relay: same options, same events and shapes, same coalesced tally loop, no
database), and prints medians with min–max and the ratio app/relay, the
figure that counts on a noisy machine.

The load generator is one asyncio loop speaking Engine.IO v4 / Socket.IO v5
frames over ``websockets`` (``0{…}`` open, ``40{auth}`` connect, ``42N[…]``
events, ``43N[…]`` acks, ping ``2`` → pong ``3``); its own CPU is printed.

Script of one run: a facilitator and a projector (screen) connect; the phones
join (join storm: joins/s, failures, server CPU ms per join); idle RSS per
phone; the facilitator opens diverge; idea burst (``--idea-rate`` ideas/s for
``--burst`` s, ack percentiles); define, themes, tallies shown, vote opened;
vote burst (one vote per phone spread evenly over ``--burst`` s: ack
percentiles, vote → projector tally percentiles, acked vs stored, server CPU
ms per vote); replay (every vote sent again with its op id: stored must not
change); reconnect storm (every phone drops, reconnects with its token and
asks for a snapshot: time until all are back, failures).

A vote counts as shown on the projector at the first ``tally`` the screen
connection receives in which its theme has at least k dots, k being the vote's
rank among that theme's acks (acks come after the commit).  Everything is
bounded (a time limit per step, per operation), 127.0.0.1 only, and every
process started is stopped by its PID.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from support import Server, _drop_schema, _postgres_schema_url, free_port  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
OP_TIMEOUT = 60.0  # one acknowledgement
REDIS_URL = os.environ.get("WORKSHOP_TEST_REDIS", "redis://127.0.0.1:6379/15")


def new_op() -> str:
    return uuid.uuid4().hex


# --------------------------------------------------------------------------- processes


def cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK  # utime + stime


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def self_cpu_ms() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1000


class Relay:
    """``bench/relay.py`` in a subprocess, stopped by its PID."""

    def __init__(self, tmp: Path, mode: str, interval: float) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"relay-{self.port}.log"
        self.args = [
            sys.executable,
            str(ROOT / "bench" / "relay.py"),
            "--port",
            str(self.port),
            "--async-mode",
            mode,
            "--tally-interval",
            str(interval),
        ]

    def start(self) -> Relay:
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - written until stop()
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"relay exited: {self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"relay did not start: {self.log_path.read_text()}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


# --------------------------------------------------------------------------- Socket.IO over raw WebSockets


class Refused(Exception):
    pass


class Conn:
    """One Socket.IO client: Engine.IO v4 / Socket.IO v5 text frames on one WebSocket."""

    def __init__(self, base: str, auth: dict, on_event=None) -> None:
        self.url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.auth = auth
        self.on_event = on_event  # (event, data) for every broadcast; None: broadcasts are not parsed
        self.acks: dict[int, asyncio.Future] = {}
        self.ids = itertools.count(1)
        self.ws = None
        self.reader: asyncio.Task | None = None

    async def open(self, timeout: float = OP_TIMEOUT) -> None:
        async with asyncio.timeout(timeout):
            self.ws = await connect(self.url, compression=None, max_size=None, ping_interval=None, open_timeout=timeout, close_timeout=2)
            opened = await self.ws.recv()
            if not opened.startswith("0"):
                raise Refused(f"unexpected open {opened[:80]}")
            await self.ws.send("40" + json.dumps(self.auth))
            while True:
                msg = await self.ws.recv()
                if msg == "2":
                    await self.ws.send("3")
                elif msg.startswith("40"):
                    break
                elif msg.startswith("44"):
                    raise Refused(msg[2:200])
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            async for msg in self.ws:
                if msg == "2":
                    await self.ws.send("3")
                elif msg.startswith("43"):
                    i = 2
                    while msg[i].isdigit():
                        i += 1
                    fut = self.acks.pop(int(msg[2:i]), None)
                    if fut is not None and not fut.done():
                        fut.set_result(json.loads(msg[i:])[0])
                elif msg.startswith("42") and self.on_event is not None:
                    event, *args = json.loads(msg[2:])
                    self.on_event(event, args[0] if args else None)
        except websockets.ConnectionClosed:
            pass
        finally:
            for fut in self.acks.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("connection closed"))
                    fut.exception()  # counted by whoever waits; no "never retrieved" noise when nobody does

    async def emit(self, event: str, data=None, timeout: float = OP_TIMEOUT) -> dict:
        n = next(self.ids)
        fut = asyncio.get_running_loop().create_future()
        self.acks[n] = fut
        await self.ws.send(f"42{n}" + json.dumps([event, data] if data is not None else [event]))
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self.acks.pop(n, None)

    async def ok(self, event: str, data=None, timeout: float = OP_TIMEOUT) -> dict:
        answer = await self.emit(event, data, timeout)
        if not answer.get("ok"):
            raise RuntimeError(f"{event}: {answer.get('error')}")
        return answer["data"]

    async def close(self) -> None:
        if self.reader:
            self.reader.cancel()
        if self.ws is not None:
            self.ws.transport.abort()  # a phone dropping off the Wi-Fi, not a polite close


class Steady:
    """The facilitator's or the projector's connection: reopened when the server drops it (each drop
    counted), a write sent again with its op id, as the protocol tells clients to do."""

    def __init__(self, base: str, auth: dict, on_event=None) -> None:
        self.base, self.auth, self.on_event = base, auth, on_event
        self.conn: Conn | None = None
        self.drops = 0

    async def open(self, attempts: int = 4) -> None:
        for attempt in range(attempts):
            if self.conn is not None:
                await self.conn.close()
            self.conn = Conn(self.base, self.auth, self.on_event)
            try:
                await self.conn.open()
                return
            except (OSError, websockets.WebSocketException, TimeoutError, Refused):
                if attempt == attempts - 1:
                    raise

    async def ok(self, event: str, data=None, timeout: float = OP_TIMEOUT) -> dict:
        for attempt in range(4):
            try:
                if self.conn.reader is None or self.conn.reader.done():
                    self.drops += 1
                    await self.open()
                return await self.conn.ok(event, data, timeout)
            except (OSError, websockets.ConnectionClosed, TimeoutError):
                if attempt == 3:
                    raise
                self.drops += 1
                await self.open()
        raise AssertionError("unreachable")

    async def watch(self) -> None:
        """Keep it connected (the projector): reopen and re-read a snapshot whenever it is dropped."""
        while True:
            try:
                await self.conn.reader
            except asyncio.CancelledError:
                if self.conn.reader.cancelled():
                    pass
                else:
                    raise
            self.drops += 1
            await self.open()
            await self.conn.ok("snapshot")

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()


# --------------------------------------------------------------------------- one run


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000


@dataclass
class Target:
    kind: str  # "app" | "relay" | "scaleout"
    urls: list[str]
    pids: list[int]
    facilitator_token: str

    def cpu(self) -> float:
        return sum(cpu_ms(p) for p in self.pids)

    def rss(self) -> int:
        return sum(rss_kib(p) for p in self.pids)


@dataclass
class Step:
    """Server CPU, generator CPU and wall time around one step."""

    target: Target
    t0: float = 0.0
    cpu0: float = 0.0
    gen0: float = 0.0
    wall: float = 0.0
    server_ms: float = 0.0
    gen_pct: float = 0.0
    marks: dict = field(default_factory=dict)

    def __enter__(self):
        self.t0, self.cpu0, self.gen0 = time.perf_counter(), self.target.cpu(), self_cpu_ms()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t0
        self.server_ms = self.target.cpu() - self.cpu0
        self.gen_pct = (self_cpu_ms() - self.gen0) / (self.wall * 1000) * 100 if self.wall else 0.0
        return False


async def bounded(coros, limit: int, step_timeout: float) -> list:
    """Run coroutines with at most ``limit`` in flight; those unfinished at ``step_timeout`` fail."""
    sem = asyncio.Semaphore(limit)

    async def one(c):
        try:
            async with sem:
                return await c
        finally:
            c.close()  # one cancelled before it started is closed, not left unawaited

    tasks = [asyncio.ensure_future(one(c)) for c in coros]
    done, pending = await asyncio.wait(tasks, timeout=step_timeout) if tasks else (set(), set())
    for t in pending:
        t.cancel()
    out = []
    for t in tasks:
        if t in done and not t.cancelled() and t.exception() is None:
            out.append(t.result())
        else:
            out.append(t.exception() if t in done and not t.cancelled() else TimeoutError("step time limit"))
    return out


async def settle(target: Target, limit: float = 8.0) -> None:
    """Wait until the server is idle (< 5 % CPU over 0.5 s), at most ``limit`` s."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        c0 = target.cpu()
        await asyncio.sleep(0.5)
        if (target.cpu() - c0) / 500 < 0.05 * len(target.pids):
            return


async def run_once(target: Target, phones_n: int, args, r: dict) -> dict:
    tallies: list[tuple[float, dict[int, int]]] = []

    def on_screen(event, data):
        if event == "tally" and data and data.get("kind") == "theme" and data.get("visible"):
            tallies.append((time.perf_counter(), {i["id"]: i["dots"] for i in data["items"]}))

    fac = Steady(target.urls[0], {"facilitator_token": target.facilitator_token})
    await fac.open()
    snap = await fac.ok("snapshot")
    code, settings = snap["workshop"]["code"], snap["workshop"]["settings"]
    screen = Steady(target.urls[-1], {"code": code, "role": "screen"}, on_event=on_screen)
    await screen.open()
    await screen.ok("snapshot")
    watcher = asyncio.get_running_loop().create_task(screen.watch())
    try:
        return await script(target, phones_n, args, r, fac, screen, code, settings, tallies)
    finally:
        watcher.cancel()
        r["facilitator drops"], r["projector drops"] = fac.drops, screen.drops
        await asyncio.gather(fac.close(), screen.close())


async def script(
    target: Target, phones_n: int, args, r: dict, fac: Steady, screen: Steady, code: str, settings: dict, tallies: list
) -> dict:
    limit = args.step_limit
    groups = settings.get("groups") or [None]
    await settle(target)
    rss0 = target.rss()

    # join storm
    phones: list[Conn | None] = [None] * phones_n
    tokens: list[str | None] = [None] * phones_n

    async def join(n: int) -> None:
        c = Conn(target.urls[n % len(target.urls)], {"code": code})
        try:
            await c.open()
            data = await c.ok("join", {"op_id": new_op(), "group": groups[n % len(groups)]} if groups[0] else {"op_id": new_op()})
        except BaseException:
            await c.close()
            raise
        phones[n], tokens[n] = c, data["token"]

    with Step(target) as s:
        res = await bounded([join(n) for n in range(phones_n)], args.concurrency, limit)
    fails = sum(1 for x in res if isinstance(x, BaseException))
    r["joins/s"] = (phones_n - fails) / s.wall
    r["join failures"] = fails
    r["CPU ms/join"] = s.server_ms / max(1, phones_n - fails)
    r["gen CPU % join"] = s.gen_pct
    live = [n for n in range(phones_n) if phones[n] is not None]

    await settle(target)
    r["idle KB/phone"] = (target.rss() - rss0) / max(1, len(live))

    # idea burst (diverge)
    await fac.ok("phase.advance", {"op_id": new_op()})
    count = int(args.idea_rate * args.burst)

    async def post(k: int, at: float) -> float:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        c = phones[live[k % len(live)]]
        t = time.perf_counter()
        await c.ok("idea.post", {"op_id": new_op(), "text": f"Idée {k} pour le quartier"})
        return time.perf_counter() - t

    start = time.perf_counter() + 0.2
    with Step(target) as s:
        res = await bounded([post(k, start + k / args.idea_rate) for k in range(count)], count or 1, limit)
    lat = [x for x in res if isinstance(x, float)]
    r["idea ack p50"], r["idea ack p95"], r["idea ack p99"] = pct(lat, 50), pct(lat, 95), pct(lat, 99)
    r["idea failures"] = count - len(lat)
    r["gen CPU % idea"] = s.gen_pct

    # define: themes, tallies shown, vote open
    await fac.ok("phase.advance", {"op_id": new_op()})
    themes = [(await fac.ok("theme.create", {"op_id": new_op(), "title": f"Thème {i}"}))["theme"]["id"] for i in range(5)]
    await fac.ok("tallies.reveal", {"op_id": new_op(), "revealed": True})
    await fac.ok("vote.open", {"op_id": new_op(), "open": True})
    await settle(target)

    # vote burst
    votes = [{"op_id": new_op(), "kind": "theme", "target_id": themes[n % 5], "delta": 1} for n in live]
    first: dict[int, dict] = {}
    sent: dict[int, float] = {}
    acked_at: dict[int, float] = {}

    async def vote(k: int, at: float) -> float:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        t = sent[k] = time.perf_counter()
        first[k] = await phones[live[k]].ok("vote", votes[k])
        acked_at[k] = time.perf_counter()
        return acked_at[k] - t

    tallies.clear()
    start = time.perf_counter() + 0.2
    with Step(target) as s:
        res = await bounded([vote(k, start + k * args.burst / len(live)) for k in range(len(live))], len(live) or 1, limit)
        lat = [x for x in res if isinstance(x, float)]
        acked = len(lat)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (tallies and sum(tallies[-1][1].values()) >= acked):
            await asyncio.sleep(0.05)
    r["vote ack p50"], r["vote ack p95"], r["vote ack p99"] = pct(lat, 50), pct(lat, 95), pct(lat, 99)
    r["vote failures"] = len(live) - acked
    r["gen CPU % vote"] = s.gen_pct
    seen = []
    by_theme: dict[int, list[int]] = {}
    for k in sorted(acked_at, key=acked_at.get):
        by_theme.setdefault(votes[k]["target_id"], []).append(k)
    for tid, ks in by_theme.items():
        for rank, k in enumerate(ks, 1):
            shown = next((t for t, dots in tallies if t >= sent[k] and dots.get(tid, 0) >= rank), None)
            if shown is not None:
                seen.append(shown - sent[k])
    r["tally p50"], r["tally p95"], r["tally p99"] = pct(seen, 50), pct(seen, 95), pct(seen, 99)
    r["votes not shown"] = acked - len(seen)

    async def stored() -> int:
        snap = await fac.ok("snapshot", timeout=120)
        rnd = next(x for x in snap["rounds"] if x["phase"] == "define")
        return sum(v["dots"] for v in rnd["votes"] if v["kind"] == "theme")

    r["votes acked"] = acked
    r["votes stored"] = before = await stored()
    r["CPU ms/vote"] = s.server_ms / max(1, acked, before)  # the votes committed, acknowledged in time or not

    # replay: every acknowledged vote again, same op id
    async def replay(k: int) -> bool:
        again = await phones[live[k]].ok("vote", votes[k])
        return again == first[k]

    res = await bounded([replay(k) for k in first], args.concurrency, limit)
    r["replay answers differ"] = sum(1 for x in res if x is False)
    r["replay failures"] = sum(1 for x in res if isinstance(x, BaseException))
    r["doubled on replay"] = await stored() - before

    # reconnect storm
    await asyncio.gather(*(phones[n].close() for n in live))

    async def back(n: int) -> None:
        c = Conn(target.urls[n % len(target.urls)], {"code": code, "token": tokens[n]})
        try:
            await c.open()
            await c.ok("snapshot")
        except BaseException:
            await c.close()
            raise
        phones[n] = c

    with Step(target) as s:
        res = await bounded([back(n) for n in live], args.concurrency, limit)
    r["reconnect s"] = s.wall
    r["reconnect failures"] = sum(1 for x in res if isinstance(x, BaseException))
    r["CPU ms/reconnect"] = s.server_ms / max(1, len(live))
    r["gen CPU % reconnect"] = s.gen_pct
    await asyncio.gather(*(c.close() for c in phones if c is not None))
    return r


# --------------------------------------------------------------------------- targets


def start_target(kind: str, mode: str, tmp: Path, args):
    """Start the processes of one target; returns (Target, stop)."""
    env = {"WORKSHOP_TALLY_INTERVAL": str(args.tally_interval)}
    if not args.assist:  # the grouping assistant is an optional extra; with it, every idea is embedded too
        env["WORKSHOP_ASSIST_EMBEDDER"] = "none"
    if kind == "relay":
        relay = Relay(tmp, mode, args.tally_interval).start()
        return Target("relay", [relay.url], [relay.proc.pid], "relay-facilitator"), relay.stop
    if kind == "app":
        server = Server(tmp, async_mode=mode, extra_env=env).start()
        servers, stop_schema = [server], None
    else:  # scaleout: two workers, PostgreSQL (fresh schema), Redis message queue
        url, schema = _postgres_schema_url()
        env |= {"WORKSHOP_MESSAGE_QUEUE": REDIS_URL, "WORKSHOP_MESSAGE_CHANNEL": f"bench-{new_op()[:8]}"}
        a = Server(tmp / "a", database_url=url, async_mode=mode, extra_env=env).start()
        b = Server(tmp / "b", database_url=url, async_mode=mode, extra_env=env).start()
        servers, stop_schema = [a, b], schema
    token = None
    deadline = time.monotonic() + 30
    while token is None:
        m = re.search(r"/f/([A-Za-z0-9_-]+)", servers[0].output())
        token = m and m.group(1)
        if token is None:
            if time.monotonic() > deadline:
                raise RuntimeError("no facilitator link in the server's output")
            time.sleep(0.05)

    def stop():
        for s in servers:
            s.stop()
        if stop_schema:
            _drop_schema(stop_schema)

    return Target(kind, [s.url for s in servers], [s.proc.pid for s in servers], token), stop


def one(kind: str, mode: str, phones: int, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        target, stop = start_target(kind, mode, Path(tmp), args)
        try:
            r: dict = {}
            try:
                asyncio.run(asyncio.wait_for(run_once(target, phones, args, r), args.run_limit))
                r["aborted"] = 0
            except Exception as error:  # what was measured before is kept, the rest is left out
                r["aborted"] = 1
                print(
                    f"{kind} {mode} {phones}: aborted after {list(r)[-2:-1]}: {type(error).__name__}: {error}", file=sys.stderr, flush=True
                )
            return r
        finally:
            stop()


# --------------------------------------------------------------------------- report

FIGURES = [
    ("joins/s", "{:.0f}"),
    ("join failures", "{:.0f}"),
    ("CPU ms/join", "{:.1f}"),
    ("idle KB/phone", "{:.0f}"),
    ("vote ack p50", "{:.0f}"),
    ("vote ack p95", "{:.0f}"),
    ("vote ack p99", "{:.0f}"),
    ("tally p50", "{:.0f}"),
    ("tally p95", "{:.0f}"),
    ("tally p99", "{:.0f}"),
    ("votes acked", "{:.0f}"),
    ("votes stored", "{:.0f}"),
    ("vote failures", "{:.0f}"),
    ("votes not shown", "{:.0f}"),
    ("doubled on replay", "{:.0f}"),
    ("replay answers differ", "{:.0f}"),
    ("replay failures", "{:.0f}"),
    ("CPU ms/vote", "{:.2f}"),
    ("idea ack p50", "{:.0f}"),
    ("idea ack p95", "{:.0f}"),
    ("idea ack p99", "{:.0f}"),
    ("idea failures", "{:.0f}"),
    ("reconnect s", "{:.1f}"),
    ("reconnect failures", "{:.0f}"),
    ("CPU ms/reconnect", "{:.1f}"),
    ("facilitator drops", "{:.0f}"),
    ("projector drops", "{:.0f}"),
    ("aborted", "{:.0f}"),
    ("gen CPU % join", "{:.0f}"),
    ("gen CPU % vote", "{:.0f}"),
    ("gen CPU % reconnect", "{:.0f}"),
]
RATIO = {
    "joins/s",
    "CPU ms/join",
    "idle KB/phone",
    "vote ack p50",
    "vote ack p95",
    "vote ack p99",
    "tally p50",
    "tally p95",
    "tally p99",
    "CPU ms/vote",
    "idea ack p50",
    "idea ack p95",
    "idea ack p99",
    "reconnect s",
    "CPU ms/reconnect",
}


def cell(values: list[float], fmt: str) -> str:
    values = [v for v in values if v == v]  # drop NaN
    if not values:
        return "–"
    med = fmt.format(statistics.median(values))
    if len(values) == 1 or min(values) == max(values):
        return med
    return f"{med} [{fmt.format(min(values))}–{fmt.format(max(values))}]"


def table(results: dict, kinds: list[str], phones: list[int], modes: list[str]) -> str:
    app, base = kinds
    lines = []
    for n in phones:
        for mode in modes:
            a, b = results.get((app, mode, n), []), results.get((base, mode, n), [])
            if not a and not b:
                continue
            lines += [
                "",
                f"**{n} phones, {mode}** ({max(len(a), len(b))} runs; ms unless said)",
                "",
                f"| figure | {app} | {base} | {app}/{base} |",
                "|---|---|---|---|",
            ]
            for name, fmt in FIGURES:
                va, vb = [x[name] for x in a if name in x], [x[name] for x in b if name in x]
                ratio = "–"
                if name in RATIO and va and vb:
                    ma, mb = statistics.median(va), statistics.median(vb)
                    ratio = f"×{ma / mb:.2f}" if mb else "–"
                lines.append(f"| {name} | {cell(va, fmt)} | {cell(vb, fmt)} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
    parser.add_argument("--phones", type=int, nargs="+", help="phone counts (default 500 1000 2000; --scaleout: 5000)")
    parser.add_argument("--repeats", type=int, help="runs of each target per count and mode (default 3)")
    parser.add_argument("--modes", nargs="+", choices=["eventlet", "gevent", "threading"], help="async modes (default eventlet)")
    parser.add_argument(
        "--scaleout", action="store_true", help="two workers on PostgreSQL + Redis (default 5,000 phones) against one relay"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="defaults that fit in 20 min on a loaded 2-core machine: --phones 1000 2000 --repeats 1 --modes eventlet gevent",
    )
    parser.add_argument(
        "--targets", nargs="+", choices=["app", "relay"], help="run only these (default: both; with --scaleout, app means the two workers)"
    )
    parser.add_argument(
        "--assist", action="store_true", help="leave the grouping assistant on if installed (default: off, as a plain install ships)"
    )
    parser.add_argument("--burst", type=float, default=5.0, help="seconds the vote and idea bursts are spread over")
    parser.add_argument("--idea-rate", type=float, default=100.0, help="ideas per second in the idea burst")
    parser.add_argument("--concurrency", type=int, default=200, help="joins / reconnects in flight at once")
    parser.add_argument("--tally-interval", type=float, default=0.5, help="WORKSHOP_TALLY_INTERVAL of both servers (shipped default 0.5)")
    parser.add_argument(
        "--step-limit", type=float, default=180.0, help="time limit of one step, s (unfinished operations count as failures)"
    )
    parser.add_argument("--run-limit", type=float, default=900.0, help="time limit of one run, s")
    args = parser.parse_args()
    if args.quick:
        preset = {"phones": [1000, 2000], "repeats": 1, "modes": ["eventlet", "gevent"]}
    else:
        preset = {"phones": [5000] if args.scaleout else [500, 1000, 2000], "repeats": 3, "modes": ["eventlet"]}
    for name, value in preset.items():  # what is given on the command line wins
        if getattr(args, name) is None:
            setattr(args, name, value)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped by PID: the finally blocks stop the servers
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < max(args.phones) + 100:
        sys.exit(f"file-descriptor limit {hard} < {max(args.phones) + 100}: raise it (ulimit -n) first")

    kinds = ["scaleout", "relay"] if args.scaleout else ["app", "relay"]
    chosen = [k for k in kinds if args.targets is None or (k if k == "relay" else "app") in args.targets]
    results: dict = {}
    began = time.perf_counter()
    for rep in range(args.repeats):
        for n in args.phones:
            for mode in args.modes:
                for kind in chosen if rep % 2 == 0 else chosen[::-1]:  # alternate who goes first
                    t = time.perf_counter()
                    try:
                        r = one(kind, mode, n, args)
                    except Exception as error:  # a run that fails is reported, the others go on
                        print(f"run {rep + 1} {kind} {mode} {n}: FAILED {type(error).__name__}: {error}", file=sys.stderr, flush=True)
                        continue
                    results.setdefault((kind, mode, n), []).append(r)
                    print(
                        f"run {rep + 1}/{args.repeats} {kind:8} {mode:8} {n:5} phones ({time.perf_counter() - t:.0f} s): "
                        + ", ".join(f"{k} {v:.1f}" for k, v in r.items()),
                        file=sys.stderr,
                        flush=True,
                    )
    total = time.perf_counter() - began
    what = "two workers + PostgreSQL + Redis" if args.scaleout else "workshop serve, SQLite"
    print(f"\n## Load bench: {what} vs bare relay; medians [min–max] of {args.repeats} interleaved runs; took {total / 60:.1f} min")
    print(
        f"(vote burst: one vote per phone over {args.burst:g} s; ideas {args.idea_rate:g}/s for {args.burst:g} s; tally interval {args.tally_interval:g} s; "
        f"join/reconnect {args.concurrency} in flight; {os.cpu_count()} CPUs; command: {' '.join(sys.argv[1:])})"
    )
    print(table(results, kinds, args.phones, args.modes))


if __name__ == "__main__":
    main()
