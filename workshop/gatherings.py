"""Use cases across workshops: events (parallel ateliers meeting in a plenary) and the observatory.

An **event** groups workshops held at the same time — the four ateliers of a
regional day — so that a plenary screen can show their syntheses side by side
and the organiser can export one combined compte-rendu.  Its ``code`` is
public (the plenary screen's address ``/p/<code>``); its ``organiser_token``
is the secret that gives the combined export, as the facilitator token does
for one workshop.

The **observatory** compares many workshops (a programme run in twenty
towns): participation by stakeholder group, kept themes and prioritised
actions, filtered by territory and tag.  Its rows are built from the same
report as the documents (:func:`workshop.exports.common.build_report`), so
they obey the same publication rules: only visible ideas count, people appear
only as stakeholder groups, never a pseudonym, a token or a hidden idea.

Like :mod:`workshop.services`, nothing here knows about Flask: the CLI and
the HTTP adapter (:mod:`workshop.web.gatherings_http`) both call it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date as dt_date
from typing import Any

from sqlalchemy import select

from .domain.text import clean_text
from .errors import NotFound, ValidationError
from .services import WorkshopService, _iso, new_code, normalize_code
from .storage.models import Event, Workshop

MAX_WORKSHOPS = 50  # ateliers in one event: a plenary shows them side by side


def _clean_date(value: object) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValidationError("invalid_field", field="date")
    try:
        dt_date.fromisoformat(value)
    except ValueError:
        raise ValidationError("invalid_field", field="date") from None
    if len(value) != 10:
        raise ValidationError("invalid_field", field="date")
    return value


def _codes(codes: str | Iterable[str] | None) -> list[str]:
    """Workshop codes as typed (any case, spaces, dashes), normalised and without repeats."""
    if codes is None:
        return []
    if isinstance(codes, str):
        codes = [codes]
    out: list[str] = []
    for raw in codes:
        code = normalize_code(raw)
        if code not in out:
            out.append(code)
    return out


def _fold(text: str | None) -> str:
    """How filters compare territories and tags: trimmed, case-insensitive."""
    return " ".join((text or "").split()).casefold()


class GatheringService:
    """Events and the observatory, on the same database as a :class:`WorkshopService`."""

    def __init__(self, workshops: WorkshopService) -> None:
        self.workshops = workshops
        self.db = workshops.db

    # ----------------------------------------------------------------- events

    @staticmethod
    def _event_view(s, e: Event) -> dict[str, Any]:
        members = s.scalars(select(Workshop).where(Workshop.event_id == e.id).order_by(Workshop.id)).all()
        return {
            "code": e.code,
            "title": e.title,
            "territory": e.territory,
            "date": e.date,
            "created_at": _iso(e.created_at),
            "workshops": [{"code": w.code, "title": w.title, "territory": w.territory, "status": w.status} for w in members],
        }

    @staticmethod
    def _event(s, code: object, *, lock: bool = False) -> Event:
        try:
            normalized = normalize_code(code)
        except (NotFound, ValidationError):
            raise NotFound("unknown_event_code") from None
        q = select(Event).where(Event.code == normalized)
        e = s.scalar(q.with_for_update() if lock else q)
        if e is None:
            raise NotFound("unknown_event_code")
        return e

    @staticmethod
    def _attach(s, e: Event, codes: list[str]) -> None:
        """Put the workshops with these codes in event ``e`` (all or none)."""
        found = {w.code: w for w in s.scalars(select(Workshop).where(Workshop.code.in_(codes)).with_for_update())} if codes else {}
        for code in codes:
            w = found.get(code)
            if w is None:
                raise NotFound("unknown_code", workshop=code)
            if w.event_id is not None and w.event_id != e.id:
                # A workshop meets in one plenary: moving it is an explicit remove, then add.
                raise ValidationError("workshop_in_other_event", workshop=code)
        current = {w.id for w in s.scalars(select(Workshop).where(Workshop.event_id == e.id))} if e.id else set()
        if len(current | {w.id for w in found.values()}) > MAX_WORKSHOPS:
            raise ValidationError("too_many_workshops", max=MAX_WORKSHOPS)
        for w in found.values():
            w.event_id = e.id
        s.flush()

    def create_event(
        self,
        title: str,
        territory: str = "",
        date: str | None = None,
        workshop_codes: str | Iterable[str] | None = (),
    ) -> dict[str, Any]:
        """Create an event grouping the workshops with these codes.

        Returns ``{"event": <public view>, "organiser_token": <secret>}``; the
        token is shown once, like a workshop's facilitator token.
        """
        title = clean_text(title, "title", 200)
        territory = clean_text(territory, "territory", 200, required=False)
        date = _clean_date(date)
        codes = _codes(workshop_codes)
        with self.db.transaction() as s:
            taken = set(s.scalars(select(Event.code)).all()) | set(s.scalars(select(Workshop.code)).all())
            e = Event(
                code=new_code(taken),  # never a workshop's code: /p/X and /j/X cannot be confused
                organiser_token=secrets.token_urlsafe(24),
                title=title,
                territory=territory,
                date=date,
            )
            s.add(e)
            s.flush()
            self._attach(s, e, codes)
            return {"event": self._event_view(s, e), "organiser_token": e.organiser_token}

    def add_workshop(self, event_code: str, codes: str | Iterable[str]) -> dict[str, Any]:
        """Add workshops (by join code) to an event; returns the event's public view."""
        wanted = _codes(codes)
        if not wanted:
            raise ValidationError("invalid_field", field="codes")
        with self.db.transaction() as s:
            e = self._event(s, event_code, lock=True)
            self._attach(s, e, wanted)
            return self._event_view(s, e)

    def remove_workshop(self, event_code: str, codes: str | Iterable[str]) -> dict[str, Any]:
        """Take workshops out of an event (the workshops themselves are untouched)."""
        wanted = _codes(codes)
        if not wanted:
            raise ValidationError("invalid_field", field="codes")
        with self.db.transaction() as s:
            e = self._event(s, event_code, lock=True)
            members = {w.code: w for w in s.scalars(select(Workshop).where(Workshop.event_id == e.id))}
            for code in wanted:
                if code not in members:
                    raise NotFound("not_in_event", workshop=code)
            for code in wanted:
                members[code].event_id = None
            s.flush()
            return self._event_view(s, e)

    def event_view(self, code: str) -> dict[str, Any]:
        """What anyone may know of an event: title, territory, date and its workshops' public facts."""
        with self.db.sessions() as s:
            return self._event_view(s, self._event(s, code))

    def event_for_organiser(self, token: object) -> dict[str, Any]:
        """The event whose organiser token this is (``NotFound`` otherwise: the token is the secret)."""
        if not isinstance(token, str) or not token or len(token) > 64:
            raise NotFound("unknown_event_code")
        with self.db.sessions() as s:
            e = s.scalar(select(Event).where(Event.organiser_token == token))
            if e is None:
                raise NotFound("unknown_event_code")
            return self._event_view(s, e)

    def list_events(self) -> list[dict[str, Any]]:
        """Every event with its organiser token: for the local operator (CLI) only."""
        with self.db.sessions() as s:
            return [{**self._event_view(s, e), "organiser_token": e.organiser_token} for e in s.scalars(select(Event).order_by(Event.id))]

    def event_snapshots(self, code: str) -> list[dict[str, Any]]:
        """The full snapshot of every workshop of the event (for the combined export), in order."""
        with self.db.sessions() as s:
            e = self._event(s, code)
            ids = s.scalars(select(Workshop.id).where(Workshop.event_id == e.id).order_by(Workshop.id)).all()
        return [self.workshops.full_snapshot(wid) for wid in ids]

    def event_export(self, code: str, fmt: str, lang: str = "fr") -> tuple[bytes, str, str]:
        """The combined compte-rendu of an event: (body, media type, file name)."""
        from .exports import event as event_export

        view = self.event_view(code)
        snapshots = self.event_snapshots(code)
        body = event_export.export(view, snapshots, fmt, lang)
        return body, event_export.media_type(fmt), event_export.filename(view, fmt, lang)

    # ----------------------------------------------------------------- observatory

    def _observed(self, territory: str | None, tag: str | None, published_only: bool) -> list[tuple[Workshop, str | None]]:
        """The workshops that pass the filters, each with the title of its event (or None)."""
        with self.db.sessions() as s:
            q = select(Workshop).order_by(Workshop.date.is_(None), Workshop.date, Workshop.id)
            if published_only:
                q = q.where(Workshop.published_at.is_not(None))
            found = s.scalars(q).all()
            events = {e.id: e.title for e in s.scalars(select(Event))}
        wanted_territory, wanted_tag = _fold(territory), _fold(tag)
        out = []
        for w in found:
            if wanted_territory and _fold(w.territory) != wanted_territory:
                continue
            if wanted_tag and wanted_tag not in {_fold(t) for t in (w.tags or [])}:
                continue
            out.append((w, events.get(w.event_id)))
        return out

    def observatory(
        self,
        territory: str | None = None,
        tag: str | None = None,
        published_only: bool = False,
        lang: str = "fr",
    ) -> list[dict[str, Any]]:
        """One row per workshop: participation by stakeholder group, kept themes, prioritised actions.

        ``territory`` and ``tag`` filter (trimmed, case-insensitive, exact);
        ``published_only`` keeps workshops whose restitution is published — what
        a public page may show.  Rows hold no pseudonym, token, hidden idea or
        participant id; the join ``code`` is given to the local operator only
        (``published_only=False``), never on the public page.
        """
        from .exports.common import build_report
        from .exports.i18n import wording
        from .exports.polls import evaluation_summary

        rows = []
        for w, event_title in self._observed(territory, tag, published_only):
            report = build_report(self.workshops.full_snapshot(w.id), lang)
            part = report["participation"]
            row: dict[str, Any] = {}
            if not published_only:
                row["code"] = w.code
            row.update(
                title=w.title,
                territory=w.territory or "",
                date=w.date,
                tags=list(w.tags or []),
                event=event_title,
                status=w.status,
                published_at=_iso(w.published_at),
                questions=[r["question"] for r in report["rounds"]],
                phases=[r["phase"] for r in report["rounds"]],
                participants=part["total"]["participants"],
                contributions=part["total"]["contributions"],
                dots=part["total"]["dots"],
                by_group=[{k: g[k] for k in ("group", "label", "participants", "contributions", "dots")} for g in part["rows"]],
                themes=[
                    {
                        "round": r["position"],
                        "title": t["title"],
                        "objective": t["objective"],
                        "criteria": list(t["criteria"]),
                        "kept": t["kept"],
                        "dots": t["dots"],
                        "rank": t["rank"],
                    }
                    for r in report["rounds"]
                    for t in r["themes"]
                ],
                actions=[
                    {
                        "round": r["position"],
                        "rank": a["rank"],
                        "title": a["title"],
                        "theme": a["theme"],
                        "dots": a["dots"],
                        "voters": a["voters"],
                        "status": a["status"],
                        "status_label": a["status_label"],
                        "owner": a["owner"],
                        "deadline": a["deadline"],
                    }
                    for r in report["rounds"]
                    for a in r["actions"]
                ],
            )
            row["evaluation"] = evaluation_summary(report, wording(lang))  # the end-of-workshop evaluation, in brief
            rows.append(row)
        return rows

    def observatory_filters(self, published_only: bool = False) -> dict[str, list[str]]:
        """The territories and tags one can filter on (those of the workshops that would be shown)."""
        territories: dict[str, str] = {}
        tags: dict[str, str] = {}
        for w, _event in self._observed(None, None, published_only):
            if (w.territory or "").strip():
                territories.setdefault(_fold(w.territory), w.territory.strip())
            for t in w.tags or []:
                if t.strip():
                    tags.setdefault(_fold(t), t.strip())
        return {
            "territories": sorted(territories.values(), key=_fold),
            "tags": sorted(tags.values(), key=_fold),
        }


__all__ = ["GatheringService", "MAX_WORKSHOPS"]
