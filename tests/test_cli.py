"""The ``workshop`` command line: new, list, export, db upgrade."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support import ROOT

from workshop.cli import _requested_async_mode
from workshop.commands import cli


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("WORKSHOP_LANG", "en")  # these tests read the English sentences; French is tested below
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_new_from_a_shipped_plan_then_list_and_export(run, tmp_path):
    result = run("new", "--plan", str(ROOT / "sessions" / "villes-moyennes.toml"))
    assert result.exit_code == 0, result.output
    code = result.output.split()[0]
    assert len(code) == 6
    assert "facilitator page:  /f/" in result.output

    by_name = run("new", "politique-de-la-ville-2030")
    assert by_name.exit_code == 0, by_name.output

    listed = run("list")
    assert code in listed.output and "politique de la ville" in listed.output.lower()

    out = tmp_path / "snapshot.json"
    exported = run("export", code.lower(), "--format", "snapshot", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    snapshot = json.loads(out.read_text(encoding="utf-8"))
    assert snapshot["schema"] == "workshop-snapshot/1"
    assert snapshot["workshop"]["code"] == code
    assert [r["phase"] for r in snapshot["rounds"]] == ["lobby"] * len(snapshot["rounds"])
    assert "facilitator_token" not in out.read_text()

    archive = tmp_path / "archive.json"
    assert run("export", code, "--format", "json", "-o", str(archive)).exit_code == 0
    assert json.loads(archive.read_text(encoding="utf-8"))["schema"] == "workshop-export/1"
    imported = run("import", str(archive))
    assert imported.exit_code == 0, imported.output
    new_code = imported.output.split()[0]
    assert new_code != code and "/f/" in imported.output
    again = tmp_path / "again.json"
    assert run("export", new_code, "--format", "json", "-o", str(again)).exit_code == 0
    assert json.loads(again.read_text())["rounds"] == json.loads(archive.read_text())["rounds"]

    docx = tmp_path / "cr.docx"
    assert run("export", code, "--format", "docx", "-o", str(docx)).exit_code == 0
    assert docx.read_bytes()[:2] == b"PK"


def test_bad_plan_and_unknown_code_give_clear_errors(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "Atelier"\n[[rounds]]\nquestion = ""\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["new", "--plan", str(bad)])
    assert result.exit_code != 0 and "invalid_plan" in result.output and "question" in result.output
    missing = CliRunner().invoke(cli, ["new", "nulle-part"])
    assert missing.exit_code != 0 and "villes-moyennes" in missing.output
    unknown = CliRunner().invoke(cli, ["export", "ZZZZZZ"])
    assert unknown.exit_code != 0 and "unknown_code" in unknown.output
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"schema": "something-else/9"}', encoding="utf-8")
    refused = CliRunner().invoke(cli, ["import", str(garbage)])
    assert refused.exit_code != 0 and "invalid_import" in refused.output


def test_db_upgrade_is_idempotent(run):
    assert run("db", "upgrade").exit_code == 0
    assert run("db", "upgrade").exit_code == 0


def test_only_serve_chooses_an_async_server():
    assert _requested_async_mode(["workshop", "serve"]) == "eventlet"
    assert _requested_async_mode(["workshop", "serve", "--async-mode", "threading"]) == "threading"
    assert _requested_async_mode(["workshop", "serve", "--async-mode=gevent"]) == "gevent"
    assert _requested_async_mode(["workshop", "export", "ABC"]) is None


def test_erase_archives_and_forgets_pseudonyms(run):
    code = run("new", "villes-moyennes").output.split()[0]
    result = run("erase", code, "--yes")
    assert result.exit_code == 0 and "archived" in result.output
    listed = run("list").output
    assert f"{code}\tarchived" in listed


def test_serve_says_plainly_when_the_port_is_taken(run):
    import socket

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        result = CliRunner().invoke(cli, ["serve", "--port", str(port), "--async-mode", "threading"])
    finally:
        busy.close()
    assert result.exit_code != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.output and f"--port {port + 1}" in result.output


def test_the_cli_speaks_french_by_default(run, monkeypatch):
    monkeypatch.delenv("WORKSHOP_LANG")
    created = run("new", "villes-moyennes")
    assert "page d'animation : /f/" in created.output and "page pour rejoindre : /j/" in created.output
    unknown = CliRunner().invoke(cli, ["export", "ZZZZZZ"])
    assert unknown.exit_code != 0
    assert "Aucun atelier ouvert n'a ce code. Vérifiez le code affiché à l'écran. (unknown_code)" in unknown.output
    monkeypatch.setenv("WORKSHOP_LANG", "en")
    unknown = CliRunner().invoke(cli, ["export", "ZZZZZZ"])
    assert "No open workshop has this code. Check the code on the screen. (unknown_code)" in unknown.output
