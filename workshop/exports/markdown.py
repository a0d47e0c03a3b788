"""The summary (compte-rendu) as Markdown: readable as plain text, pastes into any wiki or pad.

Same content and order as the HTML and Word documents: header, context,
participation by stakeholder group, then per round the question, ideas by
theme (kept themes first), objectives and criteria, vote results and the
action sheets with their lineage, and an annex with every visible idea.
"""

from __future__ import annotations

import re

from .common import LABELS, build_report, by_group_text, colon, equal_weight_text, format_score, group_dots, idea_suffix, quote, sheet_rows

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~])")
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.MULTILINE)


def esc(text: str) -> str:
    """User text made inert: no emphasis, link, HTML or table cell is opened by what people typed."""
    text = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def inline(text: str) -> str:
    """A user text on one line (tables, list items): line breaks become ' / '."""
    return " / ".join(part for part in esc(text).split("\n") if part.strip())


def _table(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> list[str]:
    align = align or ["l"] * len(header)
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _idea_line(idea: dict, lang: str) -> str:
    return f"- {inline(idea['text'])} *({esc(idea_suffix(idea, lang))})* — {LABELS[lang]['no_short']}\u00a0{idea['no']}"


def _vote_table(items: list[dict], groups: list[dict], report: dict, lang: str) -> list[str]:
    L = report["labels"]
    header = [L["rank"], L["item"], L["dots"], L["voters"]] + [esc(g["label"]) for g in groups]
    align = ["r", "l", "r", "r"] + ["r"] * len(groups)
    if report["equal_weight"]:
        header += [L["equal_weight"], L["equal_weight_rank"]]
        align += ["r", "r"]
    rows = []
    for item in sorted(items, key=lambda e: e["rank"]):
        row = [str(item["rank"]), inline(item["title"]), str(item["dots"]), str(item["voters"])]
        row += [str(group_dots(item, g["group"])) for g in groups]
        if report["equal_weight"]:
            row += [format_score(item["equal_weight"], lang), str(item["equal_weight_rank"])]
        rows.append(row)
    return _table(header, rows, align)


def render(snapshot: dict, lang: str = "fr") -> bytes:
    report = build_report(snapshot, lang)
    L = report["labels"]
    out: list[str] = []
    add = out.append

    add(f"# {inline(report['title'])}")
    add("")
    add(f"*{L['doc_kind']}*")
    add("")
    c = colon(lang)
    facts = []
    if report["territory"]:
        facts.append(f"**{L['territory']}{c}** {inline(report['territory'])}")
    if report["date_label"]:
        facts.append(f"**{L['date']}{c}** {report['date_label']}")
    if report["tags"]:
        facts.append(f"**{L['keywords']}{c}** {', '.join(inline(t) for t in report['tags'])}")
    if facts:
        add("  \n".join(facts))
        add("")

    add(f"## {L['context']}")
    add("")
    if report["description"]:
        for para in report["description"].split("\n\n"):
            add("  \n".join(esc(line) for line in para.split("\n")))
            add("")
    add(L["method"])
    add("")
    if report["dot_budget"]:
        add(L["vote_rule"].format(budget=report["dot_budget"], cap=report["dot_cap"]))
        add("")
    if report["equal_weight"]:
        add(L["equal_weight_note"])
        add("")
    add(f"*{L['privacy_note']}*")
    add("")

    add(f"## {L['participation']}")
    add("")
    p = report["participation"]
    add(L["participation_intro"].format(participants=p["total"]["participants"], contributions=p["total"]["contributions"], dots=p["total"]["dots"]))
    add("")
    rows = [[esc(r["label"]), str(r["participants"]), str(r["contributions"]), str(r["dots"])] for r in p["rows"]]
    rows.append([f"**{L['total']}**", f"**{p['total']['participants']}**", f"**{p['total']['contributions']}**", f"**{p['total']['dots']}**"])
    out += _table([L["group"], L["participants"], L["contributions"], L["dots_cast"]], rows, ["l", "r", "r", "r"])
    add("")

    for r in report["rounds"]:
        add(f"## {r['title']} — {inline(r['question'])}")
        add("")
        add(f"**{L['state']}{c}** {r['phase_label']}. " + L["round_stats"].format(**r["stats"]))
        add("")

        add(f"### {L['ideas_by_theme']}")
        add("")
        if not r["themes"] and not r["unsorted"]:
            add(L["no_ideas"])
            add("")
        for t in r["themes"]:
            status = L["kept"] if t["kept"] else L["not_kept"]
            add(f"#### {inline(t['title'])} ({status})")
            add("")
            if t["ideas"]:
                out += [_idea_line(i, lang) for i in t["ideas"]]
            else:
                add(L["no_ideas"])
            add("")
        if r["unsorted"]:
            add(f"#### {L['unsorted']}")
            add("")
            out += [_idea_line(i, lang) for i in r["unsorted"]]
            add("")

        kept = [t for t in r["themes"] if t["kept"]] or [t for t in r["themes"] if t["objective"] or t["criteria"]]
        add(f"### {L['objectives']}")
        add("")
        if not kept:
            add(L["no_themes"])
            add("")
        for t in kept:
            add(f"#### {inline(t['title'])}")
            add("")
            add(f"**{L['objective']}{c}** {inline(t['objective']) or L['to_be_defined']}")
            add("")
            add(f"**{L['criteria']}{c}**")
            add("")
            out += [f"- {inline(c)}" for c in t["criteria"]] or [f"- {L['to_be_defined']}"]
            add("")

        if r["theme_votes"]:
            add(f"### {L['theme_votes']}")
            add("")
            out += _vote_table(r["themes"], r["vote_groups"]["theme"], report, lang)
            add("")

        add(f"### {L['actions']}")
        add("")
        if not r["actions"]:
            add(L["no_actions"])
            add("")
        if r["action_votes"]:
            add(f"**{L['action_votes']}**")
            add("")
            out += _vote_table(r["actions"], r["vote_groups"]["action"], report, lang)
            add("")
        for a in r["actions"]:
            add(f"#### {a['rank']}. {inline(a['title'])}")
            add("")
            if a["description"]:
                add(inline(a["description"]))
                add("")
            out += _table([L["action"], inline(a["title"])], [[label, inline(value)] for label, value in sheet_rows(a, lang)])
            add("")
            vote = f"{L['dots_line'].format(dots=a['dots'], voters=a['voters'])}"
            if a["by_group"]:
                vote += f" ({esc(by_group_text(a['by_group'], lang))})"
            if a["equal_weight"] is not None:
                vote += f" — {equal_weight_text(a, lang)}"
            add(f"**{L['vote']}{c}** {vote}.  ")
            lineage = f"**{L['lineage']}{c}** {L['serves_theme'].lower()} {quote(inline(a['theme']), lang)}"
            if a["objective"]:
                lineage += f" — {L['objective'].lower()}{c} {inline(a['objective'])}"
            add(lineage + ("." if not a["ideas"] else ".  "))
            if a["ideas"]:
                add(f"**{L['from_ideas']}{c}**")
                add("")
                out += [f"- {L['no_short']}\u00a0{i['no']}{c} {inline(i['text'])} *({esc(i['group_label'])})*" for i in a["ideas"]]
            add("")

    add(f"## {L['annex']}")
    add("")
    add(L["annex_intro"])
    add("")
    rows = []
    for i in report["annex"]:
        theme = inline(i["theme"]) if i["theme"] else "—"
        extra = []
        if i["count"] > 1:
            extra.append(L["times"].format(n=i["count"]))
        if i["on_behalf"]:
            extra.append(L["on_behalf"])
        text = inline(i["text"]) + (f" *({', '.join(extra)})*" if extra else "")
        rows.append([str(i["no"]), str(i["round"]), text, esc(i["group_label"]), theme])
    out += _table([L["number"], L["csv.round"], L["idea"], L["group"], L["theme"]], rows, ["r", "r", "l", "l", "l"])
    add("")
    add("---")
    add("")
    add(f"*{L['generated_by']}*")
    return ("\n".join(out).rstrip("\n") + "\n").encode("utf-8")
