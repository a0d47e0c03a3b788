"""Installable and deployable: the built wheel works anywhere, gunicorn serves the WSGI entry point, every setting is documented.

The wheel test builds the sdist and the wheel from it (``python -m build``),
installs the wheel into a fresh virtual environment, then runs ``workshop
serve`` from an unrelated directory with a scratch instance, as a user who
ran ``pipx install`` would.  It is marked ``slow``: the quick subset skips it,
the full suite and CI run it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
import venv
from pathlib import Path

import pytest
from support import ROOT, free_port, wait_until

from workshop import __version__
from workshop.config import SETTINGS


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no WORKSHOP_* of the test run, nothing pointing at this checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKSHOP_", "PYTHON", "VIRTUAL_ENV"))}
    return {**env, **extra}


class Process:
    """A server started by a test, stopped by its PID."""

    def __init__(self, args, *, cwd: Path, env: dict, log: Path):
        self.log = log
        self._out = open(log, "wb")  # noqa: SIM115 - written by the child until stop()
        self.proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=self._out, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_healthy(self, url: str, timeout: float = 60) -> None:
        def healthy():
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited ({self.proc.returncode}):\n{self.output()}")
            try:
                return fetch(url + "/healthz")[0] == 200
            except OSError:  # not listening yet, or the worker still booting
                return False

        wait_until(healthy, timeout=timeout, interval=0.2, message=f"{url}/healthz (log: {self.log})")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, 9)
                self.proc.wait()
        self._out.close()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_built_wheel_serves_every_page_from_anywhere(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    wheels = list(dist.glob("workshop_atelier-*.whl"))
    assert [w.name for w in wheels] == [f"workshop_atelier-{__version__}-py3-none-any.whl"]
    assert list(dist.glob(f"workshop_atelier-{__version__}.tar.gz")), "the sdist is built too (and the wheel from it)"

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python, workshop = env_dir / "bin" / "python", env_dir / "bin" / "workshop"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheels[0])], capture_output=True, text=True, env=clean_env())
    assert install.returncode == 0, install.stderr

    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    instance = tmp_path / "scratch-instance"
    env = clean_env(WORKSHOP_INSTANCE_PATH=str(instance), WORKSHOP_LANG="en")
    where = subprocess.run(
        [str(python), "-c", "import workshop; print(workshop.__file__)"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert str(env_dir) in where.stdout, f"the installed copy is used, not the checkout: {where.stdout}{where.stderr}"
    created = subprocess.run([str(workshop), "new", "villes-moyennes"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert created.returncode == 0, created.stdout + created.stderr  # a shipped plan, found inside the package

    port = free_port()
    server = Process([str(workshop), "serve", "--port", str(port)], cwd=elsewhere, env=env, log=tmp_path / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        server.wait_healthy(base)
        out = wait_until(lambda: "/j/" in server.output() and "QR" in server.output() and server.output(), message="the printed links")
        code = re.search(r"/j/([A-Z0-9]+)", out).group(1)
        token = re.search(r"/f/([A-Za-z0-9_-]+)", out).group(1)
        assert f"instance folder: {instance}" in out
        qr_image = Path(re.search(r"QR code image: (\S+)", out).group(1))
        assert qr_image.parent == instance and qr_image.read_text().startswith("<?xml")

        status, home = fetch(base + "/")
        assert status == 200 and b"<html" in home
        status, join = fetch(f"{base}/j/{code}")
        assert status == 200 and code.encode() in join
        assert fetch(f"{base}/f/{token}")[0] == 200
        assert fetch(f"{base}/s/{code}")[0] == 200
        status, css = fetch(base + "/static/css/base.css")
        assert status == 200 and css == (ROOT / "static" / "css" / "base.css").read_bytes()
        status, client = fetch(base + "/static/vendor/socket.io.min.js")
        assert status == 200 and len(client) > 10_000
    finally:
        server.stop()
    assert (instance / "workshop.db").is_file() and not (elsewhere / "instance").exists()


def test_gunicorn_serves_the_wsgi_entry_point_with_websockets_and_json_logs(tmp_path):
    """What docs/workshop@.service runs: gunicorn's gevent worker, one per process, settings from the environment."""
    import socketio

    instance = tmp_path / "instance"
    env = clean_env(WORKSHOP_INSTANCE_PATH=str(instance), WORKSHOP_LOG_FORMAT="json", WORKSHOP_LANG="en")
    created = subprocess.run(
        [sys.executable, "-m", "workshop", "new", "villes-moyennes"], env=env, cwd=tmp_path, capture_output=True, text=True, check=True
    )
    code = created.stdout.split()[0]
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = Process(
        [str(gunicorn), "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{port}", "workshop.wsgi:app"],
        cwd=tmp_path,
        env=env,
        log=tmp_path / "gunicorn.log",
    )
    base = f"http://127.0.0.1:{port}"
    client = socketio.Client()
    try:
        server.wait_healthy(base)
        assert fetch(f"{base}/j/{code}")[0] == 200
        client.connect(base, auth={"code": code, "role": "screen"}, transports=["websocket"], wait_timeout=10)
        answer = client.call("snapshot", {}, timeout=10)
        assert answer["ok"] is True and answer["data"]["workshop"]["code"] == code
        records = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
        ready = [r for r in records if r["logger"] == "workshop" and r["message"].startswith("workshop ready")]
        assert ready and "async mode: gevent" in ready[0]["message"] and ready[0]["level"] == "INFO"
    finally:
        client.disconnect()
        server.stop()


def test_every_setting_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    env_file = (ROOT / "docs" / "workshop.env").read_text(encoding="utf-8")
    for key in SETTINGS:
        assert f"`WORKSHOP_{key}`" in readme, f"README.md's Configuration table lacks WORKSHOP_{key}"
        assert f"WORKSHOP_{key}" in env_file, f"docs/workshop.env lacks WORKSHOP_{key}"


def test_the_systemd_unit_runs_the_wsgi_entry_point():
    unit = (ROOT / "docs" / "workshop@.service").read_text(encoding="utf-8")
    assert "workshop.wsgi:app" in unit and "-k gevent" in unit and "EnvironmentFile=" in unit
    assert "-w 1" in unit  # Socket.IO: one worker per process, sticky sessions at the proxy


def test_the_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.strip().splitlines()[-1]
    assert command in readme


def test_settings_come_from_the_environment_with_their_documented_types(tmp_path, monkeypatch):
    from workshop import create_app

    monkeypatch.setenv("WORKSHOP_SECRET_KEY", "1234")  # JSON would make it a number
    monkeypatch.setenv("WORKSHOP_TALLY_INTERVAL", "2")
    monkeypatch.setenv("WORKSHOP_LOG_FORMAT", "json")
    monkeypatch.setenv("WORKSHOP_MESSAGE_QUEUE", "")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance")})
    assert app.config["SECRET_KEY"] == "1234"
    assert app.config["TALLY_INTERVAL"] == 2.0 and isinstance(app.config["TALLY_INTERVAL"], float)
    assert app.config["LOG_FORMAT"] == "json" and app.config["MESSAGE_QUEUE"] is None


def test_json_logs_are_one_object_per_line():
    import io
    import logging

    from workshop.config import configure_logging

    stream = io.StringIO()
    level = logging.getLogger().level
    handler = configure_logging("INFO", "json", stream=stream)
    try:
        logging.getLogger("workshop.test").info("bonjour %s", "à tous")
        logging.getLogger("workshop.test").debug("not at INFO")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    (line,) = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["message"] == "bonjour à tous" and record["level"] == "INFO" and record["logger"] == "workshop.test"
    assert record["time"].endswith("Z")
