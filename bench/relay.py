"""A bare Flask-SocketIO relay: the baseline ``bench/load.py`` compares ``workshop serve`` with.

    .venv/bin/python bench/relay.py --port 8123 --async-mode eventlet [--tally-interval 0.5]

Same Socket.IO options as the app (ping interval and time-out, frame size), same
async server started the same way (``socketio.run``), the same events answering
the same shapes (``join``, ``vote``, ``idea.post``, ``snapshot`` and the few
facilitator events the bench sends), the same rooms (``f``, ``s``, ``p``, ``u``)
and the same coalesced loop (at most one ``tally`` and one ``presence`` per
interval per room) — but no authentication, no rules and no database: state is
a few dictionaries, so what it costs is Socket.IO itself.  Op ids are applied
at most once per sender, as the app does, so a replay changes nothing.

Bench only: it trusts every client.  It prints ``relay ready`` once it listens.
"""

from __future__ import annotations

import sys


def _mode(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--async-mode" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--async-mode="):
            return arg.split("=", 1)[1]
    return "eventlet"


MODE = _mode(sys.argv)
if MODE == "eventlet":  # patched before anything else is imported, as workshop/cli.py does
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import eventlet
    eventlet.monkey_patch()
elif MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402
import itertools  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from flask import Flask, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402

# The app's Socket.IO options (workshop/web/sockets.py: init_app).
try:
    from workshop.web.sockets import MAX_FRAME
except Exception:  # pragma: no cover - the bench still runs against an older tree
    MAX_FRAME = 1024 * 1024
PING_INTERVAL = 20
PING_TIMEOUT = 20

CODE = "RELAY1"
FACILITATOR_TOKEN = "relay-facilitator"
WORKSHOP_ID = 1
ROUND_ID = 1
GROUPS = ["habitant", "agent", "association"]


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class State:
    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.participants: dict[str, dict] = {}  # token -> participant
        self.sessions: dict[str, dict] = {}  # sid -> {"role", "participant"}
        self.ops: dict[tuple[str, str], tuple[str, dict]] = {}  # (sender, op_id) -> (event, answer)
        self.phase = "lobby"
        self.vote_open = False
        self.revealed = False
        self.themes: list[dict] = []
        self.ideas: list[dict] = []
        self.dots: dict[int, dict[int, int]] = {}  # participant id -> {theme id: dots}
        self.dirty_tally = False
        self.dirty_presence = False


def create(interval: float) -> tuple[Flask, SocketIO]:
    app = Flask(__name__)
    socketio = SocketIO(
        app,
        async_mode=MODE,
        max_http_buffer_size=MAX_FRAME,
        ping_interval=PING_INTERVAL,
        ping_timeout=PING_TIMEOUT,
    )
    st = State()

    def room(kind: str) -> str:
        return f"{kind}:{WORKSHOP_ID}"

    def ok(data: dict) -> dict:
        return {"ok": True, "data": data}

    def fail(code: str) -> dict:
        return {"ok": False, "error": {"code": code, "type": "invalid", "message": code, "params": {}}}

    def sender() -> str:
        session = st.sessions.get(request.sid, {})
        p = session.get("participant")
        return f"p{p['id']}" if p else request.sid

    def once(event: str, payload, apply):
        """Apply ``op_id`` at most once per sender; the same answer again on a replay."""
        op = (payload or {}).get("op_id")
        if not isinstance(op, str):
            return fail("invalid_field")
        key = (sender(), op)
        if key in st.ops:
            first, answer = st.ops[key]
            return answer if first == event else fail("op_id_reused")
        answer = apply(payload)
        if answer.get("ok"):
            st.ops[key] = (event, answer)
        return answer

    def round_view() -> dict:
        return {
            "id": ROUND_ID,
            "position": 1,
            "question": "Relay",
            "phase": st.phase,
            "vote_open": st.vote_open,
            "tallies_revealed": st.revealed,
            "can": {"post_idea": st.phase == "diverge", "vote_theme": st.phase == "define" and st.vote_open},
        }

    def tally_view() -> dict:
        items: dict[int, dict] = {t["id"]: {"id": t["id"], "dots": 0, "voters": 0, "by_group": {}} for t in st.themes}
        groups = {p["id"]: p["group"] for p in st.participants.values()}
        for pid, mine in st.dots.items():
            for tid, n in mine.items():
                if not n:
                    continue
                item = items.setdefault(tid, {"id": tid, "dots": 0, "voters": 0, "by_group": {}})
                item["dots"] += n
                item["voters"] += 1
                g = groups.get(pid)
                item["by_group"][g] = item["by_group"].get(g, 0) + n
        ranked = sorted((i for i in items.values() if i["dots"]), key=lambda i: (-i["dots"], -i["voters"], i["id"]))
        return {
            "round_id": ROUND_ID,
            "kind": "theme",
            "visible": st.revealed,
            "items": list(items.values()),
            "ranking": [i["id"] for i in ranked],
        }

    def presence_view() -> dict:
        by_group: dict[str, int] = {}
        for p in st.participants.values():
            by_group[p["group"]] = by_group.get(p["group"], 0) + 1
        return {"count": len(st.participants), "by_group": by_group, "ideas": {str(ROUND_ID): len(st.ideas)}}

    def flush_loop() -> None:
        while True:
            socketio.sleep(interval)
            if st.dirty_tally:
                st.dirty_tally = False
                data = tally_view()
                socketio.emit("tally", data, to=room("f"))
                socketio.emit("tally", data, to=[room("s"), room("p")])
            if st.dirty_presence:
                st.dirty_presence = False
                socketio.emit("presence", presence_view(), to=[room("f"), room("s"), room("p")])

    @socketio.on("connect")
    def on_connect(auth=None):
        auth = auth or {}
        if auth.get("facilitator_token"):
            st.sessions[request.sid] = {"role": "facilitator"}
            join_room(room("f"))
        elif auth.get("role") == "screen":
            st.sessions[request.sid] = {"role": "screen"}
            join_room(room("s"))
        elif auth.get("token") in st.participants:
            p = st.participants[auth["token"]]
            st.sessions[request.sid] = {"role": "participant", "participant": p}
            join_room(room("p"))
            join_room(f"u:{p['id']}")
        else:
            st.sessions[request.sid] = {"role": "guest"}
        return True

    @socketio.on("disconnect")
    def on_disconnect(*_):
        st.sessions.pop(request.sid, None)

    @socketio.on("join")
    def on_join(payload=None):
        def apply(payload):
            p = {"id": next(st.ids), "pseudonym": payload.get("pseudonym"), "group": payload.get("group") or GROUPS[0]}
            token = uuid.uuid4().hex
            st.participants[token] = p
            st.sessions[request.sid] = {"role": "participant", "participant": p}
            join_room(room("p"))
            join_room(f"u:{p['id']}")
            st.dirty_presence = True
            return ok({"token": token, "participant": p})

        return once("join", payload, apply)

    @socketio.on("vote")
    def on_vote(payload=None):
        def apply(payload):
            p = st.sessions.get(request.sid, {}).get("participant")
            if p is None:
                return fail("role")
            if not (st.phase == "define" and st.vote_open):
                return fail("vote_not_open")
            tid = payload.get("target_id")
            mine = st.dots.setdefault(p["id"], {})
            before = mine.get(tid, 0)
            new = max(0, before + int(payload.get("delta", 1)))
            used = sum(mine.values()) - before + new
            mine[tid] = new
            st.dirty_tally = True
            return ok({"kind": "theme", "target_id": tid, "dots": new, "used": used, "remaining": 5 - used})

        return once("vote", payload, apply)

    @socketio.on("idea.post")
    def on_idea(payload=None):
        def apply(payload):
            p = st.sessions.get(request.sid, {}).get("participant")
            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            idea = {
                "id": len(st.ideas) + 1,
                "round_id": ROUND_ID,
                "text": str(payload.get("text", "")).strip(),
                "author": None,
                "group": p["group"] if p else None,
                "on_behalf": p is None,
                "hidden": False,
                "withdrawn": False,
                "merged_into": None,
                "theme_id": None,
                "count": 1,
                "created_at": now,
                "updated_at": now,
            }
            st.ideas.append(idea)
            socketio.emit("idea", {**idea, "participant_id": p["id"] if p else None}, to=room("f"))
            socketio.emit("idea", idea, to=room("s"))
            if p:
                socketio.emit("idea", {**idea, "mine": True}, to=f"u:{p['id']}")
            st.dirty_presence = True
            return ok({"idea": {**idea, "mine": True}})

        return once("idea.post", payload, apply)

    @socketio.on("snapshot")
    def on_snapshot(payload=None):
        session = st.sessions.get(request.sid, {})
        role = session.get("role", "guest")
        rnd = {**round_view(), "themes": st.themes, "tallies": {"theme": tally_view() if st.revealed else None, "action": None}}
        data = {
            "schema": 1,
            "role": role,
            "workshop": {"id": WORKSHOP_ID, "code": CODE, "title": "Relay", "settings": {"dot_budget": 5, "dot_cap": 3, "groups": GROUPS}},
            "presence": presence_view(),
            "rounds": [rnd],
        }
        if role == "facilitator":
            rnd["votes"] = [
                {"kind": "theme", "target_id": t, "participant_id": pid, "dots": n}
                for pid, mine in st.dots.items()
                for t, n in mine.items()
                if n
            ]
        if role == "participant":
            p = session["participant"]
            data["me"] = {**p, "votes": {str(ROUND_ID): {"theme": {str(t): n for t, n in st.dots.get(p["id"], {}).items()}}}}
        return ok(data)

    def facilitator_write(event: str, change):
        def handler(payload=None):
            if st.sessions.get(request.sid, {}).get("role") != "facilitator":
                return fail("role")

            def apply(payload):
                data = change(payload)
                socketio.emit("round", round_view(), to=[room("f"), room("s"), room("p")])
                return ok(data)

            return once(event, payload, apply)

        socketio.on_event(event, handler)

    def advance(payload):
        order = ["lobby", "diverge", "define", "converge", "closed"]
        closed = st.phase
        st.phase = order[min(order.index(st.phase) + 1, len(order) - 1)]
        st.vote_open = False
        return {"round": round_view(), "closed": closed}

    def theme_create(payload):
        theme = {
            "id": 1000 + len(st.themes),
            "round_id": ROUND_ID,
            "title": payload.get("title"),
            "objective": "",
            "criteria": [],
            "position": len(st.themes),
            "kept": False,
        }
        st.themes.append(theme)
        socketio.emit("theme", theme, to=[room("f"), room("s"), room("p")])
        return {"theme": theme}

    def reveal(payload):
        st.revealed = bool(payload.get("revealed", True))
        st.dirty_tally = True
        return {"round": round_view()}

    def vote_open(payload):
        st.vote_open = bool(payload.get("open"))
        return {"round": round_view()}

    facilitator_write("phase.advance", advance)
    facilitator_write("theme.create", theme_create)
    facilitator_write("tallies.reveal", reveal)
    facilitator_write("vote.open", vote_open)

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    socketio.start_background_task(flush_loop)
    return app, socketio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--async-mode", choices=["eventlet", "gevent", "threading"], default="eventlet")
    parser.add_argument("--tally-interval", type=float, default=float(os.environ.get("WORKSHOP_TALLY_INTERVAL", "0.5")))
    args = parser.parse_args()
    raise_fd_limit()
    app, socketio = create(args.tally_interval)
    print(f"relay ready on 127.0.0.1:{args.port} (async mode: {MODE}); code {CODE}; /f/{FACILITATOR_TOKEN}", flush=True)
    extra = {"max_size": 100_000} if MODE == "eventlet" else {}  # no 1,024-connection cap: the baseline is Socket.IO itself
    socketio.run(app, host="127.0.0.1", port=args.port, log_output=False, allow_unsafe_werkzeug=MODE == "threading", **extra)


if __name__ == "__main__":
    main()
