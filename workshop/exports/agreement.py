"""Agreement across groups in the documents: "Points d'accord" and "Points qui divisent", in every format.

The figures come from the snapshot, counted by :func:`workshop.domain.agreement.count`: stakeholder
groups with fewer than five stances on an action are already merged into "autres" there (by the
polls' :func:`~workshop.domain.polls.merge_small_groups`, the one place the rule is written).  This
module only words them (:func:`agreement_entries`, called by
:func:`~workshop.exports.common.build_report`) and lays them out: Markdown lines, a DOCX section,
the HTML template's tables (``_agreement.html``) and the JSON archive's ``agreement``.  A workshop
without an agree/disagree round gives documents as before.
"""

from __future__ import annotations

from typing import Any

from ..domain.agreement import AGREED, DIVIDED
from ..domain.polls import MIN_GROUP, OTHERS
from .i18n import Wording


def _pct(x: float) -> str:
    return f"{round(100 * x)}\u00a0%"


def _titles(snapshot: dict) -> dict[int, tuple[str, str]]:
    """Each action's title and its theme's title, by id."""
    out = {}
    for r in snapshot.get("rounds") or []:
        themes = {t["id"]: t["title"] for t in r.get("themes") or []}
        for a in r.get("actions") or []:
            out[a["id"]] = (a["title"], themes.get(a.get("theme_id"), ""))
    return out


def agreement_entries(snapshot: dict, t: Wording) -> list[dict[str, Any]]:
    """Each round whose agree/disagree round ran (closed, with answers), worded for the documents."""
    titles = _titles(snapshot)
    rounds = {r["id"]: r for r in snapshot.get("rounds") or []}
    out = []
    for state in snapshot.get("agreement") or []:
        res = state.get("results") or {}
        if state.get("open") or not res.get("answers") or state["round_id"] not in rounds:
            continue
        rows = {}
        for a in res["actions"]:
            title, theme = titles.get(a["action_id"], ("", ""))
            groups = [
                {"label": t._("others") if g == OTHERS else g, "stances": v["stances"], "share": _pct(v["share"])}
                for g, v in a["by_group"].items()
            ]
            rows[a["action_id"]] = {
                "title": title,
                "theme": theme,
                "stances": a["stances"],
                "agree": a["agree"],
                "neutral": a["neutral"],
                "disagree": a["disagree"],
                "consensus": _pct(a["consensus"]),
                "division": _pct(a["division"]),
                "groups": groups,
                "groups_text": " · ".join(f"{g['label']} {g['share']} ({g['stances']})" for g in groups),
            }
        r = rounds[state["round_id"]]
        out.append(
            {
                "round": r["position"],
                "question": r["question"],
                "answers": res["answers"],
                "agreed": [rows[i] for i in res["agreed"] if i in rows],
                "divided": [rows[i] for i in res["divided"] if i in rows],
                "actions": [rows[a["action_id"]] for a in res["actions"]],
            }
        )
    return out


def method_note(t: Wording) -> str:
    return t._(
        "Each participant said, for each action, whether they agree. The consensus is the share of agreement of the "
        "least convinced stakeholder group (smoothed: one imaginary agree and one disagree per group); a point of "
        "agreement has at least %(agreed)s, a point that divides has group shares at least %(divided)s points apart. "
        "Stakeholder groups with fewer than %(min)s answers on an action are counted together as “others”.",
        agreed=_pct(AGREED),
        divided=round(100 * DIVIDED),
        min=MIN_GROUP,
    )


def _sections(entry: dict, t: Wording) -> list[tuple[str, list[dict], str]]:
    """(title, rows, what the empty list means) for the two lists."""
    return [
        (t._("Points of agreement"), entry["agreed"], t._("No action reached agreement across every group.")),
        (t._("Points that divide"), entry["divided"], t._("No action divides the groups.")),
    ]


def table_rows(rows: list[dict], t: Wording, divided: bool) -> tuple[list[str], list[list[str]]]:
    header = [t._("Action"), t._("Gap between groups") if divided else t._("Consensus"), t._("Agreement by stakeholder group")]
    return header, [[r["title"], r["division"] if divided else r["consensus"], r["groups_text"]] for r in rows]


def _heading(entry: dict, report: dict, t: Wording) -> str:
    title = t._("Agreement across stakeholder groups")
    if len(report.get("rounds") or []) > 1:
        title += f" — {t._('Round %(n)s', n=entry['round'])}"
    return title


def _count(entry: dict, t: Wording) -> str:
    return t.ngettext("%(n)s participant answered.", "%(n)s participants answered.", entry["answers"], n=entry["answers"])


# --------------------------------------------------------------------------- Markdown


def markdown_lines(report: dict, t: Wording, h2: str) -> list[str]:
    from .markdown import esc, heading, inline, table

    out: list[str] = []
    for entry in report.get("agreement") or []:
        out += [heading(h2, _heading(entry, report, t)), "", method_note(t), "", _count(entry, t), ""]
        for n, (title, rows, empty) in enumerate(_sections(entry, t)):
            out += [heading(h2 + "#", title), ""]
            if not rows:
                out += [empty, ""]
                continue
            header, cells = table_rows(rows, t, divided=n == 1)
            out += table(header, [[inline(c[0]), c[1], esc(c[2])] for c in cells], ["l", "r", "l"])
            out.append("")
    return out


# --------------------------------------------------------------------------- DOCX


def docx_section(doc: Any, report: dict, t: Wording, level: int) -> None:
    from . import docx_base as word

    for entry in report.get("agreement") or []:
        doc.add_heading(_heading(entry, report, t), level)
        doc.add_paragraph(method_note(t))
        doc.add_paragraph(_count(entry, t))
        for n, (title, rows, empty) in enumerate(_sections(entry, t)):
            doc.add_heading(title, level + 1)
            if not rows:
                doc.add_paragraph(empty)
                continue
            header, cells = table_rows(rows, t, divided=n == 1)
            word.add_table(doc, header, cells, [6.5, 2.5, 7.5], numeric={1})


# --------------------------------------------------------------------------- HTML


def html_sections(entry: dict, report: dict, t: Wording) -> dict[str, Any]:
    """What ``_agreement.html`` lays out for one round: heading, notes, and each list as ``m.table`` rows (or its empty line)."""
    lists = []
    for n, (title, rows, empty) in enumerate(_sections(entry, t)):
        header, cells = table_rows(rows, t, divided=n == 1)
        lists.append(
            {
                "title": title,
                "empty": empty if not rows else "",
                "header": [(header[0], False), (header[1], True), (header[2], False)],
                "rows": [[(c[0], False), (c[1], True), (c[2], False)] for c in cells],
            }
        )
    return {"heading": _heading(entry, report, t), "note": method_note(t), "count": _count(entry, t), "lists": lists}


# --------------------------------------------------------------------------- JSON archive


def archive_agreement(snapshot: dict) -> list[dict[str, Any]]:
    """Each round's agree/disagree round for the ``workshop-export/1`` archive: state and figures (groups merged), never who said what."""
    titles = _titles(snapshot)
    positions = {r["id"]: r["position"] for r in snapshot.get("rounds") or []}
    out = []
    for state in snapshot.get("agreement") or []:
        res = state.get("results") or {}
        out.append(
            {
                "round": positions.get(state["round_id"], 0),
                "open": bool(state.get("open")),
                "revealed": bool(state.get("revealed")),
                "opened_at": state.get("opened_at"),
                "closed_at": state.get("closed_at"),
                "answers": res.get("answers", 0),
                "actions": [
                    {
                        "title": titles.get(a["action_id"], ("", ""))[0],
                        "stances": a["stances"],
                        "agree": a["agree"],
                        "neutral": a["neutral"],
                        "disagree": a["disagree"],
                        "by_group": {
                            g: {k: v[k] for k in ("stances", "agree", "neutral", "disagree", "share")} for g, v in a["by_group"].items()
                        },
                        "consensus": a["consensus"],
                        "division": a["division"],
                        "agreed": a["action_id"] in res.get("agreed", []),
                        "divided": a["action_id"] in res.get("divided", []),
                    }
                    for a in res.get("actions") or []
                ],
            }
        )
    return out
