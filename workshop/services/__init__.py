"""Use cases of a workshop: one function, one transaction, one answer.

Each module owns one resource and its use cases; :mod:`.base` holds the frame
they share (who is calling, what changed, the exactly-once transaction and the
:func:`~.base.use_case` declaration of roles, checks and phase capability):

- :mod:`.workshops` — creating a workshop, who a connection is, joining, the projector's QR code;
- :mod:`.ideas` — posting, editing, withdrawing, hiding, merging, filing ideas;
- :mod:`.themes` — themes, objectives and criteria;
- :mod:`.theme_ideas` — a theme's visible ideas, read on demand by phones;
- :mod:`.actions` — actions and their sheets;
- :mod:`.voting` — dot votes and tallies; :mod:`.tally_book` — the tallies kept in memory;
- :mod:`.rounds` — phases, reveal, timer, preview, new rounds;
- :mod:`.polls` — quick polls of the room, alongside any phase;
- :mod:`.agreement` — the agree/disagree round on the actions, compared across stakeholder groups;
- :mod:`.restitution` — what became of actions, the public page;
- :mod:`.snapshots` — the full state, the draft plan, presence, the snapshot cache;
- :mod:`.privacy` — erasure and retention;
- :mod:`.review` (``reviewing``) — the moderators' inbox (approve, reject) and the approval queue's switch;
- :mod:`.team` — the moderator's and scribe's links, made anew or revoked;
- :mod:`.queries` and :mod:`.views` — the shared reads and the protocol's shapes.

:class:`WorkshopService` binds them to one database (and one snapshot cache):
every use case is a plain function whose first argument is the service, so
``service.post_idea(actor, payload)`` and ``ideas.post_idea(service, actor,
payload)`` are the same call.  Nothing here knows about Flask or Socket.IO.
"""

from __future__ import annotations

import logging

from ..errors import WorkshopError
from ..storage.db import Database
from . import actions, agreement, ideas, polls, privacy, restitution, rounds, snapshots, team, theme_ideas, themes, voting, workshops
from . import review as reviewing
from .base import FACILITATOR, GUEST, MODERATOR, PARTICIPANT, ROLES, SCREEN, SCRIBE, STAFF, Actor, Change, GroupCommit, Outcome
from .queries import FLOOD_LIMIT, FLOOD_WINDOW
from .snapshots import ACTION_STATUSES, RULES, SnapshotCache
from .tally_book import TallyBook
from .views import iso as _iso
from .views import workshop_view
from .workshops import new_code, normalize_code

log = logging.getLogger(__name__)


class WorkshopService:
    """All use cases, bound to one database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.snapshots = SnapshotCache(db)
        self.tally_book = TallyBook(db)
        #: every commit of a use case and its bookkeeping (:meth:`committed`) run under it
        self.commit_lock = self.tally_book.lock
        #: the hot writes (vote, join, idea) committed in groups while the disk syncs
        self.group_commit = GroupCommit(self)
        #: optional parts the facilitator's snapshot announces (``features``), set by the app
        self.features: dict[str, bool] = {"assist": False}
        #: ideas (or actions) a phone may write per window of seconds; in every snapshot's ``rules.idea_rate``
        self.flood: tuple[int, int] = (FLOOD_LIMIT, FLOOD_WINDOW)

    @property
    def shared(self) -> bool:
        """Whether several workers share the database (``MESSAGE_QUEUE`` set): each sees only its own commits."""
        return self.tally_book.shared

    @shared.setter
    def shared(self, value: bool) -> None:
        self.tally_book.shared = value

    def committed(self, workshop_id: int, changes: list[Change]) -> None:
        """What this process keeps in memory follows a commit: the tally book and the snapshot versions (under :attr:`commit_lock`)."""
        try:
            for change in changes:
                self.tally_book.committed(workshop_id, change.kind, change.data)
            self.snapshots.committed(workshop_id, changes)
        except Exception:  # the write is committed: never answer it as failed; read the figures again instead
            log.exception("bookkeeping of a commit failed")
            self.tally_book.forget(workshop_id)
            self.snapshots.committed(workshop_id, [Change("workshop", workshop_id)])

    # workshops and joining
    create_workshop = workshops.create_workshop
    authenticate = workshops.authenticate
    join = workshops.join
    show_qr = workshops.show_qr
    find_workshop = workshops.find_workshop
    workshop_id_for_code = workshops.workshop_id_for_code
    list_workshops = workshops.list_workshops
    # ideas
    post_idea = ideas.post_idea
    edit_idea = ideas.edit_idea
    withdraw_idea = ideas.withdraw_idea
    hide_idea = ideas.hide_idea
    merge_ideas = ideas.merge_ideas
    unmerge_idea = ideas.unmerge_idea
    move_idea = ideas.move_idea
    # themes
    create_theme = themes.create_theme
    update_theme = themes.update_theme
    delete_theme = themes.delete_theme
    theme_ideas = theme_ideas.theme_ideas
    # actions
    propose_action = actions.propose_action
    update_action = actions.update_action
    # voting
    vote = voting.vote
    tallies = voting.tallies
    recount = voting.recount
    # rounds and phases
    advance_phase = rounds.advance_phase
    reopen_phase = rounds.reopen_phase
    reveal_tallies = rounds.reveal_tallies
    open_vote = rounds.open_vote
    set_timer = rounds.set_timer
    add_round = rounds.add_round
    preview_synthesis = rounds.preview_synthesis
    # quick polls
    create_poll = polls.create_poll
    set_poll_state = polls.set_poll_state
    reveal_poll = polls.reveal_poll
    answer_poll = polls.answer_poll
    poll_results = polls.poll_results
    # agreement across groups
    open_agreement = agreement.open_agreement
    reveal_agreement = agreement.reveal_agreement
    answer_agreement = agreement.answer_agreement
    agreement_results = agreement.agreement_results
    # after the workshop
    update_action_status = restitution.update_action_status
    publish_restitution = restitution.publish_restitution
    restitution = restitution.restitution
    # reading
    full_snapshot = snapshots.full_snapshot
    snapshot = snapshots.snapshot
    presence = snapshots.presence
    # the team: review and links
    review = reviewing.review
    set_approval = reviewing.set_approval
    team_link = team.team_link
    team_links = team.team_links
    check_link = team.check_link
    # privacy
    erase_personal_data = privacy.erase_personal_data
    purge_expired = privacy.purge_expired


__all__ = [
    "ACTION_STATUSES",
    "FACILITATOR",
    "FLOOD_LIMIT",
    "FLOOD_WINDOW",
    "GUEST",
    "MODERATOR",
    "PARTICIPANT",
    "ROLES",
    "RULES",
    "SCREEN",
    "SCRIBE",
    "STAFF",
    "Actor",
    "Change",
    "Outcome",
    "WorkshopError",
    "WorkshopService",
    "_iso",
    "new_code",
    "normalize_code",
    "workshop_view",
]
