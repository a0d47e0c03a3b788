"""Socket.IO adapter: authenticate at connect, then authorise, call, acknowledge, publish.

Every event handler is the same four lines (see :func:`_handler`): the
service layer does the checking and the writing; this module only knows who
the connection is and which rooms it sits in.  The protocol is documented in
``docs/protocol.md``.
"""

from __future__ import annotations

import logging

from flask import current_app, session
from flask_socketio import ConnectionRefusedError, SocketIO, join_room

from ..errors import Unauthenticated, WorkshopError
from ..services import FACILITATOR, GUEST, PARTICIPANT, SCREEN, Actor
from .broadcast import Broadcaster, facilitator_room, participants_room, person_room, screen_room
from .i18n import error_payload, server_error_payload

log = logging.getLogger(__name__)

#: event name -> service method; every one takes (actor, payload) and returns an Outcome
WRITE_EVENTS = {
    "join": "join",
    "idea.post": "post_idea",
    "idea.edit": "edit_idea",
    "idea.withdraw": "withdraw_idea",
    "idea.hide": "hide_idea",
    "idea.merge": "merge_ideas",
    "idea.move": "move_idea",
    "theme.create": "create_theme",
    "theme.update": "update_theme",
    "theme.delete": "delete_theme",
    "action.propose": "propose_action",
    "action.update": "update_action",
    "vote": "vote",
    "phase.advance": "advance_phase",
    "phase.reopen": "reopen_phase",
    "tallies.reveal": "reveal_tallies",
    "timer.set": "set_timer",
    "round.add": "add_round",
    "screen.qr": "show_qr",
    "restitution.publish": "publish_restitution",
    "action.status": "update_action_status",
}

#: read-only events: event name -> service method taking (actor, payload) and returning data
READ_EVENTS = {
    "snapshot": "snapshot",
    "phase.preview": "preview_synthesis",
}


def _service():
    return current_app.extensions["workshop.service"]


def _broadcaster() -> Broadcaster:
    return current_app.extensions["workshop.broadcaster"]


def _actor() -> Actor | None:
    data = session.get("actor")
    return Actor(*data) if data else None


def _enter(actor: Actor) -> None:
    """Remember who this connection is and put it in its workshop's rooms."""
    session["actor"] = (actor.role, actor.workshop_id, actor.participant_id)
    if actor.role == FACILITATOR:
        join_room(facilitator_room(actor.workshop_id))
    elif actor.role == SCREEN:
        join_room(screen_room(actor.workshop_id))
    elif actor.role == PARTICIPANT:
        join_room(participants_room(actor.workshop_id))
        join_room(person_room(actor.participant_id))


def on_connect(auth=None):
    """Authenticate once per connection; a bad code or token refuses the connection."""
    auth = auth if isinstance(auth, dict) else {}
    if auth.get("lang") in current_app.config["LANGUAGES"]:
        session["lang"] = auth["lang"]
    try:
        actor = _service().authenticate(
            code=auth.get("code"),
            token=auth.get("token"),
            facilitator_token=auth.get("facilitator_token"),
            role=auth.get("role"),
        )
    except WorkshopError as error:
        payload = error_payload(error)
        raise ConnectionRefusedError(payload["message"], payload) from None
    _enter(actor)
    return True


def _ok(data) -> dict:
    return {"ok": True, "data": data}


def _fail(error: dict) -> dict:
    return {"ok": False, "error": error}


def _handler(event: str, method_name: str):
    def handle(payload=None):
        actor = _actor()
        if actor is None:
            return _fail(error_payload(Unauthenticated("missing_code")))
        try:
            outcome = getattr(_service(), method_name)(actor, payload)
        except WorkshopError as error:
            return _fail(error_payload(error))
        except Exception:
            log.exception("event %s failed", event)
            return _fail(server_error_payload())
        if event == "join":
            _enter(Actor(PARTICIPANT, actor.workshop_id, outcome.result["participant"]["id"]))
        _broadcaster().publish(outcome.changes)
        return _ok(outcome.result)

    handle.__name__ = f"on_{event.replace('.', '_')}"
    return handle


def _reader(event: str, method_name: str):
    def handle(payload=None):
        actor = _actor()
        if actor is None:
            return _fail(error_payload(Unauthenticated("missing_code")))
        try:
            return _ok(getattr(_service(), method_name)(actor, payload))
        except WorkshopError as error:
            return _fail(error_payload(error))
        except Exception:
            log.exception("event %s failed", event)
            return _fail(server_error_payload())

    handle.__name__ = f"on_{event.replace('.', '_')}"
    return handle


def init_app(app) -> SocketIO:
    """Bind a Socket.IO server to the app with the async mode the entry point chose."""
    socketio = SocketIO(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config.get("MESSAGE_QUEUE"),
        channel=app.config["MESSAGE_CHANNEL"],
        max_http_buffer_size=64 * 1024,
        ping_interval=20,
        ping_timeout=20,
    )
    service = app.extensions["workshop.service"]
    app.extensions["workshop.broadcaster"] = Broadcaster(socketio, service, app.config["TALLY_INTERVAL"])
    socketio.on_event("connect", on_connect)
    for event, method in READ_EVENTS.items():
        socketio.on_event(event, _reader(event, method))
    for event, method in WRITE_EVENTS.items():
        socketio.on_event(event, _handler(event, method))
    return socketio


__all__ = ["init_app", "WRITE_EVENTS", "GUEST"]
