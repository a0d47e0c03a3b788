"""The observatory's rows as files: CSV for a spreadsheet, JSON for an analyst's script.

Rows come from :meth:`workshop.gatherings.GatheringService.observatory`
(one per workshop: participation by stakeholder group, kept themes,
prioritised actions).  The CSV follows the same rules as the per-workshop
tables (:mod:`.csv_export`): UTF-8 with a BOM, ``;`` and decimal commas in
French, CRLF, formulas defused; one line per workshop, one column per
stakeholder group, so twenty towns compare side by side without a pivot table.
"""

from __future__ import annotations

import json
from typing import Any

from .csv_export import write_csv
from .i18n import NO_GROUP, check_lang, wording
from .polls import evaluation_text

SCHEMA_ID = "workshop-observatory/1"
TOP_ACTIONS = 5


def groups_of(rows: list[dict]) -> list[dict]:
    """Every stakeholder group met in the rows, in order of first appearance ('not specified' last)."""
    seen: dict[str, dict] = {}
    for row in rows:
        for g in row["by_group"]:
            seen.setdefault(g["group"], {"group": g["group"], "label": g["label"]})
    ordered = [g for k, g in seen.items() if k != NO_GROUP]
    if NO_GROUP in seen:
        ordered.append(seen[NO_GROUP])
    return ordered


def kept_themes(row: dict) -> list[dict]:
    return [t for t in row["themes"] if t["kept"]]


def top_actions(row: dict, n: int = TOP_ACTIONS) -> list[dict]:
    """The first ``n`` actions of each round by rank (the vote's order)."""
    out = []
    for position in sorted({a["round"] for a in row["actions"]}):
        out += sorted((a for a in row["actions"] if a["round"] == position), key=lambda a: a["rank"])[:n]
    return out


def render_csv(rows: list[dict], lang: str = "fr") -> bytes:
    t = wording(check_lang(lang))
    groups = groups_of(rows)
    with_code = any("code" in r for r in rows)
    header = ([t._("Code")] if with_code else []) + [
        t._("Workshop"),
        t._("Territory"),
        t._("Date"),
        t._("Keywords"),
        t._("Event"),
        t._("Questions"),
        t._("Participants"),
        t._("Contributions"),
        t._("Dots"),
    ]
    header += [t._("Participants: %(group)s", group=g["label"]) for g in groups]
    header += [t._("Themes kept"), t._("Objectives"), t._("Priority actions")]
    with_evaluation = any(r.get("evaluation") for r in rows)
    header += [t._("Evaluation of the workshop")] if with_evaluation else []
    lines = []
    for row in rows:
        by_group = {g["group"]: g["participants"] for g in row["by_group"]}
        themes = kept_themes(row)
        cells: list[Any] = ([row.get("code", "")] if with_code else []) + [
            row["title"],
            row["territory"],
            row["date"] or "",
            ", ".join(row["tags"]),
            row["event"] or "",
            "\n".join(row["questions"]),
            row["participants"],
            row["contributions"],
            row["dots"],
        ]
        cells += [by_group.get(g["group"], 0) for g in groups]
        cells += [
            "\n".join(x["title"] for x in themes),
            "\n".join(x["objective"] for x in themes if x["objective"]),
            "\n".join(a["title"] + " (" + t.ngettext("%(num)s dot", "%(num)s dots", a["dots"]) + ")" for a in top_actions(row)),
        ]
        cells += [evaluation_text(row, t)] if with_evaluation else []
        lines.append(cells)
    return write_csv(header, lines, t)


def render_json(rows: list[dict], filters: dict | None = None) -> bytes:
    from .. import __version__

    data = {
        "schema": SCHEMA_ID,
        "generator": f"workshop {__version__}",
        "filters": {k: v for k, v in (filters or {}).items() if v},
        "workshops": rows,
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


__all__ = ["SCHEMA_ID", "render_csv", "render_json", "groups_of", "kept_themes", "top_actions"]
