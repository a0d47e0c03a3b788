"""Benchmark: the abuse filter's ``find`` on 280-character texts, in µs per text.

    .venv/bin/python bench/abuse.py --texts 2000 --repeats 7
    PYTHONPATH=/path/to/other/checkout .venv/bin/python bench/abuse.py   # the same figures for another tree

Texts are cut from French workshop prose (the seed documents in ``../shared/seeds``
when they are there, else a built-in paragraph), 280 characters each, in four sets:
clean prose; prose with one insult in it; leetspeak and stretched letters; and
prose with accents typed as combining marks (which takes the slower offset path).
The filter is ``default_filter()`` (the shipped lists) extended with 300 made-up
words, as a plan with a long ``abuse_words`` would.  Figures are wall-clock
medians over the repeats (``time.perf_counter``), with min–max.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import unicodedata
from pathlib import Path

from workshop.domain.abuse import AbuseFilter, default_filter

PROSE = (
    "Dans 10 ans, on aura réussi la politique de la ville si les habitants des quartiers prioritaires "
    "participent vraiment aux décisions : un conseil citoyen écouté, des maisons de projets ouvertes le soir, "
    "des transports jusqu'à 23 h, une école qui réussit, des commerces de proximité et des espaces verts "
    "entretenus avec les associations, le centre social et les bailleurs. "
)


def corpus() -> str:
    seeds = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
    files = sorted(seeds.glob("*")) if seeds.is_dir() else []
    text = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in files)
    return text if len(text) > 10_000 else PROSE * 40


def cut(text: str, count: int, rng: random.Random) -> list[str]:
    """Texts of 280 characters padded with spaces, starting and ending between words."""
    out = []
    for _ in range(count):
        start = text.index(" ", rng.randrange(0, len(text) - 400)) + 1
        out.append(text[start : text.rindex(" ", start, start + 281)].ljust(280))
    return out


def with_insult(texts: list[str], words: list[str], rng: random.Random) -> list[str]:
    """The same texts with an insult put between two of their words, cut back to 280 characters between words."""
    out = []
    for t in texts:
        at = t.index(" ", rng.randrange(0, 200))
        mixed = t[:at] + " " + rng.choice(words) + t[at:]
        out.append(mixed[: mixed.rindex(" ", 0, 281)].ljust(280))
    return out


def timed(f: AbuseFilter, texts: list[str], repeats: int) -> tuple[float, float, float]:
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for t in texts:
            f.find(t)
        runs.append((time.perf_counter() - t0) / len(texts) * 1e6)
    return statistics.median(runs), min(runs), max(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(2030)
    extra = ["".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(4)) for _ in range(300)]
    f = default_filter().extend(extra)
    clean = cut(corpus(), args.texts, rng)
    sets = {
        "clean prose": clean,
        "one insult": with_insult(clean, ["connard", "fils de pute", "sale arabe", "enculés", "pd"], rng),
        "leet / stretched": with_insult(clean, ["C0NNNNARD", "$@l0p3", "f.d.p", "b!tch", "je vais te tuer"], rng),
        "combining accents": [unicodedata.normalize("NFD", t) for t in clean],
    }
    print(f"abuse filter: {len(f.entries)} entries, {args.texts} texts of 280 characters, {args.repeats} repeats")
    for name, texts in sets.items():
        flagged = sum(1 for t in texts if f.find(t))
        median, low, high = timed(f, texts, args.repeats)
        print(f"  {name:<18} {median:6.1f} µs per text (min {low:.1f}, max {high:.1f}); flagged {flagged}/{len(texts)}")


if __name__ == "__main__":
    main()
