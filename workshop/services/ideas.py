"""Ideas: posting, correcting and withdrawing one's own, and the facilitator's moderation.

Moderation is hiding (or showing again), merging duplicates (the kept idea
stands for everyone who wrote it) and filing ideas under themes.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from ..domain import phases
from ..domain import review as review_rules
from ..domain.text import clean_text
from ..domain.visibility import own_idea, scribe_idea
from ..errors import Forbidden, NotFound, ValidationError
from ..storage.models import Idea, Participant, Theme, Workshop, utcnow
from . import queries
from .base import FACILITATOR, MODERATOR, PARTICIPANT, SCRIBE, Change, Tx, bool_field, id_field, int_field, use_case
from .snapshots import refreeze_syntheses
from .views import idea_view, iso


def idea_change(s: Session, w: Workshop, idea: Idea) -> Change:
    """The idea as it now stands, for the broadcaster."""
    return Change("idea", w.id, idea_view(idea, idea.author, w.settings["anonymous"], queries.merged_count(s, idea)))


def _answer(tx: Tx, idea: Idea):
    """The idea in the sender's view (a phone gets its own copy, as its snapshot shows it), and the change."""
    tx.s.flush()
    change = idea_change(tx.s, tx.workshop, idea)
    return {"idea": own_idea(change.data) if tx.actor.role == PARTICIPANT else change.data}, [change]


#: the author's group and pseudonym, with how many ideas they posted within the flood window
AUTHOR = select(
    Participant.group,
    Participant.pseudonym,
    select(func.count())
    .select_from(Idea)
    .where(Idea.participant_id == Participant.id, Idea.created_at >= bindparam("since"))
    .scalar_subquery(),
).where(Participant.id == bindparam("p"))
POST = insert(Idea)


@use_case(PARTICIPANT, FACILITATOR, SCRIBE, hot=True)
def post_idea(tx: Tx, _subject: None, _checked: None):
    """A participant posts an idea; the facilitator or a scribe types one on someone's behalf.

    It waits in the moderators' inbox (``review: pending``) when the approval
    queue is on or the abuse filter matched its text; the facilitator's own are
    never held.

    Hot path (an idea burst): Core statements only — the round, the author with
    their recent count (flood check), the insert — and the answer built from
    what was written, not read back.
    """
    settings, actor, conn = tx.settings, tx.actor, tx.conn
    r = queries.round_row(conn, actor.workshop_id, int_field(tx.payload, "round_id", required=False))
    phases.require(r.phase, "post_idea")
    text = clean_text(tx.payload.get("text"), "text", settings["max_idea_length"])
    now = utcnow()
    author = None
    if actor.role in (FACILITATOR, SCRIBE):
        group = tx.payload.get("group") or None
        if group is not None and group not in settings["groups"]:
            raise ValidationError("unknown_group")
        participant_id, on_behalf = None, True
    else:
        participant_id, on_behalf = actor.participant_id, False
        limit, window = tx.flood
        since = now - timedelta(seconds=window)
        group, author, recent = conn.execute(AUTHOR, {"p": participant_id, "since": since}).one()
        if recent >= limit:
            queries.slow_down(tx.s, Idea, participant_id or 0, limit, window)  # says when the next one is accepted
    review, flags = review_rules.screen(settings, {"text": text}, trusted=actor.role == FACILITATOR)
    row = {
        "round_id": r.id,
        "participant_id": participant_id,
        "text": text,
        "group": group,
        "on_behalf": on_behalf,
        "hidden": False,
        "withdrawn": False,
        "merged_into_id": None,
        "theme_id": None,
        "review": review,
        "flags": flags,
        "created_at": now,
        "updated_at": now,
    }
    idea_id = conn.execute(POST, row).inserted_primary_key[0]  # type: ignore[index]
    view = {
        "id": idea_id,
        "round_id": r.id,
        "text": text,
        "author": None if settings["anonymous"] else author,
        "participant_id": participant_id,
        "group": group,
        "on_behalf": on_behalf,
        "hidden": False,
        "withdrawn": False,
        "merged_into": None,
        "theme_id": None,
        "review": review,
        "flags": flags,
        "count": 1,
        "created_at": iso(now),
        "updated_at": iso(now),
    }
    change = Change("idea", actor.workshop_id, view)
    if actor.role == PARTICIPANT:
        answer = own_idea(view)
    elif actor.role == SCRIBE:
        answer = scribe_idea(view)  # as the scribes' page lists it: no author id, no filter flags
    else:
        answer = view
    return {"idea": answer}, [change]


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
    # A corrected idea is screened again: an approved one edited into an insult, or while the
    # queue is on, goes back to the inbox; a rejected one corrected by its author is reviewed anew.
    review, flags = review_rules.screen(tx.settings, {"text": idea.text}, trusted=False)
    if review == review_rules.PENDING or idea.review == review_rules.REJECTED:
        idea.review, idea.flags = review_rules.PENDING, flags
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


@use_case(FACILITATOR, MODERATOR, subject=Idea, lock=True, capability="moderate_idea", check=lambda p: bool_field(p, "hidden", True))
def hide_idea(tx: Tx, idea: Idea, hidden: bool):
    """Moderation: hide (or show again) an idea for everyone but the facilitator, syntheses and plan included."""
    idea.hidden = hidden
    idea.updated_at = utcnow()
    result, changes = _answer(tx, idea)
    return result, changes + refreeze_syntheses(tx.s, tx.workshop, idea.round)


@use_case(FACILITATOR, MODERATOR, subject=Idea, lock=True, capability="merge_ideas")
def merge_ideas(tx: Tx, source: Idea, _checked: None):
    """Merge a duplicate into another idea; the kept idea stands for all its origins."""
    s, w = tx.s, tx.workshop
    target = queries.item(s, Idea, id_field(tx.payload, "into_id"), w.id, "idea", lock=True)
    if source.id == target.id or source.round_id != target.round_id:
        raise ValidationError("cannot_merge")
    if source.merged_into_id or target.merged_into_id or source.withdrawn or target.withdrawn:
        raise ValidationError("cannot_merge")
    if review_rules.PENDING in (source.review, target.review) or review_rules.REJECTED in (source.review, target.review):
        raise ValidationError("not_reviewed")
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


@use_case(FACILITATOR, MODERATOR, subject=Idea, lock=True, capability="merge_ideas")
def unmerge_idea(tx: Tx, source: Idea, _checked: None):
    """Undo a merge: the duplicate stands on its own again, in its keeper's theme; the keeper counts one less.

    Ideas merged into the duplicate before it was merged were moved to the keeper
    then (merges are flattened) and stay with it.
    """
    s, w = tx.s, tx.workshop
    if source.merged_into_id is None:
        raise ValidationError("not_merged")
    target = queries.item(s, Idea, source.merged_into_id, w.id, "idea", lock=True)
    now = utcnow()
    source.merged_into_id, source.theme_id = None, target.theme_id
    source.updated_at = target.updated_at = now
    s.flush()
    source_change, target_change = idea_change(s, w, source), idea_change(s, w, target)
    return {"idea": source_change.data}, [source_change, target_change, *refreeze_syntheses(s, w, source.round)]


#: the most ideas one ``idea.move`` files at once (a round holds a few hundred at most)
MOVE_MAX = 1000


def _ideas_to_move(payload: dict) -> list[int]:
    """The ids ``idea.move`` names: ``idea_ids`` (several at once) or ``idea_id`` (one), never both."""
    if "idea_ids" not in payload:
        return [id_field(payload, "idea_id")]
    ids = payload["idea_ids"]
    if "idea_id" in payload or not isinstance(ids, list) or not 0 < len(ids) <= MOVE_MAX:
        raise ValidationError("invalid_field", field="idea_ids")
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
            raise ValidationError("invalid_field", field="idea_ids")
    if len(set(ids)) != len(ids):
        raise ValidationError("invalid_field", field="idea_ids")
    return ids


@use_case(FACILITATOR, check=_ideas_to_move)
def move_idea(tx: Tx, _subject: None, idea_ids: list[int]):
    """File ideas under a theme (or back among the unsorted ones with theme_id null), all or none.

    One idea (``idea_id``) or several (``idea_ids``) in one transaction: a sorted
    selection lands in one step, exactly once, or is refused whole.  The ideas are
    locked in id order, so two consoles moving overlapping selections cannot deadlock.
    """
    s, w = tx.s, tx.workshop
    ideas = queries.items(s, Idea, idea_ids, w.id, "idea")
    if any(idea.withdrawn or idea.merged_into_id for idea in ideas):
        raise NotFound("unknown_idea")
    if any(idea.review != review_rules.APPROVED for idea in ideas):
        raise ValidationError("not_reviewed")
    round_ = ideas[0].round
    if any(idea.round_id != round_.id for idea in ideas):
        raise ValidationError("other_round")
    phases.require(round_.phase, "edit_themes")
    theme_id = int_field(tx.payload, "theme_id", required=False)
    if theme_id is not None:
        theme = queries.item(s, Theme, theme_id, w.id, "theme")
        if theme.round_id != round_.id:
            raise ValidationError("other_round")
    now = utcnow()
    moved = [idea for idea in ideas if idea.theme_id != theme_id]
    for idea in moved:
        idea.theme_id, idea.updated_at = theme_id, now
    s.flush()
    if "idea_ids" not in tx.payload:
        return {"idea": idea_change(s, w, ideas[0]).data}, [idea_change(s, w, i) for i in moved]
    views = {idea.id: idea_change(s, w, idea) for idea in ideas}
    return {"ideas": [views[i].data for i in idea_ids]}, [views[idea.id] for idea in moved]
