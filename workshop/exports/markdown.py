"""The summary (compte-rendu) as Markdown: readable as plain text, pastes into any wiki or pad.

Same content and order as the HTML and Word documents: header, context,
participation by stakeholder group, then per round the question, ideas by
theme (kept themes first), objectives and criteria, vote results and the
action sheets with their lineage, and an annex with every visible idea.

:func:`workshop_lines` writes one workshop's sections at any heading depth;
the workshop's own document (:func:`render`) and the event's combined one
(:mod:`.event`) both use it.
"""

from __future__ import annotations

import re

from . import agreement, polls
from .common import build_report, group_dots, kept_or_defined
from .i18n import Wording, wording

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~])")
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.MULTILINE)


def esc(text: str) -> str:
    """User text made inert: no emphasis, link, HTML or table cell is opened by what people typed."""
    text = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def inline(text: str) -> str:
    """A user text on one line (tables, list items): line breaks become ' / '."""
    return " / ".join(part for part in esc(text).split("\n") if part.strip())


def label(text: str, t: Wording) -> str:
    """'**Porteur :**' — a bold label and its colon."""
    return "**" + text + t.colon + "**"


def heading(marks: str, text: str) -> str:
    return marks + " " + text


def table(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> list[str]:
    align = align or ["l"] * len(header)
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def facts(report: dict, t: Wording, *, tags: bool = True) -> list[str]:
    """'**Territoire :** Occitanie' and the date (and keywords), as one block, or nothing."""
    lines = []
    if report["territory"]:
        lines.append(label(t._("Territory"), t) + " " + inline(report["territory"]))
    if report.get("place"):
        lines.append(label(t._("Place"), t) + " " + inline(report["place"]))
    if report["date_label"]:
        lines.append(label(t._("Date"), t) + " " + report["date_label"])
    if report.get("facilitator"):
        lines.append(label(t._("Facilitation"), t) + " " + inline(report["facilitator"]))
    if tags and report.get("tags"):
        lines.append(label(t._("Keywords"), t) + " " + ", ".join(inline(x) for x in report["tags"]))
    return ["  \n".join(lines), ""] if lines else []


def _idea_line(idea: dict, t: Wording) -> str:
    suffix = ", ".join([idea["group_label"], *t.idea_extras(idea)])
    return f"- {inline(idea['text'])} *({esc(suffix)})* — {t.idea_number(idea['no'])}"


def _vote_table(items: list[dict], groups: list[dict], report: dict, t: Wording) -> list[str]:
    header = [t._("Rank"), t._("Proposal"), t._("Dots"), t._("Voters")] + [esc(g["label"]) for g in groups]
    align = ["r", "l", "r", "r"] + ["r"] * len(groups)
    if report["equal_weight"]:
        header += [t._("Equal weight"), t._("Equal-weight rank")]
        align += ["r", "r"]
    rows = []
    for item in sorted(items, key=lambda e: e["rank"]):
        row = [item["rank_label"], inline(item["title"]), str(item["dots"]), str(item["voters"])]
        row += [str(group_dots(item, g["group"])) for g in groups]
        if report["equal_weight"]:
            row += [t.score(item["equal_weight"]), str(item["equal_weight_rank"])]
        rows.append(row)
    return table(header, rows, align)


def _action(a: dict, t: Wording, h: str) -> list[str]:
    c = t.colon
    out = [f"{h} {a['rank_label']}. {inline(a['title'])}", ""]
    if a["description"]:
        out += [inline(a["description"]), ""]
    out += table([t._("Action"), inline(a["title"])], [[label, inline(value)] for label, value in t.sheet_rows(a)])
    out.append("")
    vote = t.dots_line(a)
    if a["by_group"]:
        vote += f" ({esc(t.by_group_text(a['by_group']))})"
    if a["equal_weight"] is not None:
        vote += f" — {t.equal_weight_text(a)}"
    out.append(label(t._("Vote"), t) + f" {vote}.  ")
    lineage = label(t._("Origin"), t) + " " + t._("theme") + " " + t.quote(inline(a["theme"]))
    if a["objective"]:
        lineage += " — " + t._("objective") + f"{c} {inline(a['objective'])}"
    out.append(lineage + ("." if not a["ideas"] else ".  "))
    if a["ideas"]:
        out += [label(t._("Source ideas"), t), ""]
        out += [f"- {t.idea_number(i['no'])}{c} {inline(i['text'])} *({esc(i['group_label'])})*" for i in a["ideas"]]
    out.append("")
    return out


def _round(r: dict, report: dict, t: Wording, h2: str) -> list[str]:
    h3, h4 = h2 + "#", h2 + "##"
    out = [
        f"{h2} {r['title']} — {inline(r['question'])}",
        "",
        label(t._("State"), t) + f" {r['phase_label']}. " + t.round_stats(r["stats"]),
        "",
    ]
    out += [heading(h3, t._("Ideas by theme")), ""]
    if not r["themes"] and not r["unsorted"]:
        out += [t._("No ideas."), ""]
    for theme in r["themes"]:
        status = t._("kept") if theme["kept"] else t._("not kept")
        out += [f"{h4} {inline(theme['title'])} ({status})", ""]
        out += [_idea_line(i, t) for i in theme["ideas"]] or [t._("No ideas.")]
        out.append("")
    if r["unsorted"]:
        out += [heading(h4, t._("Unsorted ideas")), ""] + [_idea_line(i, t) for i in r["unsorted"]] + [""]

    out += [heading(h3, t._("Objectives and success criteria")), ""]
    kept = kept_or_defined(r["themes"])
    if not kept:
        out += [t._("No themes."), ""]
    for theme in kept:
        out += [f"{h4} {inline(theme['title'])}", ""]
        out += [label(t._("Objective"), t) + " " + (inline(theme["objective"]) or t.missing()), ""]
        out += [label(t._("Success criteria"), t), ""]
        out += [f"- {inline(x)}" for x in theme["criteria"]] or [f"- {t.missing()}"]
        out.append("")

    if r["theme_votes"]:
        out += [heading(h3, t._("Choice of themes: vote results")), ""]
        out += _vote_table(r["themes"], r["vote_groups"]["theme"], report, t) + [""]

    out += [heading(h3, t._("Priority actions")), ""]
    if not r["actions"]:
        out += [t._("No actions proposed."), ""]
    if r["action_votes"]:
        out += ["**" + t._("Prioritisation of actions: vote results") + "**", ""]
        out += _vote_table(r["actions"], r["vote_groups"]["action"], report, t) + [""]
    for a in r["actions"]:
        out += _action(a, t, h4)
    return out


def essentials_lines(report: dict, t: Wording, h2: str) -> list[str]:
    """The summary at the front: questions, participation, kept themes, first actions and their owners."""
    e, c = report["essentials"], t.colon
    out = [heading(h2, t._("Summary")), ""]
    if e["questions"]:
        out += ["  \n".join(f"**{q['title']}{c}** {inline(q['question'])}" for q in e["questions"]), ""]
    out += [label(t._("Participation"), t) + " " + t.participation_intro(e["participation"]["total"]), ""]
    groups = t.list_sep.join(f"{esc(r['label'])} {r['participants']}" for r in e["participation"]["rows"] if r["participants"])
    if groups:
        out += [label(t._("By group"), t) + " " + groups, ""]
    out += [heading(h2 + "#", t.kept_themes_label(len(e["themes"]))), ""]
    out += [f"- **{inline(x['title'])}**" + (f" — {inline(x['objective'])}" if x["objective"] else "") for x in e["themes"]] or [
        t._("No themes.")
    ]
    out += ["", heading(h2 + "#", t._("Priority actions")), ""]
    if e["actions"]:
        several = len(e["questions"]) > 1
        rows = [
            ([str(a["round"])] if several else [])
            + [a["rank_label"], inline(a["title"]), inline(a["owner"] or t.missing()), inline(a["deadline"] or t.missing())]
            for a in e["actions"]
        ]
        header = ([t._("Round")] if several else []) + [t._("Rank"), t._("Action"), t._("Owner"), t._("Deadline")]
        out += table(header, rows, (["r"] if several else []) + ["r", "l", "l", "l"])
    else:
        out.append(t._("No actions proposed."))
    return [*out, ""]


def workshop_lines(report: dict, t: Wording, depth: int = 1) -> list[str]:
    """One workshop's sections, after its title: chapters at heading level ``depth + 1``.

    Ends with the annex and a blank line; the colophon is the document's.
    """
    h2 = "#" * (depth + 1)
    out = ["*" + t._("Participatory workshop summary") + "*", ""] + facts(report, t)

    out += essentials_lines(report, t, h2)
    out += [heading(h2, t._("Context and method")), ""]
    if report["description"]:
        for para in report["description"].split("\n\n"):
            out += ["  \n".join(esc(line) for line in para.split("\n")), ""]
    out += [t.method(), ""]
    if report["dot_budget"]:
        out += [t.vote_rule(report["dot_budget"], report["dot_cap"]), ""]
    if report["equal_weight"]:
        out += [t.equal_weight_note(), ""]
    out += [f"*{t.privacy_note()}*", ""]

    p = report["participation"]
    out += [heading(h2, t._("Participation")), "", t.participation_intro(p["total"]), ""]
    rows = [[esc(r["label"]), str(r["participants"]), str(r["contributions"]), str(r["dots"])] for r in p["rows"]]
    total = p["total"]
    rows.append(["**" + t._("Total") + "**", f"**{total['participants']}**", f"**{total['contributions']}**", f"**{total['dots']}**"])
    out += table([t._("Stakeholder group"), t._("Participants"), t._("Contributions"), t._("Dots cast")], rows, ["l", "r", "r", "r"])
    out.append("")

    for r in report["rounds"]:
        out += _round(r, report, t, h2)

    out += agreement.markdown_lines(report, t, h2)
    out += polls.markdown_lines(report, t, h2)
    out += [heading(h2, t._("Appendix: every idea")), "", t.annex_intro(), ""]
    rows = []
    for i in report["annex"]:
        extras = t.idea_extras(i)
        text = inline(i["text"]) + (f" *({', '.join(extras)})*" if extras else "")
        rows.append([str(i["no"]), str(i["round"]), text, esc(i["group_label"]), inline(i["theme"]) if i["theme"] else "—"])
    out += table([t._("No."), t._("Round"), t._("Idea"), t._("Stakeholder group"), t._("Theme")], rows, ["r", "r", "l", "l", "l"])
    out.append("")
    return out


def colophon(t: Wording, event: bool = False) -> list[str]:
    return ["---", "", f"*{t.generated_by(event)}*"]


def finish(lines: list[str]) -> bytes:
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")


def render(snapshot: dict, lang: str = "fr") -> bytes:
    report = build_report(snapshot, lang)
    t = wording(lang)
    return finish([f"# {inline(report['title'])}", ""] + workshop_lines(report, t) + colophon(t))
