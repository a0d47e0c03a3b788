"""The public restitution ("ce qu'est devenue votre parole") and what became of each action.

Three layers, as the feature is built:

* the domain rules (``workshop.domain.restitution``): status updates and the
  public dict, pure functions;
* the use cases (``publish_restitution``, ``update_action_status``,
  ``restitution``) on SQLite and PostgreSQL through the ``service`` fixture;
* the adapters: the page ``/r/<code>`` and its QR code through Flask's test
  client, and the two Socket.IO events through Flask-SocketIO's test client;
* the JSON archive, which carries the histories and the publication across an import.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from support import new_op, wait_until

from workshop.domain import restitution as rules
from workshop.errors import Forbidden, NotFound, PhaseError, ValidationError
from workshop.exports import export
from workshop.exports.common import format_date
from workshop.exports.json_export import validate
from workshop.importer import import_snapshot
from workshop.services import WorkshopService
from workshop.storage.models import ActionUpdate

NOW = datetime(2027, 3, 14, 10, 0, tzinfo=UTC)  # the domain rules take the clock as a parameter
TODAY = datetime.now(UTC).date()


def day(n: int) -> str:
    """Day ``n`` after the workshop, which took place 30 days ago (always in the past)."""
    return (TODAY - timedelta(days=30 - n)).isoformat()


HIDDEN = "Tous des incapables, rien ne changera"
WITHDRAWN = "Finalement je retire cette idée"
MERGED_AWAY = "Des jardins en bas des tours"
KEPT_IDEA = "Des jardins partagés au pied des immeubles"
BUS = "Un bus de nuit qui dessert le quartier"
LATE_HIDDEN = "Une idée masquée pendant la convergence"
PSEUDONYMS = ("Samira-B", "JeanLuc42", "Claire.adjointe")


# --------------------------------------------------------------------------- a closed workshop


class Closed:
    """A one-round workshop driven to its end, with everything the page must filter out."""

    def __init__(self, service: WorkshopService, *, close: bool = True):
        self.service = service
        created = service.create_workshop(
            "Atelier du quartier Nord",
            rounds=["Dans 10 ans, on aura réussi si…"],
            territory="Quartier Nord",
            date=day(0),
        )
        self.id = created["workshop"]["id"]
        self.code = created["workshop"]["code"]
        self.facilitator_token = created["facilitator_token"]
        self.fac = service.authenticate(facilitator_token=self.facilitator_token)
        self.tokens = []
        self.people = []
        for pseudonym, group in zip(PSEUDONYMS, ("habitant", "habitant", "élu·e")):
            out = service.join(service.authenticate(code=self.code), {"op_id": new_op(), "pseudonym": pseudonym, "group": group})
            self.tokens.append(out.result["token"])
            self.people.append(service.authenticate(code=self.code, token=out.result["token"]))
        samira, jean, claire = self.people
        self.ok("advance_phase", self.fac)  # diverge
        self.garden = self.ok("post_idea", samira, text=KEPT_IDEA)["idea"]
        dup = self.ok("post_idea", jean, text=MERGED_AWAY)["idea"]
        self.bus = self.ok("post_idea", claire, text=BUS)["idea"]
        hidden = self.ok("post_idea", jean, text=HIDDEN)["idea"]
        gone = self.ok("post_idea", jean, text=WITHDRAWN)["idea"]
        self.late = self.ok("post_idea", samira, text=LATE_HIDDEN)["idea"]
        self.ok("hide_idea", self.fac, idea_id=hidden["id"], hidden=True)
        self.ok("withdraw_idea", jean, idea_id=gone["id"])
        self.ok("merge_ideas", self.fac, idea_id=dup["id"], into_id=self.garden["id"])
        self.ok("advance_phase", self.fac)  # define
        self.green = self.ok("create_theme", self.fac, title="Nature en ville", objective="Plus de vert", criteria=["3 jardins"])["theme"]
        self.moves = self.ok("create_theme", self.fac, title="Mobilités")["theme"]
        for idea in (self.garden, self.late):
            self.ok("move_idea", self.fac, idea_id=idea["id"], theme_id=self.green["id"])
        self.ok("move_idea", self.fac, idea_id=self.bus["id"], theme_id=self.moves["id"])
        self.ok("advance_phase", self.fac, kept_theme_ids=[self.green["id"]])  # converge
        self.ok("open_vote", self.fac, open=True)
        self.action = self.ok("propose_action", samira, theme_id=self.green["id"], title="Ouvrir un jardin partagé", idea_ids=[dup["id"]])[
            "action"
        ]
        self.other = self.ok("propose_action", self.fac, theme_id=self.green["id"], title="Planter des arbres")["action"]
        self.ok("update_action", self.fac, action_id=self.action["id"], owner="Centre social", deadline="Juin 2027", status="planned")
        self.ok("vote", samira, kind="action", target_id=self.action["id"], delta=2)
        self.ok("vote", claire, kind="action", target_id=self.other["id"], delta=1)
        self.ok("hide_idea", self.fac, idea_id=self.late["id"], hidden=True)  # moderated late
        if close:
            self.ok("advance_phase", self.fac)  # closed

    def ok(self, method: str, actor, **payload):
        outcome = getattr(self.service, method)(actor, {"op_id": new_op(), **payload})
        return outcome.result

    def status(self, action_id: int, status: str, date: str, comment: str = ""):
        return self.ok("update_action_status", self.fac, action_id=action_id, status=status, date=date, comment=comment)["action"]

    def publish(self, published: bool = True):
        return self.ok("publish_restitution", self.fac, published=published)["workshop"]


def secrets_of(room: Closed) -> list[str]:
    """What must never reach the public page."""
    return [HIDDEN, WITHDRAWN, MERGED_AWAY, LATE_HIDDEN, *PSEUDONYMS, *room.tokens, room.facilitator_token]


def all_strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [str(k), *all_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in all_strings(v)]
    return [str(value)]


# --------------------------------------------------------------------------- domain: status updates


def test_a_valid_update_is_cleaned():
    assert rules.check_status_update("done", "2027-03-01", "  Fini\r\n au printemps ", NOW) == ("done", "2027-03-01", "Fini\nau printemps")
    assert rules.check_status_update("planned", None, None, NOW) == ("planned", "2027-03-14", "")  # default: today
    assert rules.check_status_update("in_progress", "", "", NOW)[1] == "2027-03-14"


@pytest.mark.parametrize("status", ["proposed", "finished", "", None, 3, "DONE"])
def test_unknown_status_is_refused(status):
    with pytest.raises(ValidationError) as error:
        rules.check_status_update(status, "2027-03-01", "", NOW)
    assert (error.value.code, error.value.params) == ("invalid_field", {"field": "status"})


@pytest.mark.parametrize("value", ["2027-02-30", "14/03/2027", "2027-3-1", 20270301, "demain", "2027-03-01T10:00"])
def test_malformed_date_is_refused(value):
    with pytest.raises(ValidationError) as error:
        rules.check_status_update("done", value, "", NOW)
    assert (error.value.code, error.value.params) == ("invalid_field", {"field": "date"})


def test_a_date_in_the_future_is_refused_but_today_anywhere_is_not():
    with pytest.raises(ValidationError) as error:
        rules.check_status_update("done", "2027-03-16", "", NOW)
    assert error.value.code == "future_date"
    # 14 March 23:30 UTC is already the 15th in Paris (and in Kiribati): accepted.
    late = datetime(2027, 3, 14, 23, 30, tzinfo=UTC)
    assert rules.check_status_update("done", "2027-03-15", "", late)[1] == "2027-03-15"
    assert rules.check_status_update("done", "1999-12-31", "", NOW)[1] == "1999-12-31"


def test_comment_is_limited_to_500_characters():
    assert len(rules.check_status_update("done", None, "é" * 500, NOW)[2]) == 500
    with pytest.raises(ValidationError) as error:
        rules.check_status_update("done", None, "é" * 501, NOW)
    assert error.value.code == "text_too_long" and error.value.params["field"] == "comment"
    with pytest.raises(ValidationError):
        rules.check_status_update("done", None, ["pas", "un texte"], NOW)


@pytest.mark.parametrize("phase", ["lobby", "diverge", "define", "converge"])
def test_statuses_wait_for_the_round_to_close(phase):
    with pytest.raises(PhaseError) as error:
        rules.require_closed(phase)
    assert error.value.code == "round_not_closed" and error.value.params == {"phase": phase}
    rules.require_closed("closed")


def test_history_is_by_day_then_by_recording_order():
    updates = [
        {"id": 1, "date": "2027-05-01", "status": "in_progress"},
        {"id": 2, "date": "2027-04-01", "status": "planned"},  # recorded late, happened earlier
        {"id": 3, "date": "2027-05-01", "status": "done"},
    ]
    assert [u["id"] for u in rules.history(updates)] == [2, 1, 3]
    assert rules.current_status("proposed", updates) == "done"
    assert rules.current_status("planned", []) == "planned"


# --------------------------------------------------------------------------- domain: the public dict


def test_public_dict_is_a_whitelist(service):
    room = Closed(service)
    room.status(room.action["id"], "in_progress", day(9), "Terrain trouvé")
    data = rules.build_restitution(service.full_snapshot(room.id))
    text = "\n".join(all_strings(data))
    for secret in secrets_of(room):
        assert secret not in text, secret
    assert "participant_id" not in text and "token" not in text and room.code not in text
    (r,) = data["rounds"]
    assert [t["title"] for t in r["themes"]] == ["Nature en ville"]
    assert [t["title"] for t in r["other_themes"]] == ["Mobilités"]
    garden = r["themes"][0]["ideas"][0]
    assert garden["text"] == KEPT_IDEA and garden["group"] == "habitant" and garden["count"] == 2
    assert set(garden) == {"no", "anchor", "text", "group", "count", "on_behalf", "actions"}
    assert r["themes"][0]["objective"] == "Plus de vert" and r["themes"][0]["criteria"] == ["3 jardins"]
    # Actions ranked by dots, linked to the ideas they came from (the merged-away one followed to its keeper).
    first, second = r["actions"]
    assert (first["title"], first["rank"], first["dots"]) == ("Ouvrir un jardin partagé", 1, 2)
    assert [i["text"] for i in first["ideas"]] == [KEPT_IDEA]
    assert first["ideas"][0]["anchor"] == garden["anchor"]
    assert garden["actions"][0]["anchor"] == first["anchor"]
    assert first["owner"] == "Centre social" and first["status"] == "in_progress"
    assert first["updates"] == [{"date": day(9), "status": "in_progress", "comment": "Terrain trouvé"}]
    assert first["theme"] == {"title": "Nature en ville", "anchor": r["themes"][0]["anchor"]}
    # Nobody linked ideas to the second action: it claims none, and the garden idea says it led to the first only.
    assert second["ideas"] == []
    assert [a["anchor"] for a in garden["actions"]] == [first["anchor"]]
    assert data["totals"]["ideas"] == 2 and data["totals"]["participants"] == 3
    assert data["totals"]["statuses"]["in_progress"] == 1 and data["totals"]["statuses"]["proposed"] == 1


def test_only_closed_rounds_appear(service):
    room = Closed(service, close=False)
    data = rules.build_restitution(service.full_snapshot(room.id))
    assert data["rounds"] == [] and data["rounds_pending"] == 1 and data["totals"]["ideas"] == 0


def test_updates_can_be_given_apart_from_the_snapshot(service):
    room = Closed(service)
    snapshot = service.full_snapshot(room.id)
    given = {room.action["id"]: [{"id": 9, "date": day(1), "status": "done", "comment": "ok"}]}
    data = rules.build_restitution(snapshot, given)
    first = data["rounds"][0]["actions"][0]
    assert first["status"] == "done" and first["updates"] == [{"date": day(1), "status": "done", "comment": "ok"}]


# --------------------------------------------------------------------------- service: publishing


def test_publish_and_unpublish(service):
    room = Closed(service)
    with pytest.raises(NotFound):
        service.restitution(room.code)
    outcome = service.publish_restitution(room.fac, {"op_id": new_op(), "published": True})
    first = outcome.result["workshop"]["published_at"]
    assert first and first.endswith("Z")
    assert [c.kind for c in outcome.changes] == ["workshop"]
    assert outcome.changes[0].data["published_at"] == first
    assert service.restitution(room.code.lower())["workshop"]["title"] == "Atelier du quartier Nord"
    assert room.publish()["published_at"] == first  # publishing again keeps the first date
    assert room.publish(False)["published_at"] is None
    with pytest.raises(NotFound) as error:
        service.restitution(room.code)
    assert error.value.code == "not_published"
    with pytest.raises(NotFound):
        service.restitution("ZZZZZZ")


def test_publication_is_seen_by_the_room_and_needs_an_explicit_choice(service):
    room = Closed(service)
    room.publish()
    phone = service.snapshot(room.people[0])
    assert phone["workshop"]["published_at"]
    assert service.snapshot(service.authenticate(code=room.code, role="screen"))["workshop"]["published_at"]
    for bad in ({}, {"published": "yes"}, {"published": 1}, {"published": None}):
        with pytest.raises(ValidationError) as error:
            service.publish_restitution(room.fac, {"op_id": new_op(), **bad})
        assert error.value.params == {"field": "published"}


@pytest.mark.parametrize("who", ["participant", "screen", "guest"])
def test_only_the_facilitator_publishes_or_records_a_status(service, who):
    room = Closed(service)
    actor = {
        "participant": room.people[0],
        "screen": service.authenticate(code=room.code, role="screen"),
        "guest": service.authenticate(code=room.code),
    }[who]
    with pytest.raises(Forbidden) as error:
        service.publish_restitution(actor, {"op_id": new_op(), "published": True})
    assert error.value.code == "role"
    with pytest.raises(Forbidden) as error:
        service.update_action_status(actor, {"op_id": new_op(), "action_id": room.action["id"], "status": "done"})
    assert error.value.code == "role"
    assert service.full_snapshot(room.id)["workshop"]["published_at"] is None


# --------------------------------------------------------------------------- service: status updates


def test_status_history_is_appended_and_the_status_follows_it(service):
    room = Closed(service)
    aid = room.action["id"]
    a = room.status(aid, "in_progress", day(4), "Le terrain est trouvé")
    assert a["status"] == "in_progress" and len(a["updates"]) == 1
    a = room.status(aid, "done", day(11), "Inauguré !")
    a = room.status(aid, "planned", day(1), "Validé en conseil municipal")  # recorded late
    assert [u["date"] for u in a["updates"]] == [day(1), day(4), day(11)]
    assert [u["status"] for u in a["updates"]] == ["planned", "in_progress", "done"]
    assert a["status"] == "done"  # the status is where the timeline ends
    assert a["updates"][0]["comment"] == "Validé en conseil municipal" and a["updates"][0]["created_at"]
    full = service.full_snapshot(room.id)
    stored = next(x for x in full["rounds"][0]["actions"] if x["id"] == aid)
    assert stored["status"] == "done" and stored["updates"] == a["updates"]
    other = next(x for x in full["rounds"][0]["actions"] if x["id"] == room.other["id"])
    assert other["updates"] == [] and other["status"] == "proposed"
    # The public page says the same, in the same order.
    room.publish()
    page = service.restitution(room.code)["rounds"][0]["actions"][0]
    assert [(u["date"], u["status"]) for u in page["updates"]] == [(day(1), "planned"), (day(4), "in_progress"), (day(11), "done")]


def test_a_status_update_is_applied_once_per_operation(service):
    room = Closed(service)
    payload = {"op_id": new_op(), "action_id": room.action["id"], "status": "done", "date": day(11)}
    first = service.update_action_status(room.fac, payload)
    again = service.update_action_status(room.fac, payload)
    assert again.replayed and again.result == first.result and again.changes == []
    assert [c.kind for c in first.changes] == ["action"]
    with service.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ActionUpdate)) == 1


@pytest.mark.parametrize(
    "payload, error_type, code",
    [
        ({"status": "proposed"}, ValidationError, "invalid_field"),
        ({"status": "done", "date": "2099-01-01"}, ValidationError, "future_date"),
        ({"status": "done", "date": "31/12/2026"}, ValidationError, "invalid_field"),
        ({"status": "done", "comment": "x" * 501}, ValidationError, "text_too_long"),
        ({"status": "done", "action_id": 999999}, NotFound, "unknown_action"),
        ({"status": "done", "action_id": "1"}, ValidationError, "invalid_field"),
    ],
)
def test_status_update_refusals(service, payload, error_type, code):
    room = Closed(service)
    with pytest.raises(error_type) as error:
        service.update_action_status(room.fac, {"op_id": new_op(), "action_id": room.action["id"], **payload})
    assert error.value.code == code
    with service.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ActionUpdate)) == 0


def test_status_waits_for_the_round_to_close(service):
    room = Closed(service, close=False)
    with pytest.raises(PhaseError) as error:
        service.update_action_status(room.fac, {"op_id": new_op(), "action_id": room.action["id"], "status": "done"})
    assert error.value.code == "round_not_closed" and error.value.params["phase"] == "converge"


def test_default_date_is_today(service):
    room = Closed(service)
    a = service.update_action_status(room.fac, {"op_id": new_op(), "action_id": room.action["id"], "status": "planned"}).result["action"]
    assert a["updates"][0]["date"] == datetime.now(UTC).date().isoformat()


def test_another_workshops_action_is_unknown(service):
    room, other = Closed(service), Closed(service)
    with pytest.raises(NotFound) as error:
        service.update_action_status(room.fac, {"op_id": new_op(), "action_id": other.action["id"], "status": "done"})
    assert error.value.code == "unknown_action"


def test_updates_are_read_with_one_query_per_round(service):
    room = Closed(service)
    for a in (room.action, room.other):
        for n in (1, 2, 3):
            room.status(a["id"], "in_progress", day(n))
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if "action_updates" in statement:
            statements.append(statement)

    event.listen(service.db.engine, "before_cursor_execute", count)
    try:
        full = service.full_snapshot(room.id)
    finally:
        event.remove(service.db.engine, "before_cursor_execute", count)
    assert len(statements) == len(full["rounds"]) == 1
    assert all(len(a["updates"]) == 3 for a in full["rounds"][0]["actions"])


def test_participants_see_the_history_but_no_ids(service):
    room = Closed(service)
    room.status(room.action["id"], "done", day(11), "Inauguré")
    phone = service.snapshot(room.people[1])
    action = next(a for a in phone["rounds"][0]["actions"] if a["id"] == room.action["id"])
    assert action["updates"][0]["status"] == "done" and "participant_id" not in action


# --------------------------------------------------------------------------- HTTP: the page and its QR code


def http_room(app) -> Closed:
    return Closed(app.extensions["workshop.service"])


def test_unpublished_or_unknown_restitution_is_a_404_page(app, client):
    room = http_room(app)
    for path in (f"/r/{room.code}", "/r/ZZZZZZ", "/r/%3Cscript%3E"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Cette restitution n'est pas publiée" in response.get_data(as_text=True)
    assert KEPT_IDEA not in client.get(f"/r/{room.code}").get_data(as_text=True)


def test_published_page_shows_the_outcome_and_nothing_private(app, client):
    room = http_room(app)
    room.status(room.action["id"], "in_progress", day(4), "Le terrain est trouvé")
    room.status(room.action["id"], "planned", day(1), "Validé en conseil")
    room.publish()
    response = client.get(f"/r/{room.code}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for secret in secrets_of(room):
        assert secret not in html, secret
    for expected in (
        KEPT_IDEA,
        BUS,
        "Nature en ville",
        "Plus de vert",
        "3 jardins",
        "Ouvrir un jardin partagé",
        "Centre social",
        "Juin 2027",
    ):
        assert expected in html, expected
    assert "Ce qu'est devenue votre parole" in html and 'lang="fr"' in html
    # The timeline: decided at the workshop, then the updates by day.
    timeline = re.findall(r'<time datetime="([\d-]+)">', html.split('id="round-1-action-1"')[1].split("</article>")[0])
    assert timeline == [day(0), day(1), day(4)]
    assert html.index("Validé en conseil") < html.index("Le terrain est trouvé")
    assert format_date(day(1), "fr") in html and "En cours" in html
    # The action links to the idea it came from, and the idea to the action.
    assert 'href="#idea-1"' in html and 'id="idea-1"' in html and 'href="#round-1-action-1"' in html
    # No script, no inline style: the strict CSP holds.
    assert "<script" not in html and "style=" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    english = client.get(f"/r/{room.code}?lang=en").get_data(as_text=True)
    assert "What became of your ideas" in english and format_date(day(1), "en") in english
    assert 'lang="fr"' in english  # the ideas are marked as French for screen readers


def test_restitution_qr_code(app, client):
    room = http_room(app)
    response = client.get(f"/qr/r/{room.code}.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data
    assert client.get("/qr/r/ZZZZZZ.svg").status_code == 404


def test_pages_know_the_restitution_address(app, client):
    room = http_room(app)
    for path in (f"/j/{room.code}", f"/s/{room.code}", f"/f/{room.facilitator_token}"):
        html = client.get(path).get_data(as_text=True)
        assert f"/r/{room.code}" in html, path


# --------------------------------------------------------------------------- Socket.IO: the two events


def test_socket_events_publish_and_record_a_status(app, client):
    room = http_room(app)
    socketio = app.extensions["socketio"]
    console = socketio.test_client(app, auth={"facilitator_token": room.facilitator_token}, flask_test_client=client)
    phone = socketio.test_client(app, auth={"code": room.code, "token": room.tokens[0]}, flask_test_client=client)
    try:
        refused = phone.emit("restitution.publish", {"op_id": new_op(), "published": True}, callback=True)
        assert refused["ok"] is False and refused["error"]["code"] == "role"
        answer = console.emit("restitution.publish", {"op_id": new_op(), "published": True}, callback=True)
        assert answer["ok"] and answer["data"]["workshop"]["published_at"]
        seen = wait_until(lambda: [m for m in phone.get_received() if m["name"] == "workshop"], message="workshop broadcast to the phones")
        assert seen[0]["args"][0]["published_at"] == answer["data"]["workshop"]["published_at"]
        future = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
        refused = console.emit(
            "action.status", {"op_id": new_op(), "action_id": room.action["id"], "status": "done", "date": future}, callback=True
        )
        assert refused["ok"] is False and refused["error"]["code"] == "future_date"
        assert refused["error"]["message"] == "La date ne peut pas être dans le futur."
        answer = console.emit(
            "action.status",
            {"op_id": new_op(), "action_id": room.action["id"], "status": "done", "date": day(11), "comment": "Inauguré"},
            callback=True,
        )
        assert answer["ok"] and answer["data"]["action"]["status"] == "done"
        got = wait_until(lambda: [m for m in phone.get_received() if m["name"] == "action"], message="action broadcast to the phones")
        assert got[0]["args"][0]["updates"][0]["comment"] == "Inauguré" and "participant_id" not in got[0]["args"][0]
    finally:
        console.disconnect()
        phone.disconnect()


# --------------------------------------------------------------------------- the JSON archive carries both


def test_archive_carries_the_history_and_the_publication(service):
    room = Closed(service)
    room.status(room.action["id"], "in_progress", day(4), "Terrain trouvé")
    room.status(room.action["id"], "done", day(11), "Inauguré")
    published = room.publish()["published_at"]
    doc = json.loads(export(service.full_snapshot(room.id), "json"))
    assert validate(doc) == []
    assert doc["workshop"]["published_at"] == published
    archived = next(a for a in doc["rounds"][0]["actions"] if a["title"] == "Ouvrir un jardin partagé")
    assert [(u["date"], u["status"], u["comment"]) for u in archived["updates"]] == [
        (day(4), "in_progress", "Terrain trouvé"),
        (day(11), "done", "Inauguré"),
    ]
    copy = import_snapshot(service.db, doc)
    assert copy["workshop"]["published_at"] == published
    again = json.loads(export(service.full_snapshot(copy["workshop"]["id"]), "json"))
    assert again["rounds"] == doc["rounds"] and again["workshop"] == doc["workshop"]
    assert service.restitution(copy["workshop"]["code"])["rounds"][0]["actions"][0]["status"] == "done"
    # A file without the new fields (written before them) still imports, unpublished.
    for a in doc["rounds"][0]["actions"]:
        a.pop("updates")
    doc["workshop"].pop("published_at")
    older = import_snapshot(service.db, doc)
    assert older["workshop"]["published_at"] is None
    # A bad day in a history is refused with the import's own error.
    archived["updates"] = [{"status": "done", "date": "2027-02-30", "comment": ""}]
    doc["rounds"][0]["actions"] = [archived, *[a for a in doc["rounds"][0]["actions"] if a["ref"] != archived["ref"]]]
    with pytest.raises(ValidationError) as error:
        import_snapshot(service.db, doc)
    assert error.value.code == "invalid_import" and "bad date" in error.value.params["detail"]


def test_an_action_nobody_linked_ideas_to_claims_no_lineage(app, client):
    """'Planter des arbres' shares the garden idea's theme, but nobody linked that idea to it."""
    room = http_room(app)
    room.publish()
    html = client.get(f"/r/{room.code}").get_data(as_text=True)
    second = html.split('id="round-1-action-2"')[1].split("</article>")[0]
    assert "Planter des arbres" in second
    assert "Nature en ville" in second, "it says which theme it belongs to"
    assert "Elle vient de ces idées" not in second and "idea-" not in second
    assert 'href="#round-1-action-2"' not in html, "no idea says it led to it"
