"""Socket.IO adapter: authenticate at connect, then authorise, call, acknowledge, publish.

Every event handler has the same shape (see :func:`_answering`): the
service layer does the checking and the writing; this module only knows who
the connection is and which rooms it sits in.  The protocol is documented in
``docs/protocol.md``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from flask import current_app, session
from flask_socketio import ConnectionRefusedError, SocketIO, join_room
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..assist.service import Assistant
from ..assist.service import from_config as assistant_from_config
from ..errors import Busy, Unauthenticated, ValidationError, WorkshopError
from ..services import (
    FACILITATOR,
    GUEST,
    MODERATOR,
    PARTICIPANT,
    SCREEN,
    SCRIBE,
    STAFF,
    Actor,
    Outcome,
    actions,
    agreement,
    ideas,
    polls,
    restitution,
    rounds,
    snapshots,
    team,
    theme_ideas,
    themes,
    voting,
    workshops,
)
from ..services import review as reviewing
from . import limits, maintenance
from .broadcast import (
    Broadcaster,
    facilitator_room,
    owner_room,
    participants_room,
    person_room,
    screen_room,
    staff_room,
)
from .i18n import error_payload, remember_socket_language, server_error_payload

log = logging.getLogger(__name__)

#: the largest event payload answered (bytes of JSON); anything larger is refused with ``too_large``
MAX_PAYLOAD = 256 * 1024
#: the largest Socket.IO frame accepted at all: above it the transport drops the connection, so it
#: is set well above MAX_PAYLOAD for an oversized message to be answered instead
MAX_FRAME = 1024 * 1024

#: seconds between two Engine.IO pings from the server (the protocol's default)
PING_INTERVAL = 25
#: seconds a pong may take before the connection is closed: sized for a loaded plenary, where a burst
#: of 2,000 votes keeps the loop busy for seconds; a phone that really left closes its socket and is
#: seen at once, so this only delays noticing a phone that vanished without a word (Wi-Fi lost)
PING_TIMEOUT = 60

#: event name -> use case; each takes (service, actor, payload) and returns an Outcome
WRITE_EVENTS: dict[str, Callable[..., Outcome]] = {
    "join": workshops.join,
    "idea.post": ideas.post_idea,
    "idea.edit": ideas.edit_idea,
    "idea.withdraw": ideas.withdraw_idea,
    "idea.hide": ideas.hide_idea,
    "idea.merge": ideas.merge_ideas,
    "idea.unmerge": ideas.unmerge_idea,
    "idea.move": ideas.move_idea,
    "theme.create": themes.create_theme,
    "theme.update": themes.update_theme,
    "theme.delete": themes.delete_theme,
    "action.propose": actions.propose_action,
    "action.update": actions.update_action,
    "vote": voting.vote,
    "phase.advance": rounds.advance_phase,
    "phase.reopen": rounds.reopen_phase,
    "tallies.reveal": rounds.reveal_tallies,
    "vote.open": rounds.open_vote,
    "timer.set": rounds.set_timer,
    "round.add": rounds.add_round,
    "screen.qr": workshops.show_qr,
    "restitution.publish": restitution.publish_restitution,
    "action.status": restitution.update_action_status,
    "review": reviewing.review,
    "approval.set": reviewing.set_approval,
    "team.link": team.team_link,
    "poll.create": polls.create_poll,
    "poll.state": polls.set_poll_state,
    "poll.reveal": polls.reveal_poll,
    "poll.answer": polls.answer_poll,
    "agreement.open": agreement.open_agreement,
    "agreement.reveal": agreement.reveal_agreement,
    "agreement.answer": agreement.answer_agreement,
}

#: read-only events: event name -> function taking (service, actor, payload) and returning data
READ_EVENTS: dict[str, Callable[..., dict]] = {
    "snapshot": snapshots.snapshot,
    "phase.preview": rounds.preview_synthesis,
    "theme.ideas": theme_ideas.theme_ideas,
    "assist.suggest": lambda service, actor, payload: _assistant().suggest(service, actor, payload),
    "assist.duplicates": lambda service, actor, payload: _assistant().duplicates(service, actor, payload),
}


def _service():
    return current_app.extensions["workshop.service"]


def _broadcaster() -> Broadcaster:
    return current_app.extensions["workshop.broadcaster"]


def _assistant() -> Assistant:
    return current_app.extensions["workshop.assist"]


def _pause() -> None:
    """Let the other connections run (pings, pongs, other phones' events) between two steps of CPU work.

    Under eventlet and gevent a handler runs until it blocks on I/O, and
    SQLite, the ORM and JSON never do: in a burst of votes the loop would go
    from handler to handler and leave pongs unread until the ping time-out
    dropped phones, the projector first.  A zero sleep hands over to every
    ready greenlet and costs a few microseconds.
    """
    current_app.extensions["socketio"].sleep(0)


def _actor() -> Actor | None:
    data = session.get("actor")
    return Actor(*data) if data else None


def _enter(actor: Actor) -> None:
    """Remember who this connection is and put it in its workshop's rooms.

    The facilitator's consoles and the moderators share the team's room (``f``:
    everything, hidden and held items included); the facilitator's also sit in
    ``o``, where the team's links go; each staff role has its room, told when
    its link is revoked; a scribe's page follows the notes typed for people (``e``).
    """
    session["actor"] = (actor.role, actor.workshop_id, actor.participant_id, actor.guest, actor.link)
    if actor.role == FACILITATOR:
        join_room(facilitator_room(actor.workshop_id))
        join_room(owner_room(actor.workshop_id))
    elif actor.role == MODERATOR:
        join_room(facilitator_room(actor.workshop_id))
        join_room(staff_room(actor.workshop_id, MODERATOR))
    elif actor.role == SCRIBE:
        join_room(staff_room(actor.workshop_id, SCRIBE))
    elif actor.role == SCREEN:
        join_room(screen_room(actor.workshop_id))
    elif actor.role == PARTICIPANT:
        join_room(participants_room(actor.workshop_id))
        join_room(person_room(actor.participant_id))


def on_connect(auth=None):
    """Authenticate once per connection; a bad code or token refuses the connection."""
    auth = auth if isinstance(auth, dict) else {}
    limits.admit_connection(auth)  # an address opening connections too fast: too_fast, before any database work
    remember_socket_language(auth)
    try:
        actor = _service().authenticate(
            code=auth.get("code"),
            token=auth.get("token"),
            facilitator_token=auth.get("facilitator_token"),
            role=auth.get("role"),
            moderator_token=auth.get("moderator_token"),
            scribe_token=auth.get("scribe_token"),
        )
    except WorkshopError as error:
        payload = error_payload(error)
        raise ConnectionRefusedError(payload["message"], payload) from None
    if actor.role == GUEST:
        actor = actor.as_guest(auth.get("guest_id"))  # its operations (a join's replay) are its own
    _enter(actor)
    return True


def _ok(data) -> dict:
    return {"ok": True, "data": data}


def _fail(error: dict) -> dict:
    return {"ok": False, "error": error}


def _too_large(payload) -> bool:
    """Longer than any legal payload (the longest, a full action sheet, is well under it)."""
    if payload is None or isinstance(payload, (bool, int, float)):
        return False
    return len(json.dumps(payload, ensure_ascii=False).encode()) > MAX_PAYLOAD


def _answering(event: str, call: Callable[[Actor, object], dict]):
    """The one shape of every handler: who is it, is the payload sane, call, answer exactly once."""

    def handle(payload=None):
        actor = _actor()
        if actor is None:
            return _fail(error_payload(Unauthenticated("missing_code")))
        _pause()
        try:
            if _too_large(payload):
                raise ValidationError("too_large", max_kb=MAX_PAYLOAD // 1024)
            if actor.role in STAFF:  # a moderator's or scribe's link may have been revoked since it connected
                team.check_link(_service(), actor)
            return _ok(call(actor, payload))
        except WorkshopError as error:
            return _fail(error_payload(error))
        except PoolTimeout:  # every database connection of this worker in use past the pool's wait: "not now"
            log.warning("event %s: no database connection free in time", event)
            return _fail(error_payload(Busy("busy", retry_after=2)))
        except Exception:
            log.exception("event %s failed", event)
            return _fail(server_error_payload())

    handle.__name__ = f"on_{event.replace('.', '_')}"
    return handle


def _write(event: str, use_case: Callable[..., Outcome]):
    def call(actor: Actor, payload) -> dict:
        outcome = use_case(_service(), actor, payload)
        if event == "join":
            _enter(Actor(PARTICIPANT, actor.workshop_id, outcome.result["participant"]["id"]))
        _pause()  # committed: let the loop breathe before the fan-out
        _broadcaster().publish(outcome.changes)
        _assistant().observe(outcome.changes)  # after the commit: queue new texts for the worker thread
        return outcome.result

    return _answering(event, call)


def _read(event: str, read: Callable[..., dict]):
    return _answering(event, lambda actor, payload: read(_service(), actor, payload))


def on_unknown_event(event, *args):
    """An event the server does not handle is answered too (an old page, a typo in a script)."""
    return _fail(error_payload(ValidationError("unknown_event", event=str(event)[:40])))


def init_app(app) -> SocketIO:
    """Bind a Socket.IO server to the app with the async mode the entry point chose."""
    socketio = SocketIO(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config.get("MESSAGE_QUEUE"),
        channel=app.config["MESSAGE_CHANNEL"],
        max_http_buffer_size=MAX_FRAME,
        ping_interval=PING_INTERVAL,
        ping_timeout=PING_TIMEOUT,
    )
    service = app.extensions["workshop.service"]
    assistant = app.extensions["workshop.assist"] = assistant_from_config(app.config, app.instance_path)
    service.features["assist"] = assistant.available
    app.extensions["workshop.broadcaster"] = Broadcaster(socketio, service, app.config["TALLY_INTERVAL"])
    limits.init_sockets(app, socketio)  # every event behind its connection's budget, refused before any work
    socketio.on_event("connect", on_connect)
    for event, read in READ_EVENTS.items():
        socketio.on_event(event, _read(event, read))
    for event, use_case in WRITE_EVENTS.items():
        socketio.on_event(event, _write(event, use_case))
    socketio.on_event("*", on_unknown_event)
    maintenance.init_app(app, socketio)  # the periodic retention purge
    return socketio


__all__ = ["init_app", "WRITE_EVENTS", "GUEST"]
