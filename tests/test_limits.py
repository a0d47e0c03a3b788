"""Budgets against floods (issue 11, finding 1): one socket or one address cannot stall the room.

The arithmetic with a fake clock; then a real ``workshop serve`` on 127.0.0.1 with real
Socket.IO clients: a flooder is refused cheaply and disconnected while another phone's
acks stay fast, a hall behind one address still joins, and HTTP routes answer 429.
"""

from __future__ import annotations

import re
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import socketio
from support import ROOT, Server, new_op, wait_until

from workshop.web.limits import MAX_ADDRESSES, Bucket, Budgets, _is_join, _parse, storage_uri

sys.path.insert(0, str(ROOT / "docs"))
import example_client

#: a generous bound on another phone's ack under flood (not a benchmark: bench/flood.py measures)
SLOW = 5.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --------------------------------------------------------------------------- arithmetic


def test_a_bucket_grants_its_burst_then_its_rate():
    bucket = Bucket(rate=10, burst=30, now=0.0)
    assert all(bucket.take(0.0) == 0 for _ in range(30))
    wait = bucket.take(0.0)
    assert wait == pytest.approx(0.1)
    assert bucket.take(0.1) == 0  # one more after a tenth of a second
    assert bucket.take(10.0) == 0 and bucket.full(13.0)


def test_a_phone_posting_and_voting_fast_is_never_refused():
    clock = Clock()
    budgets = Budgets(clock=clock)
    budgets.connect("phone", "10.0.0.1")
    # a burst of 30 taps (an outbox flushed after a reconnection), then 8 a second for a minute
    assert all(budgets.event("phone")[0] == 0 for _ in range(30))
    for _ in range(60 * 8):
        clock.now += 1 / 8
        assert budgets.event("phone")[0] == 0
    assert budgets.refusals == 0


def test_a_flooder_is_refused_then_disconnected_once():
    clock = Clock()
    budgets = Budgets(clock=clock, flood_refusals=50)
    budgets.connect("bot", "10.0.0.2", message="Doucement")
    answers = [budgets.event("bot") for _ in range(200)]
    assert all(wait == 0 for wait, _, _ in answers[:30])
    assert all(wait > 0 and message == "Doucement" for wait, _, message in answers[30:])
    assert [kick for _, kick, _ in answers].count(True) == 1
    assert answers[30 + 50][1] is True  # the 51st refusal
    assert budgets.disconnects == 1
    budgets.connect("facilitator", "10.0.0.2", trusted=True)
    assert all(budgets.event("facilitator")[0] == 0 for _ in range(500))  # its link is the secret
    budgets.disconnect("bot")
    assert "bot" not in budgets.connections


def test_joins_are_budgeted_per_connection_and_per_address():
    clock = Clock()
    budgets = Budgets(clock=clock, join_burst=5, address_join_burst=8, address_join_rate=1)
    budgets.connect("a", "10.0.0.3")
    assert [budgets.event("a", join=True)[0] == 0 for _ in range(6)] == [True] * 5 + [False]
    budgets.connect("b", "10.0.0.3")
    assert [budgets.event("b", join=True)[0] == 0 for _ in range(4)] == [True] * 3 + [False]  # 8 per address
    budgets.connect("c", "10.0.0.4")
    assert budgets.event("c", join=True)[0] == 0  # another address is not affected


def test_connections_per_address_and_the_address_book_stays_bounded():
    clock = Clock()
    budgets = Budgets(clock=clock, address_connect_burst=3, address_connect_rate=1)
    assert [budgets.connect(f"s{n}", "10.0.0.5") == 0 for n in range(4)] == [True, True, True, False]
    clock.now += 1
    assert budgets.connect("s9", "10.0.0.5") == 0
    for n in range(MAX_ADDRESSES + 500):
        budgets.connect(f"x{n}", f"a{n}")
        budgets.disconnect(f"x{n}")
        clock.now += 1
    assert len(budgets.address_connects) <= MAX_ADDRESSES


def test_the_defaults_let_a_hall_of_two_thousand_phones_behind_one_nat_in_within_two_minutes():
    clock = Clock()
    budgets = Budgets(clock=clock)
    waiting = [("connect", n) for n in range(2000)]
    joined = 0
    started = clock.now
    while waiting and clock.now - started < 120:
        retry = []
        for step, n in waiting:
            if step == "connect":
                if budgets.connect(f"g{n}", "192.0.2.1"):
                    retry.append((step, n))
                elif budgets.event(f"g{n}", join=True)[0]:
                    retry.append(("join", n))
                else:
                    retry.append(("participant", n))
            elif step == "join":
                retry.append(("join", n) if budgets.event(f"g{n}", join=True)[0] else ("participant", n))
            elif budgets.connect(f"p{n}", "192.0.2.1"):
                retry.append((step, n))
            else:
                joined += 1
        waiting = retry
        clock.now += 1
    assert joined == 2000, f"{joined} phones in after 2 minutes"


def test_the_packet_prefix_is_read_without_decoding_and_odd_spellings_count_as_joins():
    assert _parse('2["vote",{}]') == ("/", None, 1)
    assert _parse('217["vote",{}]') == ("/", 17, 3)
    assert _parse('2/admin,5["x"]') == ("/admin", 5, 9)
    packet = '23["join",{"op_id":"x"}]'
    assert _is_join(packet, _parse(packet)[2])
    for frame in ('23["snapshot",{}]', '23["idea.post",{"text":"join"}]'):
        assert not _is_join(frame, _parse(frame)[2])
    for frame in ('23[ "join",{}]', '23["jo\\u0069n",{}]', '23["join'):
        assert _is_join(frame, _parse(frame)[2]), frame


# --------------------------------------------------------------------------- real server


def facilitator_token(server: Server) -> str:
    return wait_until(lambda: re.search(r"/f/([A-Za-z0-9_-]+)", server.output()), message="facilitator link").group(1)


@pytest.fixture
def room(tmp_path):
    server = Server(tmp_path, extra_env={"WORKSHOP_LIMIT_FLOOD_REFUSALS": "200"}).start()
    facilitator = example_client.Client(server.url, {"facilitator_token": facilitator_token(server)})
    code = facilitator.ok("snapshot")["workshop"]["code"]
    facilitator.ok("phase.advance", {"op_id": new_op()})
    yield server, facilitator, code
    facilitator.close()
    server.stop()


def phone(server: Server, code: str, name: str) -> example_client.Client:
    guest = example_client.Client(server.url, {"code": code, "guest_id": secrets.token_urlsafe(16)})
    token = guest.ok("join", {"op_id": new_op(), "pseudonym": name})["token"]
    guest.close()
    return example_client.Client(server.url, {"code": code, "token": token})


def test_a_flooding_socket_is_refused_cheaply_and_disconnected_while_another_phone_stays_fast(room):
    server, facilitator, code = room
    calm = phone(server, code, "Calme")
    flooder = phone(server, code, "Bruit")
    answers: list[dict] = []
    lock = threading.Lock()
    disconnected = threading.Event()
    flooder.sio.on("disconnect", lambda *args: disconnected.set())

    def record(answer=None):
        with lock:
            answers.append(answer)

    sent = 0
    for n in range(600):  # bounded: what a script sends in well under a second
        if not flooder.sio.connected:
            break
        event, payload = [("idea.post", {"op_id": new_op(), "text": f"bruit {n}"}), ("snapshot", {})][n % 2]
        try:
            flooder.sio.emit(event, payload, callback=record)
        except socketio.exceptions.BadNamespaceError:
            break
        sent += 1
        if n % 50 == 0:  # meanwhile, a normal phone posts and is answered fast
            started = time.monotonic()
            calm.ok("idea.post", {"op_id": new_op(), "text": f"une vraie idée {n}"})
            assert time.monotonic() - started < SLOW  # without the budgets: 20 s and more
    wait_until(disconnected.is_set, timeout=20, message="the flooder disconnected")
    with lock:
        refused = [a for a in answers if a and not a["ok"]]
    assert refused and all(a["error"]["code"] == "too_fast" and a["error"]["params"]["retry_after"] >= 1 for a in refused)
    assert refused[0]["error"]["message"]  # the readable sentence
    # refused events did no work: only what the budget granted reached the database
    ideas = [i for r in facilitator.ok("snapshot")["rounds"] for i in r["ideas"] if i["text"].startswith("bruit")]
    assert len(ideas) <= 30 // 2 + 10, f"{len(ideas)} flood ideas stored out of {sent} sent"
    started = time.monotonic()
    calm.ok("snapshot")
    assert time.monotonic() - started < SLOW
    calm.close()


def test_a_hall_behind_one_address_still_joins(room):
    server, _facilitator, code = room
    joined: list[str] = []

    def arrive(n: int) -> None:
        guest = example_client.Client(server.url, {"code": code, "guest_id": secrets.token_urlsafe(16)})
        try:
            joined.append(guest.ok("join", {"op_id": new_op(), "pseudonym": f"P{n}"})["participant"]["id"])
        finally:
            guest.close()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(arrive, range(300)))  # 300 joins from 127.0.0.1: all within the address budget
    assert len(set(joined)) == 300


def test_a_guest_connection_may_join_a_few_times_only(room):
    server, _facilitator, code = room
    guest = example_client.Client(server.url, {"code": code})
    codes = [guest.sio.call("join", {"op_id": new_op(), "group": "no such group"}, timeout=10)["error"]["code"] for _ in range(7)]
    assert codes[:5] == ["unknown_group"] * 5
    assert codes[5:] == ["too_fast", "too_fast"]
    guest.close()


def test_an_address_opening_connections_too_fast_is_refused_with_too_fast(tmp_path):
    env = {"WORKSHOP_LIMIT_ADDRESS_CONNECT_BURST": "4", "WORKSHOP_LIMIT_ADDRESS_CONNECT_RATE": "0.01"}
    server = Server(tmp_path, extra_env=env).start()
    clients = []
    try:
        code = example_client.Client(server.url, {"facilitator_token": facilitator_token(server)})
        clients.append(code.sio)
        for _ in range(3):
            client = socketio.Client(reconnection=False)
            client.connect(server.url, auth={"role": "screen", "code": code.ok("snapshot")["workshop"]["code"]}, transports=["websocket"])
            clients.append(client)
        refused: list = []
        last = socketio.Client(reconnection=False)
        last.on("connect_error", lambda data: refused.append(data))
        with pytest.raises(socketio.exceptions.ConnectionError):
            last.connect(server.url, auth={}, transports=["websocket"], wait_timeout=10)
        wait_until(lambda: refused, message="connect_error")
        assert refused[-1]["data"]["code"] == "too_fast" and refused[-1]["data"]["params"]["retry_after"] >= 1
    finally:
        for client in clients:
            client.disconnect()
        server.stop()


# --------------------------------------------------------------------------- HTTP


@pytest.fixture
def limited_app(tmp_path):
    from workshop import create_app

    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "RATELIMIT_EXPORTS": "2 per minute",
            "RATELIMIT_PAGES": "3 per minute",
        }
    )


def test_exports_answer_429_after_the_route_limit(limited_app):
    service = limited_app.extensions["workshop.service"]
    created = service.create_workshop("Atelier", rounds=["Question ?"])
    client = limited_app.test_client()
    url = f"/f/{created['facilitator_token']}/export.json"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "Vous envoyez beaucoup" in refused.get_data(as_text=True)
    assert refused.mimetype == "text/html"


def test_the_join_api_answers_429_in_json(limited_app):
    service = limited_app.extensions["workshop.service"]
    code = service.create_workshop("Atelier", rounds=["Question ?"])["workshop"]["code"]
    client = limited_app.test_client()
    assert [client.get(f"/api/workshops/{code}").status_code for _ in range(3)] == [200] * 3
    refused = client.get(f"/api/workshops/{code}?lang=en")
    assert refused.status_code == 429
    body = refused.get_json()
    assert body["ok"] is False and body["error"]["code"] == "too_fast" and body["error"]["params"]["retry_after"] >= 1
    # another address is not affected
    assert client.get(f"/api/workshops/{code}", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_http_limits_are_shared_in_redis_when_the_message_queue_is_redis():
    assert storage_uri({"MESSAGE_QUEUE": "redis://127.0.0.1:6379/0"}) == "redis://127.0.0.1:6379/0"
    assert storage_uri({"MESSAGE_QUEUE": None}) == "memory://"
    assert storage_uri({"MESSAGE_QUEUE": None, "RATELIMIT_STORAGE_URI": "memcached://x"}) == "memcached://x"


def test_no_http_error_leaks_when_limits_are_off(tmp_path):
    from workshop import create_app

    app = create_app(
        {"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "LIMIT_ENABLED": False, "RATELIMIT_PAGES": "1 per minute"}
    )
    client = app.test_client()
    assert [client.get("/api/workshops/NOPE00").status_code for _ in range(3)] == [404] * 3
