"""The ideas of one theme, read on demand: what a phone unfolds before it votes on a theme.

Phones are not sent the room's ideas one by one (see :mod:`workshop.web.broadcast`):
with 2,000 phones in a define phase, every idea filed under a theme would become
2,000 messages.  A phone asks instead, for one theme, when its card is unfolded
(and again when that theme or the round changes): the answer comes from the
cached full state (:class:`~workshop.services.snapshots.SnapshotCache`, one small
query for its version), filtered by the same visibility rules as every snapshot —
no hidden, withdrawn or merged-away idea, no participant id, no pseudonym in an
anonymous workshop.  Read-only: no transaction, no operation id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain import phases
from ..domain.visibility import public_idea
from ..errors import NotFound, PhaseError, ValidationError
from .base import FACILITATOR, MODERATOR, PARTICIPANT, SCREEN, SCRIBE, Actor, id_field, refusal, require_dict

if TYPE_CHECKING:  # pragma: no cover
    from . import WorkshopService

#: who may read a theme's ideas (a guest has not joined yet: ``role``)
ROLES = (PARTICIPANT, SCREEN, FACILITATOR, MODERATOR, SCRIBE)
#: the phases in which a round's themes are shown with their ideas (diverge has no themes yet;
#: a closed round is shown from its frozen synthesis)
READABLE_PHASES = (phases.DEFINE, phases.CONVERGE)


def _current_round(rounds: list[dict]) -> dict | None:
    """The workshop's current round, as everywhere: the first not closed, else the last."""
    return next((r for r in rounds if r["phase"] != phases.CLOSED), rounds[-1] if rounds else None)


def theme_ideas(service: WorkshopService, actor: Actor, payload: object = None) -> dict[str, Any]:
    """``{theme_id, round_id, ideas}``: the visible ideas filed under a theme of the current round, oldest first."""
    if actor.role not in ROLES:
        raise refusal(actor.role, ROLES)
    theme_id = id_field(require_dict(payload), "theme_id")
    rounds = service.snapshots.shared(actor.workshop_id).rounds
    r = next((r for r in rounds if any(t["id"] == theme_id for t in r["themes"])), None)
    if r is None:
        raise NotFound("unknown_theme")
    current = _current_round(rounds)
    if current is None or r["id"] != current["id"]:
        raise ValidationError("other_round")
    if r["phase"] not in READABLE_PHASES:
        raise PhaseError(phase=r["phase"])
    ideas = [view for idea in r["ideas"] if idea["theme_id"] == theme_id and (view := public_idea(idea)) is not None]
    return {"theme_id": theme_id, "round_id": r["id"], "ideas": ideas}
