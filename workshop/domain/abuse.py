"""The abuse filter: insults, slurs and threats in the short texts residents type.

In a tense neighbourhood meeting a named insult must never reach the projector.
A text this filter matches is **held for review** by the caller, not dropped:
the filter is a word list, it cannot read intent, and a resident quoting what
was shouted at them ("on m'a traité de sale arabe") must still be heard once a
moderator has looked.  So the filter does not decide anything; it returns the
matched parts as ``(start, end)`` character offsets into the text as typed, for
the moderators' screen to highlight.

How a text is compared with the lists (:func:`normalize`): compatibility
decomposition with accents stripped (é→e, œ→oe, ß→ss, fullwidth and
mathematical letters to plain ones), case folded, invisible format characters
(zero-width space, soft hyphen) removed, a few Cyrillic and Greek look-alikes
mapped to Latin letters, leetspeak (0→o, 1→i, 3→e, 4→a, 5→s, 7→t, 8→b, @→a,
$→s, €→e, ! between letters → i) undone inside words that have at least one
real letter (so "2030" or "455" stay numbers), and any run of one letter
collapsed to one letter ("connnnard", "conard" and "connard" are one word).
The list entries are normalised the same way.

Matching is on whole words and whole word sequences only: the French insult
"con" must not flag "contact", "second" or "déconstruire" (the Scunthorpe
problem), and "pd" must not flag a word that contains it.  A word also matches
its plural in -s or -x.  Entries:

- ``connard``: one word; ``fils de pute``: a phrase, matched across any spacing
  or punctuation ("fils-de-pute", "FILS  DE PUTE !"), and also written as one
  word ("filsdepute");
- ``encul*``: a trailing ``*`` is a prefix ("enculé", "enculés", "enculer");
- ``!niger``: an exception, compared *before* letters are collapsed, for a real
  word that collapses onto a listed one ("nigger" and "Niger" both collapse to
  "niger": the country is allowed, the slur is not).

Letters typed one by one with one separator among ``. - _ *`` or a space
between them ("c.o.n.n.a.r.d", "c o n n a r d", "f-d-p") are joined when the
joined letters, or a run inside them, form a listed word or phrase.

Known limits: an insult glued to another word ("espècedeconnard") or split in
two ("con nard"), masked letters ("p*te", "c**nard"), deliberate misspellings
the lists do not have, other languages, images and emoji are not found; a real
word that is also an insult ("bâtard" for the bread, "tapette" for the fly
swatter) is held.  The lists are short on purpose and must be reviewed by the
people who run the workshop (``sessions/abuse/README.md``).

Standard library only, no Flask: the services call :func:`default_filter`
and :meth:`AbuseFilter.extend` with a plan's ``abuse_words``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

__all__ = ["AbuseFilter", "default_filter", "load_lists", "normalize"]

# Letters that compatibility decomposition leaves alone, and look-alikes from other scripts.
_SPECIAL = {
    "œ": "oe",
    "æ": "ae",
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ı": "i",
    "ſ": "s",
    # Cyrillic
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "і": "i",
    "ј": "j",
    "ѕ": "s",
    "ԁ": "d",
    # Greek
    "α": "a",
    "β": "b",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
}

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "€": "e", "!": "i"})

# A word: letters and digits, the leetspeak symbols, and "!" between two of those.
_WORD = re.compile(r"(?:[^\W_]|[@$€]|(?<=[^\W_@$€])!(?=[^\W_@$€]))+")
_REPEAT = re.compile(r"([^\W\d_])\1+")
_SPELLING_SEPARATORS = frozenset(".-_* ")


def _base(ch: str) -> str:
    """One character without accents, case or invisible formatting (possibly several characters, or none)."""
    if unicodedata.category(ch) == "Cf":
        return ""
    text = unicodedata.normalize("NFKD", ch)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = unicodedata.normalize("NFKD", text)
    return "".join(_SPECIAL.get(c, c) for c in text if not unicodedata.combining(c))


class _BaseTable(dict[int, str]):
    """A ``str.translate`` table for :func:`_base`, filled as characters are met."""

    def __missing__(self, code: int) -> str:
        value = _base(chr(code))
        self[code] = value
        if len(value) != 1:
            _UNEVEN.add(chr(code))
        return value


_TABLE = _BaseTable()
_UNEVEN: set[str] = set()  # the characters met so far that become several characters, or none


def _base_text(text: str) -> str:
    """The text through :func:`_base`."""
    return text.translate(_TABLE)


def _origin(text: str) -> list[int] | None:
    """For each character of ``_base_text(text)``, the index it came from (None: the same index)."""
    if _UNEVEN.isdisjoint(text):
        return None
    return [i for i, c in enumerate(text) for _ in range(len(_TABLE[ord(c)]))]


def _unleet(word: str) -> str:
    """A word with its leetspeak undone, if it has a real letter; a number stays a number."""
    if word.isalpha() or not any(c.isalpha() for c in word):
        return word
    return word.translate(_LEET)


def _collapse(word: str) -> str:
    return _REPEAT.sub(r"\1", word)


def normalize(text: str) -> tuple[str, list[int]]:
    """The text as the filter compares it, and for each of its characters the index of the original one.

    Separators are kept (case folded); inside words, leetspeak is undone and runs of one letter collapsed.
    """
    base = _base_text(text)
    origin = _origin(text)
    where = origin if origin is not None else list(range(len(base)))
    out: list[str] = []
    index: list[int] = []
    pos = 0
    for m in _WORD.finditer(base):
        start, end = m.span()
        out.extend(base[pos:start])
        index.extend(where[pos:start])
        previous = ""
        for k, c in enumerate(_unleet(m.group())):
            if c == previous and c.isalpha():
                continue
            out.append(c)
            index.append(where[start + k])
            previous = c
        pos = end
    out.extend(base[pos:])
    index.extend(where[pos:])
    return "".join(out), index


# A token: (collapsed form, form before collapsing, start, end in the base text).
_Token = tuple[str, str, int, int]


class AbuseFilter:
    """Finds listed insults, slurs and threats in a short text, as spans of the original text."""

    def __init__(self, entries: Iterable[str]) -> None:
        self._entries: tuple[str, ...] = tuple(entries)
        self._words: set[str] = set()
        self._prefixes: dict[int, set[str]] = {}
        self._phrases: dict[str, list[tuple[str, ...]]] = {}
        self._prefix_phrases: dict[int, dict[str, list[tuple[str, ...]]]] = {}
        self._exceptions: set[str] = set()
        self._allowed_phrases: dict[str, list[tuple[str, ...]]] = {}
        for entry in self._entries:
            self._add(entry.strip())
        for phrases in self._phrases.values():
            phrases.sort(key=len, reverse=True)
        for by_prefix in self._prefix_phrases.values():
            for phrases in by_prefix.values():
                phrases.sort(key=len, reverse=True)

    def __repr__(self) -> str:
        return f"<AbuseFilter {len(self._entries)} entries>"

    @property
    def entries(self) -> tuple[str, ...]:
        return self._entries

    def _add(self, entry: str) -> None:
        if not entry or entry.startswith("#"):
            return
        if entry.startswith("!"):
            words = [_unleet(w) for w in _WORD.findall(_base_text(entry[1:]))]
            if len(words) == 1:
                self._exceptions.add(words[0])
            elif words:
                allowed = self._patterns(entry[1:])
                self._allowed_phrases.setdefault(allowed[0], []).append(tuple(allowed))
            return
        patterns = self._patterns(entry)
        if not patterns:
            return
        if len(patterns) == 1:
            self._add_word(patterns[0])
            return
        first = patterns[0]
        if first.endswith("*"):
            stem = first[:-1]
            self._prefix_phrases.setdefault(len(stem), {}).setdefault(stem, []).append(tuple(patterns))
        else:
            self._phrases.setdefault(first, []).append(tuple(patterns))
        if not any(p.endswith("*") for p in patterns[:-1]):
            self._add_word(_collapse("".join(patterns)))

    @staticmethod
    def _patterns(entry: str) -> list[str]:
        """An entry's words, normalised; a word followed by ``*`` keeps it (a prefix)."""
        base = _base_text(entry)
        return [_collapse(_unleet(m.group())) + ("*" if base.startswith("*", m.end()) else "") for m in _WORD.finditer(base)]

    def _add_word(self, pattern: str) -> None:
        if pattern.endswith("*"):
            stem = pattern[:-1]
            if stem:
                self._prefixes.setdefault(len(stem), set()).add(stem)
        else:
            self._words.add(pattern)

    def extend(self, entries: Iterable[str]) -> AbuseFilter:
        """A new filter with these entries too (a plan's ``abuse_words``)."""
        return AbuseFilter((*self._entries, *entries))

    # Matching

    def _is_word(self, word: str, raw: str) -> bool:
        """Whether a word (collapsed; ``raw`` before collapsing) is listed, or its plural, and not an exception."""
        if word in self._words or self._has_prefix(word):
            return raw not in self._exceptions
        if word[-1:] in ("s", "x") and word[:-1] in self._words:
            return raw not in self._exceptions and raw[:-1] not in self._exceptions
        return False

    def _has_prefix(self, word: str) -> bool:
        return any(word[:n] in stems for n, stems in self._prefixes.items())

    def _phrases_for(self, word: str) -> list[tuple[str, ...]]:
        found = self._phrases.get(word, [])
        if word[-1:] in ("s", "x") and word[:-1] in self._phrases:
            found = found + self._phrases[word[:-1]]
        for n, by_prefix in self._prefix_phrases.items():
            if word[:n] in by_prefix:
                found = found + by_prefix[word[:n]]
        return found

    @staticmethod
    def _fits(pattern: str, word: str) -> bool:
        if pattern.endswith("*"):
            return word.startswith(pattern[:-1])
        return word == pattern or (word[-1:] in ("s", "x") and word[:-1] == pattern)

    def _tokens(self, base: str) -> list[_Token]:
        tokens: list[_Token] = []
        spelled = False
        for m in _WORD.finditer(base):
            raw = m.group()
            start, end = m.span()
            if not raw.isalpha():
                raw = _unleet(raw)
            tokens.append((_collapse(raw), raw, start, end))
            if end - start == 1:
                spelled = True
        if spelled:
            tokens = self._join_spelled(base, tokens)
        return tokens

    def _join_spelled(self, base: str, tokens: list[_Token]) -> list[_Token]:
        """Join letters typed one by one ("c.o.n.n.a.r.d") where they form a listed word."""
        out: list[_Token] = []
        i, n = 0, len(tokens)
        while i < n:
            j = i
            while (
                j + 1 < n
                and tokens[j][3] - tokens[j][2] == 1
                and tokens[j + 1][3] - tokens[j + 1][2] == 1
                and tokens[j + 1][2] - tokens[j][3] == 1
                and base[tokens[j][3]] in _SPELLING_SEPARATORS
            ):
                j += 1
            if j == i:
                out.append(tokens[i])
                i += 1
                continue
            # Letters i..j are spelled one by one: joined as one word if that word is listed.
            raw = _unleet("".join(base[t[2]] for t in tokens[i : j + 1]))
            word = _collapse(raw)
            if self._is_word(word, raw):
                out.append((word, raw, tokens[i][2], tokens[j][3]))
            else:
                out.extend(tokens[i : j + 1])
            i = j + 1
        return out

    def _match(self, tokens: list[_Token]) -> list[tuple[int, int]]:
        """Leftmost-longest matches, as (start, end) in the base text."""
        spans: list[tuple[int, int]] = []
        i, n = 0, len(tokens)
        while i < n:
            word, raw, start, _ = tokens[i]
            size = 0
            for allowed in self._allowed_phrases.get(word, ()):
                k = len(allowed)
                if i + k <= n and all(self._fits(p, tokens[i + t][0]) for t, p in enumerate(allowed[1:], 1)):
                    size = -k
                    break
            if size < 0:
                i -= size
                continue
            for phrase in self._phrases_for(word):
                k = len(phrase)
                if i + k <= n and all(self._fits(p, tokens[i + t][0]) for t, p in enumerate(phrase[1:], 1)):
                    size = k
                    break
            if not size and self._is_word(word, raw):
                size = 1
            if size:
                spans.append((start, tokens[i + size - 1][3]))
                i += size
            else:
                i += 1
        return spans

    def find(self, text: str) -> list[tuple[int, int]]:
        """The matched parts of ``text``: sorted, non-overlapping ``(start, end)`` offsets into it."""
        spans = self._match(self._tokens(_base_text(text)))
        origin = _origin(text) if spans else None
        if origin is None:
            return spans
        # A span ends where the next character begins, so that it keeps the accents typed as combining marks.
        return [(origin[s], origin[e] if e < len(origin) else len(text)) for s, e in spans]

    def matches(self, text: str) -> bool:
        """Whether ``text`` has anything to hold for review."""
        return bool(self.find(text))


def load_lists(directory: Path) -> list[str]:
    """The entries of every ``*.txt`` list in ``directory`` (UTF-8, one a line, ``#`` comments and blank lines skipped)."""
    entries: list[str] = []
    for path in sorted(directory.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                entries.append(line)
    return entries


@functools.lru_cache(maxsize=1)
def default_filter() -> AbuseFilter:
    """The filter built from the lists shipped in ``sessions/abuse/`` (built once)."""
    from ..resources import resource_dir

    return AbuseFilter(load_lists(resource_dir("sessions") / "abuse"))
