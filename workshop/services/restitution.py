"""After the workshop: what became of each action, and the public restitution page.

The status history is append-only and recorded once a round is closed; the
page ``/r/<code>`` is opt-in (published by the facilitator) and shows groups,
never names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..domain import restitution as restitution_rules
from ..errors import NotFound
from ..storage.models import Action, ActionUpdate, Workshop, utcnow
from . import queries
from .base import FACILITATOR, Change, Tx, bool_field, use_case
from .snapshots import build_full_snapshot
from .views import action_view, update_view, workshop_view
from .workshops import normalize_code

if TYPE_CHECKING:  # pragma: no cover
    from . import WorkshopService


def _status_update(payload: dict) -> tuple[str, str, str]:
    return restitution_rules.check_status_update(payload.get("status"), payload.get("date"), payload.get("comment"), utcnow())


@use_case(FACILITATOR, subject=Action, lock=True, check=_status_update)
def update_action_status(tx: Tx, action: Action, checked: tuple[str, str, str]):
    """Record what became of an action after the workshop: a dated status with a comment.

    Only once the action's round is closed (during the workshop the sheet's
    status is edited with ``action.update``).  The history is append-only:
    each call adds one update, and the action's status becomes the one its
    timeline (by day, then by recording order) ends with.
    """
    status, day, comment = checked
    restitution_rules.require_closed(action.round.phase)
    tx.s.add(ActionUpdate(action_id=action.id, status=status, date=day, comment=comment))
    tx.s.flush()
    updates = queries.updates(tx.s, Action.id == action.id).get(action.id, [])
    action.status = restitution_rules.current_status(action.status, [update_view(u) for u in updates])
    action.version += 1  # a console with this sheet open sees it moved
    tx.s.flush()
    view = action_view(action, updates)
    return {"action": view}, [Change("action", tx.workshop.id, view)]


@use_case(FACILITATOR, lock_workshop=True, check=lambda p: bool_field(p, "published"))
def publish_restitution(tx: Tx, _subject: None, published: bool):
    """Open (or close) the workshop's public restitution page, ``/r/<code>``: opt-in."""
    w = tx.workshop
    if not published:
        w.published_at = None
    elif w.published_at is None:  # publishing again keeps the first date
        w.published_at = utcnow()
    tx.s.flush()
    view = workshop_view(w)
    return {"workshop": view}, [Change("workshop", w.id, view)]


def restitution(service: WorkshopService, code: str) -> dict[str, Any]:
    """The public restitution of a workshop (read-only); NotFound unless it is published."""
    with service.db.read() as s:
        w = s.scalar(select(Workshop).where(Workshop.code == normalize_code(code)))
        if w is None or w.published_at is None:
            raise NotFound("not_published")
        return restitution_rules.build_restitution(build_full_snapshot(s, w))
