"""Secrets and personal data never reach the logs (issue 11, finding 7).

The error path is real: a SQLite trigger makes the participant insert of ``join`` fail,
SQLAlchemy raises with the statement's parameters (the new token, the pseudonym) in its
message, the socket handler logs the traceback, and the handler ``configure_logging``
installs writes it to a captured stream, in both formats.
"""

from __future__ import annotations

import io
import json
import logging

import pytest
from sqlalchemy import event, text
from support import new_op

from workshop.config import RedactingFilter, configure_logging, redact

PSEUDONYM = "Marguerite Duras-Quartier"


@pytest.fixture
def captured():
    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    yield stream
    for handler in [h for h in root.handlers if h.get_name() == "workshop"]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_failed_join_logs_neither_the_token_nor_the_pseudonym(app, captured, fmt):
    configure_logging("INFO", fmt, stream=captured)
    service = app.extensions["workshop.service"]
    created = service.create_workshop("Atelier", rounds=["Q1"])
    db = app.extensions["workshop.db"]
    with db.engine.begin() as connection:
        connection.execute(text("CREATE TRIGGER no_more_room BEFORE INSERT ON participants BEGIN SELECT RAISE(ABORT, 'disk test'); END"))
    sent: list = []  # the real parameters of every statement, to look for them in the log

    @event.listens_for(db.engine, "before_cursor_execute")
    def remember(_conn, _cursor, _statement, parameters, _context, _many):
        sent.append(parameters)

    code = created["workshop"]["code"]
    socket = app.extensions["socketio"].test_client(app, auth={"code": code})
    try:
        answer = socket.emit("join", {"op_id": new_op(), "group": "habitant", "pseudonym": PSEUDONYM}, callback=True)
    finally:
        socket.disconnect()
        event.remove(db.engine, "before_cursor_execute", remember)
    assert answer["ok"] is False and answer["error"]["code"] == "server_error"

    log = captured.getvalue()
    assert "event join failed" in log and "IntegrityError" in log and "disk test" in log  # still useful
    # the engines hide SQL parameters themselves (hide_parameters); the filter masks them if one does not
    assert "[parameters: [hidden]]" in log or "[SQL parameters hidden due to hide_parameters=True]" in log
    assert PSEUDONYM not in log and PSEUDONYM.replace(" ", "") not in log
    tokens = [p for params in sent for p in (params if isinstance(params, (tuple, list)) else ()) if isinstance(p, str) and len(p) == 32]
    assert tokens, "the participant insert carried a token"
    for token in tokens:
        assert token not in log
    assert created["facilitator_token"] not in log
    if fmt == "json":
        records = [json.loads(line) for line in log.splitlines()]
        failed = [r for r in records if r["message"] == "event join failed"]
        assert failed and "Traceback" in failed[0]["exception"] and PSEUDONYM not in failed[0]["exception"]


def test_secret_links_urls_and_key_values_are_masked(captured):
    configure_logging("DEBUG", "text", stream=captured)
    log = logging.getLogger("workshop.test")
    token = "7hCzFzbKR6KRq-D6I4wc59UXoayLDKPq"
    log.info('127.0.0.1 - "GET /f/%s/export/markdown HTTP/1.1" 200', token)
    log.warning("connect refused: %r", {"code": "PXYPKU", "facilitator_token": token})
    log.error("payload %s", json.dumps({"pseudonym": "Anne O'Nyme", "text": "ok", "author": "Jean Bon"}))
    log.info("database postgresql://workshop:s3cr3t-pass@db/workshop")
    log.info("query ?token=%s&lang=fr", token)
    out = captured.getvalue()
    for secret in (token, "Anne O", "Jean Bon", "s3cr3t-pass"):
        assert secret not in out, secret
    assert "/f/[hidden]/export/markdown" in out and "PXYPKU" in out and "lang=fr" in out
    assert "postgresql://workshop:[hidden]@db/workshop" in out


def test_sqlalchemy_statement_logging_hides_its_parameters():
    record = logging.LogRecord(
        "sqlalchemy.engine.Engine", logging.INFO, __file__, 1, "[%s] %r", ("generated in 0.001s", ("tok", PSEUDONYM)), None
    )
    RedactingFilter().filter(record)
    assert record.getMessage() == "[generated in 0.001s] '[hidden]'"


def test_postgresql_error_details_hide_the_row():
    detail = (
        "DETAIL:  Key (token)=(7hCzFzbKR6KRq-D6I4wc59UXoayLDKPq) already exists.\nDETAIL:  Failing row contains (3, 1, Nadia B, habitant)."
    )
    assert redact(detail) == "DETAIL:  Key (token)=([hidden]) already exists.\nDETAIL:  Failing row contains ([hidden])."


def test_redact_keeps_ordinary_lines():
    line = "workshop ready (async mode: eventlet, database: sqlite) /j/PXYPKU op_id=3f2a"
    assert redact(line) == line
