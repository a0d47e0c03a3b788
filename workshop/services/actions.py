"""Actions of the converge phase: proposing one under a kept theme, completing its sheet.

An action sheet is what the action plan is made of: owner (porteur),
partners, deadline (échéance), resources (moyens), indicators, status, and the
ideas it came from (its lineage).
"""

from __future__ import annotations

from sqlalchemy import select

from ..domain import phases
from ..domain import review as review_rules
from ..domain.text import clean_list, clean_text
from ..domain.visibility import public_action
from ..errors import Conflict, NotFound, PhaseError, ValidationError
from ..storage.models import Action, Idea, Round, Theme
from . import queries
from .base import FACILITATOR, PARTICIPANT, SCRIBE, Change, Tx, id_field, int_field, use_case
from .snapshots import ACTION_STATUSES, refreeze_syntheses
from .views import action_view

MAX_ACTIONS = 500
#: free-text fields of a sheet and their length limits; list fields: entries and length of each
SHEET_TEXTS = {"description": 2000, "owner": 200, "deadline": 40, "resources": 2000}
SHEET_LISTS = {"partners": (30, 300), "indicators": (30, 300)}
EDITABLE = {"title", "status", "idea_ids", "theme_id", *SHEET_TEXTS, *SHEET_LISTS}


def _answer(tx: Tx, action: Action):
    tx.s.flush()
    view = action_view(action, queries.updates(tx.s, Action.id == action.id).get(action.id))
    answer = public_action(view) if tx.actor.role in (PARTICIPANT, SCRIBE) else view
    return {"action": answer}, [Change("action", tx.workshop.id, view)]


def _kept_theme(tx: Tx, theme_id: int, r: Round) -> Theme:
    theme = queries.item(tx.s, Theme, theme_id, tx.workshop.id, "theme")
    if theme.round_id != r.id or not theme.kept:
        raise ValidationError("theme_not_kept")
    return theme


def idea_ids(tx: Tx, r: Round, value: object) -> list[int]:
    """The ideas an action says it came from: visible ideas of its round, each once."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 100 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValidationError("invalid_field", field="idea_ids")
    ids = list(dict.fromkeys(value))
    found = set(
        tx.s.scalars(
            select(Idea.id).where(Idea.round_id == r.id, Idea.id.in_(ids), Idea.hidden.is_(False), Idea.review == review_rules.APPROVED)
        ).all()
    )
    if found != set(ids):
        raise NotFound("unknown_idea")
    return ids


@use_case(PARTICIPANT, FACILITATOR, SCRIBE, subject=Theme, capability="propose_action")
def propose_action(tx: Tx, theme: Theme, _checked: None):
    """Propose a concrete action under a kept theme (participant, facilitator, or a scribe for someone).

    Like an idea, it waits in the moderators' inbox when the approval queue is on
    or the abuse filter matched its title or description.
    """
    r = theme.round
    if not theme.kept:
        raise ValidationError("theme_not_kept")
    if queries.count(tx.s, Action, Action.round_id == r.id) >= MAX_ACTIONS:
        raise ValidationError("too_many_actions")
    if tx.actor.participant_id is not None:
        queries.slow_down(tx.s, Action, tx.actor.participant_id, *tx.flood)
    title = clean_text(tx.payload.get("title"), "title", 200)
    description = clean_text(tx.payload.get("description"), "description", 2000, required=False)
    review, flags = review_rules.screen(tx.settings, {"title": title, "description": description}, trusted=tx.actor.role == FACILITATOR)
    action = Action(
        round_id=r.id,
        theme_id=theme.id,
        participant_id=tx.actor.participant_id,
        title=title,
        description=description,
        idea_ids=idea_ids(tx, r, tx.payload.get("idea_ids")),
        review=review,
        flags=flags,
        version=1,
    )
    tx.s.add(action)
    return _answer(tx, action)


@use_case(FACILITATOR, subject=Action, lock=True, capability="edit_action")
def update_action(tx: Tx, action: Action, _checked: None):
    """Complete an action sheet: owner, partners, deadline, resources, indicators, status."""
    payload, r = tx.payload, action.round
    if not EDITABLE & payload.keys():
        raise ValidationError("nothing_to_update")
    expected = int_field(payload, "version", required=False)
    if expected is not None and expected != action.version:
        # Another console saved this sheet since the sender opened it: nothing is overwritten silently.
        raise Conflict("conflict", version=action.version)
    after_close = r.phase == phases.CLOSED
    if after_close:
        # The sheet can still be completed after the day, until the restitution is public; its
        # status then moves only through action.status (dated updates), and it stays in its theme.
        if tx.workshop.published_at is not None:
            raise PhaseError("sheet_published", phase=r.phase)
        if "status" in payload or "theme_id" in payload:
            raise PhaseError("sheet_closed_field", phase=r.phase, field="status" if "status" in payload else "theme_id")
    if "title" in payload:
        action.title = clean_text(payload["title"], "title", 200)
    for name, limit in SHEET_TEXTS.items():
        if name in payload:
            setattr(action, name, clean_text(payload[name], name, limit, required=False))
    for name, (entries, length) in SHEET_LISTS.items():
        if name in payload:
            setattr(action, name, clean_list(payload[name], name, entries, length))
    if "status" in payload:
        if payload["status"] not in ACTION_STATUSES:
            raise ValidationError("invalid_field", field="status")
        action.status = payload["status"]
    if "idea_ids" in payload:
        action.idea_ids = idea_ids(tx, r, payload["idea_ids"])
    if "theme_id" in payload:
        action.theme_id = _kept_theme(tx, id_field(payload, "theme_id"), r).id
    action.version += 1
    if not after_close:
        return _answer(tx, action)
    result, changes = _answer(tx, action)
    # the round's frozen converge synthesis and the draft plan carry the sheet: rebuilt with it
    return result, [*changes, *refreeze_syntheses(tx.s, tx.workshop, r)]
