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
    service.open_vote(fac, {"op_id": new_op(), "open": True})
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
    assert socket.to(f"s:{wid}") == [("idea.removed", {"id": idea["id"], "round_id": idea["round_id"]})]
    assert socket.to(f"p:{wid}") == [], "phones are not sent the room's ideas, only a coalesced count"
    broadcaster._flush()
    ((event, counts),) = socket.to(f"p:{wid}")
    assert event == "presence" and counts["ideas"] == {} and counts["count"] == 1
    ((event, mine),) = socket.to(f"u:{pid}")
    assert event == "idea" and mine["hidden"] and mine["mine"] and "participant_id" not in mine
    ((event, full),) = [m for m in socket.to(f"f:{wid}") if m[0] == "idea"]
    assert full["hidden"] and full["participant_id"] == pid


def test_idea_fan_out_grows_with_the_room_not_its_square(service):
    """100 ideas from 100 phones: the phones get one coalesced count, not 100 × 100 messages."""
    fac, people, _ = setup_vote(service, 0)
    created_code = service.snapshot(fac)["workshop"]["code"]
    phones = []
    for _ in range(100):
        token = service.join(service.authenticate(code=created_code), {"op_id": new_op()}).result["token"]
        phones.append(service.authenticate(code=created_code, token=token))
    service.reopen_phase(fac, {"op_id": new_op()})  # back to diverge
    socket = RecordingSocketIO()
    broadcaster = Broadcaster(socket, service, interval=3600)
    broadcaster._next_flush = float("inf")
    for phone in phones:
        for change in service.post_idea(phone, {"op_id": new_op(), "text": "Une idée"}).changes:
            broadcaster._dispatch(change)
    broadcaster._flush()
    wid = fac.workshop_id
    to_phones = socket.to(f"p:{wid}")
    assert [e for e, _ in to_phones] == ["presence"]
    assert list(to_phones[0][1]["ideas"].values()) == [100]
    assert len([e for e, _ in socket.to(f"s:{wid}") if e == "idea"]) == 100


def test_taking_results_back_withdraws_them_from_the_room(service):
    """Reveal, then hide again: the screen and phones are sent a tally without figures, as a fresh snapshot says."""
    fac, people, theme = setup_vote(service, 2, settings={"tallies": "reveal"})
    socket = RecordingSocketIO()
    broadcaster = Broadcaster(socket, service, interval=3600)
    broadcaster._next_flush = float("inf")
    wid = fac.workshop_id

    def publish(outcome):
        for change in outcome.changes:
            broadcaster._dispatch(change)
        broadcaster._flush()

    publish(service.vote(people[0], {"op_id": new_op(), "kind": "theme", "target_id": theme["id"]}))
    publish(service.reveal_tallies(fac, {"op_id": new_op(), "revealed": True}))
    shown = [d for e, d in socket.to(f"p:{wid}") if e == "tally" and d["kind"] == "theme"]
    assert shown[-1]["visible"] and shown[-1]["items"][0]["dots"] == 1 and shown[-1]["ranking"] == [theme["id"]]
    publish(service.reveal_tallies(fac, {"op_id": new_op(), "revealed": False}))
    for room in (f"s:{wid}", f"p:{wid}"):
        last = [d for e, d in socket.to(room) if e == "tally" and d["kind"] == "theme"][-1]
        assert (last["visible"], last["items"], last["ranking"]) == (False, None, None)
    phone_view = service.snapshot(people[1])["rounds"][0]
    assert phone_view["tallies"]["theme"] is None and phone_view["ranking"]["theme"] is None
    sent_before = len(socket.to(f"p:{wid}"))
    publish(service.vote(people[1], {"op_id": new_op(), "kind": "theme", "target_id": theme["id"]}))
    assert len(socket.to(f"p:{wid}")) == sent_before, "while hidden, votes send the room nothing more"


def _phones(service, code, n):
    out = []
    for _ in range(n):
        joined = service.join(service.authenticate(code=code), {"op_id": new_op()}).result
        out.append(service.authenticate(code=code, token=joined["token"]))
    return out


def test_every_idea_a_merge_or_withdrawal_moves_is_broadcast(service):
    """Chained merges (C→B, then B→A) and a withdrawn merge target: every client hears of every idea that moved."""
    created = service.create_workshop("Atelier", rounds=["Q"])
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    a, b, c, d = _phones(service, created["workshop"]["code"], 4)
    service.advance_phase(fac, {"op_id": new_op()})
    ideas = {
        name: service.post_idea(p, {"op_id": new_op(), "text": f"idée {name}"}).result["idea"] for name, p in zip("ABCD", (a, b, c, d))
    }
    socket = RecordingSocketIO()
    broadcaster = Broadcaster(socket, service)
    wid = fac.workshop_id

    def publish(outcome):
        for change in outcome.changes:
            broadcaster._dispatch(change)

    publish(service.merge_ideas(fac, {"op_id": new_op(), "idea_id": ideas["C"]["id"], "into_id": ideas["B"]["id"]}))
    ((event, removed),) = socket.to(f"u:{c.participant_id}")
    assert event == "idea.removed" and removed["id"] == ideas["C"]["id"], "the duplicate's author is told it left their list"
    publish(service.merge_ideas(fac, {"op_id": new_op(), "idea_id": ideas["B"]["id"], "into_id": ideas["A"]["id"]}))
    console = {data["id"]: data for event, data in socket.to(f"f:{wid}") if event == "idea"}
    assert console[ideas["C"]["id"]]["merged_into"] == ideas["A"]["id"], "the console must not keep showing C→B"
    assert console[ideas["A"]["id"]]["count"] == 3

    publish(service.merge_ideas(fac, {"op_id": new_op(), "idea_id": ideas["D"]["id"], "into_id": ideas["A"]["id"]}))
    publish(service.withdraw_idea(a, {"op_id": new_op(), "idea_id": ideas["A"]["id"]}))
    console = {data["id"]: data for event, data in socket.to(f"f:{wid}") if event == "idea"}
    fresh = {i["id"]: i for i in service.snapshot(fac)["rounds"][0]["ideas"]}
    for name in "ABCD":
        idea_id = ideas[name]["id"]
        assert (console[idea_id]["merged_into"], console[idea_id]["withdrawn"], console[idea_id]["count"]) == (
            fresh[idea_id]["merged_into"],
            fresh[idea_id]["withdrawn"],
            fresh[idea_id]["count"],
        ), name
