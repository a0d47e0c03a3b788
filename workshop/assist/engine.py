"""The grouping engine: pure functions of vectors (no Flask, no database, no model).

Everything here takes L2-normalised numpy vectors and a :class:`Calibration`
and returns plain data, so the events, the CLI and the benchmark share it,
and the tests drive it with a small deterministic embedder.

- :func:`suggest` — for each unsorted idea, its best theme, the score and
  whether it is *confident* (only confident ones are offered); then, from the
  ideas left, themes to create: a catalogue theme's title when one matches the
  group, else the group's distinctive words and its most central idea.
- :func:`duplicates` — pairs of ideas close enough to be the same idea.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .embedder import Calibration

MIN_GROUP = 2  # a proposed theme gathers at least this many ideas
MAX_PROPOSALS = 8
KNN = 3  # an idea is compared with the closest filed ideas of a theme, not their average


@dataclass
class ThemeSeed:
    """A theme the facilitator wrote: its texts' vectors and those of the ideas already filed in it."""

    id: int
    title: str
    texts: Any  # (k, d): title, objective, criteria (and the catalogue line it matches)
    ideas: Any = None  # (m, d) or None


@dataclass
class CatalogueSeed:
    key: str
    title: str
    description: str
    vector: Any  # (d,)


@dataclass
class Suggestion:
    idea_id: int
    theme_id: int
    score: float
    confident: bool


@dataclass
class Proposal:
    title: str
    description: str
    idea_ids: list[int]
    source: str  # "catalogue" | "ideas"
    key: str | None = None


@dataclass
class Suggestions:
    suggestions: list[Suggestion] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)


def _unit(v: Any) -> Any:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n == 0, 1, n)


def theme_scores(ideas: Any, themes: list[ThemeSeed]) -> Any:
    """(n ideas × t themes) scores: the closer of the theme's words and its filed ideas."""
    if not themes or len(ideas) == 0:
        return np.zeros((len(ideas), len(themes)), dtype=np.float32)
    cols = []
    for t in themes:
        text = ideas @ _unit(np.asarray(t.texts).mean(axis=0))
        if t.ideas is not None and len(t.ideas):
            sims = np.sort(ideas @ np.asarray(t.ideas).T, axis=1)[:, ::-1][:, :KNN]
            text = np.maximum(text, sims.mean(axis=1))
        cols.append(text)
    return np.stack(cols, axis=1)


def match_catalogue(themes: list[ThemeSeed], catalogue: list[CatalogueSeed], calibration: Calibration) -> dict[int, int]:
    """Which catalogue entry each facilitator theme is (its title close to the entry): theme id → index."""
    out: dict[int, int] = {}
    if not catalogue:
        return out
    cat = np.stack([c.vector for c in catalogue])
    for t in themes:
        sims = cat @ np.asarray(t.texts)[0]
        best = int(np.argmax(sims))
        if sims[best] >= calibration.catalogue:
            out[t.id] = best
    return out


def suggest(
    idea_ids: list[int],
    ideas: Any,
    themes: list[ThemeSeed],
    catalogue: list[CatalogueSeed],
    calibration: Calibration,
    texts: list[str] | None = None,
    corpus: list[str] | None = None,
) -> Suggestions:
    """Best theme per unsorted idea, and themes to create from the ideas no theme takes confidently.

    ``ideas`` is (n × d) for ``idea_ids``; ``texts`` are the ideas' words (for
    titles made from a group's distinctive words) and ``corpus`` every idea of
    the round (what "distinctive" is measured against).
    """
    ideas = np.asarray(ideas, dtype=np.float32).reshape(len(idea_ids), -1) if len(idea_ids) else np.zeros((0, 1), np.float32)
    out = Suggestions()
    matched = match_catalogue(themes, catalogue, calibration)
    seeds = [
        ThemeSeed(t.id, t.title, np.vstack([t.texts, catalogue[matched[t.id]].vector[None, :]]) if t.id in matched else t.texts, t.ideas)
        for t in themes
    ]
    scores = theme_scores(ideas, seeds)
    left: list[int] = []
    for row, idea_id in enumerate(idea_ids):
        if not seeds:
            left.append(row)
            continue
        order = np.argsort(-scores[row])
        best = float(scores[row, order[0]])
        second = float(scores[row, order[1]]) if len(order) > 1 else -1.0
        confident = best >= calibration.confident and best - second >= calibration.margin
        out.suggestions.append(Suggestion(idea_id, seeds[int(order[0])].id, round(best, 4), confident))
        if not confident:
            left.append(row)
    free = [c for i, c in enumerate(catalogue) if i not in set(matched.values())]
    out.proposals = propose(
        [idea_ids[r] for r in left], ideas[left], free, calibration, [texts[r] for r in left] if texts else None, corpus or texts
    )
    return out


def propose(
    idea_ids: list[int],
    ideas: Any,
    catalogue: list[CatalogueSeed],
    calibration: Calibration,
    texts: list[str] | None = None,
    corpus: list[str] | None = None,
) -> list[Proposal]:
    """Themes to create from ideas no theme takes: catalogue themes first, then groups of close ideas."""
    proposals: list[Proposal] = []
    rest = list(range(len(idea_ids)))
    if catalogue and rest:
        cat = np.stack([c.vector for c in catalogue])
        sims = ideas @ cat.T
        best = np.argmax(sims, axis=1)
        groups: dict[int, list[int]] = {}
        for r in rest:
            ranked = np.sort(sims[r])[::-1]
            margin = ranked[0] - (ranked[1] if len(ranked) > 1 else -1)
            if ranked[0] >= calibration.catalogue and margin >= calibration.margin:
                groups.setdefault(int(best[r]), []).append(r)
        taken: set[int] = set()
        for c, rows in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            if len(rows) >= MIN_GROUP:
                entry = catalogue[c]
                proposals.append(Proposal(entry.title, entry.description, [idea_ids[r] for r in rows], "catalogue", entry.key))
                taken.update(rows)
        rest = [r for r in rest if r not in taken]
    for rows in clusters(ideas[rest], calibration.cluster) if rest else []:
        members = [rest[r] for r in rows]
        central = members[0]
        words = distinctive_words([texts[m] for m in members], corpus or []) if texts else []
        title = ", ".join(words[:3]).capitalize() if words else (texts[central][:60] if texts else "")
        proposals.append(Proposal(title, texts[central] if texts else "", [idea_ids[m] for m in members], "ideas"))
    return proposals[:MAX_PROPOSALS]


def clusters(vectors: Any, threshold: float, min_size: int = MIN_GROUP) -> list[list[int]]:
    """Greedy grouping: the idea with most close neighbours leads a group of them; repeat.

    Deterministic, O(n²) with numpy; each group starts with its most central
    member (the leader), which gives the proposal its description.
    """
    n = len(vectors)
    if n == 0:
        return []
    sims = vectors @ vectors.T
    close = sims >= threshold
    alive = np.ones(n, dtype=bool)
    out = []
    while alive.any():
        counts = (close & alive[None, :] & alive[:, None]).sum(axis=1)
        counts[~alive] = -1
        leader = int(np.argmax(counts))
        if counts[leader] < min_size:
            break
        members = [leader] + [int(j) for j in np.flatnonzero(close[leader] & alive) if j != leader]
        members.sort(key=lambda j: (j != leader, -float(sims[leader, j])))
        out.append(members)
        alive[members] = False
    return out


@dataclass
class Pair:
    idea_id: int
    duplicate_of: int
    score: float


def duplicates(idea_ids: list[int], ideas: Any, calibration: Calibration) -> list[Pair]:
    """Likely duplicates: each idea paired with the closest *older* idea above the threshold.

    ``duplicate_of`` is the older one (the one to keep: ``idea.merge`` of
    ``idea_id`` into it); closest pairs first.
    """
    if len(idea_ids) < 2:
        return []
    order = sorted(range(len(idea_ids)), key=lambda r: idea_ids[r])
    ids = [idea_ids[r] for r in order]
    v = np.asarray(ideas, dtype=np.float32)[order]
    sims = v @ v.T
    pairs = []
    for j in range(1, len(ids)):
        i = int(np.argmax(sims[j, :j]))
        if sims[j, i] >= calibration.duplicate:
            pairs.append(Pair(ids[j], ids[i], round(float(sims[j, i]), 4)))
    pairs.sort(key=lambda p: (-p.score, p.idea_id))
    return pairs


# --------------------------------------------------------------------------- titles from words

_STOPWORDS = """
    a à ai au aux avec ce ces c ça cela chez comme d dans de des du elle elles en est et être eux faire faut fait il ils j je
    l la le les leur leurs lui m ma mais me même mes moi mon n ne ni nos notre nous on ou où par pas peu plus pour pourquoi qu
    que qui s sa sans se ses si son sont sur ta te tes toi ton tous tout toute toutes très trop tu un une vos votre vous y
    avoir ont sont été etre fo svp aussi bien beaucoup encore jamais rien chaque entre après avant quand alors donc car
    vraiment ceux celles cela ceci nombreux nombreuses autre autres gens faut veut peut plein tout tous toujours moins
    the and of to for in on with is are be it that this we they more less
"""
STOPWORDS = frozenset(_STOPWORDS.split())
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word.casefold()) if unicodedata.category(c) != "Mn")


def words(text: str) -> list[str]:
    """The content words of a text, lower-case, accents kept (titles show them)."""
    return [w.casefold() for w in _WORD.findall(text) if _fold(w) not in STOPWORDS and w.casefold() not in STOPWORDS]


def distinctive_words(group: list[str], corpus: list[str], limit: int = 3) -> list[str]:
    """Words frequent in the group and rare elsewhere (a smoothed ratio of document frequencies)."""
    inside = Counter(w for t in group for w in set(words(t)))
    everywhere = Counter(w for t in corpus for w in set(words(t)))
    total = max(len(corpus), 1)
    scored = []
    for w, n in inside.items():
        if n < 2 and len(group) > 2:
            continue
        share = n / len(group)
        rarity = np.log((total + 1) / (everywhere.get(w, 0) + 1)) + 1
        scored.append((-(share * rarity), w))
    return [w for _, w in sorted(scored)[:limit]]
