"""The moderators' inbox: approving or rejecting what waits for review, and the approval queue's switch.

An idea or an action waits (``review: pending``) when the workshop's approval
queue is on, or when the abuse filter matched its text (see
:mod:`workshop.domain.review`).  A moderator or the facilitator decides; only an
approved item reaches the projector, the other phones, the counts, the
syntheses and the exports.
"""

from __future__ import annotations

from typing import Any

from ..domain import review as review_rules
from ..errors import ValidationError
from ..storage.models import Action, Idea, Round, utcnow
from . import queries
from .actions import _answer as action_answer
from .base import FACILITATOR, MODERATOR, Change, Tx, bool_field, use_case
from .ideas import idea_change
from .snapshots import refreeze_syntheses
from .views import workshop_view

#: the most items one ``review`` decides at once ("tout valider" on a busy inbox)
REVIEW_MAX = 1000


def _ids(payload: dict, name: str) -> list[int]:
    value = payload.get(name, [])
    if not isinstance(value, list) or len(value) > REVIEW_MAX:
        raise ValidationError("invalid_field", field=name)
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**31 for v in value) or len(set(value)) != len(value):
        raise ValidationError("invalid_field", field=name)
    return value


def _check(payload: dict) -> tuple[str, list[int], list[int]]:
    decision = payload.get("decision")
    if decision not in review_rules.DECISIONS:
        raise ValidationError("invalid_field", field="decision")
    ideas, actions = _ids(payload, "idea_ids"), _ids(payload, "action_ids")
    if not ideas and not actions:
        raise ValidationError("nothing_to_update")
    return review_rules.DECISIONS[decision], ideas, actions


@use_case(FACILITATOR, MODERATOR, check=_check)
def review(tx: Tx, _subject: None, checked: tuple[str, list[int], list[int]]):
    """Approve or reject items of the inbox, one or many at once, in one transaction.

    Only items still pending change: one a second moderator decided meanwhile is
    left as it was and listed in ``skipped`` (two moderators clicking "approve
    all" together do not undo each other).  Approving after a phase closed
    rebuilds its frozen synthesis and the plan, as moderation does.
    """
    state, idea_ids, action_ids = checked
    s, w = tx.s, tx.workshop
    now = utcnow()
    changes: list[Change] = []
    result: dict[str, Any] = {"ideas": [], "actions": [], "skipped": {"ideas": [], "actions": []}}
    rounds: dict[int, Round] = {}
    decided_ideas, decided_actions = [], []
    for idea in queries.items(s, Idea, idea_ids, w.id, "idea") if idea_ids else []:
        if idea.review != review_rules.PENDING:
            result["skipped"]["ideas"].append(idea.id)
            continue
        idea.review, idea.updated_at = state, now
        rounds[idea.round_id] = idea.round
        decided_ideas.append(idea)
    for action in queries.items(s, Action, action_ids, w.id, "action") if action_ids else []:
        if action.review != review_rules.PENDING:
            result["skipped"]["actions"].append(action.id)
            continue
        action.review = state
        action.version += 1
        rounds[action.round_id] = action.round
        decided_actions.append(action)
    s.flush()
    for idea in decided_ideas:
        change = idea_change(s, w, idea)
        result["ideas"].append(change.data)
        changes.append(change)
    for action in decided_actions:
        answer, action_changes = action_answer(tx, action)
        result["actions"].append(answer["action"])
        changes += action_changes
    for r in rounds.values():
        changes += refreeze_syntheses(s, w, r)
    return result, changes


@use_case(FACILITATOR, MODERATOR, lock_workshop=True, check=lambda p: bool_field(p, "enabled"))
def set_approval(tx: Tx, _subject: None, enabled: bool):
    """Switch the approval queue on or off, live: from now on new items wait for review (or not).

    Switching it off does not approve what is waiting: the inbox is still decided item by item.
    """
    w = tx.workshop
    w.settings = {**w.settings, "approval": enabled}
    tx.s.flush()
    view = workshop_view(w)
    return {"workshop": view}, [Change("workshop", w.id, view)]
