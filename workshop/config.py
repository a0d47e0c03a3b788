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
    "LOG_LEVEL": (str, "DEBUG, INFO, WARNING, ERROR"),
    "LOG_FORMAT": (str, "text (one line per record) or json (one JSON object per line)"),
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
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "text",
        "BABEL_DEFAULT_LOCALE": "fr",
        # console, projector, plenary and exports; a language they lack falls back to French
        "LANGUAGES": ("fr", "en"),
        # the pages residents read: phone, home, public restitution (see workshop/web/i18n.py)
        "PHONE_LANGUAGES": ("fr", "en", "ar", "tr", "pt", "es"),
        "MAX_CONTENT_LENGTH": 1 * 1024 * 1024,
        "SESSION_COOKIE_SAMESITE": "Lax",
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


def instance_secret(instance_path: str) -> str:
    """A secret key kept in the instance folder, created on first start."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for journald, Docker or a log shipper."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str = "INFO", fmt: str = "text", stream=None) -> logging.Handler:
    """Send every log record to stdout (systemd, Docker and gunicorn collect it there), as text or JSON."""
    if fmt not in ("text", "json"):
        raise ValueError(f"log format must be text or json, not {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.set_name("workshop")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "workshop"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(str(level).upper())
    return handler


ENV_KEYS = tuple(SETTINGS)  # the documented WORKSHOP_* variables (tests clear them)
