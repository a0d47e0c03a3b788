"""Readable sentences for error codes, without Flask: what the web and the CLI show a person.

A :class:`workshop.errors.WorkshopError` carries a stable ``code`` and its
``params``; this table turns them into a sentence of the gettext catalogue
(English msgids, French in ``workshop/translations``).  The strings are only
*marked* here (``N_``); whoever shows them translates them with the gettext
of the person's language — Flask-Babel's on the web
(:func:`workshop.web.i18n.error_payload`), the catalogue loaded by
:func:`workshop.translations.translations` in the CLI.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import WorkshopError


def N_(message: str) -> str:
    """Mark a string for the catalogue; it is translated where it is shown."""
    return message


PHASE_NAMES = {
    "lobby": N_("welcome"),
    "diverge": N_("ideas (diverge)"),
    "define": N_("themes and objectives (define)"),
    "converge": N_("actions (converge)"),
    "closed": N_("closed"),
}

FIELD_NAMES = {
    "text": N_("the idea"),
    "title": N_("the title"),
    "question": N_("the question"),
    "pseudonym": N_("the pseudonym"),
    "objective": N_("the objective"),
    "criteria": N_("the criteria"),
    "description": N_("the description"),
    "owner": N_("the owner"),
    "partners": N_("the partners"),
    "deadline": N_("the deadline"),
    "resources": N_("the resources"),
    "indicators": N_("the indicators"),
    "status": N_("the status"),
    "date": N_("the date"),
    "place": N_("the place"),
    "facilitator": N_("the facilitator's name"),
    "comment": N_("the comment"),
    "choices": N_("the answer"),
    "word": N_("the word"),
    "options": N_("the choices"),
}

MESSAGES = {
    "invalid_payload": N_("The request is malformed. Reload the page and try again."),
    "invalid_field": N_("A value is missing or not valid (%(field)s)."),
    "invalid_op_id": N_("The request has no valid operation id. Reload the page and try again."),
    "empty_text": N_("Please write something first: %(field)s is empty."),
    "text_too_long": N_("Too long: %(length)s characters, %(max)s at most."),
    "invalid_setting": N_("The setting %(setting)s is not valid."),
    "invalid_plan": N_("This workshop plan cannot be read: %(detail)s"),
    "invalid_catalogue": N_("The theme catalogue %(source)s cannot be read: %(detail)s"),
    "assist_unavailable": N_("The grouping assistant is not installed. Install it with: %(command)s"),
    "unknown_code": N_("No open workshop has this code. Check the code on the screen."),
    "unknown_workshop": N_("This workshop no longer exists."),
    "unknown_round": N_("This round does not exist."),
    "unknown_idea": N_("This idea does not exist or is no longer available."),
    "unknown_theme": N_("This theme does not exist."),
    "unknown_action": N_("This action does not exist."),
    "unknown_group": N_("This stakeholder group is not offered in this workshop."),
    "bad_token": N_("Your access link is not valid (or has expired). Scan the QR code again to join."),
    "missing_code": N_("A workshop code is needed to connect."),
    "role": N_("Only the facilitator can do this."),
    "not_your_idea": N_("You can only change your own ideas."),
    "link_revoked": N_("This team link was revoked by the facilitator. Ask them for the new one."),
    "conflict": N_(
        "Someone changed this in another console meanwhile: your changes were not saved. "
        "The form now shows both; check it, then save again."
    ),
    "invalid_role": N_("Team links exist for moderators and scribes only."),
    "wrong_phase": N_("Not possible during the %(phase)s phase."),
    "round_closed": N_("This round is closed."),
    "nothing_to_reopen": N_("There is no earlier phase to reopen."),
    "previous_round_open": N_("Close the previous round first."),
    "phase_changed": N_("The phase has changed meanwhile (now: %(phase)s)."),
    "vote_not_open": N_("The vote is not open yet."),
    "no_timer": N_("No countdown is running."),
    "item_cap": N_("You cannot add more dots on this item (%(cap)s at most)."),
    "budget": N_("You have no dots left (budget: %(budget)s). Take one back to move it."),
    "no_dots_to_remove": N_("You have no dot on this item to take back."),
    "cannot_merge": N_("These two ideas cannot be merged."),
    "not_reviewed": N_("This is waiting for review in the inbox: approve it first."),
    "not_merged": N_("This idea is not merged into another one."),
    "other_round": N_("This belongs to another round."),
    "too_many_themes": N_("Too many themes in this round."),
    "too_many_actions": N_("Too many actions in this round."),
    "too_many_rounds": N_("Too many rounds in this workshop."),
    "nothing_to_update": N_("Nothing to change."),
    "theme_has_actions": N_("This theme has actions: move or keep them first."),
    "theme_not_kept": N_("Actions can only be proposed under a theme the room kept."),
    "not_joined": N_("Join the workshop first."),
    "round_not_closed": N_("What became of an action can be recorded once its round is closed."),
    "sheet_published": N_("The restitution is published: record what became of this action as a dated update instead."),
    "sheet_closed_field": N_("After the workshop, an action keeps its theme, and its status moves through dated updates."),
    "future_date": N_("The date cannot be in the future."),
    "not_published": N_("This workshop's summary is not published."),
    "busy": N_("The server is very busy, trying again…"),
    "too_fast": N_("You are sending a lot very quickly: wait a moment, then send again."),
    "unknown_event_code": N_("No event has this code."),
    "unknown_event": N_("The server does not know this request. Reload the page to get the current version."),
    "too_large": N_("This message is too large to be sent (%(max_kb)s KB at most). Shorten it and send again."),
    "op_id_reused": N_("This request reuses the id of another one. Reload the page and try again."),
    "workshop_in_other_event": N_("This workshop already belongs to another event."),
    "not_in_event": N_("This workshop is not part of this event."),
    "too_many_workshops": N_("Too many workshops in this event."),
    "invalid_import": N_("This file cannot be imported: %(detail)s"),
    "cli_error": N_("This cannot be done."),
    "unknown_poll": N_("This poll does not exist."),
    "poll_not_open": N_("This poll is not open yet."),
    "poll_closed": N_("This poll is closed: answers are no longer taken."),
    "unknown_choice": N_("This answer is not one of the poll's choices."),
    "too_many_choices": N_("Too many choices: %(max)s at most."),
    "not_one_word": N_("One word only, please."),
    "poll_options": N_("A poll needs between %(min)s and %(max)s different choices."),
    "too_many_polls": N_("Too many polls in this workshop (%(max)s at most)."),
    "agreement_not_open": N_("The facilitator has not opened the agree / disagree round."),
    "agreement_closed": N_("The agree / disagree round is closed: answers are no longer taken."),
    "server_error": N_("Something went wrong on the server. Your request was not saved; please try again."),
}


#: a ``role`` refusal is worded for its sender: what they would need to be (``needs``) to do it
ROLE_MESSAGES = {
    "facilitator": N_("Only the facilitator can do this."),
    "moderator": N_("Only the facilitator or a moderator can do this."),
    "participant": N_("Only participants can do this, from their phone."),
    "join": N_("Join the workshop first."),
    "guest": N_("You have already joined this workshop."),
}


def public_params(error: WorkshopError) -> dict:
    """The params a client may see: plain values only."""
    return {k: v for k, v in error.params.items() if isinstance(v, (str, int, float, bool)) or v is None}


def error_message(error: WorkshopError, gettext: Callable[[str], str], fallback: str = "server_error") -> str:
    """The sentence for ``error`` in the language of ``gettext`` (phase and field names translated too)."""
    shown = public_params(error)
    if "phase" in shown:
        shown["phase"] = gettext(PHASE_NAMES[shown["phase"]]) if shown["phase"] in PHASE_NAMES else shown["phase"]
    if "field" in shown:
        shown["field"] = gettext(FIELD_NAMES[shown["field"]]) if shown["field"] in FIELD_NAMES else shown["field"]
    if error.code == "role" and shown.get("needs") in ROLE_MESSAGES:
        template = gettext(ROLE_MESSAGES[shown["needs"]])
    else:
        template = gettext(MESSAGES.get(error.code) or MESSAGES.get(type(error).code) or MESSAGES[fallback])
    try:
        return template % {k: ("" if v is None else v) for k, v in shown.items()}
    except (KeyError, TypeError, ValueError):
        return template
