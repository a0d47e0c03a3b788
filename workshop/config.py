"""Configuration: defaults, overridden by ``WORKSHOP_*`` environment variables.

The embedded default needs no configuration at all: a SQLite file in the
instance folder, one process.  Scale-out sets ``WORKSHOP_DATABASE_URL`` (a
PostgreSQL URL) and ``WORKSHOP_MESSAGE_QUEUE`` (a Redis URL).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENV_KEYS = {
    "DATABASE_URL": str,
    "MESSAGE_QUEUE": str,
    "MESSAGE_CHANNEL": str,  # Redis channel name, to run several deployments on one Redis
    "PUBLIC_URL": str,  # e.g. https://atelier.example.org when behind a proxy
    "TALLY_INTERVAL": float,  # seconds between two tally broadcasts to a room
    "SECRET_KEY": str,
    "INSTANCE_PATH": str,  # where the SQLite file and the secret key live
}


def defaults(instance_path: str) -> dict:
    """Defaults that depend only on the instance folder."""
    return {
        "DATABASE_URL": "sqlite:///" + str(Path(instance_path) / "workshop.db"),
        "MESSAGE_QUEUE": None,
        "MESSAGE_CHANNEL": "workshop",
        "PUBLIC_URL": None,
        "TALLY_INTERVAL": 0.5,
        "ASYNC_MODE": "threading",  # the `serve` entry point switches to eventlet
        "BABEL_DEFAULT_LOCALE": "fr",
        "LANGUAGES": ("fr", "en"),
        "MAX_CONTENT_LENGTH": 1 * 1024 * 1024,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }


def from_environment(environ: os._Environ | dict | None = None) -> dict:
    """Read the ``WORKSHOP_*`` overrides that are set."""
    environ = os.environ if environ is None else environ
    out = {}
    for key, cast in ENV_KEYS.items():
        value = environ.get(f"WORKSHOP_{key}")
        if value:
            out[key] = cast(value)
    return out


def instance_secret(instance_path: str) -> str:
    """A secret key kept in the instance folder, created on first start."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
