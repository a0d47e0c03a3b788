"""The observatory's rows as files: CSV for a spreadsheet, JSON for an analyst's script.

Rows come from :meth:`workshop.gatherings.GatheringService.observatory`
(one per workshop: participation by stakeholder group, kept themes,
prioritised actions).  The CSV follows the same rules as the per-workshop
tables (:mod:`.csv_export`): UTF-8 with a BOM, ``;`` and decimal commas in
French, CRLF, formulas defused; one line per workshop, one column per
stakeholder group, so twenty towns compare side by side without a pivot table.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .common import check_lang
from .csv_export import safe

SCHEMA_ID = "workshop-observatory/1"
TOP_ACTIONS = 5

LABELS = {
    "fr": {
        "code": "Code",
        "title": "Atelier",
        "territory": "Territoire",
        "date": "Date",
        "tags": "Mots-clés",
        "event": "Rencontre",
        "questions": "Questions",
        "participants": "Participants",
        "contributions": "Contributions",
        "dots": "Pastilles",
        "group_participants": "Participants : {group}",
        "kept_themes": "Thèmes retenus",
        "objectives": "Objectifs",
        "actions": "Actions prioritaires",
        "published_at": "Publié le",
        "dots_short": "{n} pastilles",
    },
    "en": {
        "code": "Code",
        "title": "Workshop",
        "territory": "Territory",
        "date": "Date",
        "tags": "Keywords",
        "event": "Event",
        "questions": "Questions",
        "participants": "Participants",
        "contributions": "Contributions",
        "dots": "Dots",
        "group_participants": "Participants: {group}",
        "kept_themes": "Themes kept",
        "objectives": "Objectives",
        "actions": "Priority actions",
        "published_at": "Published",
        "dots_short": "{n} dots",
    },
}


def groups_of(rows: list[dict]) -> list[dict]:
    """Every stakeholder group met in the rows, in order of first appearance ('not specified' last)."""
    seen: dict[str, dict] = {}
    for row in rows:
        for g in row["by_group"]:
            seen.setdefault(g["group"], {"group": g["group"], "label": g["label"]})
    ordered = [g for k, g in seen.items() if k != "—"]
    if "—" in seen:
        ordered.append(seen["—"])
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
    L = LABELS[check_lang(lang)]
    groups = groups_of(rows)
    with_code = any("code" in r for r in rows)
    header = ([L["code"]] if with_code else []) + [
        L["title"], L["territory"], L["date"], L["tags"], L["event"], L["questions"],
        L["participants"], L["contributions"], L["dots"],
    ]
    header += [L["group_participants"].format(group=g["label"]) for g in groups]
    header += [L["kept_themes"], L["objectives"], L["actions"]]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";" if lang == "fr" else ",", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe(h) for h in header])
    for row in rows:
        by_group = {g["group"]: g["participants"] for g in row["by_group"]}
        themes = kept_themes(row)
        cells: list[Any] = ([row.get("code", "")] if with_code else []) + [
            row["title"], row["territory"], row["date"] or "", ", ".join(row["tags"]), row["event"] or "",
            "\n".join(row["questions"]), row["participants"], row["contributions"], row["dots"],
        ]
        cells += [by_group.get(g["group"], 0) for g in groups]
        cells += [
            "\n".join(t["title"] for t in themes),
            "\n".join(t["objective"] for t in themes if t["objective"]),
            "\n".join(f"{a['title']} ({L['dots_short'].format(n=a['dots'])})" for a in top_actions(row)),
        ]
        writer.writerow([safe(c) for c in cells])
    return "\ufeff".encode("utf-8") + buffer.getvalue().encode("utf-8")


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
