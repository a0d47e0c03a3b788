"""The one place that sends changes to rooms.

Every service outcome is handed to :meth:`Broadcaster.publish`; a single
background task drains the queue in order, decides per room what may be seen
(see ``domain.visibility``), and emits.  Tallies and presence counts are
*coalesced*: a vote only marks its tally dirty, and dirty tallies are sent at
most once per ``TALLY_INTERVAL`` per room — a room of 300 voting phones gets a
few tally messages a second, not 300 × 300.

Rooms of workshop ``w``: ``f:w`` (the team's consoles: facilitator and
moderators), ``o:w`` (the facilitator's consoles only: the team's links),
``m:w`` and ``e:w`` (moderators, scribes: told when their link is revoked; the
scribes' pages also follow the notes typed for people without a phone),
``s:w`` (projector screens), ``p:w`` (participants' phones),
``u:<participant id>`` (one person's devices).
"""

from __future__ import annotations

import logging
import queue
import time
from functools import partial

from ..domain import agreement as agreement_rules
from ..domain.polls import public_poll, public_results
from ..domain.visibility import (
    action_is_public,
    hidden_tally,
    own_idea,
    phone_synthesis,
    public_action,
    public_idea,
    public_workshop,
    scribe_idea,
)
from ..services import Change, WorkshopService

log = logging.getLogger(__name__)


def facilitator_room(workshop_id: int) -> str:
    return f"f:{workshop_id}"


def screen_room(workshop_id: int) -> str:
    return f"s:{workshop_id}"


def participants_room(workshop_id: int) -> str:
    return f"p:{workshop_id}"


def person_room(participant_id: int) -> str:
    return f"u:{participant_id}"


def owner_room(workshop_id: int) -> str:
    return f"o:{workshop_id}"


def staff_room(workshop_id: int, role: str) -> str:
    """``m:w`` (moderators) or ``e:w`` (scribes)."""
    return f"{'m' if role == 'moderator' else 'e'}:{workshop_id}"


class Broadcaster:
    """Fans service changes out to Socket.IO rooms, in order, with coalesced tallies."""

    def __init__(self, socketio, service: WorkshopService, interval: float = 0.5) -> None:
        self.socketio = socketio
        self.service = service
        self.interval = interval
        self.queue: queue.Queue[list[Change] | None] = queue.Queue()
        self._dirty_tallies: set[tuple[int, int, str]] = set()
        self._dirty_presence: set[int] = set()
        self._dirty_polls: set[tuple[int, int]] = set()  # (workshop, poll) whose answers changed
        self._dirty_agreement: set[tuple[int, int]] = set()  # (workshop, round) whose stances changed
        self._public_tallies: dict[tuple[int, int, str], bool] = {}  # what the room was last sent: visible or not
        self._next_flush = 0.0
        self._task = None
        # Several workers behind a message queue share the database: this one's tally book is not
        # told of the others' votes, so it recounts (at most once per new vote) instead.
        service.shared = bool(getattr(socketio, "server_options", {}).get("message_queue"))

    def start(self) -> None:
        if self._task is None:
            self._task = self.socketio.start_background_task(self._run)

    def publish(self, changes: list[Change]) -> None:
        """Queue a committed outcome's changes; returns at once."""
        if changes:
            self.start()
            self.queue.put(changes)

    # ------------------------------------------------------------------ worker

    def _run(self) -> None:
        while True:
            timeout = None
            if self._dirty_tallies or self._dirty_presence or self._dirty_polls or self._dirty_agreement:
                timeout = max(0.0, self._next_flush - time.monotonic())
            try:
                batch = self.queue.get(timeout=timeout)
            except queue.Empty:
                batch = []
            try:
                for change in batch or []:
                    self._dispatch(change)
                if self._dirty() and time.monotonic() >= self._next_flush:
                    self._flush()
                    self._next_flush = time.monotonic() + self.interval
            except Exception:  # a broadcast must never kill the broadcaster
                log.exception("broadcast failed")

    def _dirty(self) -> bool:
        return bool(self._dirty_tallies or self._dirty_presence or self._dirty_polls or self._dirty_agreement)

    def _emit(self, event: str, data, rooms) -> None:
        self.socketio.emit(event, data, to=rooms)

    def _dispatch(self, change: Change) -> None:
        wid = change.workshop_id
        everyone = [facilitator_room(wid), screen_room(wid), participants_room(wid)]
        public = everyone[1:]  # what the projector and the phones may see
        scribes = staff_room(wid, "scribe")  # the scribes' pages follow the phases, themes and settings too
        kind, data = change.kind, change.data
        if kind == "idea":
            # Phones do not get the room's ideas one by one (that would grow with
            # the square of the room): the projector shows the wall, phones get
            # their own ideas and a coalesced count in `presence`.
            self._emit("idea", data, facilitator_room(wid))
            view = public_idea(data)
            if view is None:
                self._emit("idea.removed", {"id": data["id"], "round_id": data["round_id"]}, screen_room(wid))
            else:
                self._emit("idea", view, screen_room(wid))
            if data["participant_id"]:
                # The author's phone lists its own ideas; one merged into another leaves it.
                if data["merged_into"]:
                    self._emit("idea.removed", {"id": data["id"], "round_id": data["round_id"]}, person_room(data["participant_id"]))
                else:
                    self._emit("idea", own_idea(data), person_room(data["participant_id"]))
            elif data["on_behalf"]:  # a note typed for someone without a phone: the scribes' pages follow it
                self._emit("idea", scribe_idea(data), scribes)
            self._dirty_presence.add(wid)
        elif kind == "theme":
            self._emit("theme", data, [*everyone, scribes])
        elif kind == "theme_removed":
            self._emit("theme.removed", data, [*everyone, scribes])
        elif kind == "action":
            self._emit("action", data, facilitator_room(wid))
            if action_is_public(data):
                self._emit("action", public_action(data), [*public, scribes])
            elif data["participant_id"]:  # waiting for review (or rejected): its author only is told
                self._emit("action", public_action(data), person_room(data["participant_id"]))
            else:  # proposed by the team, waiting: the scribes' pages list it with its state
                self._emit("action", public_action(data), scribes)
        elif kind == "round":
            self._emit("round", data, [*everyone, scribes])
        elif kind == "synthesis":
            self._emit("synthesis", data, [facilitator_room(wid), screen_room(wid)])
            self._emit("synthesis", {**data, "data": phone_synthesis(data["phase"], data["data"])}, participants_room(wid))
        elif kind == "workshop":
            self._emit("workshop", data, facilitator_room(wid))  # the team's consoles: the settings whole (abuse_words)
            self._emit("workshop", public_workshop(data), [*public, scribes])
        elif kind == "plan":
            self._emit("plan", data, [facilitator_room(wid), screen_room(wid)])
        elif kind == "team":
            # the links go to the facilitator's consoles only; the holders of the old link are told it stopped working
            self._emit("team", {"links": data["links"]}, owner_room(wid))
            self._emit("link.revoked", {"role": data["role"]}, staff_room(wid, data["role"]))
        elif kind == "tally":
            self._dirty_tallies.add((wid, data["round_id"], data["kind"]))
        elif kind == "presence":
            self._dirty_presence.add(wid)
        elif kind == "poll":
            # Drafts stay on the console; the room sees results only once revealed.
            self._emit("poll", data, facilitator_room(wid))
            for room, screen in ((screen_room(wid), True), (participants_room(wid), False)):
                view = public_poll(data, screen=screen)
                if view is not None:
                    self._emit("poll", view, room)
        elif kind == "poll_answer":
            self._dirty_polls.add((wid, data["poll_id"]))  # coalesced, as tallies
        elif kind == "agreement":
            # The agree/disagree round opened, closed, revealed: the room sees the figures only once revealed.
            self._emit("agreement", data, facilitator_room(wid))
            for room, screen in ((screen_room(wid), True), (participants_room(wid), False)):
                self._emit("agreement", agreement_rules.public_agreement(data, screen=screen), room)
        elif kind == "agreement_answer":
            self._dirty_agreement.add((wid, data["round_id"]))  # coalesced, as tallies: never one message per stance
        else:  # pragma: no cover - a programming error
            log.error("unknown change kind %s", kind)

    def _emit_results(self, event: str, wid: int, state: dict, key: str, public, *, shown: bool = True) -> None:
        """Coalesced results (polls, agreement): whole to the team; to the projector and the phones what
        ``public(screen=…)`` lets them see (None: nothing), unless the room is not ``shown`` it at all."""
        self._emit(event, {k: state[k] for k in (key, "answers", "results")}, facilitator_room(wid))
        for room, screen in ((screen_room(wid), True), (participants_room(wid), False)):
            message = public(screen=screen)
            if message is not None and shown:
                self._emit(event, message, room)

    def _flush(self) -> None:
        tallies, self._dirty_tallies = self._dirty_tallies, set()
        presence, self._dirty_presence = self._dirty_presence, set()
        for wid, round_id, kind in sorted(tallies):
            data = self.service.tallies(wid, round_id, kind)
            self._emit("tally", data, facilitator_room(wid))
            public = [screen_room(wid), participants_room(wid)]
            if data["visible"]:
                self._emit("tally", data, public)
            elif self._public_tallies.get((wid, round_id, kind), False):
                # Taken back: the figures the room was shown are withdrawn once, as a
                # fresh snapshot would say (after a restart every client re-reads a snapshot).
                self._emit("tally", hidden_tally(data), public)
            self._public_tallies[(wid, round_id, kind)] = data["visible"]
        polls, self._dirty_polls = self._dirty_polls, set()
        for wid, poll_id in sorted(polls):
            results = self.service.poll_results(wid, poll_id)
            if results is not None:
                public = partial(public_results, poll_id, results["results"], results["revealed"])
                self._emit_results("poll.results", wid, results, "poll_id", public, shown=results["state"] != "draft")
        agreement, self._dirty_agreement = self._dirty_agreement, set()
        for wid, round_id in sorted(agreement):
            state = self.service.agreement_results(wid, round_id)
            if state is not None:
                public = partial(agreement_rules.public_results, round_id, state["results"], state["revealed"])
                self._emit_results("agreement.results", wid, state, "round_id", public)
        for wid in sorted(presence):
            data = self.service.presence(wid)
            self._emit("presence", data, [facilitator_room(wid), screen_room(wid), participants_room(wid)])
