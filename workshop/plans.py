"""Workshop plans: the human-editable TOML files in ``sessions/``.

A plan is what a facilitator prepares before the day: the title, the
territory, the questions of each round, the timer of each phase and the
settings (stakeholder groups, dot budget…).  It is written by hand, often by
someone who has never seen TOML, so this module is strict but talkative: any
problem raises one :class:`~workshop.errors.ValidationError` with code
``invalid_plan`` whose ``detail`` names the key at fault and says why, and
whose ``source`` names the file.  Nothing is guessed or silently dropped: a
misspelt key is an error rather than a setting that quietly does not apply in
front of three hundred people.

The module is pure standard library (``tomllib``, Python ≥ 3.11) so that the
CLI, the web app and the tests can all read plans without a database.  The
*values* of ``settings`` are passed through as written: the service layer
owns their meaning, defaults and ranges; only their *names* are checked here
so that a typo is caught while the file is being written.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from .errors import ValidationError

__all__ = [
    "LANGUAGES",
    "PHASES",
    "SETTING_KEYS",
    "Plan",
    "PollPlan",
    "RoundPlan",
    "list_plans",
    "load_plan",
    "parse_plan",
]

#: Phases a round may give a timer to, in the order they run.
PHASES: tuple[str, ...] = ("diverge", "define", "converge")

#: Languages the interface is translated into.
LANGUAGES: tuple[str, ...] = ("fr", "en")

#: Setting names a plan may set (values are validated by the service layer).
SETTING_KEYS: frozenset[str] = frozenset(
    {
        "anonymous",
        "groups",
        "dot_budget",
        "dot_cap",
        "tallies",
        "max_idea_length",
        "keep_top_k",
        "equal_weight",
        "retention_days",
        "approval",
        "abuse_words",
    }
)

TOP_LEVEL_KEYS: tuple[str, ...] = (
    "title",
    "territory",
    "place",
    "facilitator",
    "date",
    "language",
    "tags",
    "description",
    "settings",
    "rounds",
    "catalogue",
    "polls",
    "evaluation",
)
POLL_KEYS: tuple[str, ...] = ("question", "kind", "options", "max_choices")
ROUND_KEYS: tuple[str, ...] = ("question", "timings")

# Limits that match the storage columns, so a plan that loads can be stored.
MAX_TITLE = 200
MAX_TERRITORY = 200
MAX_TAG = 60
MAX_TIMING_MINUTES = 480  # a full day: beyond that it is surely a typo

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class RoundPlan:
    """One round: the question asked and, optionally, a timer per phase.

    ``timings`` maps a phase name (``diverge``, ``define``, ``converge``) to
    minutes; a phase left out simply runs without a timer, closed by the
    facilitator when the room is ready.
    """

    question: str
    timings: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PollPlan:
    """A quick poll of the plan: ``{kind, question, options?, max_choices?}`` as :func:`workshop.domain.polls.check_spec` takes it."""

    kind: str
    question: str
    options: tuple[str, ...] = ()
    max_choices: int | None = None

    def spec(self) -> dict[str, Any]:
        """The payload ``poll.create`` would send."""
        out: dict[str, Any] = {"kind": self.kind, "question": self.question}
        if self.options:
            out["options"] = list(self.options)
        if self.max_choices is not None:
            out["max_choices"] = self.max_choices
        return out


@dataclass(frozen=True)
class Plan:
    """A validated workshop plan, ready to create a workshop from.

    ``date`` is an ISO ``YYYY-MM-DD`` string (or ``None`` for a reusable
    template); ``settings`` is the raw table from the file, to be normalised
    by the service layer.
    """

    title: str
    territory: str
    date: str | None
    language: str
    tags: tuple[str, ...]
    description: str
    settings: dict[str, Any]
    rounds: tuple[RoundPlan, ...]
    #: the grouping assistant's themes for this workshop (``None``: the shipped catalogue), see :func:`_catalogue`
    catalogue: tuple[Any, ...] | None = None
    #: where it takes place (the hall, the address) and who facilitates it: the documents' cover
    place: str = ""
    facilitator: str = ""
    #: quick polls prepared for the day (``[[polls]]``), created as drafts the facilitator opens when the time comes
    polls: tuple[PollPlan, ...] = ()
    #: the end-of-workshop evaluation (``[[evaluation]]``): polls too, filed under the section "evaluation"
    evaluation: tuple[PollPlan, ...] = ()


# --------------------------------------------------------------------------- API


def load_plan(path: str | PathLike[str]) -> Plan:
    """Read and validate the plan file at ``path``.

    The file is decoded as UTF-8 (a byte-order mark, as some Windows editors
    add, is tolerated) because plans are full of accents and written on
    whatever computer the facilitator has.
    """
    p = Path(path)
    source = str(p)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise _invalid(source, "file not found") from None
    except IsADirectoryError:
        raise _invalid(source, "this is a directory, not a plan file") from None
    except OSError as exc:
        raise _invalid(source, f"cannot read the file ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _invalid(
            source,
            f"the file is not valid UTF-8 (byte {exc.start}); save it as UTF-8 in your editor",
        ) from None
    return parse_plan(text, source=source)


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    """Parse and validate the TOML ``text`` of a plan.

    ``source`` only serves to say where a problem is (a file name, or a
    description such as "uploaded plan").
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already ends with "(at line L, column C)".
        raise _invalid(source, f"TOML syntax error: {exc}") from None
    return _build_plan(raw, source)


def list_plans(directory: str | PathLike[str]) -> list[tuple[str, Plan]]:
    """Every ``*.toml`` plan of ``directory`` as ``(file stem, plan)``, sorted by stem.

    The stem is the plan's stable name (``workshop new politique-de-la-ville-2030``).
    Hidden files (editor back-ups such as ``.#plan.toml``) are ignored.  One
    invalid file makes the whole call fail, naming that file, rather than a
    plan silently missing from the list.
    """
    d = Path(directory)
    if not d.is_dir():
        raise _invalid(str(d), "plans directory not found")
    files = sorted(
        (f for f in d.glob("*.toml") if f.is_file() and not f.name.startswith(".")),
        key=lambda f: f.stem,
    )
    return [(f.stem, load_plan(f)) for f in files]


# ----------------------------------------------------------------- validation


def _invalid(source: str, detail: str) -> ValidationError:
    return ValidationError("invalid_plan", source=source, detail=detail)


def _type_name(value: Any) -> str:
    """TOML's name for a Python value, for messages a facilitator can follow."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with decimals"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, _dt.datetime):
        return "a date-time"
    if isinstance(value, _dt.date):
        return "a date"
    if isinstance(value, _dt.time):
        return "a time"
    return type(value).__name__


def _unknown_key_detail(where: str, key: str, allowed: tuple[str, ...] | frozenset[str]) -> str:
    allowed_sorted = sorted(allowed) if isinstance(allowed, frozenset) else list(allowed)
    detail = f"unknown key '{key}' {where}"
    close = difflib.get_close_matches(key, allowed_sorted, n=1)
    if close:
        detail += f" (did you mean '{close[0]}'?)"
    detail += "; allowed keys: " + ", ".join(allowed_sorted)
    return detail


def _text(raw: Mapping[str, Any], key: str, source: str, *, where: str = "", required: bool = False, max_length: int | None = None) -> str:
    """A string value, trimmed; empty is an error only when ``required``.

    ``where`` prefixes the message ("round 2: ") so a facilitator knows which
    of several identical keys is meant.
    """
    if key not in raw:
        if required:
            raise _invalid(source, f"{where}'{key}' is missing; it is required")
        return ""
    value = raw[key]
    if not isinstance(value, str):
        raise _invalid(source, f"{where}'{key}' must be a string in quotes, not {_type_name(value)}")
    value = value.strip()
    if required and not value:
        raise _invalid(source, f"{where}'{key}' is empty; write some text between the quotes")
    if max_length is not None and len(value) > max_length:
        raise _invalid(source, f"{where}'{key}' is {len(value)} characters long; the limit is {max_length}")
    return value


def _date(raw: Mapping[str, Any], source: str) -> str | None:
    """Accept a TOML date (``date = 2030-11-03``) or the same as a string."""
    if "date" not in raw:
        return None
    value = raw["date"]
    if isinstance(value, _dt.datetime):
        raise _invalid(source, "'date' must be a calendar date like 2030-11-03, without a time")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise _invalid(source, f"'date' must be a date like 2030-11-03, not {_type_name(value)}")
    text = value.strip()
    if not text:
        return None
    if not _ISO_DATE.fullmatch(text):
        raise _invalid(source, f"'date' is '{value}'; write it as YYYY-MM-DD, e.g. 2030-11-03")
    try:
        return _dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise _invalid(source, f"'date' is '{value}', which is not a real calendar day") from None


def _language(raw: Mapping[str, Any], source: str) -> str:
    if "language" not in raw:
        return "fr"
    value = raw["language"]
    if not isinstance(value, str):
        raise _invalid(source, f"'language' must be a string, not {_type_name(value)}")
    lang = value.strip().lower()
    if lang not in LANGUAGES:
        raise _invalid(
            source,
            f"'language' is '{value}'; it must be one of: " + ", ".join(f'"{x}"' for x in LANGUAGES),
        )
    return lang


def _tags(raw: Mapping[str, Any], source: str) -> tuple[str, ...]:
    """A list of short labels; duplicates are dropped, order is kept."""
    if "tags" not in raw:
        return ()
    value = raw["tags"]
    if not isinstance(value, list):
        raise _invalid(source, f'\'tags\' must be an array of strings like ["a", "b"], not {_type_name(value)}')
    tags: list[str] = []
    for i, tag in enumerate(value, start=1):
        if not isinstance(tag, str):
            raise _invalid(source, f"'tags' item {i} must be a string, not {_type_name(tag)}")
        tag = tag.strip()
        if not tag:
            raise _invalid(source, f"'tags' item {i} is empty")
        if len(tag) > MAX_TAG:
            raise _invalid(source, f"'tags' item {i} is {len(tag)} characters long; the limit is {MAX_TAG}")
        if tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _settings(raw: Mapping[str, Any], source: str) -> dict[str, Any]:
    if "settings" not in raw:
        return {}
    value = raw["settings"]
    if not isinstance(value, Mapping):
        raise _invalid(source, f"'settings' must be a table ([settings]), not {_type_name(value)}")
    for key in value:
        if key not in SETTING_KEYS:
            detail = _unknown_key_detail("in [settings]", key, SETTING_KEYS)
            if key in TOP_LEVEL_KEYS:
                # The classic TOML trap: a key written below a [table] header belongs to it.
                detail += f". '{key}' is a top-level key: move it above the [settings] line"
            raise _invalid(source, detail)
    return dict(value)


def _timings(raw: Mapping[str, Any], where: str, source: str) -> dict[str, int]:
    if "timings" not in raw:
        return {}
    value = raw["timings"]
    if not isinstance(value, Mapping):
        raise _invalid(
            source,
            f"{where}'timings' must be a table like {{ diverge = 15, define = 20 }}, not {_type_name(value)}",
        )
    timings: dict[str, int] = {}
    for key, minutes in value.items():
        if key not in PHASES:
            raise _invalid(source, where + _unknown_key_detail("in 'timings'", key, PHASES))
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise _invalid(
                source,
                f"{where}'timings.{key}' must be a whole number of minutes, not {_type_name(minutes)}",
            )
        if not 1 <= minutes <= MAX_TIMING_MINUTES:
            raise _invalid(
                source,
                f"{where}'timings.{key}' is {minutes}; it must be between 1 and "
                f"{MAX_TIMING_MINUTES} minutes (leave the phase out to run it without a timer)",
            )
    # Always in the order the phases run, whatever the order in the file.
    for phase in PHASES:
        if phase in value:
            timings[phase] = value[phase]
    return timings


def _rounds(raw: Mapping[str, Any], source: str) -> tuple[RoundPlan, ...]:
    if "rounds" not in raw:
        raise _invalid(
            source,
            "'rounds' is missing: a plan needs at least one round, written as [[rounds]] followed by question = \"…\"",
        )
    value = raw["rounds"]
    if not isinstance(value, list) or not all(isinstance(r, Mapping) for r in value):
        raise _invalid(source, f"'rounds' must be written as one or more [[rounds]] sections, not {_type_name(value)}")
    if not value:
        raise _invalid(source, "'rounds' is empty: a plan needs at least one round")
    rounds: list[RoundPlan] = []
    for n, r in enumerate(value, start=1):
        for key in r:
            if key not in ROUND_KEYS:
                detail = _unknown_key_detail(f"in round {n}", key, ROUND_KEYS)
                if key in TOP_LEVEL_KEYS:
                    detail += f". '{key}' is a top-level key: move it above the first [[rounds]] line"
                raise _invalid(source, detail)
        where = f"round {n}: "
        question = _text(r, "question", source, where=where, required=True)
        rounds.append(RoundPlan(question=question, timings=_timings(r, where, source)))
    return tuple(rounds)


def _build_plan(raw: Mapping[str, Any], source: str) -> Plan:
    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            hint = ""
            if key in SETTING_KEYS:
                hint = f". '{key}' is a setting: put it under the [settings] line"
            raise _invalid(source, _unknown_key_detail("at the top level", key, TOP_LEVEL_KEYS) + hint)
    return Plan(
        title=_text(raw, "title", source, required=True, max_length=MAX_TITLE),
        territory=_text(raw, "territory", source, max_length=MAX_TERRITORY),
        place=_text(raw, "place", source, max_length=MAX_TERRITORY),
        facilitator=_text(raw, "facilitator", source, max_length=MAX_TERRITORY),
        date=_date(raw, source),
        language=_language(raw, source),
        tags=_tags(raw, source),
        description=_text(raw, "description", source),
        settings=_settings(raw, source),
        rounds=_rounds(raw, source),
        catalogue=_catalogue(raw, source),
        polls=_polls(raw, "polls", source),
        evaluation=_polls(raw, "evaluation", source),
    )


def _polls(raw: Mapping[str, Any], key: str, source: str) -> tuple[PollPlan, ...]:
    """``[[polls]]`` (or ``[[evaluation]]``) sections, each checked by the domain's rules of a poll."""
    from .domain import polls as poll_rules

    value = raw.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(p, Mapping) for p in value):
        raise _invalid(source, f"'{key}' must be written as one or more [[{key}]] sections, not {_type_name(value)}")
    if len(value) > poll_rules.MAX_POLLS:
        raise _invalid(source, f"'{key}' has {len(value)} polls; the limit is {poll_rules.MAX_POLLS}")
    out = []
    for n, p in enumerate(value, start=1):
        where = f"{'poll' if key == 'polls' else 'evaluation question'} {n}: "
        for k in p:
            if k not in POLL_KEYS:
                raise _invalid(source, where + _unknown_key_detail(f"in [[{key}]]", k, POLL_KEYS))
        if "kind" not in p:
            raise _invalid(source, f"{where}'kind' is missing; it is one of: " + ", ".join(f'"{k}"' for k in poll_rules.KINDS))
        if p["kind"] not in poll_rules.KINDS:
            raise _invalid(source, f"{where}'kind' is {p['kind']!r}; it must be one of: " + ", ".join(f'"{k}"' for k in poll_rules.KINDS))
        question = _text(p, "question", source, where=where, required=True, max_length=poll_rules.MAX_QUESTION)
        options = p.get("options")
        if options is not None and (not isinstance(options, list) or not all(isinstance(o, str) for o in options)):
            raise _invalid(source, f'{where}\'options\' must be an array of strings like ["Oui", "Non"], not {_type_name(options)}')
        try:
            spec = poll_rules.check_spec({**p, "question": question})
        except ValidationError as error:
            raise _invalid(source, where + _poll_problem(p["kind"], error)) from None
        labels = tuple(o["label"] for o in spec.options) if p["kind"] in poll_rules.WRITTEN_OPTIONS else ()
        out.append(PollPlan(spec.kind, spec.question, labels, spec.max_choices if "max_choices" in p else None))
    return tuple(out)


def _poll_problem(kind: str, error: ValidationError) -> str:
    """What the domain's refusal of a poll means in a plan file."""
    from .domain import polls as poll_rules

    field = error.params.get("field")
    if error.code == "poll_options":
        return f"'options' needs {poll_rules.MIN_OPTIONS} to {poll_rules.MAX_OPTIONS} different choices for a {kind} poll"
    if field == "options":
        return (
            f"a {kind} poll has fixed choices: remove 'options'"
            if error.code == "invalid_field"
            else "'options' has an empty or too long choice"
        )
    if field == "max_choices":
        if kind != poll_rules.MULTIPLE:
            return "'max_choices' is only for a multiple poll"
        return "'max_choices' must be a whole number between 1 and the number of options"
    if error.code == "text_too_long":
        return f"'{field}' is {error.params.get('length')} characters long; the limit is {error.params.get('max')}"
    return f"'{field or 'question'}' is not valid ({error.code})"


def _catalogue(raw: Mapping[str, Any], source: str) -> tuple[Any, ...] | None:
    """``catalogue = "name"`` (a file of sessions/themes/) or ``[[catalogue]]`` tables: the assistant's themes."""
    from .assist.catalogue import load_catalogue, parse_themes

    value = raw.get("catalogue")
    if value is None:
        return None
    try:
        if isinstance(value, str):
            return load_catalogue(value.strip())
        return parse_themes(value, source)
    except ValidationError as error:
        raise _invalid(source, "catalogue: " + str(error.params.get("detail", error.code))) from None
