"""Embeddings kept in memory, keyed by normalised text, so an idea's vector is computed once."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from typing import Any

_SPACES = re.compile(r"\s+")
CACHE_SIZE = 20_000  # ideas, themes and catalogue lines: a few days of workshops, ~30 MB at 384 floats


def normalise(text: str) -> str:
    """The cache key: same words, same vector (case, accents' composition and spacing aside)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


class EmbeddingCache:
    """A bounded LRU map from normalised text to vector, safe across threads.

    ``lock`` may be given so the worker's OS thread and the server's green
    threads share a real lock (see :mod:`.worker`); it is held only to read or
    write the dict, never while a model runs.
    """

    def __init__(self, size: int = CACHE_SIZE, lock: Any = None) -> None:
        self.size = size
        self._lock = lock or threading.Lock()
        self._entries: OrderedDict[str, Any] = OrderedDict()

    def get(self, text: str) -> Any:
        key = normalise(text)
        with self._lock:
            vector = self._entries.get(key)
            if vector is not None:
                self._entries.move_to_end(key)
            return vector

    def put(self, text: str, vector: Any) -> None:
        key = normalise(text)
        with self._lock:
            self._entries[key] = vector
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __contains__(self, text: str) -> bool:
        with self._lock:
            return normalise(text) in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
