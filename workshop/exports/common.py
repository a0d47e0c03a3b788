"""The report model shared by every document format, and the labels they print.

Documents (Markdown, CSV, HTML, DOCX) are all built from one plain-dict
*report* computed here from a workshop snapshot
(:meth:`workshop.services.WorkshopService.full_snapshot`).  Building it in one
place is what guarantees that every format says the same thing and obeys the
same rules:

* only **visible** ideas appear (not hidden by moderation, not withdrawn, not
  merged into another — a merged idea shows as "×3" on the idea standing for it);
* people appear only as **stakeholder groups** (collèges): never a pseudonym,
  a participant id, a token or a join code;
* vote results always carry the raw dots, the breakdown by group and — when
  ``settings.equal_weight`` is on — the equal-weight ranking ("chaque collège
  pèse autant").

Results are computed from the rounds' current data with the same domain
functions that freeze syntheses (:mod:`workshop.domain.synthesis`), so an
export taken mid-workshop is complete and one taken after the last phase
closed says exactly what the room decided.  The report is deterministic: the
same snapshot always gives the same bytes (golden files rely on it).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date as dt_date
from typing import Any

from ..domain.synthesis import converge_synthesis, define_synthesis, visible_ideas

LANGS = ("fr", "en")
NO_GROUP = "—"  # how the domain tallies a participant without a stakeholder group

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "doc_kind": "Compte-rendu d'atelier participatif",
        "summary_short": "compte-rendu",
        "territory": "Territoire",
        "date": "Date",
        "keywords": "Mots-clés",
        "at_a_glance": "En bref",
        "contents": "Sommaire",
        "context": "Contexte et démarche",
        "method": (
            "Chaque tour s'est déroulé en trois temps : la divergence (chacun propose librement des idées, "
            "sans les juger), la définition (les idées sont regroupées en thèmes ; pour les thèmes retenus, "
            "un objectif et des critères de réussite sont formulés) puis la convergence (des actions concrètes "
            "sont proposées, priorisées par un vote à pastilles et décrites dans une fiche action)."
        ),
        "vote_rule": "Vote à pastilles : {budget} pastilles par personne et par vote, {cap} au plus sur une même proposition.",
        "equal_weight_note": (
            "Les résultats des votes sont aussi présentés « à poids égal » : chaque collège pèse autant, "
            "quel que soit son nombre de votants (les pastilles de chaque collège sont ramenées à 100 %, "
            "puis les collèges sont moyennés)."
        ),
        "privacy_note": "Les participants sont désignés par leur collège uniquement ; les contributions masquées par la modération ne figurent pas dans ce document.",
        "participation": "Participation",
        "participation_intro": "{participants} participants, {contributions} contributions, {dots} pastilles déposées.",
        "group": "Collège",
        "participants": "Participants",
        "contributions": "Contributions",
        "dots_cast": "Pastilles déposées",
        "voters": "Votants",
        "total": "Total",
        "no_group": "non précisé",
        "round": "Tour {n}",
        "question": "Question",
        "round_stats": "{ideas} idées ({contributions} contributions), {themes} thèmes, {actions} actions.",
        "state": "État",
        "ideas_by_theme": "Idées par thème",
        "kept": "retenu",
        "not_kept": "non retenu",
        "unsorted": "Idées non classées",
        "objectives": "Objectifs et critères de réussite",
        "objective": "Objectif",
        "criteria": "Critères de réussite",
        "theme_votes": "Choix des thèmes : résultats du vote",
        "action_votes": "Priorisation des actions : résultats du vote",
        "actions": "Actions prioritaires",
        "action": "Action",
        "description": "Description",
        "owner": "Porteur",
        "partners": "Partenaires",
        "deadline": "Échéance",
        "resources": "Moyens",
        "indicators": "Indicateurs",
        "status": "Statut",
        "lineage": "Origine",
        "serves_theme": "Thème",
        "from_ideas": "Idées d'origine",
        "vote": "Vote",
        "dots": "Pastilles",
        "rank": "Rang",
        "item": "Proposition",
        "theme": "Thème",
        "idea": "Idée",
        "number": "N°",
        "no_short": "n°",
        "by_group": "Par collège",
        "equal_weight": "Poids égal",
        "equal_weight_rank": "Rang à poids égal",
        "equal_weight_long": "chaque collège pèse autant",
        "equal_weight_line": "{rank}ᵉ à poids égal ({score})",
        "equal_weight_first": "1ᵉʳ à poids égal ({score})",
        "dots_line": "{dots} pastilles, {voters} votants",
        "annex": "Annexe : toutes les idées",
        "annex_intro": "Toutes les idées visibles, numérotées ; les numéros cités dans le document renvoient à cette liste.",
        "on_behalf": "saisie par l'animation",
        "times": "×{n}",
        "yes": "oui",
        "no": "non",
        "to_be_defined": "à préciser",
        "no_ideas": "Aucune idée.",
        "no_themes": "Aucun thème.",
        "no_actions": "Aucune action proposée.",
        "page": "Page",
        "of": "sur",
        "generated_by": "Document produit avec workshop, à partir des contributions saisies pendant l'atelier.",
        "phase.lobby": "pas encore commencé",
        "phase.diverge": "divergence en cours",
        "phase.define": "définition en cours",
        "phase.converge": "convergence en cours",
        "phase.closed": "tour clos",
        "status.proposed": "proposée",
        "status.planned": "planifiée",
        "status.in_progress": "en cours",
        "status.done": "réalisée",
        "status.abandoned": "abandonnée",
        "kind.theme": "thème",
        "kind.action": "action",
        "kind": "Vote",
        "csv.round": "Tour",
        "csv.idea_no": "N° idée",
        "csv.on_behalf": "Saisie par l'animation",
        "csv.count": "Contributions regroupées",
        "csv.kept": "Thème retenu",
        "csv.ideas_count": "Nombre d'idées",
        "csv.equal_weight": "Poids égal (%)",
        "csv.origin_ideas": "Idées d'origine",
        "csv.origin_numbers": "N° des idées d'origine",
        "file.summary": "compte-rendu",
        "file.ideas": "idees",
        "file.themes": "themes",
        "file.actions": "actions",
        "file.votes": "votes",
        "file.participation": "participation",
        "file.archive": "atelier",
    },
    "en": {
        "doc_kind": "Participatory workshop summary",
        "summary_short": "summary",
        "territory": "Territory",
        "date": "Date",
        "keywords": "Keywords",
        "at_a_glance": "At a glance",
        "contents": "Contents",
        "context": "Context and method",
        "method": (
            "Each round ran in three steps: divergence (everyone freely posts ideas, without judging them), "
            "definition (ideas are grouped into themes; for the themes kept, an objective and success criteria "
            "are written) and convergence (concrete actions are proposed, prioritised by dot voting and described "
            "in an action sheet)."
        ),
        "vote_rule": "Dot voting: {budget} dots per person and per vote, at most {cap} on one proposal.",
        "equal_weight_note": (
            "Vote results are also given with equal weight: every stakeholder group weighs the same, "
            "whatever its number of voters (each group's dots are scaled to 100%, then groups are averaged)."
        ),
        "privacy_note": "Participants are only identified by their stakeholder group; contributions hidden by moderation are not included.",
        "participation": "Participation",
        "participation_intro": "{participants} participants, {contributions} contributions, {dots} dots cast.",
        "group": "Stakeholder group",
        "participants": "Participants",
        "contributions": "Contributions",
        "dots_cast": "Dots cast",
        "voters": "Voters",
        "total": "Total",
        "no_group": "not specified",
        "round": "Round {n}",
        "question": "Question",
        "round_stats": "{ideas} ideas ({contributions} contributions), {themes} themes, {actions} actions.",
        "state": "State",
        "ideas_by_theme": "Ideas by theme",
        "kept": "kept",
        "not_kept": "not kept",
        "unsorted": "Unsorted ideas",
        "objectives": "Objectives and success criteria",
        "objective": "Objective",
        "criteria": "Success criteria",
        "theme_votes": "Choice of themes: vote results",
        "action_votes": "Prioritisation of actions: vote results",
        "actions": "Priority actions",
        "action": "Action",
        "description": "Description",
        "owner": "Owner",
        "partners": "Partners",
        "deadline": "Deadline",
        "resources": "Resources",
        "indicators": "Indicators",
        "status": "Status",
        "lineage": "Origin",
        "serves_theme": "Theme",
        "from_ideas": "Source ideas",
        "vote": "Vote",
        "dots": "Dots",
        "rank": "Rank",
        "item": "Proposal",
        "theme": "Theme",
        "idea": "Idea",
        "number": "No.",
        "no_short": "no.",
        "by_group": "By group",
        "equal_weight": "Equal weight",
        "equal_weight_rank": "Equal-weight rank",
        "equal_weight_long": "every stakeholder group weighs the same",
        "equal_weight_line": "#{rank} with equal weight ({score})",
        "equal_weight_first": "#1 with equal weight ({score})",
        "dots_line": "{dots} dots, {voters} voters",
        "annex": "Appendix: every idea",
        "annex_intro": "Every visible idea, numbered; the numbers quoted in this document refer to this list.",
        "on_behalf": "typed in by the facilitator",
        "times": "×{n}",
        "yes": "yes",
        "no": "no",
        "to_be_defined": "to be defined",
        "no_ideas": "No ideas.",
        "no_themes": "No themes.",
        "no_actions": "No actions proposed.",
        "page": "Page",
        "of": "of",
        "generated_by": "Document produced with workshop from the contributions typed in during the workshop.",
        "phase.lobby": "not started yet",
        "phase.diverge": "divergence under way",
        "phase.define": "definition under way",
        "phase.converge": "convergence under way",
        "phase.closed": "round closed",
        "status.proposed": "proposed",
        "status.planned": "planned",
        "status.in_progress": "in progress",
        "status.done": "done",
        "status.abandoned": "abandoned",
        "kind.theme": "theme",
        "kind.action": "action",
        "kind": "Vote",
        "csv.round": "Round",
        "csv.idea_no": "Idea no.",
        "csv.on_behalf": "Typed in by the facilitator",
        "csv.count": "Contributions merged",
        "csv.kept": "Theme kept",
        "csv.ideas_count": "Number of ideas",
        "csv.equal_weight": "Equal weight (%)",
        "csv.origin_ideas": "Source ideas",
        "csv.origin_numbers": "Source idea numbers",
        "file.summary": "summary",
        "file.ideas": "ideas",
        "file.themes": "themes",
        "file.actions": "actions",
        "file.votes": "votes",
        "file.participation": "participation",
        "file.archive": "workshop",
    },
}

MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
}


# --------------------------------------------------------------------------- formatting


def check_lang(lang: str) -> str:
    """Documents exist in French (default) and English."""
    from ..errors import ValidationError

    if lang not in LANGS:
        raise ValidationError("invalid_field", field="lang")
    return lang


def labels(lang: str) -> dict[str, str]:
    return LABELS[check_lang(lang)]


def format_date(value: str | None, lang: str) -> str:
    """'2020-11-03' → '3 novembre 2020' / '3 November 2020' (empty when absent)."""
    if not value:
        return ""
    try:
        d = dt_date.fromisoformat(value)
    except ValueError:
        return value
    day = "1er" if (lang == "fr" and d.day == 1) else str(d.day)
    return f"{day} {MONTHS[lang][d.month - 1]} {d.year}"


def format_score(score: float | None, lang: str) -> str:
    """An equal-weight score in percent: '31,5 %' in French, '31.5%' in English."""
    if score is None:
        return ""
    text = f"{score:.1f}"
    return f"{text.replace('.', ',')}\u00a0%" if lang == "fr" else f"{text}%"


def format_number(score: float | None, lang: str) -> str:
    """A bare decimal number as a spreadsheet in that locale reads it ('31,5')."""
    if score is None:
        return ""
    text = f"{score:.1f}"
    return text.replace(".", ",") if lang == "fr" else text


def colon(lang: str) -> str:
    """French puts a (no-break) space before a colon; English does not."""
    return "\u00a0:" if lang == "fr" else ":"


def quote(text: str, lang: str) -> str:
    """« guillemets » in French, “quotes” in English."""
    return f"«\u00a0{text}\u00a0»" if lang == "fr" else f"“{text}”"


def list_sep(lang: str) -> str:
    """Between items of a list written on one line ('Indicateurs : a ; b')."""
    return "\u00a0; " if lang == "fr" else "; "


def group_label(group: str | None, lang: str) -> str:
    return LABELS[lang]["no_group"] if group in (None, "", NO_GROUP) else group


def by_group_text(by_group: list[dict], lang: str, sep: str = " · ") -> str:
    """'habitant 3 · élu·e 2' — the breakdown of dots by stakeholder group."""
    return sep.join(f"{g['label']} {g['dots']}" for g in by_group)


def equal_weight_text(entry: dict, lang: str) -> str:
    if entry.get("equal_weight") is None:
        return ""
    L = LABELS[lang]
    key = "equal_weight_first" if entry["equal_weight_rank"] == 1 else "equal_weight_line"
    return L[key].format(rank=entry["equal_weight_rank"], score=format_score(entry["equal_weight"], lang))


def slugify(text: str, max_length: int = 60) -> str:
    """A file-name-safe version of a title: 'Quelle politique…' → 'quelle-politique…'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "atelier"


# --------------------------------------------------------------------------- the report


def _group_order(settings: dict, seen: set[str]) -> list[str]:
    configured = [g for g in settings.get("groups") or []]
    extra = sorted(g for g in seen if g not in configured and g != NO_GROUP)
    order = configured + extra
    if NO_GROUP in seen:
        order.append(NO_GROUP)
    return order


def _ordered_groups(by_group: dict[str, int], order: list[str], lang: str) -> list[dict]:
    position = {g: i for i, g in enumerate(order)}
    keys = sorted(by_group, key=lambda g: (position.get(g, len(order)), g))
    return [{"group": g, "label": group_label(g, lang), "dots": by_group[g]} for g in keys if by_group[g]]


def build_report(snapshot: dict, lang: str = "fr") -> dict[str, Any]:
    """The content every document shows, from a ``workshop-snapshot/1`` dict.

    Returns plain data (strings, numbers, lists, dicts) already filtered for
    publication: no hidden idea, no pseudonym, no token, no code.
    """
    L = labels(lang)
    w = snapshot["workshop"]
    settings = w.get("settings") or {}
    equal_weight = bool(settings.get("equal_weight"))
    participants = snapshot.get("participants") or []
    rounds = sorted(snapshot.get("rounds") or [], key=lambda r: r["position"])

    # Every group that appears anywhere, so tables list them in a stable order.
    seen: set[str] = set()
    for p in participants:
        seen.add(p.get("group") or NO_GROUP)
    for r in rounds:
        for i in r["ideas"]:
            seen.add(i.get("group") or NO_GROUP)
        for v in r["votes"]:
            seen.add(v.get("group") or NO_GROUP)
    order = _group_order(settings, seen)

    # Visible ideas are numbered across the workshop: documents cite "n° 7".
    numbers: dict[int, int] = {}
    annex: list[dict] = []
    for r in rounds:
        themes_by_id = {t["id"]: t for t in r["themes"]}
        for idea in sorted(visible_ideas(r), key=lambda i: i["id"]):
            numbers[idea["id"]] = len(numbers) + 1
            theme = themes_by_id.get(idea["theme_id"])
            annex.append(
                {
                    "no": numbers[idea["id"]],
                    "round": r["position"],
                    "text": idea["text"],
                    "group": idea["group"] or NO_GROUP,
                    "group_label": group_label(idea["group"], lang),
                    "count": idea["count"],
                    "on_behalf": bool(idea["on_behalf"]),
                    "theme": theme["title"] if theme else "",
                    "theme_kept": bool(theme and theme["kept"]),
                }
            )

    def idea_entry(brief: dict) -> dict:
        return {
            "no": numbers.get(brief["id"]),
            "text": brief["text"],
            "group": brief["group"] or NO_GROUP,
            "group_label": group_label(brief["group"], lang),
            "count": brief["count"],
            "on_behalf": bool(brief["on_behalf"]),
        }

    def vote_fields(entry: dict) -> dict:
        out = {
            "dots": entry["dots"],
            "voters": entry["voters"],
            "by_group": _ordered_groups(entry["by_group"], order, lang),
            "equal_weight": entry.get("equal_weight") if equal_weight else None,
            "equal_weight_rank": entry.get("equal_weight_rank") if equal_weight else None,
        }
        return out

    # Participation by stakeholder group.
    part_counts = Counter(p.get("group") or NO_GROUP for p in participants)
    contrib_counts: Counter = Counter()
    dots_counts: Counter = Counter()
    for r in rounds:
        for i in r["ideas"]:
            if not (i["hidden"] or i["withdrawn"]):
                contrib_counts[i.get("group") or NO_GROUP] += 1
        for v in r["votes"]:
            dots_counts[v.get("group") or NO_GROUP] += v["dots"]
    participation_rows = [
        {
            "group": g,
            "label": group_label(g, lang),
            "participants": part_counts[g],
            "contributions": contrib_counts[g],
            "dots": dots_counts[g],
        }
        for g in order
        if g != NO_GROUP or part_counts[g] or contrib_counts[g] or dots_counts[g]
    ]
    participation = {
        "rows": participation_rows,
        "total": {
            "participants": len(participants),
            "contributions": sum(contrib_counts.values()),
            "dots": sum(dots_counts.values()),
        },
    }

    report_rounds = []
    for r in rounds:
        define = define_synthesis(r, equal_weight)
        converge = converge_synthesis(r, equal_weight)
        themes = []
        for t in define["themes"]:
            themes.append(
                {
                    "rank": t["rank"],
                    "title": t["title"],
                    "kept": bool(t["kept"]),
                    "objective": t["objective"] or "",
                    "criteria": list(t["criteria"]),
                    "ideas": [idea_entry(i) for i in t["ideas"]],
                    **vote_fields(t),
                }
            )
        # Kept themes first (by vote rank), then the others.
        themes.sort(key=lambda t: (not t["kept"], t["rank"]))
        actions = []
        for a in converge["actions"]:
            theme = a["theme"] or {}
            actions.append(
                {
                    "rank": a["rank"],
                    "title": a["title"],
                    "description": a["description"] or "",
                    "owner": a["owner"] or "",
                    "partners": list(a["partners"] or []),
                    "deadline": a["deadline"] or "",
                    "resources": a["resources"] or "",
                    "indicators": list(a["indicators"] or []),
                    "status": a["status"],
                    "status_label": L.get(f"status.{a['status']}", a["status"]),
                    "theme": theme.get("title", ""),
                    "objective": theme.get("objective") or "",
                    "criteria": list(theme.get("criteria") or []),
                    "ideas": [idea_entry(i) for i in a["ideas"]],
                    **vote_fields(a),
                }
            )
        ideas = visible_ideas(r)
        report_rounds.append(
            {
                "position": r["position"],
                "title": L["round"].format(n=r["position"]),
                "question": r["question"],
                "phase": r["phase"],
                "phase_label": L.get(f"phase.{r['phase']}", r["phase"]),
                "stats": {
                    "ideas": len(ideas),
                    "contributions": sum(i["count"] for i in ideas),
                    "themes": len(themes),
                    "kept_themes": sum(1 for t in themes if t["kept"]),
                    "actions": len(actions),
                },
                "themes": themes,
                "unsorted": [idea_entry(i) for i in define["unsorted"]],
                "theme_votes": any(v["kind"] == "theme" for v in r["votes"]),
                "actions": actions,
                "action_votes": any(v["kind"] == "action" for v in r["votes"]),
                "vote_groups": {
                    kind: [
                        {"group": g, "label": group_label(g, lang)}
                        for g in order
                        if any(v["kind"] == kind and (v.get("group") or NO_GROUP) == g and v["dots"] for v in r["votes"])
                    ]
                    for kind in ("theme", "action")
                },
            }
        )

    return {
        "lang": lang,
        "labels": L,
        "title": w["title"],
        "territory": w.get("territory") or "",
        "date": w.get("date"),
        "date_label": format_date(w.get("date"), lang),
        "description": w.get("description") or "",
        "tags": list(w.get("tags") or []),
        "equal_weight": equal_weight,
        "dot_budget": settings.get("dot_budget"),
        "dot_cap": settings.get("dot_cap"),
        "groups": [{"group": g, "label": group_label(g, lang)} for g in order],
        "participation": participation,
        "rounds": report_rounds,
        "annex": annex,
        "totals": {
            "participants": len(participants),
            "contributions": sum(x["stats"]["contributions"] for x in report_rounds),
            "ideas": len(annex),
            "kept_themes": sum(x["stats"]["kept_themes"] for x in report_rounds),
            "actions": sum(x["stats"]["actions"] for x in report_rounds),
        },
    }


def group_dots(entry: dict, group: str) -> int:
    """Dots a stakeholder group put on one item (0 when none)."""
    return next((g["dots"] for g in entry["by_group"] if g["group"] == group), 0)


def sheet_rows(action: dict, lang: str) -> list[tuple[str, str]]:
    """The action sheet as (label, value) rows, empty values shown as 'à préciser'."""
    L = LABELS[lang]
    missing = L["to_be_defined"]
    return [
        (L["owner"], action["owner"] or missing),
        (L["partners"], ", ".join(action["partners"]) or missing),
        (L["deadline"], action["deadline"] or missing),
        (L["resources"], action["resources"] or missing),
        (L["indicators"], list_sep(lang).join(action["indicators"]) or missing),
        (L["status"], action["status_label"]),
    ]


def vote_summary(entry: dict, lang: str) -> str:
    """'7 pastilles, 4 votants — habitant 3 · élu·e 2 — 2ᵉ à poids égal (31,5 %)'."""
    L = LABELS[lang]
    parts = [L["dots_line"].format(dots=entry["dots"], voters=entry["voters"])]
    if entry["by_group"]:
        parts.append(by_group_text(entry["by_group"], lang))
    if entry.get("equal_weight") is not None:
        parts.append(equal_weight_text(entry, lang))
    return " — ".join(parts)


def idea_suffix(idea: dict, lang: str) -> str:
    """'habitant, ×2, saisie par l'animation' — what follows an idea's text."""
    L = LABELS[lang]
    bits = [idea["group_label"]]
    if idea["count"] > 1:
        bits.append(L["times"].format(n=idea["count"]))
    if idea["on_behalf"]:
        bits.append(L["on_behalf"])
    return ", ".join(bits)
