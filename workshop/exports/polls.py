"""Quick polls in the documents: each closed poll with its results, in every format.

The figures come from the snapshot, counted by :func:`workshop.domain.polls.count`: stakeholder
groups with fewer than five answers are already merged into "autres" there, the one place the rule
is written.  This module only words them (:func:`poll_entries`, called by
:func:`~workshop.exports.common.build_report`) and lays them out: Markdown lines, a DOCX section,
a CSV table, the JSON archive's ``polls``.  A workshop without polls gives documents as before.
"""

from __future__ import annotations

from typing import Any

from ..domain.polls import CLOSED, OTHERS
from .i18n import Wording

KIND_LABELS = {
    "single": "Single choice",
    "multiple": "Multiple choice",
    "scale": "Scale from 1 to 5",
    "agree": "Agree / neutral / disagree",
    "word": "One word",
}
AGREE_LABELS = {"agree": "Agree", "neutral": "Neutral", "disagree": "Disagree"}


def _option_label(kind: str, option: dict, t: Wording) -> str:
    return t._(AGREE_LABELS[option["value"]]) if kind == "agree" and option["value"] in AGREE_LABELS else option["label"]


def _pct(count: int, total: int) -> str:
    return f"{round(100 * count / total) if total else 0}\u00a0%"


def poll_entries(snapshot: dict, t: Wording) -> list[dict[str, Any]]:
    """The closed polls of a snapshot, worded for the documents (in the plan's and the console's order)."""
    polls = [p for p in snapshot.get("polls") or [] if p["state"] == CLOSED and p.get("results")]
    out = []
    for n, p in enumerate(sorted(polls, key=lambda p: (p["position"], p["id"])), start=1):
        res = p["results"]
        total = res["answers"]
        labels = [_option_label(p["kind"], o, t) for o in res["options"]]
        out.append(
            {
                "no": n,
                "question": p["question"],
                "kind": p["kind"],
                "kind_label": t._(KIND_LABELS[p["kind"]]),
                "section": p.get("section") or "",
                "answers": total,
                "mean": res.get("mean"),
                "options": [
                    {"label": labels[i], "count": o["count"], "pct": _pct(o["count"], total)} for i, o in enumerate(res["options"])
                ],
                "groups": [
                    {"group": g, "label": t._("others") if g == OTHERS else g, "answers": v["answers"], "counts": list(v["counts"])}
                    for g, v in res["by_group"].items()
                ],
                "words": [dict(w) for w in res.get("words") or []],
            }
        )
    return out


def chapters(report: dict, t: Wording) -> list[tuple[str, list[dict]]]:
    """The documents' chapters: the quick polls of the day, then the end-of-workshop evaluation (each only if any)."""
    polls = report.get("polls") or []
    out = []
    day = [p for p in polls if p["section"] != "evaluation"]
    evaluation = [p for p in polls if p["section"] == "evaluation"]
    if day:
        out.append((t._("Quick polls"), day))
    if evaluation:
        out.append((t._("Evaluation of the workshop"), evaluation))
    return out


def evaluation_summary(report: dict, t: Wording) -> list[dict[str, Any]]:
    """The closed evaluation questions in brief, for the observatory: one line each, comparable across workshops.

    A scale gives its mean, agree/neutral/disagree and a choice their shares, a word poll its first words.
    """
    out = []
    for p in report.get("polls") or []:
        if p["section"] != "evaluation":
            continue
        if p["kind"] == "scale":
            figure = t._("Average: %(n)s / 5", n=t.number(p["mean"])) if p["mean"] is not None else "—"
        elif p["kind"] == "word":
            figure = ", ".join(f"{w['text']} ({w['count']})" for w in p["words"][:5]) or "—"
        else:
            figure = ", ".join(f"{o['label']} {o['pct']}" for o in p["options"])
        out.append({"question": p["question"], "kind": p["kind"], "answers": p["answers"], "mean": p["mean"], "summary": figure})
    return out


def summary_line(p: dict, t: Wording) -> str:
    """'12 answers · average 3.8 / 5' (no markup)."""
    text = t.ngettext("%(n)s answer", "%(n)s answers", p["answers"], n=p["answers"])
    if p["mean"] is not None:
        text += " · " + t._("Average: %(n)s / 5", n=t.number(p["mean"]))
    return text


def table_rows(p: dict) -> tuple[list[str], list[list[str]]]:
    """Header extras (one column per stakeholder group) and one row per option: label, count, share, per group."""
    groups = [f"{g['label']} ({g['answers']})" for g in p["groups"]] if len(p["groups"]) > 1 else []
    rows = []
    for i, o in enumerate(p["options"]):
        cells = [o["label"], str(o["count"]), o["pct"]]
        if groups:
            cells += [str(g["counts"][i]) for g in p["groups"]]
        rows.append(cells)
    return groups, rows


# --------------------------------------------------------------------------- Markdown


def markdown_lines(report: dict, t: Wording, h2: str) -> list[str]:
    """The "Quick polls" chapter (nothing when no poll was closed)."""
    from .markdown import heading

    out: list[str] = []
    for title, polls in chapters(report, t):
        out += [heading(h2, title), "", t._("Stakeholder groups with fewer than 5 answers are counted together as “others”."), ""]
        out += _markdown_polls(polls, t, h2)
    return out


def _markdown_polls(polls: list[dict], t: Wording, h2: str) -> list[str]:
    from .markdown import esc, heading, inline, table

    out: list[str] = []
    for p in polls:
        out += [heading(h2 + "#", f"{p['no']}. {inline(p['question'])}"), "", f"*{p['kind_label']}* — {summary_line(p, t)}", ""]
        if p["kind"] == "word":
            out += [", ".join(f"{esc(w['text'])} ({w['count']})" for w in p["words"]) or t._("No answers."), ""]
            continue
        groups, rows = table_rows(p)
        header = [t._("Answer"), t._("Answers"), "%", *[esc(g) for g in groups]]
        out += table(header, [[esc(c) if n == 0 else c for n, c in enumerate(r)] for r in rows], ["l", "r", "r"] + ["r"] * len(groups))
        out.append("")
    return out


# --------------------------------------------------------------------------- CSV


def csv_table(report: dict, t: Wording) -> tuple[list[str], list[list]]:
    """One row per poll, option and stakeholder group ("all" first): a long table for a spreadsheet."""
    header = [t._("No."), t._("Question"), t._("Kind of poll"), t._("Answer"), t._("Stakeholder group"), t._("Answers")]
    rows: list[list] = []
    everyone = t._("all")
    for p in report.get("polls") or []:
        if p["kind"] == "word":
            rows += [[p["no"], p["question"], p["kind_label"], w["text"], everyone, w["count"]] for w in p["words"]]
            continue
        for i, o in enumerate(p["options"]):
            rows.append([p["no"], p["question"], p["kind_label"], o["label"], everyone, o["count"]])
            rows += [[p["no"], p["question"], p["kind_label"], o["label"], g["label"], g["counts"][i]] for g in p["groups"]]
    return header, rows


# --------------------------------------------------------------------------- DOCX


def docx_section(doc: Any, report: dict, t: Wording, level: int) -> None:
    """The "Quick polls" chapter of the Word document (nothing when no poll was closed)."""
    for title, polls in chapters(report, t):
        doc.add_heading(title, level)
        doc.add_paragraph(t._("Stakeholder groups with fewer than 5 answers are counted together as “others”."))
        _docx_polls(doc, polls, t, level)


def _docx_polls(doc: Any, polls: list[dict], t: Wording, level: int) -> None:
    for p in polls:
        doc.add_heading(f"{p['no']}. {p['question']}", level + 1)
        doc.add_paragraph(f"{p['kind_label']} — {summary_line(p, t)}")
        if p["kind"] == "word":
            doc.add_paragraph(", ".join(f"{w['text']} ({w['count']})" for w in p["words"]) or t._("No answers."))
            continue
        from . import docx_base as word

        groups, rows = table_rows(p)
        header = [t._("Answer"), t._("Answers"), "%", *groups]
        narrow = min(2.0, 10.5 / (2 + len(groups)))
        widths = [16.5 - narrow * (2 + len(groups))] + [narrow] * (2 + len(groups))
        word.add_table(doc, header, rows, widths, numeric=set(range(1, len(header))))


# --------------------------------------------------------------------------- JSON archive


def archive_polls(snapshot: dict) -> list[dict[str, Any]]:
    """Every poll of the snapshot for the ``workshop-export/1`` archive: its spec, its state, its results (groups merged)."""
    out = []
    for p in sorted(snapshot.get("polls") or [], key=lambda p: (p["position"], p["id"])):
        res = p.get("results") or {}
        results = {
            "answers": res.get("answers", 0),
            "options": [{"value": o["value"], "label": o["label"], "count": o["count"]} for o in res.get("options", [])],
            "by_group": {g: {"answers": v["answers"], "counts": list(v["counts"])} for g, v in (res.get("by_group") or {}).items()},
        }
        if p["kind"] == "word":
            results["words"] = [{"text": w["text"], "count": w["count"]} for w in res.get("words") or []]
        if p["kind"] == "scale":
            results["mean"] = res.get("mean")
        out.append(
            {
                "position": p["position"],
                "kind": p["kind"],
                "question": p["question"],
                "options": [{"value": o["value"], "label": o["label"]} for o in p["options"]],
                "max_choices": p.get("max_choices"),
                "state": p["state"],
                "revealed": bool(p.get("revealed")),
                "section": p.get("section") or "",
                "opened_at": p.get("opened_at"),
                "closed_at": p.get("closed_at"),
                "results": results,
            }
        )
    return out


# --------------------------------------------------------------------------- HTML


def html_table(p: dict, t: Wording) -> tuple[list[tuple[str, bool]], list[list[tuple[str, bool]]]]:
    """A poll's table for the HTML template's ``m.table``: ``[(label, numeric)]`` and rows of ``(text, numeric)``."""
    groups, rows = table_rows(p)
    header = [(t._("Answer"), False), (t._("Answers"), True), ("%", True), *[(g, True) for g in groups]]
    return header, [[(cell, n > 0) for n, cell in enumerate(row)] for row in rows]


def evaluation_text(row: dict, t: Wording) -> str:
    """An observatory row's evaluation, one line per question (the CSV cell)."""
    return "\n".join(f"{e['question']}{t.colon} {e['summary']} ({summary_count(e, t)})" for e in row.get("evaluation") or [])


def summary_count(e: dict, t: Wording) -> str:
    return t.ngettext("%(n)s answer", "%(n)s answers", e["answers"], n=e["answers"])
