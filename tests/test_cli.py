"""The ``workshop`` command line: new, list, export, db upgrade."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support import ROOT

from workshop import commands
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


def test_serve_refuses_an_unknown_code_and_an_invalid_port(run):
    from support import free_port

    unknown = CliRunner().invoke(cli, ["serve", "--port", str(free_port()), "--async-mode", "threading", "--code", "NOPE"])
    assert unknown.exit_code != 0 and "No open workshop has this code" in unknown.output and "(unknown_code)" in unknown.output
    too_big = CliRunner().invoke(cli, ["serve", "--port", "99999", "--async-mode", "threading"])
    assert too_big.exit_code == 2 and "99999 is not in the range 1<=x<=65535" in too_big.output
    assert "Traceback" not in too_big.output


def test_list_says_when_there_is_no_workshop_yet(run, tmp_path):
    result = run("list")
    assert result.exit_code == 0
    assert f"no workshop yet in {tmp_path / 'instance'}; create one: workshop new villes-moyennes" in result.output


def _read_terminal(text: str, light_terminal: bool) -> list[list[bool]]:
    """The modules a person sees: True where it is dark, on a terminal of this background."""
    rows: list[list[bool]] = []
    for line in text.splitlines():
        coloured = line.startswith(commands.DARK + commands.LIGHT)
        line = line.replace(commands.DARK + commands.LIGHT, "").replace(commands.RESET, "")
        # Coloured: black glyphs on white, whatever the terminal. Plain: glyphs in the terminal's ink.
        ink_is_dark = True if coloured else light_terminal
        top = [(ch in "█▀") == ink_is_dark for ch in line]
        bottom = [(ch in "█▄") == ink_is_dark for ch in line]
        rows += [top, bottom]
    return rows


def test_the_terminal_qr_code_scans_on_dark_and_light_terminals():
    url = "http://192.168.1.20:8000/j/ABCDEF"
    expected = commands.qr_matrix(url)
    assert all(not any(row) for row in expected[:4]) and all(not any(row[:4]) for row in expected), "4 modules of quiet zone"
    coloured = commands.qr_text(url, colour=True)
    for light in (True, False):
        seen = _read_terminal(coloured, light_terminal=light)[: len(expected)]
        assert seen == expected, f"coloured QR misread on a {'light' if light else 'dark'} terminal"
    plain = commands.qr_text(url, colour=False)
    assert "\x1b" not in plain
    assert _read_terminal(plain, light_terminal=True)[: len(expected)] == expected  # a log file, a printout


def test_serve_colours_the_qr_code_only_on_a_terminal(monkeypatch):
    import io

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    tty, pipe = Tty(), io.StringIO()
    commands.print_qr("http://127.0.0.1:8000/j/ABCDEF", tty)
    commands.print_qr("http://127.0.0.1:8000/j/ABCDEF", pipe)
    assert commands.DARK in tty.getvalue() and "\x1b" not in pipe.getvalue()


def test_the_qr_image_is_an_svg_with_its_quiet_zone(tmp_path):
    path = commands.write_qr_image("http://127.0.0.1:8000/j/ABCDEF", tmp_path / "qr.svg")
    svg = path.read_text()
    assert svg.startswith("<?xml") and "<svg" in svg and "<path" in svg


def test_backup_then_restore_brings_the_workshops_back(run, tmp_path):
    first = run("new", "villes-moyennes").output.split()[0]
    backup = tmp_path / "saved.db"
    result = run("backup", "-o", str(backup))
    assert result.exit_code == 0 and f"backed up 1 workshop to {backup}" in result.output
    second = run("new", "villes-moyennes").output.split()[0]
    assert second in run("list").output
    restored = run("restore", str(backup), "--yes")
    assert restored.exit_code == 0 and "restored 1 workshop" in restored.output
    listed = run("list").output
    assert first in listed and second not in listed
    kept = list((tmp_path / "instance" / "backups").glob("before-restore-*.db"))
    assert len(kept) == 1, "the database restore replaced is kept aside"
    default = run("backup")
    assert default.exit_code == 0 and str(tmp_path / "instance" / "backups" / "workshop-") in default.output


def test_restore_refuses_a_file_that_is_not_a_backup(run, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = run("restore", str(junk), "--yes")
    assert result.exit_code != 0 and "not a workshop backup" in result.output


def test_backup_of_postgresql_points_to_pg_dump(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("WORKSHOP_LANG", "en")
    monkeypatch.setattr(commands, "_app", lambda **config: type("App", (), {"config": {"DATABASE_URL": "postgresql://u@h/db"}})())
    result = CliRunner().invoke(cli, ["backup"])
    assert result.exit_code != 0 and "pg_dump" in result.output


def test_help_is_fast_because_it_imports_no_app():
    import subprocess
    import sys

    probe = "import sys; from workshop.cli import main\ntry:\n    main(['workshop', '--help'])\nexcept SystemExit:\n    pass\nprint(sorted(m for m in ('flask', 'sqlalchemy', 'eventlet', 'docx', 'qrcode') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "serve" in out and "backup" in out and "restore" in out
    assert out.strip().splitlines()[-1] == "[]", out
