"""Shared fixtures: real databases (SQLite file, PostgreSQL schema) and a real server.

PostgreSQL runs at 127.0.0.1:5432 on developers' machines and in CI; each test
run gets its own schema, dropped at the end.  Outside CI a missing PostgreSQL
skips those tests; in CI (``CI=true``) it fails them, so they cannot silently
stop running.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import IN_CI, ROOT, Server, _drop_schema, _postgres_schema_url, new_op, wait_until  # noqa: F401

from workshop.services import WorkshopService
from workshop.storage.db import Database

CHROMIUM = os.environ.get("WORKSHOP_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, one per test session (shared by all browser tests)."""
    if not Path(CHROMIUM).exists():
        if IN_CI:
            raise RuntimeError(f"{CHROMIUM} missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A fresh, empty database URL: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'workshop.db'}"
        return
    url, schema = _postgres_schema_url()
    try:
        yield url
    finally:
        _drop_schema(schema)


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def service(db):
    return WorkshopService(db)


@pytest.fixture
def app(tmp_path):
    """A Flask app on a fresh SQLite database (threading mode, as in Flask's tutorial)."""
    from workshop import create_app

    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "TALLY_INTERVAL": 0.05})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path).start()
    yield srv
    srv.stop()
