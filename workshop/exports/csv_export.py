"""Tables for a spreadsheet: one CSV file per table, made for Excel and LibreOffice.

Choices, for an organiser who double-clicks the file on a French computer:

* **one table per file** (``table="ideas"`` — the default —, ``"themes"``,
  ``"actions"``, ``"votes"``, ``"participation"``): a spreadsheet shows one
  grid; a ZIP or a multi-table CSV would need explaining;
* **UTF-8 with a BOM**, otherwise Excel reads "élu·e" as "Ã©luÂ·e";
* **";" as separator** in French (what Excel uses when the Windows locale is
  French, where "," is the decimal mark) and **decimal commas** ("31,5");
  English files use "," and decimal points;
* **CRLF line ends** and every field quoted when needed (RFC 4180): an idea
  spanning lines stays in one cell;
* **formula injection** defused: a cell that would start with ``=``, ``+``,
  ``-``, ``@`` (or a tab / carriage return) gets a leading apostrophe, so a
  participant's text is never executed by the spreadsheet;
* **wide vote columns**: one column of dots per stakeholder group, then the
  equal-weight score and rank when the workshop uses them — ready to sort or
  chart without a pivot table.

Only visible ideas and stakeholder groups appear, never pseudonyms.
"""

from __future__ import annotations

import csv
import io

from .common import build_report, format_number, group_dots

TABLES = ("ideas", "themes", "actions", "votes", "participation")
DEFAULT_TABLE = "ideas"
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe(value: object) -> str:
    """A cell value as text, defused against spreadsheet formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("booleans are written as oui/non by the caller")
    text = str(value)
    if text.startswith(_DANGEROUS) and not isinstance(value, (int, float)):
        return "'" + text
    return text


def _yes(value: bool, L: dict) -> str:
    return L["yes"] if value else L["no"]


def _ideas(report: dict, L: dict, lang: str) -> tuple[list[str], list[list]]:
    questions = {r["position"]: r["question"] for r in report["rounds"]}
    header = [L["csv.idea_no"], L["csv.round"], L["question"], L["idea"], L["group"], L["theme"], L["csv.kept"], L["csv.count"], L["csv.on_behalf"]]
    rows = [
        [i["no"], i["round"], questions[i["round"]], i["text"], i["group_label"], i["theme"],
         _yes(i["theme_kept"], L) if i["theme"] else "", i["count"], _yes(i["on_behalf"], L)]
        for i in report["annex"]
    ]
    return header, rows


def _group_columns(report: dict) -> list[dict]:
    """Every stakeholder group that voted anywhere, in the workshop's order."""
    voted = {g["group"] for r in report["rounds"] for k in ("theme", "action") for g in r["vote_groups"][k]}
    return [g for g in report["groups"] if g["group"] in voted]


def _vote_cells(item: dict, groups: list[dict], report: dict, lang: str) -> list:
    cells = [item["dots"], item["voters"]] + [group_dots(item, g["group"]) for g in groups]
    if report["equal_weight"]:
        cells += [format_number(item["equal_weight"], lang), item["equal_weight_rank"]]
    return cells


def _vote_header(groups: list[dict], report: dict, L: dict) -> list[str]:
    header = [L["dots"], L["voters"]] + [g["label"] for g in groups]
    if report["equal_weight"]:
        header += [L["csv.equal_weight"], L["equal_weight_rank"]]
    return header


def _themes(report: dict, L: dict, lang: str) -> tuple[list[str], list[list]]:
    groups = _group_columns(report)
    header = [L["csv.round"], L["rank"], L["theme"], L["csv.kept"], L["objective"], L["criteria"], L["csv.ideas_count"]]
    header += _vote_header(groups, report, L)
    rows = []
    for r in report["rounds"]:
        for t in sorted(r["themes"], key=lambda t: t["rank"]):
            rows.append(
                [r["position"], t["rank"], t["title"], _yes(t["kept"], L), t["objective"], "\n".join(t["criteria"]), len(t["ideas"])]
                + _vote_cells(t, groups, report, lang)
            )
    return header, rows


def _actions(report: dict, L: dict, lang: str) -> tuple[list[str], list[list]]:
    groups = _group_columns(report)
    header = [L["csv.round"], L["rank"], L["action"], L["description"], L["theme"], L["objective"], L["owner"], L["partners"],
              L["deadline"], L["resources"], L["indicators"], L["status"]]
    header += _vote_header(groups, report, L) + [L["csv.origin_numbers"], L["csv.origin_ideas"]]
    rows = []
    for r in report["rounds"]:
        for a in r["actions"]:
            rows.append(
                [r["position"], a["rank"], a["title"], a["description"], a["theme"], a["objective"], a["owner"],
                 "\n".join(a["partners"]), a["deadline"], a["resources"], "\n".join(a["indicators"]), a["status_label"]]
                + _vote_cells(a, groups, report, lang)
                + [", ".join(str(i["no"]) for i in a["ideas"]), "\n".join(i["text"] for i in a["ideas"])]
            )
    return header, rows


def _votes(report: dict, L: dict, lang: str) -> tuple[list[str], list[list]]:
    """Vote results: one line per theme or action voted on, dots per stakeholder group."""
    groups = _group_columns(report)
    header = [L["csv.round"], L["kind"], L["rank"], L["item"]] + _vote_header(groups, report, L)
    rows = []
    for r in report["rounds"]:
        for kind, items in (("theme", r["themes"]), ("action", r["actions"])):
            if not r[f"{kind}_votes"]:
                continue
            for item in sorted(items, key=lambda e: e["rank"]):
                rows.append([r["position"], L[f"kind.{kind}"], item["rank"], item["title"]] + _vote_cells(item, groups, report, lang))
    return header, rows


def _participation(report: dict, L: dict, lang: str) -> tuple[list[str], list[list]]:
    p = report["participation"]
    header = [L["group"], L["participants"], L["contributions"], L["dots_cast"]]
    rows = [[r["label"], r["participants"], r["contributions"], r["dots"]] for r in p["rows"]]
    rows.append([L["total"], p["total"]["participants"], p["total"]["contributions"], p["total"]["dots"]])
    return header, rows


BUILDERS = {"ideas": _ideas, "themes": _themes, "actions": _actions, "votes": _votes, "participation": _participation}


def render(snapshot: dict, lang: str = "fr", *, table: str = DEFAULT_TABLE) -> bytes:
    """One table of the workshop as CSV bytes (UTF-8 with BOM)."""
    from ..errors import ValidationError

    if table not in BUILDERS:
        raise ValidationError("invalid_field", field="table")
    report = build_report(snapshot, lang)
    header, rows = BUILDERS[table](report, report["labels"], lang)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";" if lang == "fr" else ",", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe(h) for h in header])
    for row in rows:
        writer.writerow([safe(cell) for cell in row])
    return "\ufeff".encode("utf-8") + buffer.getvalue().encode("utf-8")
