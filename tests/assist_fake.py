"""A small deterministic embedder for the assistant's tests: keywords are axes, other words hashed.

Each keyword of :data:`AXES` points along its theme's axis; any other word
adds a little along one of a few hashed axes, so two texts sharing words are
close and a text without keywords is close to no theme.  ``SlowFakeEmbedder``
also spends ~40 ms per text in hashlib, which releases the GIL as a real
model's C engine does: time that a green thread would take from the event loop.
"""

from __future__ import annotations

import hashlib
import unicodedata

import numpy as np

from workshop.assist.embedder import Calibration

AXES = {
    "emploi": ["emploi", "travail", "boulot", "job", "cv", "embauche", "formation", "stage", "chomage"],
    "transport": ["bus", "tram", "vélo", "transports", "transport", "ligne", "arrêt", "mobilités", "trottoirs"],
    "logement": ["logement", "logements", "appartement", "ascenseur", "bailleur", "loyer", "habitat"],
    "proprete": ["poubelles", "déchets", "propreté", "sale", "nettoyage", "encombrants"],
    "sante": ["médecin", "santé", "soins", "dentiste"],
}
HASHED = 256


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word.casefold().strip(".,;:!?'’()"))


class FakeEmbedder:
    name = "fake"
    calibration = Calibration(confident=0.5, margin=0.1, duplicate=0.95, cluster=0.8, catalogue=0.5)
    axes = list(AXES)

    def vector(self, text: str) -> np.ndarray:
        v = np.zeros(len(AXES) + HASHED, dtype=np.float32)
        for word in text.split():
            w = _fold(word)
            for k, axis in enumerate(AXES.values()):
                if w in axis:
                    v[k] += 1.0
                    break
            else:
                if len(w) > 3:
                    v[len(AXES) + int(hashlib.md5(w.encode()).hexdigest(), 16) % HASHED] += 0.35
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed(self, texts):
        return np.stack([self.vector(t) for t in texts]) if texts else np.zeros((0, len(AXES) + HASHED), np.float32)


_WORK = b"x" * 20_000_000


class SlowFakeEmbedder(FakeEmbedder):
    name = "slow fake"

    def embed(self, texts):
        for _ in texts:
            for _round in range(3):
                hashlib.sha256(_WORK).digest()  # tens of ms each, the GIL released
        return super().embed(texts)
