"""WSGI entry point for gunicorn: ``gunicorn -k eventlet -w 1 -b 127.0.0.1:8000 workshop.wsgi:app``.

One worker per gunicorn process: Socket.IO keeps each client on the worker
that opened its session, so several workers are several gunicorn processes on
several ports behind a proxy with sticky sessions, sharing PostgreSQL and Redis
(docs/deploy.md, docs/workshop@.service).  The worker class chooses the async
mode: gunicorn's eventlet (or gevent) worker patches the standard library
before this module is imported, and the app follows it; without either, the
threading mode (``gunicorn -k gthread``) serves long-polling only.

Settings are the ``WORKSHOP_*`` environment variables (docs/workshop.env).
gunicorn's eventlet and gevent workers accept 1,000 connections each by
default: give a plenary ``--worker-connections 10000`` (and ``LimitNOFILE=``).
"""

from __future__ import annotations

import logging
import os
import sys

from .app import create_app
from .config import configure_logging


def _patched_by() -> str:
    """The async library that monkey-patched this process, if any."""
    if "eventlet" in sys.modules:
        from eventlet import patcher

        if patcher.is_monkey_patched("socket"):
            return "eventlet"
    if "gevent" in sys.modules:
        from gevent import monkey

        if monkey.is_module_patched("socket"):
            return "gevent"
    return "threading"


def make_app():
    """The app as the WSGI server runs it: async mode of the worker, logs to stdout, expired data purged."""
    mode = os.environ.get("WORKSHOP_ASYNC_MODE") or _patched_by()
    # as `serve`: an acknowledged commit survives a power cut unless WORKSHOP_SQLITE_SYNCHRONOUS says otherwise
    app = create_app({"ASYNC_MODE": mode, "SQLITE_SYNCHRONOUS": os.environ.get("WORKSHOP_SQLITE_SYNCHRONOUS") or "FULL"})
    configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    log = logging.getLogger("workshop")
    for expired in app.extensions["workshop.service"].purge_expired():
        log.info("retention period over: personal data of %s erased", expired)
    log.info("workshop ready (async mode: %s, database: %s)", mode, app.config["DATABASE_URL"].split("://")[0])
    return app


app = make_app()
