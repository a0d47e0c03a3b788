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
Schema in :mod:`.json_schema` (also published as ``docs/export-schema.json``),
re-exported here with :func:`validate`.
"""

from __future__ import annotations

import json
from typing import Any

from .agreement import archive_agreement
from .common import sheet_fields
from .json_schema import SCHEMA, SCHEMA_ID, schema_text, validate
from .polls import archive_polls

SNAPSHOT_SCHEMA_ID = "workshop-snapshot/1"

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
                "vote_open": bool(r.get("vote_open")),
                "ideas": [
                    {
                        "ref": i_ref[i["id"]],
                        "text": i["text"],
                        "participant": _map(p_ref, i["participant_id"]),
                        "group": i["group"],
                        "on_behalf": bool(i["on_behalf"]),
                        "hidden": bool(i["hidden"]),
                        "withdrawn": bool(i["withdrawn"]),
                        "review": i.get("review", "approved"),
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
                        **sheet_fields(a),
                        "ideas": [i_ref[i] for i in a["idea_ids"] or [] if i in i_ref],
                        "review": a.get("review", "approved"),
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
            "place": w.get("place") or "",
            "facilitator": w.get("facilitator") or "",
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
        # quick polls, only when there are some (archives of workshops without polls are as before)
        **({"polls": archive_polls(snapshot)} if snapshot.get("polls") else {}),
        # agreement across groups, only when an agree/disagree round was opened
        **({"agreement": archive_agreement(snapshot)} if snapshot.get("agreement") else {}),
    }


def dumps(data: dict) -> bytes:
    """UTF-8 JSON, indented, accents kept readable, one final newline."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render(snapshot: dict, lang: str = "fr", *, personal_data: bool = False) -> bytes:
    """The JSON archive of a snapshot (``lang`` is accepted for symmetry: data is language-neutral)."""
    return dumps(to_export(snapshot, personal_data=personal_data))


__all__ = ["SCHEMA", "SCHEMA_ID", "SNAPSHOT_SCHEMA_ID", "render", "schema_text", "to_export", "validate"]
