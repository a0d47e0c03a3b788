"""The JSON Schema of the archive (``workshop-export/1``) and the check of a document against it.

:data:`SCHEMA` is the contract, written here so that it ships inside the
package (an installed workshop validates imports without the source tree);
``docs/export-schema.json`` is its published copy (:func:`schema_text`, kept
current by the tests).  :func:`validate` checks a document with the
``jsonschema`` library (draft 2020-12) and words the problems the way the
importer reports them ('$.rounds[0].ideas[2].text: expected string').
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

SCHEMA_ID = "workshop-export/1"


_NULLABLE_STR = {"type": ["string", "null"]}
_REF = {"type": "integer", "minimum": 1}
_NULLABLE_REF = {"type": ["integer", "null"], "minimum": 1}
_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}
_TEXT_LIST = lambda n, length: {"type": "array", "maxItems": n, "items": {"type": "string", "maxLength": length}}  # noqa: E731
_SYN_ID = {"type": ["integer", "null"]}
_BY_GROUP = {"type": "object", "additionalProperties": {"type": "integer"}}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://workshop.invalid/schemas/workshop-export-1.json",
    "title": "workshop-export/1",
    "description": (
        "A complete participatory workshop (rounds, ideas, themes, actions, votes, frozen syntheses and the "
        "action-plan draft) as exported by workshop. Items are numbered by 'ref' (1, 2, 3… across the workshop) "
        "and refer to each other by ref; no database id, join code or access token is ever included."
    ),
    "type": "object",
    "required": ["schema", "generator", "personal_data", "workshop", "participants", "rounds", "plan"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": SCHEMA_ID},
        "generator": {"type": "string", "description": "The software that wrote the file."},
        "personal_data": {
            "type": "boolean",
            "description": "true when participants' pseudonyms are included; false: every pseudonym is null.",
        },
        "workshop": {"$ref": "#/$defs/workshop"},
        "participants": {"type": "array", "items": {"$ref": "#/$defs/participant"}},
        "rounds": {"type": "array", "minItems": 1, "maxItems": 20, "items": {"$ref": "#/$defs/round"}},
        "plan": {"$ref": "#/$defs/plan"},
        "polls": {
            "type": "array",
            "maxItems": 50,
            "description": "Quick polls (absent when the workshop had none), in order; results only, never who answered what.",
            "items": {"$ref": "#/$defs/poll"},
        },
        "agreement": {
            "type": "array",
            "maxItems": 20,
            "description": (
                "Agreement across stakeholder groups (absent when no agree/disagree round was opened): one entry per round "
                "that had one; figures only, never who said what."
            ),
            "items": {"$ref": "#/$defs/agreement"},
        },
    },
    "$defs": {
        "agreement": {
            "type": "object",
            "required": ["round", "open", "revealed", "opened_at", "closed_at", "answers", "actions"],
            "additionalProperties": False,
            "properties": {
                "round": {"type": "integer", "minimum": 0, "description": "The round's position (1 = first)."},
                "open": {"type": "boolean"},
                "revealed": {"type": "boolean", "description": "The facilitator showed the results to the room."},
                "opened_at": {"type": ["string", "null"], "format": "date-time"},
                "closed_at": {"type": ["string", "null"], "format": "date-time"},
                "answers": {"type": "integer", "minimum": 0, "description": "People who gave at least one stance."},
                "actions": {"type": "array", "items": {"$ref": "#/$defs/agreement_action"}},
            },
        },
        "agreement_action": {
            "type": "object",
            "description": (
                "One approved action of the round: stances, agreement by stakeholder group (a group with fewer than 5 stances "
                "on the action is counted under 'autres', so that nobody can be singled out), the cross-group consensus (the "
                "least agreeing group's smoothed agree share, (agree+1)/(n+2)) and the division (largest minus smallest "
                "agree share); 'agreed' and 'divided' say whether it is a point of agreement or a point that divides."
            ),
            "required": ["title", "stances", "agree", "neutral", "disagree", "by_group", "consensus", "division", "agreed", "divided"],
            "additionalProperties": False,
            "properties": {
                "title": {"type": "string"},
                "stances": {"type": "integer", "minimum": 0},
                "agree": {"type": "integer", "minimum": 0},
                "neutral": {"type": "integer", "minimum": 0},
                "disagree": {"type": "integer", "minimum": 0},
                "by_group": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["stances", "agree", "neutral", "disagree", "share"],
                        "additionalProperties": False,
                        "properties": {
                            "stances": {"type": "integer", "minimum": 0},
                            "agree": {"type": "integer", "minimum": 0},
                            "neutral": {"type": "integer", "minimum": 0},
                            "disagree": {"type": "integer", "minimum": 0},
                            "share": {"type": "number", "minimum": 0, "maximum": 1},
                        },
                    },
                },
                "consensus": {"type": "number", "minimum": 0, "maximum": 1},
                "division": {"type": "number", "minimum": 0, "maximum": 1},
                "agreed": {"type": "boolean"},
                "divided": {"type": "boolean"},
            },
        },
        "poll": {
            "type": "object",
            "required": ["position", "kind", "question", "options", "max_choices", "state", "revealed", "section", "results"],
            "additionalProperties": False,
            "properties": {
                "position": {"type": "integer", "minimum": 1},
                "kind": {"enum": ["single", "multiple", "scale", "agree", "word"]},
                "question": {"type": "string", "minLength": 1, "maxLength": 300},
                "options": {
                    "type": "array",
                    "maxItems": 10,
                    "items": {
                        "type": "object",
                        "required": ["value", "label"],
                        "additionalProperties": False,
                        "properties": {"value": {"type": "string"}, "label": {"type": "string", "maxLength": 80}},
                    },
                },
                "max_choices": {"type": ["integer", "null"], "minimum": 1},
                "state": {"enum": ["draft", "open", "closed"]},
                "revealed": {"type": "boolean"},
                "section": {"type": "string", "description": "'' or 'evaluation' (the plan's end-of-workshop questionnaire)."},
                "opened_at": _TIMESTAMP,
                "closed_at": _TIMESTAMP,
                "results": {"$ref": "#/$defs/poll_results"},
            },
        },
        "poll_results": {
            "type": "object",
            "description": (
                "Counts per option (in the options' order) and by stakeholder group; a group with fewer than 5 answers "
                "is counted under 'autres' (so is anyone without a group), so that nobody can be singled out."
            ),
            "required": ["answers", "options", "by_group"],
            "additionalProperties": False,
            "properties": {
                "answers": {"type": "integer", "minimum": 0},
                "options": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["value", "label", "count"],
                        "additionalProperties": False,
                        "properties": {
                            "value": {"type": "string"},
                            "label": {"type": "string"},
                            "count": {"type": "integer", "minimum": 0},
                        },
                    },
                },
                "by_group": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["answers", "counts"],
                        "additionalProperties": False,
                        "properties": {
                            "answers": {
                                "type": "integer",
                                "minimum": 0,
                                "description": "5 or more, except 'autres' in a room of fewer than 5.",
                            },
                            "counts": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                        },
                    },
                },
                "words": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["text", "count"],
                        "additionalProperties": False,
                        "properties": {"text": {"type": "string"}, "count": {"type": "integer", "minimum": 1}},
                    },
                },
                "mean": {"type": ["number", "null"]},
            },
        },
        "workshop": {
            "type": "object",
            "required": ["title", "territory", "date", "language", "description", "tags", "settings", "status", "created_at"],
            "additionalProperties": False,
            "properties": {
                "title": {"type": "string", "minLength": 1, "maxLength": 200},
                "territory": {"type": "string", "maxLength": 200},
                "place": {"type": "string", "maxLength": 200, "description": "Where it took place (optional)."},
                "facilitator": {
                    "type": "string",
                    "maxLength": 200,
                    "description": "Who facilitated it, as the cover of the documents says (optional).",
                },
                "date": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                "language": {"enum": ["fr", "en"]},
                "description": {"type": "string", "maxLength": 4000},
                "tags": _TEXT_LIST(20, 60),
                "settings": {
                    "type": "object",
                    "description": "Workshop settings (see workshop/domain/settings.py); validated again on import.",
                },
                "status": {"enum": ["open", "archived"]},
                "published_at": {**_TIMESTAMP, "description": "When the public restitution page was published (null: not published)."},
                "created_at": _TIMESTAMP,
            },
        },
        "participant": {
            "type": "object",
            "required": ["ref", "pseudonym", "group", "joined_at"],
            "additionalProperties": False,
            "properties": {
                "ref": _REF,
                "pseudonym": {"type": ["string", "null"], "maxLength": 40},
                "group": {"type": ["string", "null"], "maxLength": 40},
                "joined_at": _TIMESTAMP,
            },
        },
        "round": {
            "type": "object",
            "required": [
                "position",
                "question",
                "phase",
                "timings",
                "tallies_revealed",
                "ideas",
                "themes",
                "actions",
                "votes",
                "syntheses",
            ],
            "additionalProperties": False,
            "properties": {
                "position": {"type": "integer", "minimum": 1},
                "question": {"type": "string", "minLength": 1, "maxLength": 500},
                "phase": {"enum": ["lobby", "diverge", "define", "converge", "closed"]},
                "timings": {"type": "object"},
                "tallies_revealed": {"type": "boolean"},
                "vote_open": {"type": "boolean", "description": "the facilitator has opened the current phase's dot vote"},
                "ideas": {"type": "array", "items": {"$ref": "#/$defs/idea"}},
                "themes": {"type": "array", "maxItems": 50, "items": {"$ref": "#/$defs/theme"}},
                "actions": {"type": "array", "maxItems": 500, "items": {"$ref": "#/$defs/action"}},
                "votes": {"type": "array", "items": {"$ref": "#/$defs/vote"}},
                "syntheses": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "diverge": {"$ref": "#/$defs/diverge_synthesis"},
                        "define": {"$ref": "#/$defs/define_synthesis"},
                        "converge": {"$ref": "#/$defs/converge_synthesis"},
                    },
                },
            },
        },
        "idea": {
            "type": "object",
            "required": [
                "ref",
                "text",
                "participant",
                "group",
                "on_behalf",
                "hidden",
                "withdrawn",
                "merged_into",
                "theme",
                "count",
                "created_at",
                "updated_at",
            ],
            "additionalProperties": False,
            "properties": {
                "ref": _REF,
                "text": {"type": "string", "minLength": 1, "maxLength": 2000},
                "participant": _NULLABLE_REF,
                "group": {"type": ["string", "null"], "maxLength": 40},
                "on_behalf": {"type": "boolean"},
                "hidden": {"type": "boolean", "description": "Hidden by moderation: never shown in documents."},
                "withdrawn": {"type": "boolean"},
                "review": {
                    "enum": ["approved", "pending", "rejected"],
                    "description": "The team's review: only approved items are shown (absent in archives made before the review existed: approved).",
                },
                "merged_into": {**_NULLABLE_REF, "description": "ref of the idea this duplicate was merged into."},
                "theme": _NULLABLE_REF,
                "count": {"type": "integer", "minimum": 1, "description": "How many contributions this idea stands for."},
                "created_at": _TIMESTAMP,
                "updated_at": _TIMESTAMP,
            },
        },
        "theme": {
            "type": "object",
            "required": ["ref", "title", "objective", "criteria", "position", "kept"],
            "additionalProperties": False,
            "properties": {
                "ref": _REF,
                "title": {"type": "string", "minLength": 1, "maxLength": 200},
                "objective": {"type": "string", "maxLength": 1000},
                "criteria": _TEXT_LIST(20, 300),
                "position": {"type": "integer", "minimum": 0},
                "kept": {"type": "boolean"},
            },
        },
        "action": {
            "type": "object",
            "required": [
                "ref",
                "theme",
                "participant",
                "title",
                "description",
                "owner",
                "partners",
                "deadline",
                "resources",
                "indicators",
                "status",
                "ideas",
                "created_at",
            ],
            "additionalProperties": False,
            "properties": {
                "ref": _REF,
                "theme": _REF,
                "participant": _NULLABLE_REF,
                "title": {"type": "string", "minLength": 1, "maxLength": 200},
                "description": {"type": "string", "maxLength": 2000},
                "owner": {"type": "string", "maxLength": 200},
                "partners": _TEXT_LIST(30, 300),
                "deadline": {"type": "string", "maxLength": 40},
                "resources": {"type": "string", "maxLength": 2000},
                "indicators": _TEXT_LIST(30, 300),
                "status": {"enum": ["proposed", "planned", "in_progress", "done", "abandoned"]},
                "ideas": {"type": "array", "maxItems": 100, "items": _REF, "description": "refs of the ideas it came from."},
                "review": {
                    "enum": ["approved", "pending", "rejected"],
                    "description": "The team's review: only approved items are shown (absent in archives made before the review existed: approved).",
                },
                "created_at": _TIMESTAMP,
                "updates": {
                    "type": "array",
                    "description": "What became of it after the workshop: dated status updates, oldest first.",
                    "items": {"$ref": "#/$defs/action_update"},
                },
            },
        },
        "action_update": {
            "type": "object",
            "required": ["status", "date", "comment"],
            "additionalProperties": False,
            "properties": {
                "status": {"enum": ["planned", "in_progress", "done", "abandoned"]},
                "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                "comment": {"type": "string", "maxLength": 500},
                "created_at": _TIMESTAMP,
            },
        },
        "vote": {
            "type": "object",
            "required": ["kind", "target", "participant", "dots"],
            "additionalProperties": False,
            "properties": {
                "kind": {"enum": ["theme", "action"]},
                "target": {**_REF, "description": "ref of the theme or action voted for."},
                "participant": _REF,
                "dots": {"type": "integer", "minimum": 1},
            },
        },
        "idea_brief": {
            "type": "object",
            "required": ["id", "text"],
            "properties": {
                "id": {**_SYN_ID, "description": "ref of the idea."},
                "text": {"type": "string"},
                "group": _NULLABLE_STR,
                "on_behalf": {"type": "boolean"},
                "count": {"type": "integer"},
            },
        },
        "diverge_synthesis": {
            "type": "object",
            "required": ["ideas"],
            "properties": {
                "question": {"type": "string"},
                "ideas": {"type": "array", "items": {"$ref": "#/$defs/idea_brief"}},
                "total_ideas": {"type": "integer"},
                "contributions": {"type": "integer"},
                "by_group": _BY_GROUP,
            },
        },
        "define_synthesis": {
            "type": "object",
            "required": ["themes", "unsorted"],
            "properties": {
                "question": {"type": "string"},
                "themes": {"type": "array", "items": {"$ref": "#/$defs/ranked_theme"}},
                "unsorted": {"type": "array", "items": {"$ref": "#/$defs/idea_brief"}},
                "vote": {"$ref": "#/$defs/vote_record"},
            },
        },
        "ranked_theme": {
            "type": "object",
            "required": ["id", "title", "ideas"],
            "properties": {
                "rank": {"type": "integer"},
                "id": {**_SYN_ID, "description": "ref of the theme."},
                "title": {"type": "string"},
                "objective": _NULLABLE_STR,
                "criteria": {"type": "array", "items": {"type": "string"}},
                "kept": {"type": "boolean"},
                "dots": {"type": "integer"},
                "voters": {"type": "integer"},
                "by_group": _BY_GROUP,
                "equal_weight": {"type": "number"},
                "equal_weight_rank": {"type": "integer"},
                "ideas": {"type": "array", "items": {"$ref": "#/$defs/idea_brief"}},
            },
        },
        "converge_synthesis": {
            "type": "object",
            "required": ["actions"],
            "properties": {
                "question": {"type": "string"},
                "actions": {"type": "array", "items": {"$ref": "#/$defs/ranked_action"}},
                "vote": {"$ref": "#/$defs/vote_record"},
            },
        },
        "vote_record": {
            "description": "How the phase's dot vote ran: opened by the facilitator at least once, first opened, last closed",
            "type": "object",
            "required": ["opened", "opened_at", "closed_at"],
            "additionalProperties": False,
            "properties": {"opened": {"type": "boolean"}, "opened_at": _TIMESTAMP, "closed_at": _TIMESTAMP},
        },
        "ranked_action": {
            "type": "object",
            "required": ["id", "title", "theme", "ideas"],
            "properties": {
                "rank": {"type": "integer"},
                "id": {**_SYN_ID, "description": "ref of the action."},
                "title": {"type": "string"},
                "dots": {"type": "integer"},
                "voters": {"type": "integer"},
                "by_group": _BY_GROUP,
                "equal_weight": {"type": "number"},
                "equal_weight_rank": {"type": "integer"},
                "theme": {
                    "type": ["object", "null"],
                    "required": ["id"],
                    "properties": {"id": {**_SYN_ID, "description": "ref of the theme."}},
                },
                "ideas": {"type": "array", "items": {"$ref": "#/$defs/idea_brief"}},
            },
        },
        "plan": {
            "type": "object",
            "description": "The action-plan draft built from the frozen syntheses (ids are refs). Rebuilt on import.",
            "required": ["workshop", "rounds"],
            "properties": {
                "workshop": {"type": "object"},
                "rounds": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["position", "question", "themes", "actions"],
                        "properties": {
                            "themes": {"type": "array", "items": {"$ref": "#/$defs/ranked_theme"}},
                            "actions": {"type": "array", "items": {"$ref": "#/$defs/ranked_action"}},
                        },
                    },
                },
            },
        },
    },
}


# --------------------------------------------------------------------------- validation

MAX_ERRORS = 20


@cache
def _validator(schema_json: str | None = None):
    from jsonschema import Draft202012Validator

    return Draft202012Validator(SCHEMA if schema_json is None else json.loads(schema_json))


def validate(data: Any, schema: dict | None = None) -> list[str]:
    """Check ``data`` against :data:`SCHEMA` (or ``schema``); return the problems, at most 20."""
    validator = _validator(None if schema is None else json.dumps(schema, sort_keys=True))
    errors: list[str] = []
    for error in validator.iter_errors(data):
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        errors += [f"{path}: {problem}" for problem in _problems(error)]
        if len(errors) >= MAX_ERRORS:
            break
    return errors[:MAX_ERRORS]


def _problems(error) -> list[str]:
    """What one jsonschema error says, in the importer's words."""
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "type":
        return [f"expected {' or '.join(value if isinstance(value, list) else [value])}"]
    if kind == "required":
        return [f"missing {key!r}" for key in value if key not in instance and error.message.startswith(repr(key))]
    if kind == "additionalProperties" and value is False:
        known = error.schema.get("properties", {})
        return [f"unexpected {key!r}" for key in instance if key not in known]
    words = {
        "const": lambda: f"expected {value!r}",
        "enum": lambda: f"expected one of {value}",
        "minLength": lambda: "too short",
        "maxLength": lambda: f"longer than {value} characters",
        "pattern": lambda: f"does not match {value}",
        "minimum": lambda: f"less than {value}",
        "minItems": lambda: f"fewer than {value} items",
        "maxItems": lambda: f"more than {value} items",
    }
    return [words[kind]() if kind in words else error.message]


def schema_text() -> str:
    """The published JSON Schema (docs/export-schema.json)."""
    return json.dumps(SCHEMA, ensure_ascii=False, indent=2) + "\n"
