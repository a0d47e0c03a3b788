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

from .common import build_report, group_dots
from .i18n import Wording, wording
from .polls import csv_table

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


def _yes(value: bool, t: Wording) -> str:
    return t._("yes") if value else t._("no")


def _ideas(report: dict, t: Wording) -> tuple[list[str], list[list]]:
    questions = {r["position"]: r["question"] for r in report["rounds"]}
    header = [
        t._("Idea no."),
        t._("Round"),
        t._("Question"),
        t._("Idea"),
        t._("Stakeholder group"),
        t._("Theme"),
        t.pgettext("column", "Theme kept"),
        t._("Contributions merged"),
        t._("Typed in by the facilitator"),
    ]
    rows = [
        [
            i["no"],
            i["round"],
            questions[i["round"]],
            i["text"],
            i["group_label"],
            i["theme"],
            _yes(i["theme_kept"], t) if i["theme"] else "",
            i["count"],
            _yes(i["on_behalf"], t),
        ]
        for i in report["annex"]
    ]
    return header, rows


def _group_columns(report: dict) -> list[dict]:
    """Every stakeholder group that voted anywhere, in the workshop's order."""
    voted = {g["group"] for r in report["rounds"] for k in ("theme", "action") for g in r["vote_groups"][k]}
    return [g for g in report["groups"] if g["group"] in voted]


def _vote_cells(item: dict, groups: list[dict], report: dict, t: Wording) -> list:
    cells = [item["dots"], item["voters"]] + [group_dots(item, g["group"]) for g in groups]
    if report["equal_weight"]:
        cells += [t.number(item["equal_weight"]), item["equal_weight_rank"]]
    return cells


def _vote_header(groups: list[dict], report: dict, t: Wording) -> list[str]:
    header = [t._("Dots"), t._("Voters")] + [g["label"] for g in groups]
    if report["equal_weight"]:
        header += [t._("Equal weight (%)"), t._("Equal-weight rank")]
    return header


def _themes(report: dict, t: Wording) -> tuple[list[str], list[list]]:
    groups = _group_columns(report)
    header = [
        t._("Round"),
        t._("Rank"),
        t._("Theme"),
        t.pgettext("column", "Theme kept"),
        t._("Objective"),
        t._("Success criteria"),
        t._("Number of ideas"),
    ]
    header += _vote_header(groups, report, t)
    rows = []
    for r in report["rounds"]:
        for theme in sorted(r["themes"], key=lambda x: x["rank"]):
            rows.append(
                [
                    r["position"],
                    theme["rank"],
                    theme["title"],
                    _yes(theme["kept"], t),
                    theme["objective"],
                    "\n".join(theme["criteria"]),
                    len(theme["ideas"]),
                ]
                + _vote_cells(theme, groups, report, t)
            )
    return header, rows


def _actions(report: dict, t: Wording) -> tuple[list[str], list[list]]:
    groups = _group_columns(report)
    header = [
        t._("Round"),
        t._("Rank"),
        t._("Action"),
        t._("Description"),
        t._("Theme"),
        t._("Objective"),
        t._("Owner"),
        t._("Partners"),
        t._("Deadline"),
        t._("Resources"),
        t._("Indicators"),
        t._("Status"),
    ]
    header += _vote_header(groups, report, t) + [t._("Source idea numbers"), t._("Source ideas")]
    rows = []
    for r in report["rounds"]:
        for a in r["actions"]:
            rows.append(
                [
                    r["position"],
                    a["rank"],
                    a["title"],
                    a["description"],
                    a["theme"],
                    a["objective"],
                    a["owner"],
                    "\n".join(a["partners"]),
                    a["deadline"],
                    a["resources"],
                    "\n".join(a["indicators"]),
                    a["status_label"],
                ]
                + _vote_cells(a, groups, report, t)
                + [", ".join(str(i["no"]) for i in a["ideas"]), "\n".join(i["text"] for i in a["ideas"])]
            )
    return header, rows


def _votes(report: dict, t: Wording) -> tuple[list[str], list[list]]:
    """Vote results: one line per theme or action voted on, dots per stakeholder group."""
    groups = _group_columns(report)
    header = [t._("Round"), t._("Vote"), t._("Rank"), t._("Proposal")] + _vote_header(groups, report, t)
    rows = []
    for r in report["rounds"]:
        for kind, items in (("theme", r["themes"]), ("action", r["actions"])):
            if not r[f"{kind}_votes"]:
                continue
            for item in sorted(items, key=lambda e: e["rank"]):
                rows.append(
                    [r["position"], (t._("theme") if kind == "theme" else t._("action")), item["rank"], item["title"]]
                    + _vote_cells(item, groups, report, t)
                )
    return header, rows


def _participation(report: dict, t: Wording) -> tuple[list[str], list[list]]:
    p = report["participation"]
    header = [t._("Stakeholder group"), t._("Participants"), t._("Contributions"), t._("Dots cast")]
    rows = [[r["label"], r["participants"], r["contributions"], r["dots"]] for r in p["rows"]]
    rows.append([t._("Total"), p["total"]["participants"], p["total"]["contributions"], p["total"]["dots"]])
    return header, rows


BUILDERS = {"ideas": _ideas, "themes": _themes, "actions": _actions, "votes": _votes, "participation": _participation, "polls": csv_table}


def render(snapshot: dict, lang: str = "fr", *, table: str = DEFAULT_TABLE) -> bytes:
    """One table of the workshop as CSV bytes (UTF-8 with BOM)."""
    from ..errors import ValidationError

    if table not in BUILDERS:
        raise ValidationError("invalid_field", field="table")
    report = build_report(snapshot, lang)
    t = wording(lang)
    header, rows = BUILDERS[table](report, t)
    return write_csv(header, rows, t)


def write_csv(header: list[str], rows: list[list], t: Wording) -> bytes:
    """UTF-8 with a BOM, the locale's separator, CRLF, every cell defused."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=t.csv_delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe(h) for h in header])
    for row in rows:
        writer.writerow([safe(cell) for cell in row])
    return "\ufeff".encode("utf-8") + buffer.getvalue().encode("utf-8")
