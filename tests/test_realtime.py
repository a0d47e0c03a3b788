"""End to end over a real Socket.IO server (``workshop serve`` with eventlet on 127.0.0.1).

The scripted workshop in docs/example_client.py is written from
docs/protocol.md alone; running it here is what proves the documentation is
enough to run a workshop.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.request

import pytest
import socketio
from support import ROOT, Server, new_op, wait_until

sys.path.insert(0, str(ROOT / "docs"))
import example_client


def facilitator_token(server: Server) -> str:
    match = wait_until(lambda: re.search(r"/f/([A-Za-z0-9_-]+)", server.output()), message="facilitator link printed")
    return match.group(1)


def connect(server: Server, auth: dict) -> example_client.Client:
    return example_client.Client(server.url, auth)


def test_serve_prints_links_and_qr_code(server):
    out = server.output()
    assert re.search(r"Participants\s+: http://127\.0\.0\.1:\d+/j/[A-Z0-9]{6}", out)
    assert "async mode: eventlet" in out
    assert "█" in out  # the QR code drawn in the terminal
    assert "Deprecat" not in out, "the owner chose eventlet: no warning noise at start"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_server(request, tmp_path):
    """The real server on the embedded SQLite default, and on PostgreSQL."""
    url = None
    if request.param == "postgres":
        from support import _drop_schema, _postgres_schema_url

        url, schema = _postgres_schema_url()
        request.addfinalizer(lambda: _drop_schema(schema))
    srv = Server(tmp_path, database_url=url).start()
    yield srv
    srv.stop()


def test_full_workshop_with_twenty_phones(any_server):
    server = any_server
    token = facilitator_token(server)
    result = example_client.run_workshop(server.url, token, participants=20)
    try:
        final, export = result["final"], result["export"]
        settings = final["workshop"]["settings"]
        first = final["rounds"][0]
        assert first["phase"] == "closed"
        assert final["presence"]["count"] == 20

        # The action-plan draft holds the question, kept themes with objective and criteria, ranked actions.
        plan_round = final["plan"]["rounds"][0]
        assert plan_round["question"] == first["question"]
        assert plan_round["closed_phases"] == ["diverge", "define", "converge"]
        assert [t["title"] for t in plan_round["themes"]]
        for theme in plan_round["themes"]:
            assert theme["objective"] and theme["criteria"] and theme["ideas"]
        actions = plan_round["actions"]
        assert len(actions) == len(result["actions"])
        assert [a["rank"] for a in actions] == list(range(1, len(actions) + 1))
        assert [a["dots"] for a in actions] == sorted((a["dots"] for a in actions), reverse=True)
        assert sum(a["dots"] for a in actions) == 20 * settings["dot_budget"]
        for a in actions:
            assert sum(a["by_group"].values()) == a["dots"]
            assert a["owner"] == "Service politique de la ville" and a["partners"] and a["indicators"]
            assert a["theme"]["objective"], "every action keeps its theme"
            # lineage is what was linked: the console's actions name their ideas, the phones' name none
            assert bool(a["ideas"]) == a["title"].startswith("Expérimenter"), a

        # Merged duplicates are counted, not lost: 40 ideas posted, each kept idea stands for its copies.
        syn = first["syntheses"]["diverge"]
        assert syn["contributions"] == 40 + 1  # the 40 phone ideas and the paper one; the hidden one is out
        hidden_id = result["hidden_idea"]["id"]
        assert hidden_id not in [i["id"] for i in syn["ideas"]]

        # The export is the complete snapshot.
        assert export["schema"] == "workshop-snapshot/1"
        assert export["plan"] == final["plan"]
        assert "facilitator_token" not in json.dumps(export)

        # The projector was told the hidden idea went away; phones never get the room's ideas one by one.
        other = result["phones"][1]
        wait_until(lambda: any(e["id"] == hidden_id for e in result["screen"].received["idea.removed"]), message="idea.removed")
        assert all(i.get("mine") for i in other.received["idea"]), "a phone only receives its own ideas"
        public = other.ok("snapshot")
        assert hidden_id not in [i["id"] for i in public["rounds"][0]["ideas"]]
        assert "participants" not in public and "token" not in json.dumps(public)
        author_view = result["phones"][0].ok("snapshot")
        mine = [i for i in author_view["rounds"][0]["ideas"] if i["id"] == hidden_id]
        assert mine and mine[0]["hidden"] and mine[0]["mine"]

        # Everyone converged on the same final tallies (coalesced, but eventually complete).
        final_dots = {a["id"]: a["dots"] for a in actions}
        screen = result["screen"]

        def screen_has_final_tally():
            for t in reversed(screen.received["tally"]):
                if t["kind"] == "action":
                    return {i["id"]: i["dots"] for i in t["items"]} == final_dots
            return False

        wait_until(screen_has_final_tally, message="final action tally on the projector")
    finally:
        for client in [*result["phones"], result["screen"], result["facilitator"]]:
            client.close()


def test_retried_write_is_applied_once_and_survives_restart(server, tmp_path):
    token = facilitator_token(server)
    facilitator = connect(server, {"facilitator_token": token})
    code = facilitator.ok("snapshot")["workshop"]["code"]
    facilitator.ok("phase.advance", {"op_id": new_op()})
    phone = connect(server, {"code": code})
    me = phone.ok("join", {"op_id": new_op(), "pseudonym": "Awa", "group": "habitant"})
    op_id = new_op()
    first = phone.ok("idea.post", {"op_id": op_id, "text": "Des bancs à l'ombre"})
    phone.close()
    # The phone lost the ack, reconnects with its token and sends the same write again.
    again = connect(server, {"code": code.lower(), "token": me["token"]})
    second = again.ok("idea.post", {"op_id": op_id, "text": "Des bancs à l'ombre"})
    assert second == first
    assert [i["text"] for i in again.ok("snapshot")["rounds"][0]["ideas"]] == ["Des bancs à l'ombre"]
    again.close()
    facilitator.close()

    server.stop()
    restarted = Server(tmp_path).start()
    try:
        phone = connect(restarted, {"code": code, "token": me["token"]})
        snap = phone.ok("snapshot")
        assert [i["text"] for i in snap["rounds"][0]["ideas"]] == ["Des bancs à l'ombre"]
        assert snap["me"]["pseudonym"] == "Awa"
        phone.close()
    finally:
        restarted.stop()


def test_refusals_are_acknowledged_with_a_reason_and_change_nothing(server):
    token = facilitator_token(server)
    facilitator = connect(server, {"facilitator_token": token})
    code = facilitator.ok("snapshot")["workshop"]["code"]
    phone = connect(server, {"code": code, "lang": "fr"})
    phone.ok("join", {"op_id": new_op()})

    def refused(client, event, payload):
        answer = client.call(event, payload)
        assert answer["ok"] is False, answer
        assert answer["error"]["message"], "a sentence the UI can show"
        return answer["error"]

    assert refused(phone, "idea.post", {"op_id": new_op(), "text": "trop tôt"})["code"] == "wrong_phase"
    assert refused(phone, "phase.advance", {"op_id": new_op()})["code"] == "role"
    assert refused(phone, "idea.hide", {"op_id": new_op(), "idea_id": 1})["code"] == "role"
    facilitator.ok("phase.advance", {"op_id": new_op()})
    error = refused(phone, "idea.post", {"op_id": new_op(), "text": "x" * 5000})
    assert error["code"] == "text_too_long" and "caractères" in error["message"]
    assert refused(phone, "idea.post", {"op_id": new_op(), "text": "   "})["code"] == "empty_text"
    assert refused(phone, "idea.post", {"text": "sans op_id"})["code"] == "invalid_op_id"
    assert refused(phone, "idea.post", ["not", "a", "dict"])["code"] == "invalid_payload"
    assert refused(phone, "idea.post", "texte brut")["code"] == "invalid_payload"
    assert refused(phone, "vote", {"op_id": new_op(), "kind": "theme", "target_id": 99, "delta": 1})["code"] == "unknown_theme"
    assert refused(phone, "vote", {"op_id": new_op(), "kind": "sondage", "target_id": 1})["code"] == "invalid_field"
    assert facilitator.ok("snapshot")["rounds"][0]["ideas"] == []

    english = connect(server, {"code": code, "lang": "en"})
    assert "characters" in refused(english, "join", {"op_id": new_op(), "pseudonym": "x" * 100})["message"]

    # Every event is answered: an unknown one, and one far larger than any legal payload,
    # which must not cost the phone its connection.
    assert refused(phone, "idea.shout", {"op_id": new_op()})["code"] == "unknown_event"
    error = refused(phone, "idea.post", {"op_id": new_op(), "text": "x" * 300_000})
    assert error["code"] == "too_large" and "Ko au plus" in error["message"]
    assert phone.ok("idea.post", {"op_id": new_op(), "text": "toujours connecté"})["idea"]["mine"] is True
    assert (
        refused(phone, "vote", {"op_id": new_op(), "kind": "theme", "target_id": 1})["message"]
        != refused(facilitator, "vote", {"op_id": new_op(), "kind": "theme", "target_id": 1})["message"]
    ), "a refusal is worded for who sent it"
    for client in (phone, english, facilitator):
        client.close()


@pytest.mark.parametrize(
    "auth, code",
    [
        ({"code": "ZZZZZZ"}, "unknown_code"),
        ({"code": None}, "missing_code"),
        ({"facilitator_token": "forged"}, "bad_token"),
    ],
)
def test_bad_credentials_are_refused_at_connect(server, auth, code):
    assert refused_connection(server, auth)["code"] == code


def refused_connection(server, auth) -> dict:
    """Connect with ``auth``; return the connect_error data the client was given."""
    client = socketio.Client(reconnection=False)
    errors = []
    client.on("connect_error", errors.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=10)
    error = wait_until(lambda: errors, message="connect_error")[0]
    assert error["message"] == error["data"]["message"]
    return error["data"]


def test_stale_participant_token_is_refused(server):
    token = facilitator_token(server)
    facilitator = connect(server, {"facilitator_token": token})
    code = facilitator.ok("snapshot")["workshop"]["code"]
    facilitator.close()
    error = refused_connection(server, {"code": code, "token": "stale-token-from-another-day"})
    assert error["code"] == "bad_token" and "QR code" in error["message"]


def test_http_routes(server):
    token = facilitator_token(server)
    facilitator = connect(server, {"facilitator_token": token})
    code = facilitator.ok("snapshot")["workshop"]["code"]
    facilitator.close()
    with urllib.request.urlopen(f"{server.url}/api/workshops/{code.lower()}") as response:
        info = json.loads(response.read())
    assert info["data"]["code"] == code and "habitant" in info["data"]["groups"]
    assert "facilitator_token" not in json.dumps(info)
    with urllib.request.urlopen(f"{server.url}/qr/{code}.svg") as response:
        assert response.headers["Content-Type"].startswith("image/svg+xml")
        assert b"<svg" in response.read()
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{server.url}/f/forged/export.json")
    assert info.value.code == 404
    with urllib.request.urlopen(f"{server.url}/f/{token}/export/docx") as response:
        assert response.headers["Content-Disposition"].startswith('attachment; filename="compte-rendu-')
        assert response.read()[:2] == b"PK"
    with urllib.request.urlopen(f"{server.url}/f/{token}/export/csv?table=actions&lang=en") as response:
        assert response.headers["Content-Type"].startswith("text/csv")
    with urllib.request.urlopen(f"{server.url}/f/{token}/export/html?view=1") as response:
        assert response.headers["Content-Disposition"].startswith("inline")
        assert "script-src" not in response.headers["Content-Security-Policy"]
    for forged in ("/f/forged/export/docx", f"/f/{token}/export/exe"):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(server.url + forged)
        assert info.value.code == 404


def test_same_app_runs_without_eventlet(tmp_path):
    """Only the entry point knows the async server: threading mode serves the same protocol."""
    srv = Server(tmp_path, async_mode="threading").start()
    try:
        facilitator = connect(srv, {"facilitator_token": facilitator_token(srv)})
        code = facilitator.ok("snapshot")["workshop"]["code"]
        facilitator.ok("phase.advance", {"op_id": new_op()})
        phone = connect(srv, {"code": code})
        phone.ok("join", {"op_id": new_op()})
        idea = phone.ok("idea.post", {"op_id": new_op(), "text": "Une fête de quartier"})["idea"]
        wait_until(lambda: any(i["id"] == idea["id"] for i in facilitator.received["idea"]), message="idea on the console")
        assert "async mode: threading" in srv.output()
        phone.close()
        facilitator.close()
    finally:
        srv.stop()


def test_qr_codes_carry_the_address_printed_by_serve(server):
    """Opened on the laptop as 127.0.0.1 or localhost, the projector still shows the served address."""
    token = facilitator_token(server)
    facilitator = connect(server, {"facilitator_token": token})
    code = facilitator.ok("snapshot")["workshop"]["code"]
    facilitator.close()
    localhost = server.url.replace("127.0.0.1", "localhost")
    with urllib.request.urlopen(f"{localhost}/api/workshops/{code}") as response:
        assert json.loads(response.read())["data"]["join_url"] == f"{server.url}/j/{code}"
