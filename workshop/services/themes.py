"""Themes of the define phase: opening one, writing its objective and criteria, removing it.

Which themes the room keeps is decided when define closes (see :mod:`.rounds`).
"""

from __future__ import annotations

from sqlalchemy import delete, select

from ..domain.text import clean_list, clean_text
from ..errors import Conflict, ValidationError
from ..storage.models import Action, Idea, Theme, Vote
from . import queries
from .base import FACILITATOR, MODERATOR, ROUND, Change, Tx, int_field, use_case
from .ideas import idea_change
from .views import theme_view

MAX_THEMES = 50


def _answer(tx: Tx, theme: Theme):
    tx.s.flush()
    view = theme_view(theme)
    return {"theme": view}, [Change("theme", tx.actor.workshop_id, view)]


@use_case(FACILITATOR, subject=ROUND, capability="edit_themes")
def create_theme(tx: Tx, r, _checked: None):
    """The facilitator opens a theme to group ideas under."""
    count = queries.count(tx.s, Theme, Theme.round_id == r.id)
    if count >= MAX_THEMES:
        raise ValidationError("too_many_themes")
    theme = Theme(
        round_id=r.id,
        title=clean_text(tx.payload.get("title"), "title", 200),
        objective=clean_text(tx.payload.get("objective"), "objective", 1000, required=False),
        criteria=clean_list(tx.payload.get("criteria"), "criteria", 20, 300),
        position=count + 1,
    )
    tx.s.add(theme)
    return _answer(tx, theme)


@use_case(FACILITATOR, MODERATOR, subject=Theme, lock=True, capability="edit_themes")
def update_theme(tx: Tx, theme: Theme, _checked: None):
    """Rename a theme, write its objective and success criteria (the facilitator or a moderator).

    ``version`` (optional) is the theme's version the sender's form was opened on:
    when another console saved it meanwhile, the save is refused (``conflict``).
    """
    payload = tx.payload
    if not {"title", "objective", "criteria"} & payload.keys():
        raise ValidationError("nothing_to_update")
    expected = int_field(payload, "version", required=False)
    if expected is not None and expected != theme.version:
        raise Conflict("conflict", version=theme.version)
    if "title" in payload:
        theme.title = clean_text(payload["title"], "title", 200)
    if "objective" in payload:
        theme.objective = clean_text(payload["objective"], "objective", 1000, required=False)
    if "criteria" in payload:
        theme.criteria = clean_list(payload["criteria"], "criteria", 20, 300)
    theme.version += 1
    return _answer(tx, theme)


@use_case(FACILITATOR, subject=Theme, lock=True, capability="edit_themes")
def delete_theme(tx: Tx, theme: Theme, _checked: None):
    """Remove a theme; its ideas go back to the unsorted ones, its dots are returned."""
    s, w = tx.s, tx.workshop
    if queries.count(s, Action, Action.theme_id == theme.id):
        raise ValidationError("theme_has_actions")
    ideas = s.scalars(select(Idea).where(Idea.theme_id == theme.id)).all()
    for idea in ideas:
        idea.theme_id = None
    s.execute(delete(Vote).where(Vote.kind == "theme", Vote.target_id == theme.id))
    round_id, theme_id = theme.round_id, theme.id
    s.delete(theme)
    s.flush()
    changes = [idea_change(s, w, i) for i in ideas]
    changes.append(Change("theme_removed", w.id, {"id": theme_id, "round_id": round_id}))
    changes.append(Change("tally", w.id, {"round_id": round_id, "kind": "theme"}))
    return {"theme_id": theme_id}, changes
