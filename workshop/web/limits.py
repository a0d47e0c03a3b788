"""Budgets: one phone, one script or one address cannot stall the room.

Socket.IO (in memory, per worker process, token buckets):

- **events per connection** (not the facilitator's: its secret link is the key) (``LIMIT_EVENT_RATE``/s sustained, ``LIMIT_EVENT_BURST`` at once):
  far above a person tapping — a phone voting and posting fast never meets it — and a
  refused event costs a dictionary lookup and a prepared answer (``too_fast`` with
  ``retry_after``): no database, no serialisation of the payload, no service call;
- **joins per connection** (``LIMIT_JOIN_BURST``, then one per ``1/LIMIT_JOIN_RATE`` s);
- **connections and joins per address** (``LIMIT_ADDRESS_*``): generous, because a
  whole hall of phones behind one venue NAT comes from *one* address — 2,000 phones
  (a guest connection, a join, the participant's connection: two connections and one
  join each) get in within about a minute with the defaults;
- **a connection that keeps flooding** after refusals (more than ``LIMIT_FLOOD_REFUSALS``
  refusals within ``LIMIT_FLOOD_WINDOW`` seconds) is disconnected.

HTTP (Flask-Limiter, per address): pages and QR codes (``RATELIMIT_PAGES``), exports
(``RATELIMIT_EXPORTS``); in memory, or in Redis when ``MESSAGE_QUEUE`` is a Redis URL
(shared by the workers).  A refusal is a readable 429 page, or JSON under ``/api/``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, jsonify, render_template_string, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_socketio import ConnectionRefusedError
from socketio import packet

from ..messages import MESSAGES

log = logging.getLogger(__name__)

#: the address book is pruned (idle, full buckets dropped) above this many addresses
MAX_ADDRESSES = 10_000


class Bucket:
    """A token bucket: ``burst`` tokens, refilled at ``rate`` per second."""

    __slots__ = ("rate", "burst", "tokens", "stamp")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, burst, now

    def take(self, now: float) -> float:
        """Take one token: 0 when granted, else the seconds until one is available."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate if self.rate > 0 else 3600.0

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.stamp) * self.rate >= self.burst


@dataclass
class Connection:
    events: Bucket
    joins: Bucket
    address: str
    trusted: bool = False
    message: str = ""
    refused: int = 0
    window: float = 0.0
    kicked: bool = False


@dataclass
class Budgets:
    """The Socket.IO budgets of one worker process (no Flask in the arithmetic)."""

    event_rate: float = 10.0
    event_burst: float = 30.0
    join_rate: float = 1 / 60
    join_burst: float = 5.0
    address_connect_rate: float = 50.0
    address_connect_burst: float = 2000.0
    address_join_rate: float = 25.0
    address_join_burst: float = 1000.0
    flood_refusals: int = 300
    flood_window: float = 10.0
    enabled: bool = True
    clock: Callable[[], float] = time.monotonic
    connections: dict[str, Connection] = field(default_factory=dict)
    address_connects: dict[str, Bucket] = field(default_factory=dict)
    address_joins: dict[str, Bucket] = field(default_factory=dict)
    #: counters for the bench and the logs
    refusals: int = 0
    disconnects: int = 0

    @classmethod
    def from_config(cls, config) -> Budgets:
        return cls(
            event_rate=float(config["LIMIT_EVENT_RATE"]),
            event_burst=float(config["LIMIT_EVENT_BURST"]),
            join_rate=float(config["LIMIT_JOIN_RATE"]),
            join_burst=float(config["LIMIT_JOIN_BURST"]),
            address_connect_rate=float(config["LIMIT_ADDRESS_CONNECT_RATE"]),
            address_connect_burst=float(config["LIMIT_ADDRESS_CONNECT_BURST"]),
            address_join_rate=float(config["LIMIT_ADDRESS_JOIN_RATE"]),
            address_join_burst=float(config["LIMIT_ADDRESS_JOIN_BURST"]),
            flood_refusals=int(config["LIMIT_FLOOD_REFUSALS"]),
            flood_window=float(config["LIMIT_FLOOD_WINDOW"]),
            enabled=bool(config["LIMIT_ENABLED"]),
        )

    def _address_bucket(self, book: dict[str, Bucket], address: str, rate: float, burst: float, now: float) -> Bucket:
        bucket = book.get(address)
        if bucket is None:
            if len(book) >= MAX_ADDRESSES:
                for key in [k for k, b in book.items() if b.full(now)]:
                    del book[key]
            bucket = book[address] = Bucket(rate, burst, now)
        return bucket

    def connect(self, sid: str, address: str, *, trusted: bool = False, message: str = "") -> float:
        """A new connection from ``address``: 0 when admitted, else the seconds to wait.

        ``trusted`` (the facilitator's) is not budgeted per event; ``message`` is the sentence
        of its refusals, in its language.
        """
        now = self.clock()
        if self.enabled:
            wait = self._address_bucket(self.address_connects, address, self.address_connect_rate, self.address_connect_burst, now).take(
                now
            )
            if wait:
                self.refusals += 1
                return wait
        self.connections[sid] = Connection(
            Bucket(self.event_rate, self.event_burst, now), Bucket(self.join_rate, self.join_burst, now), address, trusted, message
        )
        return 0.0

    def disconnect(self, sid: str) -> None:
        self.connections.pop(sid, None)

    def event(self, sid: str, join: bool = False) -> tuple[float, bool, str]:
        """An event (a ``join``?) on connection ``sid``: (seconds to wait or 0, whether to close it, the sentence)."""
        connection = self.connections.get(sid)
        if connection is None or connection.trusted or not self.enabled:
            return 0.0, False, ""
        now = self.clock()
        if connection.kicked:
            return 1.0, False, connection.message
        wait = connection.events.take(now)
        if not wait and join:
            wait = connection.joins.take(now)
            if not wait:
                bucket = self._address_bucket(self.address_joins, connection.address, self.address_join_rate, self.address_join_burst, now)
                wait = bucket.take(now)
        if not wait:
            return 0.0, False, ""
        self.refusals += 1
        if now - connection.window > self.flood_window:
            connection.window, connection.refused = now, 0
        connection.refused += 1
        kick = connection.refused > self.flood_refusals and not connection.kicked
        if kick:
            connection.kicked = True
            self.disconnects += 1
        return wait, kick, connection.message


def retry_after(wait: float) -> int:
    return max(1, math.ceil(wait))


def refusal(message: str, wait: float) -> dict:
    """The ``error`` member of a ``too_fast`` answer."""
    return {"code": "too_fast", "type": "invalid", "message": message, "params": {"retry_after": retry_after(wait)}}


_messages: dict[str, str] = {}


def too_fast_message(lang: str | None) -> str:
    """The ``too_fast`` sentence in ``lang``, translated once per language."""
    lang = lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]
    message = _messages.get(lang)
    if message is None:
        with force_locale(lang):
            message = _messages[lang] = _(MESSAGES["too_fast"])
    return message


def budgets() -> Budgets:
    return current_app.extensions["workshop.budgets"]


def admit_connection(auth: dict) -> None:
    """The first thing ``connect`` does: refuse (``too_fast``) an address opening connections too fast.

    A connection that presents a facilitator token is not budgeted per event (a forged
    one is refused by the authentication that follows).
    """
    from flask_socketio import SocketIO

    socketio: SocketIO = current_app.extensions["socketio"]
    eio_sid = socketio.server.manager.eio_sid_from_sid(request.sid, request.namespace or "/")  # type: ignore[attr-defined]
    message = too_fast_message(auth.get("lang") or session.get("lang"))
    wait = budgets().connect(eio_sid, request.remote_addr or "?", trusted=bool(auth.get("facilitator_token")), message=message)
    if wait:
        error = refusal(message, wait)
        raise ConnectionRefusedError(error["message"], error)


def _parse(data: str) -> tuple[str, int | None, int]:
    """Namespace, ack id and where the JSON starts, of a text EVENT packet (``2[/nsp,][id][...]``)."""
    i, namespace = 1, "/"
    if data.startswith("/", 1):
        comma = data.find(",", 1)
        if comma < 0:
            return data[1:], None, len(data)
        namespace, i = data[1:comma], comma + 1
    j = i
    while j < len(data) and data[j].isdigit():
        j += 1
    return namespace, (int(data[i:j]) if j > i else None), j


def _is_join(data: str, start: int) -> bool:
    """Whether the event named at ``start`` may be a ``join``: any unusual spelling counts as one."""
    if not data.startswith('["', start):
        return True
    end = data.find('"', start + 2)
    name = data[start + 2 : end]
    return end < 0 or name == "join" or "\\" in name


def install(socketio, budgets_: Budgets) -> None:
    """Check every event's budget where Engine.IO hands the message over, before any decoding.

    A refused event is answered ``too_fast`` from here (its ack id read off the packet's
    prefix): no JSON decoding, no handler task, no Flask context, no database.  A
    connection that keeps flooding is closed.  Everything else goes on to python-socketio
    unchanged (Flask-SocketIO's test client, which feeds python-socketio directly, is not budgeted).
    """
    server = socketio.server
    eio = server.eio
    forward_message, forward_disconnect = eio.handlers["message"], eio.handlers["disconnect"]
    ack_class = server.packet_class

    def on_message(eio_sid, data):
        if isinstance(data, str) and data[:1] in ("2", "5") and budgets_.enabled:
            binary = data[0] == "5"
            if binary:
                namespace, ack, start = "/", None, len(data)
            else:
                namespace, ack, start = _parse(data)
            wait, kick, message = budgets_.event(eio_sid, binary or _is_join(data, start))
            if wait:
                if ack is not None:
                    answer = ack_class(packet.ACK, namespace=namespace, data=[{"ok": False, "error": refusal(message, wait)}], id=ack)
                    eio.send(eio_sid, answer.encode())
                if kick or (binary and not budgets_.connections[eio_sid].kicked):
                    budgets_.connections[eio_sid].kicked = True
                    log.warning("closing a connection that keeps flooding (%s refusals)", budgets_.flood_refusals)
                    socketio.start_background_task(eio.disconnect, eio_sid)  # after the answer above
                return None
        return forward_message(eio_sid, data)

    def on_disconnect(eio_sid, *args):
        budgets_.disconnect(eio_sid)
        return forward_disconnect(eio_sid, *args)

    eio.on("message", on_message)
    eio.on("disconnect", on_disconnect)


# --------------------------------------------------------------------------- HTTP

#: endpoint -> config key of its limit
ROUTE_LIMITS = {
    "http.participant": "RATELIMIT_PAGES",
    "http.screen": "RATELIMIT_PAGES",
    "http.console": "RATELIMIT_PAGES",
    "http.restitution": "RATELIMIT_PAGES",
    "http.qr": "RATELIMIT_PAGES",
    "http.restitution_qr": "RATELIMIT_PAGES",
    "http.workshop_info": "RATELIMIT_PAGES",
    "http.export_json": "RATELIMIT_EXPORTS",
    "http.export_document": "RATELIMIT_EXPORTS",
}

PAGE_429 = """{% extends "base.html" %}
{% block title %}{{ message }}{% endblock %}
{% block body_class %}simple{% endblock %}
{% block main %}<section class="card"><h1>{{ message }}</h1>
<p>{{ retry_after }} s</p></section>{% endblock %}"""


def _too_many(error):
    limit = getattr(current_app.extensions.get("workshop.limiter"), "current_limit", None)
    wait = max(0.0, limit.reset_at - time.time()) if limit is not None else 1.0
    message = _(MESSAGES["too_fast"])
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        body = {
            "ok": False,
            "error": {"code": "too_fast", "type": "invalid", "message": message, "params": {"retry_after": retry_after(wait)}},
        }
        response = jsonify(body)
    else:
        response = current_app.make_response(render_template_string(PAGE_429, message=message, retry_after=retry_after(wait)))
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after(wait))
    return response


def storage_uri(config) -> str:
    """Where the HTTP counters live: the workers' Redis when there is one, else this process's memory."""
    if config.get("RATELIMIT_STORAGE_URI"):
        return config["RATELIMIT_STORAGE_URI"]
    queue = config.get("MESSAGE_QUEUE") or ""
    return queue if queue.startswith(("redis://", "rediss://")) else "memory://"


def init_http(app) -> Limiter:
    """Flask-Limiter on the routes that cost something, per address."""
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app.config)
    app.config.setdefault("RATELIMIT_ENABLED", bool(app.config["LIMIT_ENABLED"]))
    limiter = Limiter(get_remote_address, app=app, strategy="moving-window")
    for endpoint, key in ROUTE_LIMITS.items():
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(lambda key=key: app.config[key])(view)
    app.register_error_handler(429, _too_many)
    app.extensions["workshop.limiter"] = limiter
    return limiter


def init_sockets(app, socketio) -> Budgets:
    """The Socket.IO budgets of this process, checked on every message of ``socketio``."""
    app.extensions["workshop.budgets"] = budgets_ = Budgets.from_config(app.config)
    install(socketio, budgets_)
    return budgets_
