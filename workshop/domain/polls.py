"""Quick polls: what a poll may ask, what an answer may say, and how answers are counted.

A facilitator opens or closes an atelier with a short question ("Comment
arrivez-vous ?"): single or multiple choice, a 1–5 scale, agree / neutral /
disagree, or one word (shown as a word cloud).  This module is pure: it checks
a poll's spec and a participant's answer, and counts the answers with the one
rule every display and export follows — **a stakeholder group with fewer than**
:data:`MIN_GROUP` **answers is merged into** :data:`OTHERS`, so nobody can be
singled out by their group's figures.  No Flask, no database.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from .text import clean_text

SINGLE, MULTIPLE, SCALE, AGREE, WORD = "single", "multiple", "scale", "agree", "word"
KINDS = (SINGLE, MULTIPLE, SCALE, AGREE, WORD)
#: kinds whose options the author writes; the others' options are fixed
WRITTEN_OPTIONS = (SINGLE, MULTIPLE)
DRAFT, OPEN, CLOSED = "draft", "open", "closed"
STATES = (DRAFT, OPEN, CLOSED)

#: a group with fewer answers than this is merged into :data:`OTHERS`, in every display and export
MIN_GROUP = 5
#: where small groups (and people without a group) are counted
OTHERS = "autres"

MAX_QUESTION = 300
MAX_OPTION = 80
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_WORD = 30
MAX_POLLS = 50
SCALE_VALUES = ("1", "2", "3", "4", "5")
AGREE_VALUES = ("agree", "neutral", "disagree")


@dataclass(frozen=True)
class PollSpec:
    """A checked poll: its kind, question, options ``[{value, label}]`` and, multiple choice, how many may be ticked."""

    kind: str
    question: str
    options: tuple[dict[str, str], ...]
    max_choices: int | None = None

    def values(self) -> tuple[str, ...]:
        return tuple(o["value"] for o in self.options)


def fixed_options(kind: str) -> tuple[dict[str, str], ...]:
    """The options of a scale (1–5) and of agree / neutral / disagree; labels are translated where shown."""
    if kind == SCALE:
        return tuple({"value": v, "label": v} for v in SCALE_VALUES)
    if kind == AGREE:
        return tuple({"value": v, "label": v} for v in AGREE_VALUES)
    return ()


def check_spec(raw: Mapping[str, Any]) -> PollSpec:
    """A poll spec from the console or a plan: ``{kind, question, options?: [label], max_choices?}``.

    Single and multiple choice need 2 to 10 distinct labels (their values are
    ``"1"``, ``"2"``…); a scale and agree/neutral/disagree have fixed options
    and take none; multiple choice may bound the ticks (``max_choices``, 1 to
    the number of options; default: all of them).
    """
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ValidationError("invalid_field", field="kind")
    question = clean_text(raw.get("question"), "question", MAX_QUESTION)
    given = raw.get("options")
    max_choices = raw.get("max_choices")
    if kind in WRITTEN_OPTIONS:
        if not isinstance(given, list) or not MIN_OPTIONS <= len(given) <= MAX_OPTIONS:
            raise ValidationError("poll_options", min=MIN_OPTIONS, max=MAX_OPTIONS)
        labels = [clean_text(o, "options", MAX_OPTION) for o in given]
        if len({label.casefold() for label in labels}) != len(labels):
            raise ValidationError("poll_options", min=MIN_OPTIONS, max=MAX_OPTIONS)
        options = tuple({"value": str(n), "label": label} for n, label in enumerate(labels, start=1))
    else:
        if given not in (None, []):
            raise ValidationError("invalid_field", field="options")
        options = fixed_options(kind)
    if kind == MULTIPLE:
        if max_choices is None:
            max_choices = len(options)
        if isinstance(max_choices, bool) or not isinstance(max_choices, int) or not 1 <= max_choices <= len(options):
            raise ValidationError("invalid_field", field="max_choices")
    elif max_choices is not None:
        raise ValidationError("invalid_field", field="max_choices")
    return PollSpec(kind, question, options, max_choices)


def word_key(text: str) -> str:
    """How word answers are counted together: case and accents aside ("Écoute", "ecoute")."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def check_answer(kind: str, values: Iterable[str], max_choices: int | None, payload: Mapping[str, Any]) -> tuple[list[str], str | None]:
    """A participant's answer as stored: ``(choices, text)``.

    ``choices`` must name options of the poll (``unknown_choice``), exactly one
    except for multiple choice (one to ``max_choices``: ``too_many_choices``);
    a word answer is one short ``text`` (``not_one_word`` if it has spaces).
    """
    allowed = tuple(values)
    if kind == WORD:
        text = clean_text(payload.get("text"), "word", MAX_WORD)
        if any(ch.isspace() for ch in text):
            raise ValidationError("not_one_word")
        return [], text
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices):
        raise ValidationError("invalid_field", field="choices")
    if len(set(choices)) != len(choices):
        raise ValidationError("invalid_field", field="choices")
    unknown = [c for c in choices if c not in allowed]
    if unknown:
        raise ValidationError("unknown_choice")
    limit = (max_choices or len(allowed)) if kind == MULTIPLE else 1
    if len(choices) > limit:
        raise ValidationError("too_many_choices", max=limit)
    return sorted(choices, key=allowed.index), None


def merge_small_groups(sizes: Mapping[str | None, int], minimum: int = MIN_GROUP) -> dict[str | None, str]:
    """Which group each group's answers are shown under: itself, or :data:`OTHERS`.

    A group with fewer than ``minimum`` answers goes to :data:`OTHERS` (so do
    people without a group).  If :data:`OTHERS` then holds fewer than
    ``minimum`` answers while it is not empty, the smallest remaining groups
    join it until it is large enough or nothing else is left: otherwise
    "others" would be the one small group under another name.
    """
    target: dict[str | None, str] = {}
    others = 0
    kept: list[tuple[int, str]] = []
    for group, n in sizes.items():
        if not group or group == OTHERS or n < minimum:
            target[group] = OTHERS
            others += n
        else:
            kept.append((n, group))
    kept.sort(key=lambda item: (item[0], item[1]))
    while others and others < minimum and kept:
        n, group = kept.pop(0)
        target[group] = OTHERS
        others += n
    for _n, group in kept:
        target[group] = group
    return target


@dataclass(frozen=True)
class Answer:
    """One participant's answer, with their stakeholder group (counted once per poll)."""

    group: str | None
    choices: tuple[str, ...] = ()
    text: str | None = None


def count(kind: str, options: Iterable[Mapping[str, str]], answers: Iterable[Answer]) -> dict[str, Any]:
    """The results of a poll: ``{answers, options[{value, label, count}], by_group{group: {answers, counts[]}}, words?, mean?}``.

    ``counts`` follow ``options``' order; ``by_group`` applies
    :func:`merge_small_groups` (a group is never shown with fewer than
    :data:`MIN_GROUP` answers, except everything under :data:`OTHERS` when the
    whole room is smaller).  A word poll has ``words[{text, count}]`` (most
    frequent first; each word in its most common spelling) instead of option
    counts; a scale has its ``mean`` (one decimal, ``None`` without answers).
    """
    opts = [dict(o) for o in options]
    values = [o["value"] for o in opts]
    index = {v: n for n, v in enumerate(values)}
    answers = list(answers)
    sizes: Counter[str | None] = Counter(a.group for a in answers)
    where = merge_small_groups(sizes)
    totals = [0] * len(values)
    groups: dict[str, dict[str, Any]] = {}
    spellings: dict[str, Counter[str]] = {}
    for a in answers:
        g = groups.setdefault(where[a.group], {"answers": 0, "counts": [0] * len(values)})
        g["answers"] += 1
        for choice in a.choices:
            if choice in index:
                totals[index[choice]] += 1
                g["counts"][index[choice]] += 1
        if kind == WORD and a.text:
            spellings.setdefault(word_key(a.text), Counter())[a.text] += 1
    result: dict[str, Any] = {
        "answers": len(answers),
        "options": [{**o, "count": totals[n]} for n, o in enumerate(opts)],
        "by_group": {g: groups[g] for g in sorted(groups, key=lambda g: (g == OTHERS, g))},
    }
    if kind == WORD:
        words = [
            {"text": sorted(forms.items(), key=lambda f: (-f[1], f[0]))[0][0], "count": sum(forms.values())} for forms in spellings.values()
        ]
        result["words"] = sorted(words, key=lambda w: (-w["count"], w["text"]))
    if kind == SCALE:
        total = sum(totals)
        result["mean"] = round(sum(int(values[n]) * c for n, c in enumerate(totals)) / total, 1) if total else None
    return result


def public_poll(poll: Mapping[str, Any], *, screen: bool = False) -> dict[str, Any] | None:
    """A poll as the room sees it, or ``None`` while it is a draft.

    Results only once revealed (``results`` null before); the projector also
    sees how many have answered (``answers``), to encourage the room.
    """
    if poll["state"] == DRAFT:
        return None
    out = {k: v for k, v in poll.items() if k not in ("results", "answers")}
    out["results"] = poll.get("results") if poll["revealed"] else None
    if screen:
        out["answers"] = poll.get("answers", 0)
    return out


def public_results(poll_id: int, results: Mapping[str, Any] | None, revealed: bool, *, screen: bool = False) -> dict[str, Any] | None:
    """The coalesced ``poll.results`` message for the room (``None``: nothing to send to that room)."""
    if revealed:
        return {"poll_id": poll_id, "answers": (results or {}).get("answers", 0), "results": results}
    if screen:
        return {"poll_id": poll_id, "answers": (results or {}).get("answers", 0), "results": None}
    return None
