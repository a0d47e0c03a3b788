"""The assistant as the server runs it: the model, its cache and worker, and the two read events.

:class:`Assistant` is built once per app (see :func:`init_app`).  When an idea
or a theme is written, the web adapter hands the committed changes to
:meth:`Assistant.observe`, which only queues their texts for the worker; the
read events (``assist.suggest``, ``assist.duplicates``) then work on vectors
already in the cache and answer at once, saying how many texts are still
``pending`` (the console asks again shortly).  No Flask here.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from ..domain.visibility import idea_is_public
from ..errors import ValidationError
from ..services.base import FACILITATOR, MODERATOR, Actor, Change, int_field, refusal, require_dict
from ..services.queries import round_of
from .catalogue import CatalogueTheme, load_catalogue, workshop_catalogue
from .embedder import Embedder, load_embedder
from .worker import EmbeddingWorker

if TYPE_CHECKING:  # pragma: no cover
    from ..services import WorkshopService

log = logging.getLogger(__name__)
#: the model's CPU threads in the server: a few ideas at a time need no more, and the event loop keeps a core
SERVER_THREADS = 1


def visible(idea: dict) -> bool:
    """Ideas the assistant looks at: the ones the room sees (approved, not hidden, withdrawn or merged)."""
    return idea_is_public(idea)


def theme_texts(theme: dict) -> list[str]:
    """What a theme says: its title first, then its objective and criteria."""
    return [t for t in [theme["title"], theme.get("objective") or "", *(theme.get("criteria") or [])] if t.strip()]


class Assistant:
    """The model behind one app, or nothing (``available`` is then false and every answer says so)."""

    def __init__(
        self, embedder: Embedder | None, catalogue: tuple[CatalogueTheme, ...] | None = None, instance_path: str | None = None
    ) -> None:
        self.embedder = embedder
        self.instance_path = instance_path
        self.worker = EmbeddingWorker(embedder) if embedder is not None else None
        self.catalogue = catalogue if catalogue is not None else load_catalogue()
        #: texts are embedded as they are written once the assistant is in use: from ``serve``'s start
        #: (:meth:`warm_up`) or the first question; an app that never asks never runs the model
        self.engaged = False

    @property
    def available(self) -> bool:
        return self.worker is not None and self.worker.failed is None

    def warm_up(self, language: str = "fr") -> None:
        """Queue the catalogue's lines, so the first question in define finds them ready."""
        if self.worker is not None:
            self.engaged = True
            self.worker.submit([c.seed_text(lang) for c in self.catalogue for lang in ("fr", "en")])

    def observe(self, changes: list[Change]) -> None:
        """After a write committed: queue the texts of the ideas and themes it changed (never blocks)."""
        if self.worker is None or not self.engaged:
            return
        texts = []
        for change in changes:
            if change.kind == "idea" and visible(change.data):
                texts.append(change.data["text"])
            elif change.kind == "theme":
                texts += theme_texts(change.data)
        if texts:
            self.worker.submit(texts)

    # ------------------------------------------------------------------ reading

    def _vectors(self, texts: list[str]) -> tuple[dict[str, Any], int]:
        """The cached vectors of ``texts``; the missing ones are queued and counted."""
        assert self.worker is not None
        self.engaged = True
        found, missing = {}, []
        for t in texts:
            v = self.worker.cache.get(t)
            if v is None:
                missing.append(t)
            else:
                found[t] = v
        if missing:
            self.worker.submit(missing)
        return found, len(set(missing))

    def _round(self, service: WorkshopService, actor: Actor, payload: object, roles: tuple[str, ...] = (FACILITATOR,)) -> tuple[dict, dict]:
        if actor.role not in roles:
            raise refusal(actor.role, roles)
        data = require_dict(payload if payload is not None else {})
        round_id = int_field(data, "round_id", required=False)
        with service.db.sessions() as s:
            wanted = round_of(s, actor.workshop_id, round_id).id
        full = service.snapshots.get(actor.workshop_id)
        return full["workshop"], next(r for r in full["rounds"] if r["id"] == wanted)

    def suggest(self, service: WorkshopService, actor: Actor, payload: object = None) -> dict[str, Any]:
        """``assist.suggest``: a theme for each unsorted idea, and themes to create from what is left."""
        workshop, r = self._round(service, actor, payload)
        out: dict[str, Any] = {"round_id": r["id"], "available": self.available, "pending": 0, "suggestions": [], "proposals": []}
        if not self.available:
            return out
        from . import engine

        assert self.embedder is not None
        language = workshop.get("language") or "fr"
        ideas = [i for i in r["ideas"] if visible(i)]
        unsorted = [i for i in ideas if i["theme_id"] is None]
        themes = r["themes"]
        themes_of_catalogue = workshop_catalogue(self.instance_path, workshop["code"]) or self.catalogue
        catalogue_texts = [c.seed_text(language) for c in themes_of_catalogue]
        texts = [i["text"] for i in ideas] + [t for th in themes for t in theme_texts(th)] + catalogue_texts
        vec, pending = self._vectors(texts)
        out["pending"] = pending
        seeds = []
        for th in themes:
            words = [t for t in theme_texts(th) if t in vec]
            if not words or theme_texts(th)[0] not in vec:
                continue
            filed = [vec[i["text"]] for i in ideas if i["theme_id"] == th["id"] and i["text"] in vec]
            seeds.append(engine.ThemeSeed(th["id"], th["title"], _stack(vec[t] for t in words), _stack(filed) if filed else None))
        catalogue = [
            engine.CatalogueSeed(c.key, c.title(language), c.summary(language), vec[t])
            for c, t in zip(themes_of_catalogue, catalogue_texts)
            if t in vec
        ]
        ready = [i for i in unsorted if i["text"] in vec]
        if not ready:
            return out
        result = engine.suggest(
            [i["id"] for i in ready],
            _stack(vec[i["text"]] for i in ready),
            seeds,
            catalogue,
            self.embedder.calibration,
            [i["text"] for i in ready],
            [i["text"] for i in ideas],
        )
        out["suggestions"] = [
            {"idea_id": s.idea_id, "theme_id": s.theme_id, "score": s.score, "confident": s.confident} for s in result.suggestions
        ]
        out["proposals"] = [
            {"title": p.title, "description": p.description, "idea_ids": p.idea_ids, "source": p.source} for p in result.proposals
        ]
        return out

    def duplicates(self, service: WorkshopService, actor: Actor, payload: object = None) -> dict[str, Any]:
        """``assist.duplicates``: pairs of the round's ideas that likely say the same thing."""
        _workshop, r = self._round(service, actor, payload, (FACILITATOR, MODERATOR))  # merging is a moderator's job too
        out: dict[str, Any] = {"round_id": r["id"], "available": self.available, "pending": 0, "pairs": []}
        if not self.available:
            return out
        from . import engine

        assert self.embedder is not None
        ideas = [i for i in r["ideas"] if visible(i)]
        vec, out["pending"] = self._vectors([i["text"] for i in ideas])
        ready = [i for i in ideas if i["text"] in vec]
        pairs = engine.duplicates([i["id"] for i in ready], _stack(vec[i["text"]] for i in ready), self.embedder.calibration)
        out["pairs"] = [{"idea_id": p.idea_id, "duplicate_of": p.duplicate_of, "score": p.score} for p in pairs]
        return out


def _stack(vectors) -> Any:
    import numpy as np

    rows = list(vectors)
    return np.stack(rows) if rows else np.zeros((0, 1), dtype=np.float32)


def from_config(config: dict, instance_path: str | None = None) -> Assistant:
    """The app's assistant: ``ASSIST_EMBEDDER`` (or ``WORKSHOP_ASSIST_EMBEDDER``) names another embedder, ``none`` turns it off."""
    spec = config.get("ASSIST_EMBEDDER") or os.environ.get("WORKSHOP_ASSIST_EMBEDDER") or ""
    try:
        embedder = load_embedder(spec or None, threads=SERVER_THREADS)
    except Exception:  # a broken install is an absent assistant, never a server that does not start
        log.exception("the grouping assistant could not be loaded")
        embedder = None
    return Assistant(embedder, instance_path=instance_path)


__all__ = ["Assistant", "ValidationError", "from_config"]
