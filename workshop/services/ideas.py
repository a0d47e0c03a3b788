"""Ideas: posting, correcting and withdrawing one's own, and the facilitator's moderation.

Moderation is hiding (or showing again), merging duplicates (the kept idea
stands for everyone who wrote it) and filing ideas under themes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.text import clean_text
from ..domain.visibility import own_idea
from ..errors import Forbidden, NotFound, ValidationError
from ..storage.models import Idea, Participant, Theme, Workshop, utcnow
from . import queries
from .base import FACILITATOR, PARTICIPANT, ROUND, Change, Tx, bool_field, id_field, int_field, use_case
from .snapshots import refreeze_syntheses
from .views import idea_view


def idea_change(s: Session, w: Workshop, idea: Idea) -> Change:
    """The idea as it now stands, for the broadcaster."""
    return Change("idea", w.id, idea_view(idea, idea.author, w.settings["anonymous"], queries.merged_count(s, idea)))


def _answer(tx: Tx, idea: Idea):
    """The idea in the sender's view (a phone gets its own copy, as its snapshot shows it), and the change."""
    tx.s.flush()
    change = idea_change(tx.s, tx.workshop, idea)
    return {"idea": own_idea(change.data) if tx.actor.role == PARTICIPANT else change.data}, [change]


@use_case(PARTICIPANT, FACILITATOR, subject=ROUND, capability="post_idea")
def post_idea(tx: Tx, r, _checked: None):
    """A participant posts an idea; the facilitator posts one on someone's behalf."""
    w = tx.workshop
    text = clean_text(tx.payload.get("text"), "text", w.settings["max_idea_length"])
    if tx.actor.role == FACILITATOR:
        group = tx.payload.get("group") or None
        if group is not None and group not in w.settings["groups"]:
            raise ValidationError("unknown_group")
        idea = Idea(round_id=r.id, participant_id=None, text=text, group=group, on_behalf=True)
    else:
        p = tx.s.get(Participant, tx.actor.participant_id)
        assert p is not None
        queries.slow_down(tx.s, Idea, p.id)
        idea = Idea(round_id=r.id, participant_id=p.id, text=text, group=p.group)
    tx.s.add(idea)
    return _answer(tx, idea)


def _own(tx: Tx, idea: Idea) -> Idea:
    """The caller's own idea, still standing (edit and withdraw are the author's only)."""
    if idea.participant_id != tx.actor.participant_id:
        raise Forbidden("not_your_idea")
    if idea.withdrawn or idea.merged_into_id:
        raise NotFound("unknown_idea")
    return idea


@use_case(PARTICIPANT, subject=Idea, lock=True, capability="edit_own_idea")
def edit_idea(tx: Tx, idea: Idea, _checked: None):
    """A participant corrects their own idea while diverge is open."""
    _own(tx, idea)
    idea.text = clean_text(tx.payload.get("text"), "text", tx.settings["max_idea_length"])
    idea.updated_at = utcnow()
    return _answer(tx, idea)


@use_case(PARTICIPANT, subject=Idea, lock=True, capability="edit_own_idea")
def withdraw_idea(tx: Tx, idea: Idea, _checked: None):
    """A participant takes back their own idea while diverge is open."""
    _own(tx, idea)
    s, w = tx.s, tx.workshop
    # Others' duplicates merged into this idea must not vanish with it:
    # the earliest of them stands for the group from now on.
    merged = s.scalars(select(Idea).where(Idea.merged_into_id == idea.id).order_by(Idea.id)).all()
    now = utcnow()
    if merged:
        promoted = merged[0]
        promoted.merged_into_id = None
        promoted.theme_id = idea.theme_id
        for other in merged[1:]:
            other.merged_into_id = promoted.id
        for changed in merged:
            changed.updated_at = now
    idea.withdrawn = True
    idea.theme_id = None
    idea.updated_at = now
    result, changes = _answer(tx, idea)
    # Everyone whose idea now points elsewhere is told, the promoted one last (it counts them all).
    changes += [idea_change(s, w, i) for i in (*merged[1:], *merged[:1])]
    return result, changes


@use_case(FACILITATOR, subject=Idea, lock=True, capability="moderate_idea", check=lambda p: bool_field(p, "hidden", True))
def hide_idea(tx: Tx, idea: Idea, hidden: bool):
    """Moderation: hide (or show again) an idea for everyone but the facilitator, syntheses and plan included."""
    idea.hidden = hidden
    idea.updated_at = utcnow()
    result, changes = _answer(tx, idea)
    return result, changes + refreeze_syntheses(tx.s, tx.workshop, idea.round)


@use_case(FACILITATOR, subject=Idea, lock=True, capability="merge_ideas")
def merge_ideas(tx: Tx, source: Idea, _checked: None):
    """Merge a duplicate into another idea; the kept idea stands for all its origins."""
    s, w = tx.s, tx.workshop
    target = queries.item(s, Idea, id_field(tx.payload, "into_id"), w.id, "idea", lock=True)
    if source.id == target.id or source.round_id != target.round_id:
        raise ValidationError("cannot_merge")
    if source.merged_into_id or target.merged_into_id or source.withdrawn or target.withdrawn:
        raise ValidationError("cannot_merge")
    # Flatten: whatever was merged into the source now points at the target
    # (and every client is told, so no console keeps showing C→B after B→A).
    followers = s.scalars(select(Idea).where(Idea.merged_into_id == source.id).order_by(Idea.id)).all()
    now = utcnow()
    for follower in followers:
        follower.merged_into_id, follower.updated_at = target.id, now
    source.merged_into_id = target.id
    if target.theme_id is None:
        target.theme_id = source.theme_id
    source.theme_id = None
    source.updated_at = target.updated_at = now
    s.flush()
    target_change = idea_change(s, w, target)
    changes = [idea_change(s, w, i) for i in (source, *followers)]
    return {"idea": target_change.data}, [*changes, target_change, *refreeze_syntheses(s, w, source.round)]


@use_case(FACILITATOR, subject=Idea, lock=True, capability="edit_themes")
def move_idea(tx: Tx, idea: Idea, _checked: None):
    """Put an idea into a theme (or back among the unsorted ones with theme_id null)."""
    if idea.withdrawn or idea.merged_into_id:
        raise NotFound("unknown_idea")
    theme_id = int_field(tx.payload, "theme_id", required=False)
    if theme_id is not None:
        theme = queries.item(tx.s, Theme, theme_id, tx.workshop.id, "theme")
        if theme.round_id != idea.round_id:
            raise ValidationError("other_round")
    idea.theme_id = theme_id
    idea.updated_at = utcnow()
    return _answer(tx, idea)
