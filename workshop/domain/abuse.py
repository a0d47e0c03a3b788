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
  "niger": the country is allowed, the slur is not);
- ``!pique niqu*``: a phrase let through ("pique-nique" is not "nique").

Letters typed one by one with the same separator among ``. - _ *`` or a space
between them ("c.o.n.n.a.r.d", "c o n n a r d", "f-d-p") are joined when all
of them form a listed word (so "P.D.G." is not "pd"); with spaces, a one-letter
word "a", "à" or "y" at either end may be left out ("il y a c o n n a r d").

Known limits: an insult glued to another word ("espècedeconnard") or split in
two ("con nard"), masked letters ("p*te", "c**nard"), spaced-out letters next to
other one-letter words ("l a c o n"), deliberate misspellings
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
from collections.abc import Callable, Iterable
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

# A word: letters and digits, the leetspeak symbols, and "!" between two of those ("_" is made "-" first).
_WORD = re.compile(r"[\w@$€]+(?:![\w@$€]+)*")
# Letters are a-z once accents and look-alikes are gone; other scripts' letters are not collapsed.
_REPEAT = re.compile(r"([a-z])\1+")


def _base(ch: str) -> str:
    """One character without accents, case or invisible formatting (possibly several characters, or none)."""
    if unicodedata.category(ch) == "Cf":
        return ""
    text = unicodedata.normalize("NFKD", ch)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = unicodedata.normalize("NFKD", text)
    return "".join(_SPECIAL.get(c, c) for c in text if not unicodedata.combining(c)).replace("_", "-")


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


_CACHE_SIZE = 50_000  # distinct words kept; a cache that fills up is emptied and starts again


class _Forms(dict[str, tuple[str, str]]):
    """A word of the base text -> (its form as compared: leetspeak undone and letters collapsed, the form before collapsing).

    The words people type repeat from one text to the next, so each is worked out once.
    """

    def __missing__(self, word: str) -> tuple[str, str]:
        raw = _unleet(word)
        value = (_collapse(raw), raw)
        if len(self) >= _CACHE_SIZE:
            self.clear()
        self[word] = value
        return value


_FORMS = _Forms()


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
            if c == previous and "a" <= c <= "z":
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
_Phrase = tuple[str, ...]

# Letters typed one by one: one-letter words with the same separator between them, from every place one starts.
_SPELLED = re.compile(r"(?=(\b\w(?:([.\-* ])\w\b)(?:\2\w\b)*))")


def _plural(word: str) -> str | None:
    return word[:-1] if word[-1:] in ("s", "x") else None


class _Probe(dict[str, bool]):
    """A word -> whether a match could start there, for one filter, worked out once per word."""

    def __init__(self, test: Callable[[str], bool]) -> None:
        super().__init__()
        self._test = test

    def __missing__(self, word: str) -> bool:
        value = self._test(word)
        if len(self) >= _CACHE_SIZE:
            self.clear()
        self[word] = value
        return value


class AbuseFilter:
    """Finds listed insults, slurs and threats in a short text, as spans of the original text."""

    def __init__(self, entries: Iterable[str]) -> None:
        self._entries: tuple[str, ...] = tuple(entries)
        self._words: set[str] = set()  # single words, collapsed
        self._prefixes: dict[int, set[str]] = {}  # "encul*": {5: {"encul"}}
        self._phrases: dict[str, list[_Phrase]] = {}  # first word -> phrases, longest first
        self._prefix_phrases: dict[int, dict[str, list[_Phrase]]] = {}  # phrases whose first word is a prefix
        self._exceptions: set[str] = set()  # "!niger": compared before collapsing
        self._allowed: dict[str, list[_Phrase]] = {}  # "!pique niqu*": phrases let through
        for entry in self._entries:
            self._add(entry.strip())
        for table in (self._phrases, self._allowed, *self._prefix_phrases.values()):
            for phrases in table.values():
                phrases.sort(key=len, reverse=True)
        # The quick test that most texts stop at: a listed word, or the longest word of a listed phrase
        # (not its first: "je", "a", "sale" are everywhere), or a prefix, must be there.
        keys = set(self._words)
        self._stems: dict[int, set[str]] = {n: set(stems) for n, stems in self._prefixes.items()}
        for phrase in self._all_phrases():
            key = max(reversed(phrase), key=lambda p: (not p.endswith("*"), len(p)))
            if key.endswith("*"):
                self._stems.setdefault(len(key) - 1, set()).add(key[:-1])
            else:
                keys.add(key)
        self._keys: frozenset[str] = frozenset(k for word in keys for k in (word, word + "s", word + "x"))
        starts = (*self._words, *self._phrases, *self._allowed)
        self._starts: frozenset[str] = frozenset(k for word in starts for k in (word, word + "s", word + "x"))
        self._start_stems: dict[int, set[str]] = {n: set(stems) for n, stems in self._prefixes.items()}
        for n, by_stem in self._prefix_phrases.items():
            self._start_stems.setdefault(n, set()).update(by_stem)
        # Word of the base text -> could a match start there (the quick test); word as compared -> the same, in full.
        self._probe = _Probe(lambda word: (form := _FORMS[word][0]) in self._keys or self._has_prefix(form, self._stems))
        self._can_start = _Probe(lambda form: form in self._starts or self._has_prefix(form, self._start_stems))

    def _all_phrases(self) -> Iterable[_Phrase]:
        yield from (p for phrases in self._phrases.values() for p in phrases)
        yield from (p for by_stem in self._prefix_phrases.values() for phrases in by_stem.values() for p in phrases)

    def __repr__(self) -> str:
        return f"<AbuseFilter {len(self._entries)} entries>"

    @property
    def entries(self) -> tuple[str, ...]:
        """The entries as given (a plan's ``abuse_words`` come after the shipped lists)."""
        return self._entries

    def extend(self, entries: Iterable[str]) -> AbuseFilter:
        """A new filter with these entries too (a plan's ``abuse_words``)."""
        return AbuseFilter((*self._entries, *entries))

    # Building

    @staticmethod
    def _patterns(entry: str) -> list[str]:
        """An entry's words, normalised; a word followed by ``*`` keeps it (a prefix)."""
        base = _base_text(entry)
        return [_collapse(_unleet(m.group())) + ("*" if base.startswith("*", m.end()) else "") for m in _WORD.finditer(base)]

    def _add(self, entry: str) -> None:
        if not entry or entry.startswith("#"):
            return
        if entry.startswith("!"):
            words = [_unleet(w) for w in _WORD.findall(_base_text(entry[1:]))]
            if len(words) == 1:
                self._exceptions.add(words[0])
            elif words:
                allowed = self._patterns(entry[1:])
                self._allowed.setdefault(allowed[0].rstrip("*"), []).append(tuple(allowed))
            return
        patterns = self._patterns(entry)
        if len(patterns) == 1:
            self._add_word(patterns[0])
        elif patterns:
            first = patterns[0]
            if first.endswith("*"):
                stem = first[:-1]
                self._prefix_phrases.setdefault(len(stem), {}).setdefault(stem, []).append(tuple(patterns))
            else:
                self._phrases.setdefault(first, []).append(tuple(patterns))
            if not any(p.endswith("*") for p in patterns[:-1]):
                # The phrase typed as one word: "filsdepute".
                self._add_word(_collapse("".join(patterns)))

    def _add_word(self, pattern: str) -> None:
        if pattern.endswith("*"):
            if pattern[:-1]:
                self._prefixes.setdefault(len(pattern) - 1, set()).add(pattern[:-1])
        elif pattern:
            self._words.add(pattern)

    # Matching

    @staticmethod
    def _has_prefix(word: str, table: dict[int, set[str]]) -> bool:
        return any(word[:n] in stems for n, stems in table.items())

    def _is_word(self, word: str, raw: str) -> bool:
        """Whether a word (collapsed; ``raw`` before collapsing) is listed, or its plural, and not an exception."""
        if word in self._words or self._has_prefix(word, self._prefixes):
            return raw not in self._exceptions
        if word[-1:] in ("s", "x") and word[:-1] in self._words:
            return raw not in self._exceptions and raw[:-1] not in self._exceptions
        return False

    def _phrases_for(self, table: dict[str, list[_Phrase]], word: str) -> list[_Phrase]:
        found = table.get(word, [])
        single = _plural(word)
        if single is not None and single in table:
            found = found + table[single]
        if table is self._phrases:
            for n, by_stem in self._prefix_phrases.items():
                if word[:n] in by_stem:
                    found = found + by_stem[word[:n]]
        return found

    @staticmethod
    def _fits(phrase: _Phrase, tokens: list[_Token], i: int) -> bool:
        if i + len(phrase) > len(tokens):
            return False
        for t, pattern in enumerate(phrase):
            word = tokens[i + t][0]
            if pattern.endswith("*"):
                if not word.startswith(pattern[:-1]):
                    return False
            elif word != pattern and _plural(word) != pattern:
                return False
        return True

    def _spelled(self, base: str) -> list[_Token]:
        """Letters typed one by one ("c.o.n.n.a.r.d", "f d p") that join into a listed word, as words.

        The separator is the same all along; in letters spaced out, a one-letter French word
        ("a", "à", "y") at either end may be left out ("il y a c o n n a r d").
        """
        found: list[_Token] = []
        for m in _SPELLED.finditer(base):
            start, end = m.span(1)
            if found and start < found[-1][3]:
                continue
            tries = [(start, end)]
            if m.group(2) == " ":
                trim_start = base[start] in "ay" and end - start > 3
                trim_end = base[end - 1] in "ay" and end - start > 3
                tries += [(start + 2 * trim_start, end - 2 * trim_end), (start + 2 * trim_start, end), (start, end - 2 * trim_end)]
            for a, b in tries:
                raw = _unleet(base[a:b:2])
                word = _collapse(raw)
                if b - a > 1 and self._is_word(word, raw):
                    found.append((word, raw, a, b))
                    break
        return found

    @staticmethod
    def _join_spelled(tokens: list[_Token], spelled: list[_Token]) -> list[_Token]:
        """The words of a text with the letters typed one by one made into the listed words they form."""
        starts = {t[2] for t in tokens}
        ends = {t[3] for t in tokens}
        joined = [s for s in spelled if s[2] in starts and s[3] in ends]
        out: list[_Token] = []
        k = 0
        for token in tokens:
            while k < len(joined) and joined[k][3] <= token[2]:
                k += 1
            if k < len(joined) and joined[k][2] <= token[2] < joined[k][3]:
                if token[2] == joined[k][2]:
                    out.append(joined[k])
                continue
            out.append(token)
        return out

    def _match(self, tokens: list[_Token]) -> list[tuple[int, int]]:
        """Leftmost-longest matches, as (start, end) in the base text."""
        spans: list[tuple[int, int]] = []
        i, n = 0, len(tokens)
        while i < n:
            word, raw, start, _ = tokens[i]
            if not self._can_start[word]:
                i += 1
                continue
            allowed = next((len(p) for p in self._phrases_for(self._allowed, word) if self._fits(p, tokens, i)), 0)
            if allowed:
                i += allowed
                continue
            size = next((len(p) for p in self._phrases_for(self._phrases, word) if self._fits(p, tokens, i)), 0)
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
        base = _base_text(text)
        words = _WORD.findall(base)
        spelled = self._spelled(base)
        # The quick test that most texts stop at: no word where a match could start, nothing spelled out.
        if not spelled and not any(map(self._probe.__getitem__, words)):
            return []
        tokens = [(*_FORMS[w], m.start(), m.end()) for w, m in zip(words, _WORD.finditer(base))]
        if spelled:
            tokens = self._join_spelled(tokens, spelled)
        spans = self._match(tokens)
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
