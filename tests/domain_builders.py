"""Round views and snapshots for the pure domain tests, built without a database.

Round views are plain dicts shaped like the service's full round view (ideas, themes,
actions, votes, syntheses); :class:`RoundBuilder` builds one, :func:`full_snapshot`
wraps rounds in a facilitator-level snapshot.  Imported as ``from domain_builders import ...``
(``tests/`` is on ``sys.path`` through pytest's rootdir conftest, like ``support``).
"""

from __future__ import annotations

from typing import Any

from workshop.domain.phases import DIVERGE
from workshop.domain.settings import normalize_settings
from workshop.domain.synthesis import build_action_plan

STAMP = "2030-06-01T10:00:00+00:00"


class RoundBuilder:
    """Builds one round view as ``WorkshopService._round_full`` returns it."""

    def __init__(
        self,
        round_id: int = 1,
        position: int = 1,
        question: str = "Dans 10 ans, on aura réussi si…",
        phase: str = DIVERGE,
        tallies_revealed: bool = False,
    ) -> None:
        self.round_id = round_id
        self.header = {
            "id": round_id,
            "position": position,
            "question": question,
            "phase": phase,
            "timings": {},
            "tallies_revealed": tallies_revealed,
            "timer": {"ends_at": None, "seconds": None, "remaining": None},
        }
        self.ideas: list[dict] = []
        self.themes: list[dict] = []
        self.actions: list[dict] = []
        self.votes: list[dict] = []
        self.syntheses: dict[str, dict] = {}
        self._next_id = round_id * 100  # ids unique across rounds of one workshop

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def idea(
        self,
        text: str,
        *,
        pid: int | None = None,
        group: str | None = "habitant",
        author: str | None = None,
        on_behalf: bool = False,
        hidden: bool = False,
        withdrawn: bool = False,
        merged_into: int | None = None,
        theme: int | None = None,
    ) -> int:
        iid = self._id()
        self.ideas.append(
            {
                "id": iid,
                "round_id": self.round_id,
                "text": text,
                "author": author,
                "participant_id": pid,
                "group": group,
                "on_behalf": on_behalf,
                "hidden": hidden,
                "withdrawn": withdrawn,
                "merged_into": merged_into,
                "theme_id": theme,
                "count": 1,
                "created_at": STAMP,
                "updated_at": STAMP,
            }
        )
        return iid

    def theme(self, title: str, *, objective: str = "", criteria: tuple[str, ...] = (), kept: bool = False) -> int:
        tid = self._id()
        self.themes.append(
            {
                "id": tid,
                "round_id": self.round_id,
                "title": title,
                "objective": objective,
                "criteria": list(criteria),
                "position": len(self.themes) + 1,
                "kept": kept,
            }
        )
        return tid

    def action(self, title: str, theme: int, *, ideas: tuple[int, ...] = (), pid: int | None = None, **sheet: Any) -> int:
        aid = self._id()
        self.actions.append(
            {
                "id": aid,
                "round_id": self.round_id,
                "theme_id": theme,
                "participant_id": pid,
                "title": title,
                "description": sheet.get("description", ""),
                "owner": sheet.get("owner", ""),
                "partners": list(sheet.get("partners", [])),
                "deadline": sheet.get("deadline", ""),
                "resources": sheet.get("resources", ""),
                "indicators": list(sheet.get("indicators", [])),
                "status": sheet.get("status", "proposed"),
                "idea_ids": list(ideas),
                "created_at": STAMP,
            }
        )
        return aid

    def vote(self, kind: str, target: int, pid: int, group: str | None, dots: int) -> None:
        self.votes.append({"kind": kind, "target_id": target, "participant_id": pid, "group": group, "dots": dots})

    def build(self) -> dict:
        """The view; an idea's count is itself plus the ideas merged into it, as in the service."""
        ideas = [dict(i, count=1 + sum(1 for o in self.ideas if o["merged_into"] == i["id"])) for i in self.ideas]
        return {
            **self.header,
            "ideas": ideas,
            "themes": [dict(t) for t in self.themes],
            "actions": [dict(a) for a in self.actions],
            "votes": [dict(v) for v in self.votes],
            "syntheses": dict(self.syntheses),
        }


def full_snapshot(rounds: list[dict], settings: dict | None = None, participants: list[dict] | None = None) -> dict:
    """A facilitator-level snapshot as ``WorkshopService.full_snapshot`` returns it."""
    workshop = {
        "id": 1,
        "code": "ABC123",
        "title": "Notre quartier",
        "territory": "Quartier Nord",
        "date": "2030-06-01",
        "language": "fr",
        "description": "",
        "tags": [],
        "settings": normalize_settings(settings),
        "status": "open",
        "created_at": STAMP,
    }
    return {
        "schema": "workshop-snapshot/1",
        "workshop": workshop,
        "participants": participants or [],
        "presence": {"count": len(participants or []), "by_group": {}},
        "rounds": rounds,
        "plan": build_action_plan(workshop, rounds),
    }
