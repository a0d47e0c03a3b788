"""The broadcaster: who receives what, and tallies coalesced instead of one message per vote."""

from __future__ import annotations

import threading

from support import new_op, wait_until

from workshop.services import WorkshopService
from workshop.web.broadcast import Broadcaster


class RecordingSocketIO:
    """Stands in for the Socket.IO server's emit: records (event, data, rooms)."""

    def __init__(self):
        self.sent = []
        self.lock = threading.Lock()

    def emit(self, event, data, to=None):
        rooms = [to] if isinstance(to, str) else list(to)
        with self.lock:
            self.sent.append((event, data, rooms))

    def start_background_task(self, fn, *args):
        thread = threading.Thread(target=fn, args=args, daemon=True)
        thread.start()
        return thread

    def to(self, room):
        with self.lock:
            return [(e, d) for e, d, rooms in self.sent if room in rooms]


def setup_vote(service: WorkshopService, phones: int, settings=None):
    created = service.create_workshop("Atelier", rounds=["Dans 10 ans…"], settings=settings)
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    code = created["workshop"]["code"]
    people = []
    for _ in range(phones):
        token = service.join(service.authenticate(code=code), {"op_id": new_op()}).result["token"]
        people.append(service.authenticate(code=code, token=token))
    service.advance_phase(fac, {"op_id": new_op()})
    service.advance_phase(fac, {"op_id": new_op()})
    theme = service.create_theme(fac, {"op_id": new_op(), "title": "Mobilités"}).result["theme"]
    return fac, people, theme


def test_many_votes_make_one_tally_message_per_room(service):
    fac, people, theme = setup_vote(service, 30)
    socket = RecordingSocketIO()
    broadcaster = Broadcaster(socket, service, interval=3600)  # one flush window for the whole test
    broadcaster._next_flush = float("inf")
    for person in people:
        outcome = service.vote(person, {"op_id": new_op(), "kind": "theme", "target_id": theme["id"], "delta": 1})
        for change in outcome.changes:
            broadcaster._dispatch(change)
    assert socket.sent == [], "a vote must not send anything by itself"
    broadcaster._flush()
    wid = fac.workshop_id
    for room in (f"f:{wid}", f"s:{wid}", f"p:{wid}"):
        tallies = [d for e, d in socket.to(room) if e == "tally"]
        assert len(tallies) == 1
        assert tallies[0]["items"] == [{"id": theme["id"], "dots": 30, "voters": 30, "by_group": {"—": 30}}]


def test_hidden_tallies_reach_only_the_facilitator_until_revealed(service):
    fac, people, theme = setup_vote(service, 2, settings={"tallies": "reveal"})
    socket = RecordingSocketIO()
    broadcaster = Broadcaster(socket, service, interval=0.01)
    broadcaster.publish(service.vote(people[0], {"op_id": new_op(), "kind": "theme", "target_id": theme["id"]}).changes)
    wid = fac.workshop_id
    wait_until(lambda: [d for e, d in socket.to(f"f:{wid}") if e == "tally"], message="facilitator tally")
    assert not [d for e, d in socket.to(f"p:{wid}") if e == "tally"]
    broadcaster.publish(service.reveal_tallies(fac, {"op_id": new_op(), "revealed": True}).changes)
    wait_until(lambda: [d for e, d in socket.to(f"p:{wid}") if e == "tally" and d["kind"] == "theme"], message="revealed tally")


def test_hidden_idea_is_removed_for_the_room_and_marked_for_its_author(service):
    created = service.create_workshop("Atelier", rounds=["Q"])
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    code = created["workshop"]["code"]
    token = service.join(service.authenticate(code=code), {"op_id": new_op(), "pseudonym": "Léa"}).result
    phone = service.authenticate(code=code, token=token["token"])
    service.advance_phase(fac, {"op_id": new_op()})
    idea = service.post_idea(phone, {"op_id": new_op(), "text": "hors sujet"}).result["idea"]
    socket = RecordingSocketIO()
    broadcaster = Broadcaster(socket, service)
    for change in service.hide_idea(fac, {"op_id": new_op(), "idea_id": idea["id"]}).changes:
        broadcaster._dispatch(change)
    wid, pid = fac.workshop_id, token["participant"]["id"]
    assert socket.to(f"p:{wid}") == [("idea.removed", {"id": idea["id"], "round_id": idea["round_id"]})]
    assert socket.to(f"s:{wid}") == socket.to(f"p:{wid}")
    (event, mine), = socket.to(f"u:{pid}")
    assert event == "idea" and mine["hidden"] and mine["mine"] and "participant_id" not in mine
    (event, full), = socket.to(f"f:{wid}")
    assert full["hidden"] and full["participant_id"] == pid
