"""Settings: defaults, overridden by ``WORKSHOP_*`` environment variables.

The embedded default needs no configuration at all: a SQLite file in the
instance folder, one process.  Scale-out sets ``WORKSHOP_DATABASE_URL`` (a
PostgreSQL URL) and ``WORKSHOP_MESSAGE_QUEUE`` (a Redis URL).

Every setting is read by Flask's ``app.config.from_prefixed_env("WORKSHOP")``
(values that parse as JSON become numbers or booleans, the rest stay text);
:data:`SETTINGS` lists them with their type and meaning, and the README and
docs/deploy.md document each one (tests/test_packaging.py checks it).
Standard library only: the CLI imports this for ``--help``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import sys
import time
from pathlib import Path

PREFIX = "WORKSHOP"

# name -> (type, what it is); the defaults are in defaults().
SETTINGS: dict[str, tuple[type, str]] = {
    "INSTANCE_PATH": (str, "where the SQLite file, the secret key and the QR images live (default: ./instance)"),
    "DATABASE_URL": (str, "e.g. postgresql://user@host/db (default: SQLite in the instance folder)"),
    "SECRET_KEY": (str, "signs the session cookies; default: a random key kept in <instance>/secret_key"),
    "MESSAGE_QUEUE": (str, "e.g. redis://127.0.0.1:6379/0, to run several workers"),
    "MESSAGE_CHANNEL": (str, "the Redis channel, to share one Redis between deployments"),
    "PUBLIC_URL": (str, "the address printed and encoded in QR codes, behind a proxy"),
    "TALLY_INTERVAL": (float, "seconds between two vote-tally broadcasts to a room"),
    "ASYNC_MODE": (str, "eventlet, gevent or threading; the entry point (serve, wsgi) sets it"),
    "SQLITE_SYNCHRONOUS": (str, "SQLite durability: FULL (serve's default: a commit survives a power cut), NORMAL, OFF"),
    "DB_BUSY_TIMEOUT": (float, "seconds a write waits for a database locked by another process before phones get busy"),
    "LOG_LEVEL": (str, "DEBUG, INFO, WARNING, ERROR"),
    "LOG_FORMAT": (str, "text (one line per record) or json (one JSON object per line)"),
    "PROXY_HOPS": (int, "proxies in front that set X-Forwarded-For/Proto/Host/Port (0: none, trust no header)"),
    "IDEA_RATE": (str, "ideas (or actions) one phone may post per window of seconds, as LIMIT/SECONDS"),
    "PURGE_INTERVAL": (float, "seconds between two retention purges of a running server (0: only at start)"),
}


#: budgets against floods (workshop/web/limits.py, docs/protocol.md "Limits"): name -> (default, meaning);
#: each is overridden by ``WORKSHOP_<NAME>`` like the settings above
LIMITS: dict[str, tuple[object, str]] = {
    "LIMIT_ENABLED": (True, "false switches every budget below off (a benchmark, a trusted network)"),
    "LIMIT_EVENT_RATE": (10.0, "events per second one connection may send, sustained"),
    "LIMIT_EVENT_BURST": (30.0, "events one connection may send at once"),
    "LIMIT_JOIN_RATE": (1 / 60, "joins per second one connection may send after its burst"),
    "LIMIT_JOIN_BURST": (5.0, "joins one connection may send at once"),
    "LIMIT_ADDRESS_CONNECT_RATE": (100.0, "new connections per second from one address, sustained"),
    "LIMIT_ADDRESS_CONNECT_BURST": (5000.0, "new connections from one address at once (a hall behind one NAT)"),
    "LIMIT_ADDRESS_JOIN_RATE": (50.0, "joins per second from one address, sustained"),
    "LIMIT_ADDRESS_JOIN_BURST": (2500.0, "joins from one address at once"),
    "LIMIT_FLOOD_REFUSALS": (300, "refusals within LIMIT_FLOOD_WINDOW after which a connection is disconnected"),
    "LIMIT_FLOOD_WINDOW": (10.0, "seconds over which refusals are counted"),
    "RATELIMIT_PAGES": ("100 per second;3000 per minute", "HTTP pages, QR codes and /api/ per address (Flask-Limiter syntax)"),
    "RATELIMIT_EXPORTS": ("60 per minute", "HTTP exports per address"),
}


def default_instance_path() -> str:
    """``$WORKSHOP_INSTANCE_PATH``, else ``instance/`` in the current directory (as the README says)."""
    return os.path.abspath(os.environ.get(f"{PREFIX}_INSTANCE_PATH") or "instance")


def defaults(instance_path: str) -> dict:
    """Defaults that depend only on the instance folder."""
    return {
        "INSTANCE_PATH": instance_path,
        "DATABASE_URL": "sqlite:///" + str(Path(instance_path) / "workshop.db"),
        "SECRET_KEY": None,
        "MESSAGE_QUEUE": None,
        "MESSAGE_CHANNEL": "workshop",
        "PUBLIC_URL": None,
        "TALLY_INTERVAL": 0.5,
        "ASYNC_MODE": "threading",  # the `serve` entry point switches to eventlet
        "SQLITE_SYNCHRONOUS": "NORMAL",  # `serve` and the WSGI app switch to FULL unless it is set
        "DB_BUSY_TIMEOUT": 5.0,
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "text",
        "PROXY_HOPS": 0,
        "PURGE_INTERVAL": 3600.0,
        "IDEA_RATE": "12/60",
        "BABEL_DEFAULT_LOCALE": "fr",
        # console, projector, plenary and exports; a language they lack falls back to French
        "LANGUAGES": ("fr", "en"),
        # the pages residents read: phone, home, public restitution (see workshop/web/i18n.py)
        "PHONE_LANGUAGES": ("fr", "en", "ar", "tr", "pt", "es"),
        "MAX_CONTENT_LENGTH": 1 * 1024 * 1024,
        "SESSION_COOKIE_SAMESITE": "Lax",
        **{key: default for key, (default, _doc) in LIMITS.items()},
    }


def normalise(config) -> None:
    """Give the documented settings their type after ``from_prefixed_env``.

    ``WORKSHOP_SECRET_KEY=1234`` parses as a JSON number and must stay text;
    an empty variable means "not set".
    """
    base = defaults(config["INSTANCE_PATH"])
    for key, (kind, _doc) in SETTINGS.items():
        value = config.get(key)
        if value is None or value == "":
            config[key] = base[key]
        elif kind is str and not isinstance(value, str):
            config[key] = json.dumps(value) if isinstance(value, bool) else str(value)
        elif kind is float:
            config[key] = float(value)
        elif kind is int:
            config[key] = int(value)
    for key, (default, _doc) in LIMITS.items():
        value = config.get(key)
        if value is None or value == "":
            config[key] = default
        elif isinstance(default, bool):
            config[key] = value if isinstance(value, bool) else str(value).lower() not in ("0", "false", "no", "off")
        elif isinstance(default, (int, float)):
            config[key] = type(default)(value)


def idea_rate(value: str) -> tuple[int, int]:
    """``"12/60"`` -> ``(12, 60)``: how many ideas per how many seconds a phone may post."""
    try:
        limit, _sep, window = str(value).partition("/")
        rate = int(limit), int(window)
    except ValueError:
        rate = (0, 0)
    if not (1 <= rate[0] <= 10_000 and 1 <= rate[1] <= 86_400):
        raise ValueError(f"WORKSHOP_IDEA_RATE must read LIMIT/SECONDS, e.g. 12/60, not {value!r}")
    return rate


def instance_secret(instance_path: str) -> str:
    """A secret key kept in the instance folder, created on first start."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


HIDDEN = "[hidden]"

#: (pattern, replacement): what a log line must never show, whatever logger wrote it
_SECRETS = (
    # SQL parameters of SQLAlchemy's error messages: tokens, pseudonyms, idea texts
    (re.compile(r"\[parameters: .*?\](?=\s*(?:\n|\(Background on this error|$))", re.S), f"[parameters: {HIDDEN}]"),
    # PostgreSQL's error details quote the row: "Key (token)=(…)", "Failing row contains (…)"
    (re.compile(r"(Key \([^)]*\)=\().*?(\) (?:already exists|is not present))"), rf"\1{HIDDEN}\2"),
    (re.compile(r"(Failing row contains \().*(\)\.?)$", re.M), rf"\1{HIDDEN}\2"),
    # secret links: /f/<facilitator token>, /e/<organiser token>, any /x/<long token>
    (re.compile(r"(/[a-z]/)[A-Za-z0-9_-]{16,}"), rf"\1{HIDDEN}"),
    # key: value / key=value pairs in reprs, JSON, query strings and auth dicts
    (
        re.compile(
            r"""(?P<key>["']?\b(?:\w*token|secret\w*|password|pseudonym|author)["']?\s*[:=]\s*)"""
            r"""(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&)}\]]+)""",
            re.I,
        ),
        rf"\g<key>{HIDDEN}",
    ),
    # passwords in database and Redis URLs
    (re.compile(r"(\w+://[^:/@\s]*:)[^@\s]+@"), rf"\1{HIDDEN}@"),
)


def redact(text: str) -> str:
    """``text`` with every token, pseudonym, password and SQL parameter list replaced by [hidden]."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks secrets and personal data in every record a handler writes (RGPD; issue 11).

    Tokens are credentials and pseudonyms personal data: neither may reach journald or
    a log shipper. The message, its arguments, the traceback and the stack are rendered
    once here and redacted; SQLAlchemy's own statement logging gets its parameters hidden.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("sqlalchemy.engine") and isinstance(record.args, tuple):
            record.args = tuple(HIDDEN if isinstance(a, (tuple, list, dict)) else a for a in record.args)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: show its template, never its arguments
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for journald, Docker or a log shipper."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info or record.exc_text:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


REDACTING_FILTER = RedactingFilter("workshop.redact")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str = "INFO", fmt: str = "text", stream=None) -> logging.Handler:
    """Send every log record to stdout (systemd, Docker and gunicorn collect it there), as text or JSON.

    Every record is redacted first (:class:`RedactingFilter`): no token, pseudonym or SQL
    parameter reaches the logs.
    """
    if fmt not in ("text", "json"):
        raise ValueError(f"log format must be text or json, not {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.set_name("workshop")
    handler.addFilter(REDACTING_FILTER)
    # gunicorn writes its access and error logs through its own handlers: mask those too
    for name in ("gunicorn.access", "gunicorn.error"):
        for other in logging.getLogger(name).handlers:
            if REDACTING_FILTER not in other.filters:
                other.addFilter(REDACTING_FILTER)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "workshop"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(str(level).upper())
    return handler


ENV_KEYS = tuple(SETTINGS)  # the documented WORKSHOP_* variables (tests clear them)
