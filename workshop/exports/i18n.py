"""The language of the documents: translated words, dates, numbers and typography.

Every export speaks through a :class:`Wording` for the workshop's language
(:func:`wording`, cached): its strings come from the gettext catalogue
(:mod:`workshop.translations`, English msgids, French in ``messages.po``),
dates and numbers from Babel, and it knows the few typographic habits that
differ (French puts a no-break space before ':' and writes « guillemets »).
The phrases several formats print the same way (an action sheet, a vote
line, what follows an idea) are built here once.
"""

from __future__ import annotations

from datetime import date as dt_date
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date as babel_date
from babel.numbers import format_decimal, format_percent

from ..translations import translations

LANGS = ("fr", "en")
NO_GROUP = "—"  # how the domain tallies a participant without a stakeholder group


def check_lang(lang: str) -> str:
    """Documents exist in French (default) and English."""
    from ..errors import ValidationError

    if lang not in LANGS:
        raise ValidationError("invalid_field", field="lang")
    return lang


class Wording:
    """Translated strings and locale-aware formatting for one language."""

    def __init__(self, lang: str):
        self.lang = check_lang(lang)
        self.translations = translations(lang)
        self.locale = Locale.parse(lang)
        self.colon = "\u00a0:" if lang == "fr" else ":"
        self.list_sep = "\u00a0; " if lang == "fr" else "; "
        self.csv_delimiter = ";" if lang == "fr" else ","
        percent = self.locale.percent_formats[None].pattern
        self._percent_pattern = percent.replace("#,##0", "#,##0.0", 1)

    # ---- gettext
    def _(self, message: str, **params: object) -> str:
        text = self.translations.gettext(message)
        return text % params if params else text

    def pgettext(self, context: str, message: str, **params: object) -> str:
        """A word whose translation depends on where it stands (file names, table headers)."""
        text = self.translations.pgettext(context, message)
        return text % params if params else text

    def npgettext(self, context: str, singular: str, plural: str, num: int, **params: object) -> str:
        return self.translations.npgettext(context, singular, plural, num) % {"num": num, **params}

    def ngettext(self, singular: str, plural: str, num: int, **params: object) -> str:
        """A sentence with a count in it: ``%(num)s`` is the count."""
        return self.translations.ngettext(singular, plural, num) % {"num": num, **params}

    # ---- dates and numbers
    def date(self, value: str | None) -> str:
        """'2020-11-03' → '3 novembre 2020' / '3 November 2020' (empty when absent)."""
        if not value:
            return ""
        try:
            day = dt_date.fromisoformat(value)
        except ValueError:
            return value
        text = babel_date(day, "d MMMM y", locale=self.locale)
        if self.lang == "fr" and day.day == 1:
            text = "1er" + text[1:]
        return text

    def score(self, score: float | None) -> str:
        """An equal-weight score in percent: '31,5 %' in French, '31.5%' in English."""
        if score is None:
            return ""
        return format_percent(Decimal(f"{score:.1f}") / 100, self._percent_pattern, locale=self.locale)

    def number(self, score: float | None) -> str:
        """A bare decimal number as a spreadsheet in that locale reads it ('31,5')."""
        if score is None:
            return ""
        return format_decimal(Decimal(f"{score:.1f}"), "0.0", locale=self.locale)

    def quote(self, text: str) -> str:
        """« guillemets » in French, “quotes” in English."""
        return f"«\u00a0{text}\u00a0»" if self.lang == "fr" else f"“{text}”"

    # ---- words the report model carries
    def group_label(self, group: str | None) -> str:
        return self._("not specified") if group in (None, "", NO_GROUP) else group

    def round_title(self, n: int) -> str:
        return self.pgettext("document", "Round %(n)s", n=n)

    def phase_label(self, phase: str) -> str:
        labels = {
            "lobby": self._("not started yet"),
            "diverge": self._("divergence under way"),
            "define": self._("definition under way"),
            "converge": self._("convergence under way"),
            "closed": self._("round closed"),
        }
        return labels.get(phase, phase)

    def status_label(self, status: str) -> str:
        labels = {
            "proposed": self.pgettext("action status", "proposed"),
            "planned": self.pgettext("action status", "planned"),
            "in_progress": self.pgettext("action status", "in progress"),
            "done": self.pgettext("action status", "done"),
            "abandoned": self.pgettext("action status", "abandoned"),
        }
        return labels.get(status, status)

    # ---- phrases every format prints alike
    def missing(self) -> str:
        return self._("to be defined")

    def sheet_rows(self, action: dict) -> list[tuple[str, str]]:
        """The action sheet as (label, value) rows, empty values shown as 'à préciser'."""
        missing = self.missing()
        return [
            (self._("Owner"), action["owner"] or missing),
            (self._("Partners"), ", ".join(action["partners"]) or missing),
            (self._("Deadline"), action["deadline"] or missing),
            (self._("Resources"), action["resources"] or missing),
            (self._("Indicators"), self.list_sep.join(action["indicators"]) or missing),
            (self._("Status"), action["status_label"]),
        ]

    def dots_line(self, entry: dict) -> str:
        """'7 pastilles, 4 votants'."""
        dots = self.ngettext("%(num)s dot", "%(num)s dots", entry["dots"])
        return dots + ", " + self.ngettext("%(num)s voter", "%(num)s voters", entry["voters"])

    def by_group_text(self, by_group: list[dict], sep: str = " · ") -> str:
        """'habitant 3 · élu·e 2' — the breakdown of dots by stakeholder group."""
        return sep.join(f"{g['label']} {g['dots']}" for g in by_group)

    def equal_weight_text(self, entry: dict) -> str:
        """'2ᵉ à poids égal (31,5 %)'."""
        if entry.get("equal_weight") is None:
            return ""
        score = self.score(entry["equal_weight"])
        if entry["equal_weight_rank"] == 1:
            return self._("#1 with equal weight (%(score)s)", score=score)
        return self._("#%(rank)s with equal weight (%(score)s)", rank=entry["equal_weight_rank"], score=score)

    def vote_line(self, item: dict) -> str:
        """'7 pastilles, 4 votants (habitant 3 · élu·e 2) — 2ᵉ à poids égal (31,5 %)'."""
        text = self.dots_line(item)
        if item["by_group"]:
            text += f" ({self.by_group_text(item['by_group'])})"
        if item["equal_weight"] is not None:
            text += f" — {self.equal_weight_text(item)}"
        return text

    def times(self, count: int) -> str:
        return self._("×%(n)s", n=count)

    def idea_extras(self, idea: dict) -> list[str]:
        """'×2', 'saisie par l'animation': what an idea's count and origin add to its text."""
        extras = []
        if idea["count"] > 1:
            extras.append(self.times(idea["count"]))
        if idea["on_behalf"]:
            extras.append(self._("typed in by the facilitator"))
        return extras

    def idea_number(self, no: int | None) -> str:
        """'n° 7' (with a no-break space)."""
        return f"{self._('no.')}\u00a0{no}"

    def participation_intro(self, total: dict) -> str:
        """'12 participants, 18 contributions, 110 pastilles déposées.'"""
        return (
            ", ".join(
                (
                    self.ngettext("%(num)s participant", "%(num)s participants", total["participants"]),
                    self.ngettext("%(num)s contribution", "%(num)s contributions", total["contributions"]),
                    self.ngettext("%(num)s dot cast", "%(num)s dots cast", total["dots"]),
                )
            )
            + "."
        )

    def round_stats(self, stats: dict) -> str:
        """'10 idées (11 contributions), 3 thèmes, 4 actions.'"""
        return (
            self.ngettext("%(num)s idea", "%(num)s ideas", stats["ideas"])
            + " ("
            + self.ngettext("%(num)s contribution", "%(num)s contributions", stats["contributions"])
            + "), "
            + self.ngettext("%(num)s theme", "%(num)s themes", stats["themes"])
            + ", "
            + self.ngettext("%(num)s action", "%(num)s actions", stats["actions"])
            + "."
        )

    def kept_themes_label(self, count: int) -> str:
        return self.ngettext("Theme kept", "Themes kept", count)

    def vote_rule(self, budget: int, cap: int) -> str:
        return self._("Dot voting: %(budget)s dots per person and per vote, at most %(cap)s on one proposal.", budget=budget, cap=cap)

    def method(self) -> str:
        return self._(
            "Each round ran in three steps: divergence (everyone freely posts ideas, without judging them), "
            "definition (ideas are grouped into themes; for the themes kept, an objective and success criteria "
            "are written) and convergence (concrete actions are proposed, prioritised by dot voting and described "
            "in an action sheet)."
        )

    def equal_weight_note(self) -> str:
        return self._(
            "Vote results are also given with equal weight: every stakeholder group weighs the same, "
            "whatever its number of voters (each group's dots are scaled to 100%, then groups are averaged)."
        )

    def privacy_note(self) -> str:
        return self._("Participants are only identified by their stakeholder group; contributions hidden by moderation are not included.")

    def annex_intro(self) -> str:
        return self._("Every visible idea, numbered; the numbers quoted in this document refer to this list.")

    def event_intro(self) -> str:
        return self._(
            "This document brings together the summaries of the workshops held in parallel. Each has its own "
            "part: the question asked, the ideas grouped by theme, the objectives and success criteria of the "
            "themes kept, then the priority actions with their sheet."
        )

    def generated_by(self, event: bool = False) -> str:
        if event:
            return self._("Document produced with workshop from the contributions typed in during the workshops.")
        return self._("Document produced with workshop from the contributions typed in during the workshop.")


@cache
def wording(lang: str) -> Wording:
    """The :class:`Wording` of a language (one per process)."""
    return Wording(lang)


def format_date(value: str | None, lang: str) -> str:
    """'2020-11-03' → '3 novembre 2020' (kept for the web pages that show dates)."""
    return wording(lang).date(value)
