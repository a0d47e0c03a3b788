"""The JSON archive of a workshop: complete, versioned, re-importable.

Unlike the other formats this is not a document to circulate but the
workshop's *data*: every round, idea (moderated ones included, flagged
``hidden`` — an import must reproduce the moderation), theme, action, vote and
frozen synthesis, so :func:`workshop.importer.import_snapshot` can recreate an
identical workshop elsewhere, and an observatory can compare workshops.

What it never holds: database ids (items are numbered ``ref`` 1, 2, 3… in a
stable order and refer to each other by those numbers), the join code, the
facilitator link, participants' access tokens.  Pseudonyms are personal data
and are left out (``null``) unless ``personal_data=True`` is asked for.

The format is ``{"schema": "workshop-export/1", …}``, described by the JSON
Schema :data:`SCHEMA` (also published as ``docs/export-schema.json``).
:func:`validate` checks a document against it without any dependency.
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_ID = "workshop-export/1"
SNAPSHOT_SCHEMA_ID = "workshop-snapshot/1"

# --------------------------------------------------------------------------- the JSON Schema

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
    },
    "$defs": {
        "workshop": {
            "type": "object",
            "required": ["title", "territory", "date", "language", "description", "tags", "settings", "status", "created_at"],
            "additionalProperties": False,
            "properties": {
                "title": {"type": "string", "minLength": 1, "maxLength": 200},
                "territory": {"type": "string", "maxLength": 200},
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
            "required": ["position", "question", "phase", "timings", "tallies_revealed", "ideas", "themes", "actions", "votes", "syntheses"],
            "additionalProperties": False,
            "properties": {
                "position": {"type": "integer", "minimum": 1},
                "question": {"type": "string", "minLength": 1, "maxLength": 500},
                "phase": {"enum": ["lobby", "diverge", "define", "converge", "closed"]},
                "timings": {"type": "object"},
                "tallies_revealed": {"type": "boolean"},
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
            "required": ["ref", "text", "participant", "group", "on_behalf", "hidden", "withdrawn", "merged_into", "theme", "count", "created_at", "updated_at"],
            "additionalProperties": False,
            "properties": {
                "ref": _REF,
                "text": {"type": "string", "minLength": 1, "maxLength": 2000},
                "participant": _NULLABLE_REF,
                "group": {"type": ["string", "null"], "maxLength": 40},
                "on_behalf": {"type": "boolean"},
                "hidden": {"type": "boolean", "description": "Hidden by moderation: never shown in documents."},
                "withdrawn": {"type": "boolean"},
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
            "required": ["ref", "theme", "participant", "title", "description", "owner", "partners", "deadline", "resources", "indicators", "status", "ideas", "created_at"],
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
            },
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


def validate(data: Any, schema: dict | None = None) -> list[str]:
    """Check ``data`` against :data:`SCHEMA`; return the problems ('rounds[0].ideas[2].text: …').

    A small interpreter of the JSON Schema keywords the schema uses (type,
    const, enum, required, properties, additionalProperties, items, minItems,
    maxItems, minimum, minLength, maxLength, pattern, $ref to $defs), so the
    importer and the tests check files without a third-party library.
    """
    root = SCHEMA if schema is None else schema
    errors: list[str] = []
    _check(data, root, root, "$", errors)
    return errors


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _check(value: Any, schema: dict, root: dict, path: str, errors: list[str]) -> None:
    import re

    if len(errors) >= 20:
        return
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"unsupported $ref {ref}")
        _check(value, root["$defs"][ref[len("#/$defs/"):]], root, path, errors)
        schema = {k: v for k, v in schema.items() if k != "$ref"}
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: expected {schema['const']!r}")
        return
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: expected one of {schema['enum']}")
        return
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            errors.append(f"{path}: expected {' or '.join(types)}")
            return
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{path}: too short")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{path}: longer than {schema['maxLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: does not match {schema['pattern']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{path}: less than {schema['minimum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{path}: more than {schema['maxItems']} items")
        if "items" in schema:
            for i, item in enumerate(value):
                _check(item, schema["items"], root, f"{path}[{i}]", errors)
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing {key!r}")
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                _check(item, props[key], root, f"{path}.{key}", errors)
            elif extra is False:
                errors.append(f"{path}: unexpected {key!r}")
            elif isinstance(extra, dict):
                _check(item, extra, root, f"{path}.{key}", errors)


# --------------------------------------------------------------------------- building the archive


def _map(mapping: dict[int, int], value: Any) -> Any:
    return mapping.get(value) if value is not None else None


def remap_brief(brief: dict, ideas: dict) -> dict:
    return {**brief, "id": _map(ideas, brief.get("id"))}


def remap_theme_entry(entry: dict, ideas: dict, themes: dict) -> dict:
    out = {**entry, "id": _map(themes, entry.get("id"))}
    if "ideas" in entry:
        out["ideas"] = [remap_brief(b, ideas) for b in entry["ideas"]]
    return out


def remap_action_entry(entry: dict, ideas: dict, themes: dict, actions: dict) -> dict:
    out = {**entry, "id": _map(actions, entry.get("id"))}
    if entry.get("theme") is not None:
        out["theme"] = {**entry["theme"], "id": _map(themes, entry["theme"].get("id"))}
    if "ideas" in entry:
        out["ideas"] = [remap_brief(b, ideas) for b in entry["ideas"]]
    return out


def remap_synthesis(phase: str, data: dict, ideas: dict, themes: dict, actions: dict) -> dict:
    """A frozen synthesis with every idea, theme and action id translated through the maps."""
    out = dict(data)
    if phase == "diverge":
        out["ideas"] = [remap_brief(b, ideas) for b in data.get("ideas", [])]
    elif phase == "define":
        out["themes"] = [remap_theme_entry(t, ideas, themes) for t in data.get("themes", [])]
        out["unsorted"] = [remap_brief(b, ideas) for b in data.get("unsorted", [])]
    elif phase == "converge":
        out["actions"] = [remap_action_entry(a, ideas, themes, actions) for a in data.get("actions", [])]
    return out


def remap_plan(plan: dict, ideas: dict, themes: dict, actions: dict) -> dict:
    out = dict(plan or {})
    out["rounds"] = [
        {
            **r,
            "themes": [remap_theme_entry(t, ideas, themes) for t in r.get("themes", [])],
            "actions": [remap_action_entry(a, ideas, themes, actions) for a in r.get("actions", [])],
        }
        for r in (plan or {}).get("rounds", [])
    ]
    return out


def to_export(snapshot: dict, *, personal_data: bool = False) -> dict[str, Any]:
    """The ``workshop-export/1`` dict of a ``workshop-snapshot/1`` dict (deterministic)."""
    from .. import __version__

    w = snapshot["workshop"]
    rounds = sorted(snapshot["rounds"], key=lambda r: r["position"])
    participants = sorted(snapshot.get("participants") or [], key=lambda p: p["id"])
    p_ref = {p["id"]: n for n, p in enumerate(participants, start=1)}
    i_ref: dict[int, int] = {}
    t_ref: dict[int, int] = {}
    a_ref: dict[int, int] = {}
    for r in rounds:
        for i in sorted(r["ideas"], key=lambda i: i["id"]):
            i_ref[i["id"]] = len(i_ref) + 1
        for t in sorted(r["themes"], key=lambda t: (t["position"], t["id"])):
            t_ref[t["id"]] = len(t_ref) + 1
        for a in sorted(r["actions"], key=lambda a: a["id"]):
            a_ref[a["id"]] = len(a_ref) + 1

    out_rounds = []
    for r in rounds:
        votes = []
        for v in r["votes"]:
            target = (t_ref if v["kind"] == "theme" else a_ref).get(v["target_id"])
            if target is None or v["participant_id"] not in p_ref or v["dots"] <= 0:
                continue  # a vote on an item that no longer exists counts for nothing
            votes.append({"kind": v["kind"], "target": target, "participant": p_ref[v["participant_id"]], "dots": v["dots"]})
        votes.sort(key=lambda v: (v["kind"] != "theme", v["target"], v["participant"]))
        out_rounds.append(
            {
                "position": r["position"],
                "question": r["question"],
                "phase": r["phase"],
                "timings": dict(r.get("timings") or {}),
                "tallies_revealed": bool(r.get("tallies_revealed")),
                "ideas": [
                    {
                        "ref": i_ref[i["id"]],
                        "text": i["text"],
                        "participant": _map(p_ref, i["participant_id"]),
                        "group": i["group"],
                        "on_behalf": bool(i["on_behalf"]),
                        "hidden": bool(i["hidden"]),
                        "withdrawn": bool(i["withdrawn"]),
                        "merged_into": _map(i_ref, i["merged_into"]),
                        "theme": _map(t_ref, i["theme_id"]),
                        "count": i["count"],
                        "created_at": i.get("created_at"),
                        "updated_at": i.get("updated_at"),
                    }
                    for i in sorted(r["ideas"], key=lambda i: i["id"])
                ],
                "themes": [
                    {
                        "ref": t_ref[t["id"]],
                        "title": t["title"],
                        "objective": t["objective"] or "",
                        "criteria": list(t["criteria"] or []),
                        "position": t["position"],
                        "kept": bool(t["kept"]),
                    }
                    for t in sorted(r["themes"], key=lambda t: (t["position"], t["id"]))
                ],
                "actions": [
                    {
                        "ref": a_ref[a["id"]],
                        "theme": t_ref[a["theme_id"]],
                        "participant": _map(p_ref, a["participant_id"]),
                        "title": a["title"],
                        "description": a["description"] or "",
                        "owner": a["owner"] or "",
                        "partners": list(a["partners"] or []),
                        "deadline": a["deadline"] or "",
                        "resources": a["resources"] or "",
                        "indicators": list(a["indicators"] or []),
                        "status": a["status"],
                        "ideas": [i_ref[i] for i in a["idea_ids"] or [] if i in i_ref],
                        "created_at": a.get("created_at"),
                        "updates": [
                            {"status": u["status"], "date": u["date"], "comment": u.get("comment") or "", "created_at": u.get("created_at")}
                            for u in a.get("updates") or []
                        ],
                    }
                    for a in sorted(r["actions"], key=lambda a: a["id"])
                ],
                "votes": votes,
                "syntheses": {
                    phase: remap_synthesis(phase, r["syntheses"][phase], i_ref, t_ref, a_ref)
                    for phase in ("diverge", "define", "converge")
                    if r.get("syntheses", {}).get(phase) is not None
                },
            }
        )

    return {
        "schema": SCHEMA_ID,
        "generator": f"workshop {__version__}",
        "personal_data": bool(personal_data),
        "workshop": {
            "title": w["title"],
            "territory": w.get("territory") or "",
            "date": w.get("date"),
            "language": w.get("language") or "fr",
            "description": w.get("description") or "",
            "tags": list(w.get("tags") or []),
            "settings": dict(w.get("settings") or {}),
            "status": w.get("status") or "open",
            "published_at": w.get("published_at"),
            "created_at": w.get("created_at"),
        },
        "participants": [
            {
                "ref": p_ref[p["id"]],
                "pseudonym": p.get("pseudonym") if personal_data else None,
                "group": p.get("group"),
                "joined_at": p.get("joined_at"),
            }
            for p in participants
        ],
        "rounds": out_rounds,
        "plan": remap_plan(snapshot.get("plan") or {"workshop": {}, "rounds": []}, i_ref, t_ref, a_ref),
    }


def dumps(data: dict) -> bytes:
    """UTF-8 JSON, indented, accents kept readable, one final newline."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render(snapshot: dict, lang: str = "fr", *, personal_data: bool = False) -> bytes:
    """The JSON archive of a snapshot (``lang`` is accepted for symmetry: data is language-neutral)."""
    return dumps(to_export(snapshot, personal_data=personal_data))


def schema_text() -> str:
    """The published JSON Schema (docs/export-schema.json)."""
    return json.dumps(SCHEMA, ensure_ascii=False, indent=2) + "\n"
