"""An instance folder that cannot be written stops the start with one clear line (issue 11, finding 7).

Before, ``workshop serve`` died on a raw traceback (PermissionError, NotADirectoryError or
sqlite3's "unable to open database file"). Tests may run as root, who writes to a
read-only folder anyway: the case every user fails on is a path under a regular file.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support import ROOT, free_port

from workshop.app import InstanceFolderError, check_instance_folder, create_app


def run_workshop(instance, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WORKSHOP_INSTANCE_PATH": str(instance), "WORKSHOP_LANG": "en"}
    env.pop("WORKSHOP_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "workshop", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_a_path_under_a_regular_file_gives_one_line_and_exit_73(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the instance folder should be")
    instance = blocker / "instance"
    result = run_workshop(instance, "list")
    assert result.returncode == 73, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert str(instance) in lines[0] and "cannot be written" in lines[0] and "WORKSHOP_INSTANCE_PATH" in lines[0]


def test_the_message_is_french_by_default(tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    env = {**os.environ, "WORKSHOP_INSTANCE_PATH": str(blocker / "instance")}
    env.pop("WORKSHOP_LANG", None)
    result = subprocess.run(
        [sys.executable, "-m", "workshop", "serve", "--port", str(free_port())],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 73 and "Traceback" not in result.stderr
    assert "dossier de l'instance" in result.stderr


def test_a_database_file_that_cannot_be_opened_is_named_in_one_line(tmp_path):
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    with pytest.raises(InstanceFolderError) as refused:
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": f"sqlite:///{blocker}/workshop.db"})
    assert refused.value.exit_code == 73 and str(blocker) in refused.value.format_message()
    assert "unable to open database file" in refused.value.format_message()


def test_a_read_only_folder_is_refused(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    instance.chmod(0o500)
    try:
        if os.access(instance, os.W_OK):
            pytest.skip("running as root: a read-only mode does not stop root (see the test above)")
        with pytest.raises(InstanceFolderError) as refused:
            create_app({"TESTING": True, "INSTANCE_PATH": str(instance)})
        assert refused.value.exit_code == 73 and str(instance) in refused.value.format_message()
    finally:
        instance.chmod(0o700)


def test_a_writable_folder_is_created_and_left_clean(tmp_path):
    instance = tmp_path / "a" / "b"
    check_instance_folder(str(instance))
    assert instance.is_dir() and list(instance.iterdir()) == []
