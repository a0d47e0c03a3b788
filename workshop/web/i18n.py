"""Languages: French by default, English second; error codes to readable sentences.

The locale is what the person chose (``?lang=`` on a page, ``lang`` in the
Socket.IO auth), kept in their session; otherwise French.  We deliberately do
not follow the browser's Accept-Language: a projector or a borrowed laptop set
to English must not switch a French workshop.
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import Babel, gettext as _, lazy_gettext as _l

from ..errors import WorkshopError


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") if request else None
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    stored = session.get("lang")
    if stored in languages:
        return stored
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["current_locale"] = lambda: select_locale()


PHASE_NAMES = {
    "lobby": _l("welcome"),
    "diverge": _l("ideas (diverge)"),
    "define": _l("themes and objectives (define)"),
    "converge": _l("actions (converge)"),
    "closed": _l("closed"),
}

FIELD_NAMES = {
    "text": _l("the idea"),
    "title": _l("the title"),
    "question": _l("the question"),
    "pseudonym": _l("the pseudonym"),
    "objective": _l("the objective"),
    "criteria": _l("the criteria"),
    "description": _l("the description"),
    "owner": _l("the owner"),
    "partners": _l("the partners"),
    "deadline": _l("the deadline"),
    "resources": _l("the resources"),
    "indicators": _l("the indicators"),
    "status": _l("the status"),
    "date": _l("the date"),
    "comment": _l("the comment"),
}

MESSAGES = {
    "invalid_payload": _l("The request is malformed. Reload the page and try again."),
    "invalid_field": _l("A value is missing or not valid (%(field)s)."),
    "invalid_op_id": _l("The request has no valid operation id. Reload the page and try again."),
    "empty_text": _l("Please write something first: %(field)s is empty."),
    "text_too_long": _l("Too long: %(length)s characters, %(max)s at most."),
    "invalid_setting": _l("The setting %(setting)s is not valid."),
    "invalid_plan": _l("This workshop plan cannot be read: %(detail)s"),
    "unknown_code": _l("No open workshop has this code. Check the code on the screen."),
    "unknown_workshop": _l("This workshop no longer exists."),
    "unknown_round": _l("This round does not exist."),
    "unknown_idea": _l("This idea does not exist or is no longer available."),
    "unknown_theme": _l("This theme does not exist."),
    "unknown_action": _l("This action does not exist."),
    "unknown_group": _l("This stakeholder group is not offered in this workshop."),
    "bad_token": _l("Your access link is not valid (or has expired). Scan the QR code again to join."),
    "missing_code": _l("A workshop code is needed to connect."),
    "role": _l("Only the facilitator can do this."),
    "not_your_idea": _l("You can only change your own ideas."),
    "wrong_phase": _l("Not possible during the %(phase)s phase."),
    "round_closed": _l("This round is closed."),
    "nothing_to_reopen": _l("There is no earlier phase to reopen."),
    "previous_round_open": _l("Close the previous round first."),
    "phase_changed": _l("The phase has changed meanwhile (now: %(phase)s)."),
    "item_cap": _l("You can put at most %(cap)s dots on one item."),
    "budget": _l("You have no dots left (budget: %(budget)s). Take one back to move it."),
    "no_dots_to_remove": _l("You have no dot on this item to take back."),
    "cannot_merge": _l("These two ideas cannot be merged."),
    "other_round": _l("This belongs to another round."),
    "too_many_themes": _l("Too many themes in this round."),
    "too_many_actions": _l("Too many actions in this round."),
    "too_many_rounds": _l("Too many rounds in this workshop."),
    "nothing_to_update": _l("Nothing to change."),
    "theme_has_actions": _l("This theme has actions: move or keep them first."),
    "theme_not_kept": _l("Actions can only be proposed under a theme the room kept."),
    "not_joined": _l("Join the workshop first."),
    "round_not_closed": _l("What became of an action can be recorded once its round is closed."),
    "future_date": _l("The date cannot be in the future."),
    "not_published": _l("This workshop's summary is not published."),
    "too_fast": _l("You are sending a lot very quickly: wait a moment, then send again."),
    "unknown_event": _l("No event has this code."),
    "workshop_in_other_event": _l("This workshop already belongs to another event."),
    "not_in_event": _l("This workshop is not part of this event."),
    "too_many_workshops": _l("Too many workshops in this event."),
    "server_error": _l("Something went wrong on the server. Your request was not saved; please try again."),
}


def error_payload(error: WorkshopError) -> dict:
    """The ``error`` member of a failed acknowledgement: code, readable message, params."""
    params = {k: v for k, v in error.params.items() if isinstance(v, (str, int, float, bool)) or v is None}
    shown = dict(params)
    if "phase" in shown:
        shown["phase"] = str(PHASE_NAMES.get(shown["phase"], shown["phase"]))
    if "field" in shown:
        shown["field"] = str(FIELD_NAMES.get(shown["field"], shown["field"]))
    template = MESSAGES.get(error.code) or MESSAGES.get(type(error).code) or MESSAGES["server_error"]
    try:
        message = str(template) % {k: ("" if v is None else v) for k, v in shown.items()}
    except (KeyError, TypeError, ValueError):
        message = str(template)
    return {"code": error.code, "type": type(error).code, "message": message, "params": params}


def server_error_payload() -> dict:
    return {"code": "server_error", "type": "error", "message": _("Something went wrong on the server. Your request was not saved; please try again."), "params": {}}
