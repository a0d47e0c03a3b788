"""The application factory: ``create_app(test_config)`` as in Flask's tutorial.

Zero configuration gives a SQLite file and a secret key in the instance
folder; ``WORKSHOP_*`` environment variables override the defaults, and the
test config overrides everything; two apps in one process share nothing.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from support import new_op

from workshop import create_app
from workshop.config import ENV_KEYS
from workshop.web.sockets import READ_EVENTS, WRITE_EVENTS


@pytest.fixture(autouse=True)
def no_workshop_environment(monkeypatch):
    """Start every test from a clean environment: a developer's WORKSHOP_* must not leak in."""
    for key in ENV_KEYS:
        monkeypatch.delenv(f"WORKSHOP_{key}", raising=False)


def make(tmp_path: Path, name: str = "instance", **config):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / name), **config})


def new_workshop(app, title: str = "Atelier") -> dict:
    return app.extensions["workshop.service"].create_workshop(title, rounds=["Dans 10 ans, on aura réussi si…"])


def test_the_instance_folder_gets_the_database_and_a_private_secret_key(tmp_path):
    app = make(tmp_path)
    instance = tmp_path / "instance"
    assert app.instance_path == str(instance)
    assert (instance / "workshop.db").is_file()
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'workshop.db'}"
    secret = instance / "secret_key"
    assert app.config["SECRET_KEY"] == secret.read_text().strip() and len(app.config["SECRET_KEY"]) >= 32
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert app.testing


def test_the_database_is_migrated_and_ready(tmp_path):
    app = make(tmp_path)
    created = new_workshop(app)
    assert app.extensions["workshop.service"].find_workshop(created["workshop"]["code"])["title"] == "Atelier"


def test_defaults_are_the_embedded_one_machine_setup(tmp_path):
    app = make(tmp_path)
    assert app.config["BABEL_DEFAULT_LOCALE"] == "fr"
    assert tuple(app.config["LANGUAGES"]) == ("fr", "en")
    assert app.config["ASYNC_MODE"] == "threading"
    assert app.config["MESSAGE_QUEUE"] is None
    assert app.config["PUBLIC_URL"] is None
    assert app.config["TALLY_INTERVAL"] == 0.5
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_a_restart_on_the_same_instance_keeps_the_workshops_and_the_secret_key(tmp_path):
    first = make(tmp_path)
    code = new_workshop(first)["workshop"]["code"]
    second = make(tmp_path)
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]  # sessions survive a restart
    assert second.test_client().get(f"/j/{code}").status_code == 200


def test_routes_and_socket_events_are_registered(tmp_path):
    app = make(tmp_path)
    assert {"http", "gatherings"} <= set(app.blueprints)
    for extension in ("socketio", "babel", "workshop.db", "workshop.service", "workshop.broadcaster", "workshop.gatherings"):
        assert extension in app.extensions, extension
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"ok": True}
    code = new_workshop(app)["workshop"]["code"]
    socket = app.extensions["socketio"].test_client(app, auth={"code": code, "role": "screen"}, flask_test_client=client)
    try:
        assert socket.is_connected()
        answer = socket.emit("snapshot", {}, callback=True)
        assert answer["ok"] is True and answer["data"]["role"] == "screen"
        for event in sorted(set(WRITE_EVENTS) | set(READ_EVENTS)):
            answer = socket.emit(event, {"op_id": new_op()}, callback=True)
            assert isinstance(answer, dict) and "ok" in answer, f"{event} is not handled"
    finally:
        socket.disconnect()


def test_a_bad_code_refuses_the_socket_connection(tmp_path):
    app = make(tmp_path)
    socket = app.extensions["socketio"].test_client(app, auth={"code": "ZZZZZZ"})
    assert not socket.is_connected()


def test_test_config_overrides_the_defaults(tmp_path):
    elsewhere = tmp_path / "data" / "autre.db"
    elsewhere.parent.mkdir()
    app = make(
        tmp_path,
        DATABASE_URL=f"sqlite:///{elsewhere}",
        TALLY_INTERVAL=0.05,
        PUBLIC_URL="https://atelier.example.org",
        SECRET_KEY="fixed-for-tests",
    )
    assert elsewhere.is_file()
    assert not (tmp_path / "instance" / "workshop.db").exists()
    assert not (tmp_path / "instance" / "secret_key").exists(), "a configured key is not replaced by a generated one"
    assert app.config["SECRET_KEY"] == "fixed-for-tests"
    assert app.config["TALLY_INTERVAL"] == 0.05
    code = new_workshop(app)["workshop"]["code"]
    html = app.test_client().get(f"/s/{code}").get_data(as_text=True)
    assert f"https://atelier.example.org/j/{code}" in html  # the address on the projector


def test_workshop_environment_variables_override_the_defaults(tmp_path, monkeypatch):
    instance = tmp_path / "from-env"
    database = tmp_path / "env.db"
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("WORKSHOP_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("WORKSHOP_TALLY_INTERVAL", "0.25")
    monkeypatch.setenv("WORKSHOP_PUBLIC_URL", "https://quartier.example.org")
    monkeypatch.setenv("WORKSHOP_MESSAGE_CHANNEL", "atelier-nord")
    monkeypatch.setenv("WORKSHOP_SECRET_KEY", "from-the-environment")
    app = create_app({"TESTING": True})
    assert app.instance_path == str(instance) and instance.is_dir()
    assert database.is_file()
    assert app.config["TALLY_INTERVAL"] == 0.25  # cast to a number
    assert app.config["PUBLIC_URL"] == "https://quartier.example.org"
    assert app.config["MESSAGE_CHANNEL"] == "atelier-nord"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    code = new_workshop(app)["workshop"]["code"]
    info = app.test_client().get(f"/api/workshops/{code}").get_json()
    assert info["data"]["join_url"] == f"https://quartier.example.org/j/{code}"


def test_an_empty_environment_variable_is_no_override(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_TALLY_INTERVAL", "")
    monkeypatch.setenv("WORKSHOP_PUBLIC_URL", "")
    app = make(tmp_path)
    assert app.config["TALLY_INTERVAL"] == 0.5 and app.config["PUBLIC_URL"] is None


def test_test_config_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path / "from-env"))
    monkeypatch.setenv("WORKSHOP_TALLY_INTERVAL", "2")
    app = make(tmp_path, TALLY_INTERVAL=0.05)
    assert app.instance_path == str(tmp_path / "instance")
    assert not (tmp_path / "from-env").exists()
    assert app.config["TALLY_INTERVAL"] == 0.05


def test_two_apps_in_one_process_share_nothing(tmp_path):
    nord, sud = make(tmp_path, "nord"), make(tmp_path, "sud")
    assert nord.extensions["workshop.service"] is not sud.extensions["workshop.service"]
    assert nord.extensions["socketio"] is not sud.extensions["socketio"]
    assert nord.config["SECRET_KEY"] != sud.config["SECRET_KEY"]
    code = new_workshop(nord, "Quartier Nord")["workshop"]["code"]
    assert nord.test_client().get(f"/j/{code}").status_code == 200
    assert sud.test_client().get(f"/j/{code}").status_code == 404
    assert sud.test_client().get(f"/api/workshops/{code}").status_code == 404
    assert sud.extensions["socketio"].test_client(sud, auth={"code": code}).is_connected() is False
    guest = nord.extensions["socketio"].test_client(nord, auth={"code": code})
    assert guest.is_connected() is True
    guest.disconnect()


def test_the_factory_runs_on_postgresql_too(tmp_path, database_url):
    app = make(tmp_path, DATABASE_URL=database_url)
    try:
        code = new_workshop(app)["workshop"]["code"]
        assert app.test_client().get(f"/j/{code}").status_code == 200
        if database_url.startswith("postgresql"):
            assert not (tmp_path / "instance" / "workshop.db").exists()
    finally:
        app.extensions["workshop.db"].dispose()
