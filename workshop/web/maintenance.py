"""The periodic retention purge of a long-running server.

``workshop serve`` purges when it starts; a server left running for weeks must
still forget on time.  Every ``PURGE_INTERVAL`` seconds (an hour by default,
0: never) a background task of the async mode (a green thread under eventlet
or gevent, a daemon thread otherwise) runs the same purge as ``workshop
purge``.  It is cheap when nothing expired (one query over the workshops'
settings), and a failure is logged, never raised: the server goes on.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from flask import Flask
    from flask_socketio import SocketIO

    from ..services import WorkshopService

log = logging.getLogger(__name__)


class PeriodicPurge:
    """Runs ``service.purge_expired()`` every ``interval`` seconds in a background task."""

    def __init__(self, socketio: SocketIO, service: WorkshopService, interval: float) -> None:
        self.socketio = socketio
        self.service = service
        self.interval = interval
        self.runs = 0
        self._task = None

    def start(self) -> None:
        if self._task is None and self.interval > 0:
            self._task = self.socketio.start_background_task(self._run)

    def purge_once(self) -> list[str]:
        """One purge; what it erased is logged.  Never raises."""
        try:
            expired = self.service.purge_expired()
        except Exception:  # a failed purge must not kill the task (nor the server): next time
            log.exception("retention purge failed")
            return []
        finally:
            self.runs += 1
        for code in expired:
            log.info("retention period over: personal data of %s erased", code)
        return expired

    def _run(self) -> None:
        while True:
            self.socketio.sleep(self.interval)
            self.purge_once()


def init_app(app: Flask, socketio: SocketIO) -> PeriodicPurge:
    """Start the periodic purge (not in tests of the app itself, nor with ``PURGE_INTERVAL=0``)."""
    interval = 0.0 if app.testing else float(app.config.get("PURGE_INTERVAL") or 0)
    purge = app.extensions["workshop.purge"] = PeriodicPurge(socketio, app.extensions["workshop.service"], interval)
    purge.start()
    return purge
