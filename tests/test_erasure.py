"""Erasure erases: after ``workshop erase`` or the retention purge, no pseudonym, token or withdrawn text is left.

Not in the tables, not in the operation log's stored replies, and (SQLite) not
in the database file's bytes either: free pages and the write-ahead log
included.  What the outcome needs stays: ideas, themes, votes by group, plan.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text
from support import new_op

from workshop.commands import cli
from workshop.gatherings import GatheringService
from workshop.services import WorkshopService
from workshop.storage.db import Database
from workshop.storage.models import Base, utcnow

PEOPLE = [("Zephyrine-Oubliable", "habitant"), ("Maximilien-Effacable", "agent"), ("Noémie-Éphémère", "élu·e")]
WITHDRAWN = "Texte retire par son autrice zq81"
FIRST_VERSION = "Premiere version modifiee ensuite zq82"


def personal_strings(pseudonym: str) -> list[bytes]:
    """How a string may sit in the file: UTF-8 (a column) or JSON-escaped (a stored reply)."""
    return [pseudonym.encode(), json.dumps(pseudonym).strip('"').encode()]


def hold_a_workshop(service: WorkshopService, **settings) -> dict:
    """Three people join, post, edit and withdraw ideas, vote on themes and actions; two phases closed."""
    created = service.create_workshop("Atelier", rounds=["Q"], date="2026-01-10", settings=settings or None)
    code = created["workshop"]["code"]
    fac = service.authenticate(facilitator_token=created["facilitator_token"])

    def ok(method, actor, **payload):
        return getattr(service, method)(actor, {"op_id": new_op(), **payload}).result

    phones, tokens = [], []
    for name, group in PEOPLE:
        token = service.join(service.authenticate(code=code), {"op_id": new_op(), "pseudonym": name, "group": group}).result["token"]
        tokens.append(token)
        phones.append(service.authenticate(code=code, token=token))
    ok("advance_phase", fac)
    kept = [ok("post_idea", p, text=f"Des bancs a l'ombre numero {n}")["idea"] for n, p in enumerate(phones)]
    edited = ok("post_idea", phones[0], text=FIRST_VERSION)["idea"]
    ok("edit_idea", phones[0], idea_id=edited["id"], text="Une version finale qui reste")
    gone = ok("post_idea", phones[1], text=WITHDRAWN)["idea"]
    ok("withdraw_idea", phones[1], idea_id=gone["id"])
    ok("advance_phase", fac)
    theme = ok("create_theme", fac, title="Le mobilier urbain")["theme"]
    for idea in kept:
        ok("move_idea", fac, idea_id=idea["id"], theme_id=theme["id"])
    ok("open_vote", fac, open=True)
    for p in phones:
        ok("vote", p, kind="theme", target_id=theme["id"], delta=2)
    ok("advance_phase", fac, kept_theme_ids=[theme["id"]])
    action = ok("propose_action", phones[2], theme_id=theme["id"], title="Installer dix bancs", idea_ids=[kept[0]["id"]])["action"]
    ok("open_vote", fac, open=True)
    for p in phones:
        ok("vote", p, kind="action", target_id=action["id"], delta=1)
    ok("advance_phase", fac)
    # Held with another atelier of the day: the event (its plenary) keeps showing the synthesis, not the people.
    GatheringService(service).create_event("Journée des ateliers", workshop_codes=[code])
    return {"code": code, "id": created["workshop"]["id"], "tokens": tokens, "fac": created["facilitator_token"]}


def secrets_of(held: dict) -> list[bytes]:
    found = [b for name, _group in PEOPLE for b in personal_strings(name)]
    return [*found, *(t.encode() for t in held["tokens"]), WITHDRAWN.encode(), FIRST_VERSION.encode()]


def database_bytes(url: str) -> bytes:
    """The SQLite file and whatever sits beside it (-wal, -shm, -journal)."""
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


def table_text(db: Database) -> str:
    """Every row of every table, as the database prints it."""
    with db.engine.connect() as conn:
        return "\n".join(str(tuple(row)) for table in Base.metadata.sorted_tables for row in conn.execute(table.select()))


def assert_outcome_kept(service: WorkshopService, held: dict) -> None:
    snap = service.full_snapshot(held["id"])
    r = snap["rounds"][0]
    assert snap["workshop"]["status"] == "archived"
    assert sorted(p["group"] for p in snap["participants"]) == sorted(g for _n, g in PEOPLE)
    assert all(p["pseudonym"] is None for p in snap["participants"])
    visible = sorted(i["text"] for i in r["ideas"] if not i["withdrawn"])
    assert visible == [
        "Des bancs a l'ombre numero 0",
        "Des bancs a l'ombre numero 1",
        "Des bancs a l'ombre numero 2",
        "Une version finale qui reste",
    ]
    assert all(i["author"] is None for i in r["ideas"])
    assert sorted(v["group"] for v in r["votes"] if v["kind"] == "theme") == sorted(g for _n, g in PEOPLE)
    assert [a["title"] for a in r["actions"]] == ["Installer dix bancs"]
    assert snap["plan"], "the action plan stays"
    plenary = [e for e in GatheringService(service).list_events() if any(w["code"] == held["code"] for w in e["workshops"])]
    assert plenary and GatheringService(service).event_snapshots(plenary[0]["code"]), "the plenary still shows the atelier"


def test_every_pseudonym_token_and_withdrawn_text_is_gone_from_the_tables(service):
    held = hold_a_workshop(service)
    before = table_text(service.db)
    assert PEOPLE[0][0] in before and held["tokens"][0] in before  # the test sees them before

    done = service.erase_personal_data(held["id"])
    assert done["participants"] == 3 and done["operations"] > 0
    after = table_text(service.db)
    for secret in secrets_of(held):
        assert secret.decode() not in after and json.dumps(secret.decode()).strip('"') not in after, secret
    assert_outcome_kept(service, held)
    assert held["fac"] in after, "the facilitator keeps the console (and the exports) after the erasure"


def test_the_sqlite_file_holds_no_erased_byte(tmp_path):
    url = f"sqlite:///{tmp_path / 'workshop.db'}"
    db = Database(url)
    db.upgrade()
    service = WorkshopService(db)
    held = hold_a_workshop(service)
    assert PEOPLE[0][0].encode() in database_bytes(url)
    service.erase_personal_data(held["id"])
    raw = database_bytes(url)
    for secret in secrets_of(held):
        assert secret not in raw, secret
    assert b"Installer dix bancs" in raw
    assert_outcome_kept(service, held)
    db.dispose()


def test_retention_erases_as_much_and_rewrites_the_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'workshop.db'}"
    db = Database(url)
    db.upgrade()
    service = WorkshopService(db)
    held = hold_a_workshop(service, retention_days=30)
    other = hold_a_workshop(service)  # no retention period: kept as it is
    assert service.purge_expired(now=utcnow().replace(year=2026, month=1, day=20)) == []
    assert service.purge_expired(now=utcnow().replace(year=2026, month=2, day=20)) == [held["code"]]
    raw = database_bytes(url)
    for secret in secrets_of(held):
        if secret not in secrets_of(other):  # the other workshop uses the same pseudonyms
            assert secret not in raw, secret
    assert other["tokens"][0].encode() in raw
    assert_outcome_kept(service, held)
    assert service.purge_expired(now=utcnow().replace(year=2026, month=3, day=1) + timedelta(days=1)) == []
    db.dispose()


def test_retention_reaches_every_table_on_each_database(service):
    """The same, through the retention purge, on SQLite and PostgreSQL."""
    held = hold_a_workshop(service, retention_days=1)
    assert service.purge_expired() == [held["code"]]
    after = table_text(service.db)
    for secret in secrets_of(held):
        assert secret.decode() not in after and json.dumps(secret.decode()).strip('"') not in after, secret
    assert_outcome_kept(service, held)
    with service.db.engine.connect() as conn:  # the log still answers retried writes (redacted), it was not emptied
        assert conn.execute(text("SELECT count(*) FROM operations")).scalar() > 10


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("WORKSHOP_LANG", "en")
    return lambda *args: CliRunner().invoke(cli, list(args), catch_exceptions=False)


def cli_service(tmp_path) -> tuple[WorkshopService, str]:
    url = f"sqlite:///{tmp_path / 'instance' / 'workshop.db'}"
    (tmp_path / "instance").mkdir(exist_ok=True)
    db = Database(url)
    db.upgrade()
    return WorkshopService(db), url


def test_erase_command_leaves_no_pseudonym_in_the_file(run, tmp_path):
    service, url = cli_service(tmp_path)
    held = hold_a_workshop(service)
    service.db.dispose()
    result = run("erase", held["code"], "--yes")
    assert result.exit_code == 0, result.output
    assert "3 participants anonymised" in result.output
    raw = database_bytes(url)
    for secret in secrets_of(held):
        assert secret not in raw, secret


def test_purge_command_erases_what_expired_and_says_so(run, tmp_path):
    service, url = cli_service(tmp_path)
    expired = hold_a_workshop(service, retention_days=1)
    kept = service.create_workshop("Toujours là", rounds=["Q"], settings={"retention_days": 3650})["workshop"]["code"]
    service.db.dispose()
    result = run("purge")
    assert result.exit_code == 0, result.output
    assert expired["code"] in result.output and kept not in result.output
    raw = database_bytes(url)
    for secret in secrets_of(expired):
        assert secret not in raw, secret
    again = run("purge")
    assert again.exit_code == 0 and expired["code"] not in again.output
    assert "nothing" in again.output.lower()


def test_a_running_server_purges_on_its_own(tmp_path):
    """A long-running server enforces retention_days without a restart (WORKSHOP_PURGE_INTERVAL)."""
    from support import Server, wait_until

    from workshop.storage.models import Participant

    server = Server(tmp_path, extra_env={"WORKSHOP_PURGE_INTERVAL": "0.2", "WORKSHOP_ASSIST_EMBEDDER": "none"}).start()
    db = Database(f"sqlite:///{server.instance / 'workshop.db'}")
    try:
        service = WorkshopService(db)
        # Created while the server runs, so the purge at start cannot be the one that erases it.
        created = service.create_workshop("Il y a longtemps", rounds=["Q"], date="2020-01-10", settings={"retention_days": 1})
        code = created["workshop"]["code"]
        service.join(service.authenticate(code=code), {"op_id": new_op(), "pseudonym": "Awa-Lointaine"})

        def erased():
            with db.sessions() as s:
                return s.scalar(select(Participant.pseudonym).where(Participant.workshop_id == created["workshop"]["id"])) is None

        wait_until(erased, timeout=20, message="the periodic purge")
        wait_until(lambda: f"personal data of {code} erased" in server.output(), message="the purge logged")
        assert "Traceback" not in server.output()
        db.dispose()  # this test's own reader could hold the log open while the server rewrites the file
        # the file rewrite runs right after the erasure, or at the next purge if a reader held the log then
        wait_until(lambda: b"Awa-Lointaine" not in database_bytes(db.url), timeout=20, message="the file rewritten")
    finally:
        db.dispose()
        server.stop()


def test_a_failing_purge_is_logged_and_the_task_goes_on(caplog):
    from workshop.web.maintenance import PeriodicPurge

    class Broken:
        def purge_expired(self):
            raise RuntimeError("database gone")

    purge = PeriodicPurge(socketio=None, service=Broken(), interval=0)  # type: ignore[arg-type]
    assert purge.purge_once() == [] and purge.runs == 1
    assert "retention purge failed" in caplog.text


def test_a_failed_file_rewrite_is_retried_by_the_next_purge(tmp_path, monkeypatch, caplog):
    """A full disk during VACUUM: the tables are erased all the same, and the next purge rewrites the file."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'workshop.db'}"
    db = Database(url)
    db.upgrade()
    service = WorkshopService(db)
    held = hold_a_workshop(service)
    from workshop.services import privacy

    real = privacy._driver_connection

    class FullDisk:
        def __init__(self, db):
            self.conn = real(db)

        def cursor(self):
            raise sqlite3.OperationalError("database or disk is full")

        def close(self):
            self.conn.close()

    monkeypatch.setattr(privacy, "_driver_connection", FullDisk)
    service.erase_personal_data(held["id"])
    assert "could not be rewritten yet" in caplog.text
    assert PEOPLE[0][0] not in table_text(db)
    monkeypatch.setattr(privacy, "_driver_connection", real)
    assert service.purge_expired() == []  # nothing else expired, but the file is rewritten now
    raw = database_bytes(url)
    for secret in secrets_of(held):
        assert secret not in raw, secret
    db.dispose()
