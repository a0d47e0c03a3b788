"""The summary (compte-rendu) as one self-contained, print-ready HTML file.

This is a document, not the app: no script, no external resource (fonts,
images, styles are all inline), so it can be e-mailed, archived, opened
offline, or printed to PDF ("Imprimer → Enregistrer au format PDF") to be
sent to the town hall.  The embedded print stylesheet lays it out on A4 with a
cover page, running headers (title, territory, date), page numbers
("Page 3 sur 9"), each round and the annex starting on a new page, and action
sheets never split across pages.
"""

from __future__ import annotations

from html import escape

from .common import (
    build_report,
    by_group_text,
    colon,
    equal_weight_text,
    format_score,
    group_dots,
    quote,
    sheet_rows,
)


def e(text: object) -> str:
    return escape(str(text), quote=True)


def multiline(text: str) -> str:
    """User text with its line breaks kept (escaped first, so nothing typed becomes markup)."""
    return "<br>".join(e(line) for line in text.split("\n"))


def css_string(text: str) -> str:
    """A CSS string literal (for running headers) that cannot close the string or the <style>."""
    out = []
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 0x20:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


STYLE = """
:root { --ink: #1b1f24; --muted: #5b6470; --rule: #c9d1da; --accent: #1f4e79; --accent-soft: #e8f0f8;
        --kept: #1d6b4f; --kept-soft: #e6f4ee; --paper: #ffffff; }
* { box-sizing: border-box; }
html { font-family: "Marianne", "Source Sans 3", "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
       font-size: 11pt; line-height: 1.45; color: var(--ink); background: #eef1f4; }
body { margin: 0 auto; max-width: 210mm; background: var(--paper); padding: 18mm 18mm 12mm; }
h1, h2, h3, h4 { line-height: 1.2; color: var(--accent); margin: 1.2em 0 .4em; }
h1 { font-size: 26pt; margin: 0 0 .3em; color: var(--ink); }
h2 { font-size: 17pt; border-bottom: 2px solid var(--accent); padding-bottom: .2em; }
h3 { font-size: 13pt; margin-top: 1.4em; }
h4 { font-size: 11.5pt; color: var(--ink); margin: 1em 0 .3em; }
p { margin: .4em 0; }
ul { margin: .3em 0 .6em; padding-left: 1.3em; }
li { margin: .15em 0; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 9pt; font-weight: 700; color: var(--accent); margin: 0; }
.muted, .meta { color: var(--muted); }
.meta { font-size: 9pt; white-space: nowrap; }
.note { font-size: 9.5pt; color: var(--muted); }

/* cover */
.cover { min-height: 235mm; display: flex; flex-direction: column; }
.cover .band { border-top: 6px solid var(--accent); padding-top: 14mm; }
.cover .facts { font-size: 13pt; color: var(--muted); margin: .2em 0 1.5em; }
.cover .description { font-size: 11.5pt; max-width: 150mm; }
.glance { display: flex; gap: 4mm; margin: 10mm 0 8mm; }
.glance div { flex: 1; border: 1px solid var(--rule); border-top: 4px solid var(--accent); padding: 3mm 4mm; background: var(--accent-soft); }
.glance strong { display: block; font-size: 22pt; color: var(--accent); line-height: 1.1; }
.glance span { font-size: 9pt; color: var(--muted); }
.toc { margin-top: auto; border-top: 1px solid var(--rule); padding-top: 4mm; }
.toc ol { list-style: none; padding: 0; margin: .3em 0; }
.toc li { margin: .25em 0; }
.toc a { color: var(--ink); text-decoration: none; }
.toc .n { display: inline-block; min-width: 5.5em; color: var(--accent); font-weight: 700; }

/* tables */
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; font-size: 9.5pt; }
th, td { border: 1px solid var(--rule); padding: 1.6mm 2.2mm; text-align: left; vertical-align: top; }
thead th { background: var(--accent); color: #fff; font-weight: 700; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #f6f8fa; }
tfoot td { font-weight: 700; background: var(--accent-soft); }
table.votes { font-size: 9pt; }
table.votes th { white-space: normal; vertical-align: bottom; }
table.votes th.item { width: 40%; }
table.votes th.groups { text-align: center; border-bottom-color: rgba(255,255,255,.5); }
table.votes th.group { padding: 1.5mm .8mm; text-align: center; }
table.votes th.group span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-weight: 600; }
table.votes td.zero { color: #a0a8b0; }
table.votes td.moved { font-weight: 700; color: var(--accent); }
.table-title { font-weight: 700; margin-top: 3mm; }

/* rounds */
.round-head .question { font-size: 15pt; font-weight: 700; color: var(--ink); border-left: 5px solid var(--accent);
                        padding: 2mm 0 2mm 5mm; margin: 2mm 0 3mm; background: var(--accent-soft); }
.theme { border: 1px solid var(--rule); border-left: 5px solid var(--rule); padding: 1mm 4mm 2mm; margin: 3mm 0; }
.theme.kept { border-left-color: var(--kept); }
.theme h4 { margin-top: 2mm; }
.badge { display: inline-block; font-size: 8pt; font-weight: 700; text-transform: uppercase; letter-spacing: .05em;
         padding: .2mm 2mm; border-radius: 2mm; vertical-align: middle; margin-left: 2mm; background: #eceff2; color: var(--muted); }
.kept .badge { background: var(--kept-soft); color: var(--kept); }
.votes { font-size: 9.5pt; color: var(--muted); margin: 0 0 1mm; }
.objective { margin: 2mm 0 4mm; padding-left: 4mm; border-left: 3px solid var(--kept); }
.action { border: 1px solid var(--rule); margin: 4mm 0 5mm; padding: 0 4mm 2mm; }
.action h4 { display: flex; gap: 3mm; align-items: baseline; border-bottom: 1px solid var(--rule); padding-bottom: 1.5mm; }
.rank { flex: none; display: inline-block; min-width: 7mm; text-align: center; background: var(--accent); color: #fff;
        border-radius: 1mm; padding: .3mm 1.5mm; }
table.sheet th { width: 28%; background: var(--accent-soft); color: var(--accent); }
table.sheet td.missing { color: var(--muted); font-style: italic; }
.lineage { font-size: 9.5pt; background: #f6f8fa; padding: 1.5mm 3mm; margin-top: 2mm; }
.lineage ul { margin: .2em 0; }
footer.colophon { margin-top: 10mm; border-top: 1px solid var(--rule); padding-top: 2mm; }

@media print {
  html { background: none; font-size: 10pt; }
  body { max-width: none; padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .cover { min-height: 247mm; }
  .chapter { break-before: page; }
  h2, h3, h4 { break-after: avoid; }
  .action, .theme, .objective, tr, .glance, table.votes, table.sheet { break-inside: avoid; }
  .table-title { break-after: avoid; }
  .toc a { color: inherit; }
}
"""


def _page_style(report: dict) -> str:
    L = report["labels"]
    left = css_string(report["title"])
    right = css_string(" · ".join(x for x in (L["summary_short"].capitalize(), report["territory"], report["date_label"]) if x))
    page = css_string(f"{L['page']} ")
    of = css_string(f" {L['of']} ")
    return f"""
@page {{ size: A4; margin: 20mm 17mm 18mm 17mm;
  @top-left {{ content: {left}; font-size: 8pt; color: #5b6470; }}
  @top-right {{ content: {right}; font-size: 8pt; color: #5b6470; }}
  @bottom-right {{ content: {page} counter(page) {of} counter(pages); font-size: 8pt; color: #5b6470; }}
}}
@page :first {{ @top-left {{ content: none; }} @top-right {{ content: none; }} @bottom-right {{ content: none; }} }}
"""


def _table(header: list[tuple[str, bool]], rows: list[list[tuple[str, bool]]], foot: list[tuple[str, bool]] | None = None, cls: str = "") -> str:
    """Cells are (html, numeric) pairs."""
    def cell(tag: str, html: str, num: bool) -> str:
        attrs = (' class="num"' if num else "") + (' scope="col"' if tag == "th" else "")
        return f"<{tag}{attrs}>{html}</{tag}>"

    table_attrs = f' class="{cls}"' if cls else ""
    out = [f"<table{table_attrs}>", "<thead><tr>" + "".join(cell("th", h, n) for h, n in header) + "</tr></thead>", "<tbody>"]
    out += ["<tr>" + "".join(cell("td", h, n) for h, n in row) + "</tr>" for row in rows]
    out.append("</tbody>")
    if foot:
        out.append("<tfoot><tr>" + "".join(cell("td", h, n) for h, n in foot) + "</tr></tfoot>")
    out.append("</table>")
    return "\n".join(out)


def _idea_li(idea: dict, lang: str, L: dict) -> str:
    bits = [e(idea["group_label"])]
    if idea["count"] > 1:
        bits.append(e(L["times"].format(n=idea["count"])))
    if idea["on_behalf"]:
        bits.append(e(L["on_behalf"]))
    bits.append(f"{e(L['no_short'])}&nbsp;{idea['no']}")
    return f'<li>{multiline(idea["text"])} <span class="meta">— {" · ".join(bits)}</span></li>'


def _vote_table(items: list[dict], groups: list[dict], report: dict, lang: str) -> str:
    """Rank, dots and voters, then one narrow column per stakeholder group (names set vertically
    under a common 'par collège' header, so six groups still fit A4), then the equal-weight score and rank."""
    L = report["labels"]
    ew = report["equal_weight"]
    two = ' rowspan="2"' if groups else ""
    head = [
        f'<th scope="col" class="num"{two}>{e(L["rank"])}</th>',
        f'<th scope="col" class="item"{two}>{e(L["item"])}</th>',
        f'<th scope="col" class="num"{two}>{e(L["dots"])}</th>',
        f'<th scope="col" class="num"{two}>{e(L["voters"])}</th>',
    ]
    if groups:
        head.append(f'<th scope="colgroup" colspan="{len(groups)}" class="groups">{e(L["by_group"])}</th>')
    if ew:
        head += [f'<th scope="col" class="num"{two}>{e(L["equal_weight"])}</th>', f'<th scope="col" class="num"{two}>{e(L["equal_weight_rank"])}</th>']
    out = ['<table class="votes">', "<thead><tr>" + "".join(head) + "</tr>"]
    if groups:
        out.append("<tr>" + "".join(f'<th scope="col" class="group"><span>{e(g["label"])}</span></th>' for g in groups) + "</tr>")
    out.append("</thead><tbody>")
    for item in sorted(items, key=lambda x: x["rank"]):
        cells = [f'<td class="num">{item["rank"]}</td>', f"<td>{multiline(item['title'])}</td>",
                 f'<td class="num">{item["dots"]}</td>', f'<td class="num">{item["voters"]}</td>']
        for g in groups:
            dots = group_dots(item, g["group"])
            cells.append(f'<td class="num{" zero" if not dots else ""}">{dots}</td>')
        if ew:
            moved = " moved" if item["equal_weight_rank"] != item["rank"] else ""
            cells += [f'<td class="num">{e(format_score(item["equal_weight"], lang))}</td>', f'<td class="num{moved}">{item["equal_weight_rank"]}</td>']
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    if ew:
        out.append(f'<p class="note">{e(L["equal_weight"])}{e(colon(lang))} {e(L["equal_weight_long"])}.</p>')
    return "\n".join(out)


def _vote_line(item: dict, lang: str, L: dict) -> str:
    text = L["dots_line"].format(dots=item["dots"], voters=item["voters"])
    if item["by_group"]:
        text += f" ({by_group_text(item['by_group'], lang)})"
    if item["equal_weight"] is not None:
        text += f" — {equal_weight_text(item, lang)}"
    return e(text)


def render(snapshot: dict, lang: str = "fr") -> bytes:
    report = build_report(snapshot, lang)
    L = report["labels"]
    c = e(colon(lang))
    out: list[str] = []
    add = out.append

    add("<!DOCTYPE html>")
    add(f'<html lang="{e(lang)}">')
    add("<head>")
    add('<meta charset="utf-8">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add('<meta name="generator" content="workshop">')
    add(f"<title>{e(L['summary_short'].capitalize())} — {e(report['title'])}</title>")
    add(f"<style>{STYLE}{_page_style(report)}</style>")
    add("</head>")
    add("<body>")

    # ---- cover
    facts = " · ".join(e(x) for x in (report["territory"], report["date_label"]) if x)
    totals = report["totals"]
    add('<header class="cover"><div class="band">')
    add(f'<p class="kicker">{e(L["doc_kind"])}</p>')
    add(f"<h1>{e(report['title'])}</h1>")
    if facts:
        add(f'<p class="facts">{facts}</p>')
    if report["description"]:
        add('<div class="description">' + "".join(f"<p>{multiline(p)}</p>" for p in report["description"].split("\n\n")) + "</div>")
    add(f'<div class="glance" role="list" aria-label="{e(L["at_a_glance"])}">')
    for value, label in (
        (totals["participants"], L["participants"]),
        (totals["contributions"], L["contributions"]),
        (totals["kept_themes"], f"{L['theme']}s {L['kept']}s" if lang == "fr" else f"{L['theme']}s {L['kept']}"),
        (totals["actions"], L["actions"]),
    ):
        add(f'<div role="listitem"><strong>{value}</strong><span>{e(label)}</span></div>')
    add("</div></div>")
    add(f'<nav class="toc" aria-label="{e(L["contents"])}"><p class="kicker">{e(L["contents"])}</p><ol>')
    add(f'<li><a href="#contexte"><span class="n">—</span>{e(L["context"])}</a></li>')
    for r in report["rounds"]:
        add(f'<li><a href="#tour-{r["position"]}"><span class="n">{e(r["title"])}</span>{e(r["question"])}</a></li>')
    add(f'<li><a href="#annexe"><span class="n">—</span>{e(L["annex"])}</a></li>')
    add("</ol></nav></header>")

    add("<main>")
    # ---- context and participation
    add('<section class="chapter" id="contexte">')
    add(f"<h2>{e(L['context'])}</h2>")
    add(f"<p>{e(L['method'])}</p>")
    if report["dot_budget"]:
        add(f"<p>{e(L['vote_rule'].format(budget=report['dot_budget'], cap=report['dot_cap']))}</p>")
    if report["equal_weight"]:
        add(f"<p>{e(L['equal_weight_note'])}</p>")
    if report["tags"]:
        add(f"<p><strong>{e(L['keywords'])}{c}</strong> {e(', '.join(report['tags']))}</p>")
    add(f'<p class="note">{e(L["privacy_note"])}</p>')
    p = report["participation"]
    add(f"<h2>{e(L['participation'])}</h2>")
    add(f"<p>{e(L['participation_intro'].format(participants=p['total']['participants'], contributions=p['total']['contributions'], dots=p['total']['dots']))}</p>")
    add(
        _table(
            [(e(L["group"]), False), (e(L["participants"]), True), (e(L["contributions"]), True), (e(L["dots_cast"]), True)],
            [[(e(r["label"]), False), (str(r["participants"]), True), (str(r["contributions"]), True), (str(r["dots"]), True)] for r in p["rows"]],
            [(e(L["total"]), False), (str(p["total"]["participants"]), True), (str(p["total"]["contributions"]), True), (str(p["total"]["dots"]), True)],
        )
    )
    add("</section>")

    # ---- rounds
    for r in report["rounds"]:
        add(f'<section class="chapter round" id="tour-{r["position"]}">')
        add('<div class="round-head">')
        add(f'<p class="kicker">{e(r["title"])} · {e(r["phase_label"])}</p>')
        add(f'<h2>{e(L["question"])}</h2>')
        add(f'<p class="question">{multiline(r["question"])}</p>')
        add(f'<p class="muted">{e(L["round_stats"].format(**r["stats"]))}</p>')
        add("</div>")

        add(f"<h3>{e(L['ideas_by_theme'])}</h3>")
        if not r["themes"] and not r["unsorted"]:
            add(f"<p>{e(L['no_ideas'])}</p>")
        for t in r["themes"]:
            status = L["kept"] if t["kept"] else L["not_kept"]
            add(f'<div class="theme{" kept" if t["kept"] else ""}">')
            add(f'<h4>{e(t["title"])} <span class="badge">{e(status)}</span></h4>')
            if r["theme_votes"]:
                add(f'<p class="votes">{_vote_line(t, lang, L)}</p>')
            if t["ideas"]:
                add('<ul class="ideas">' + "".join(_idea_li(i, lang, L) for i in t["ideas"]) + "</ul>")
            else:
                add(f'<p class="muted">{e(L["no_ideas"])}</p>')
            add("</div>")
        if r["unsorted"]:
            add('<div class="theme unsorted">')
            add(f"<h4>{e(L['unsorted'])}</h4>")
            add('<ul class="ideas">' + "".join(_idea_li(i, lang, L) for i in r["unsorted"]) + "</ul>")
            add("</div>")

        kept = [t for t in r["themes"] if t["kept"]] or [t for t in r["themes"] if t["objective"] or t["criteria"]]
        add(f"<h3>{e(L['objectives'])}</h3>")
        if not kept:
            add(f"<p>{e(L['no_themes'])}</p>")
        for t in kept:
            add('<div class="objective">')
            add(f"<h4>{e(t['title'])}</h4>")
            add(f"<p><strong>{e(L['objective'])}{c}</strong> {multiline(t['objective']) if t['objective'] else e(L['to_be_defined'])}</p>")
            add(f"<p><strong>{e(L['criteria'])}{c}</strong></p>")
            add("<ul>" + ("".join(f"<li>{multiline(x)}</li>" for x in t["criteria"]) or f"<li>{e(L['to_be_defined'])}</li>") + "</ul>")
            add("</div>")

        if r["theme_votes"]:
            add(f"<h3>{e(L['theme_votes'])}</h3>")
            add(_vote_table(r["themes"], r["vote_groups"]["theme"], report, lang))

        add(f"<h3>{e(L['actions'])}</h3>")
        if not r["actions"]:
            add(f"<p>{e(L['no_actions'])}</p>")
        if r["action_votes"]:
            add(f'<p class="table-title">{e(L["action_votes"])}</p>')
            add(_vote_table(r["actions"], r["vote_groups"]["action"], report, lang))
        missing = L["to_be_defined"]
        for a in r["actions"]:
            add('<article class="action">')
            add(f'<h4><span class="rank">{a["rank"]}</span><span>{e(a["title"])}</span></h4>')
            if a["description"]:
                add(f"<p>{multiline(a['description'])}</p>")
            rows = []
            for label, value in sheet_rows(a, lang):
                cls = ' class="missing"' if value == missing else ""
                rows.append(f'<tr><th scope="row">{e(label)}</th><td{cls}>{multiline(value)}</td></tr>')
            add('<table class="sheet"><tbody>' + "".join(rows) + "</tbody></table>")
            add(f"<p><strong>{e(L['vote'])}{c}</strong> {_vote_line(a, lang, L)}</p>")
            lineage = f"<strong>{e(L['lineage'])}{c}</strong> {e(L['serves_theme'].lower())} {e(quote(a['theme'], lang))}"
            if a["objective"]:
                lineage += f" — {e(L['objective'].lower())}{c} {multiline(a['objective'])}"
            add(f'<div class="lineage"><p>{lineage}</p>')
            if a["ideas"]:
                add(f"<p>{e(L['from_ideas'])}{c}</p><ul>")
                for i in a["ideas"]:
                    add(f'<li>{e(L["no_short"])}&nbsp;{i["no"]}{c} {multiline(i["text"])} <span class="meta">({e(i["group_label"])})</span></li>')
                add("</ul>")
            add("</div></article>")
        add("</section>")

    # ---- annex
    add('<section class="chapter annex" id="annexe">')
    add(f"<h2>{e(L['annex'])}</h2>")
    add(f"<p>{e(L['annex_intro'])}</p>")
    rows = []
    for i in report["annex"]:
        extra = []
        if i["count"] > 1:
            extra.append(L["times"].format(n=i["count"]))
        if i["on_behalf"]:
            extra.append(L["on_behalf"])
        text = multiline(i["text"]) + (f' <span class="meta">({e(", ".join(extra))})</span>' if extra else "")
        rows.append([(str(i["no"]), True), (str(i["round"]), True), (text, False), (e(i["group_label"]), False), (e(i["theme"] or "—"), False)])
    add(_table([(e(L["number"]), True), (e(L["csv.round"]), True), (e(L["idea"]), False), (e(L["group"]), False), (e(L["theme"]), False)], rows))
    add("</section>")
    add("</main>")
    add(f'<footer class="colophon"><p class="note">{e(L["generated_by"])}</p></footer>')
    add("</body>")
    add("</html>")
    return ("\n".join(out) + "\n").encode("utf-8")
