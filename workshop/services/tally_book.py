"""The tallies of the votes, kept in memory and moved by each committed vote.

The broadcaster sends a vote's tally at most a few times a second, and every
reconnecting phone's snapshot shows it; recounting every vote of the round in
SQL each time (21 ms at 2,000 votes) is what made a vote burst expensive.  The
book loads one (workshop, round, kind) from the database the first time it is
needed, then applies the dots each committed vote moved (``Change("tally")``
carries the target, the voter's group and the dots before and after).  Any
other change that can alter votes, their order or whether the room sees them
(a theme created or removed, a phase closed or reopened, tallies revealed, a
workshop changed) drops the workshop's entries: they are read again when next
needed.

Commits and their bookkeeping happen under :attr:`TallyBook.lock` (see
:func:`~workshop.services.base.exactly_once`), and so does a load: a load
therefore sees every vote whose delta was applied before it, and none whose
delta comes after it.

Several workers sharing the database (``MESSAGE_QUEUE`` set, :attr:`shared`):
a worker is not told of the votes committed by the others, so its deltas
would miss them.  Then the book recounts from the rows, but at most once per
vote recorded anywhere: the count is filed under the workshop's latest vote
operation (one indexed lookup), so a flush with no new vote anywhere reads
nothing more.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select

from ..domain.visibility import tallies_visible
from ..domain.voting import rank
from ..errors import NotFound
from ..storage.db import Database
from ..storage.models import Operation, Participant, Round, Theme, Vote, Workshop
from .views import round_view_header

NO_GROUP = "—"

BALLOTS = (
    select(Vote.target_id, Participant.group, Vote.dots)
    .join(Participant, Participant.id == Vote.participant_id)
    .join(Round, Round.id == Vote.round_id)
    .where(Vote.round_id == bindparam("r"), Vote.kind == bindparam("k"), Round.workshop_id == bindparam("w"))
)
THEME_ORDER = select(Theme.id, Theme.position).where(Theme.round_id == bindparam("r"))
LAST_VOTE = select(func.max(Operation.id)).where(Operation.workshop_id == bindparam("w"), Operation.lane == "vote")


@dataclass
class Entry:
    """One vote's figures: per target, dots, voters and dots by stakeholder group."""

    targets: dict[int, list] = field(default_factory=dict)  # target id -> [dots, voters, {group: dots}]
    order: dict[int, int] | None = None
    visible: bool = False
    marker: int | None = None  # shared mode: the latest vote operation counted

    def add(self, target_id: int, group: str | None, dots: int) -> None:
        """One ballot as loaded (only ballots with dots count, as in :func:`workshop.domain.voting.tally`)."""
        if dots <= 0:
            return
        t = self.targets.setdefault(target_id, [0, 0, {}])
        t[0] += dots
        t[1] += 1
        key = group or NO_GROUP
        t[2][key] = t[2].get(key, 0) + dots

    def move(self, target_id: int, group: str | None, before: int, after: int) -> None:
        """A committed vote: the voter's dots on ``target_id`` went from ``before`` to ``after``."""
        t = self.targets.setdefault(target_id, [0, 0, {}])
        t[0] += after - before
        t[1] += (after > 0) - (before > 0)
        key = group or NO_GROUP
        left = t[2].get(key, 0) + after - before
        if left:
            t[2][key] = left
        else:
            t[2].pop(key, None)
        if t[1] <= 0:
            del self.targets[target_id]

    def figures(self) -> tuple[list[dict], list[int]]:
        """``items`` in target id order and the ``ranking``, as :func:`~workshop.domain.voting.ranked_tally` gives them."""
        tallies = {tid: {"dots": d, "voters": v, "by_group": dict(sorted(g.items()))} for tid, (d, v, g) in self.targets.items()}
        return [{"id": tid, **t} for tid, t in sorted(tallies.items())], rank(tallies, tallies, self.order)


class TallyBook:
    """In-memory tallies per (workshop, round, kind), kept in step with the commits of this process."""

    def __init__(self, db: Database) -> None:
        self.db = db
        #: held around every commit and its bookkeeping, and around every load
        self.lock = threading.RLock()
        #: several workers share the database: recount (once per new vote) instead of trusting deltas
        self.shared = False
        self._entries: dict[tuple[int, int, str], Entry] = {}

    def entry(self, workshop_id: int, round_id: int, kind: str) -> Entry:
        """The figures of one vote, loaded the first time (and, shared, again after any new vote)."""
        key = (workshop_id, round_id, kind)
        with self.lock:
            entry = self._entries.get(key)
            if entry is not None and not self.shared:
                return entry
            with self.db.read() as s:
                marker = s.execute(LAST_VOTE, {"w": workshop_id}).scalar() if self.shared else None
                if entry is not None and entry.marker == marker:
                    return entry
                entry = self._load(s, workshop_id, round_id, kind)
                entry.marker = marker
            self._entries[key] = entry
            return entry

    def _load(self, s: Any, workshop_id: int, round_id: int, kind: str) -> Entry:
        w = s.get(Workshop, workshop_id)
        r = s.get(Round, round_id)
        if w is None or r is None:
            raise NotFound("unknown_round")
        entry = Entry()
        for target_id, group, dots in s.execute(BALLOTS, {"w": workshop_id, "r": round_id, "k": kind}):
            entry.add(target_id, group, dots)
        if kind == "theme":
            entry.order = {tid: pos for tid, pos in s.execute(THEME_ORDER, {"r": round_id})}
        entry.visible = tallies_visible(w.settings, round_view_header(r, w.settings), kind)
        return entry

    def tallies(self, workshop_id: int, round_id: int, kind: str) -> dict[str, Any]:
        """The ``tally`` message of one vote: items, ranking and whether the room sees them."""
        entry = self.entry(workshop_id, round_id, kind)
        with self.lock:
            items, ranking = entry.figures()
        return {"round_id": round_id, "kind": kind, "items": items, "ranking": ranking, "visible": entry.visible}

    def figures(self, workshop_id: int, round_id: int, kind: str) -> tuple[list[dict], list[int]]:
        """``(items, ranking)`` of one vote, for snapshots."""
        entry = self.entry(workshop_id, round_id, kind)
        with self.lock:
            return entry.figures()

    def committed(self, workshop_id: int, kind: str, data: dict[str, Any]) -> None:
        """Bookkeeping of one committed change (called under :attr:`lock`)."""
        if kind == "tally" and "after" in data:
            entry = self._entries.get((workshop_id, data["round_id"], data["kind"]))
            if entry is not None and not self.shared:
                entry.move(data["target_id"], data["group"], data["before"], data["after"])
        elif kind in ALTERING:
            self.forget(workshop_id)

    def forget(self, workshop_id: int) -> None:
        """Drop a workshop's figures: they are read again when next needed."""
        with self.lock:
            for key in [k for k in self._entries if k[0] == workshop_id]:
                del self._entries[key]


#: changes after which a workshop's figures are read again: votes deleted (a theme removed),
#: a new theme's place in the order, a phase or a reveal changing who sees them, a recount asked for
ALTERING = frozenset({"theme", "theme_removed", "round", "workshop", "tally"})
