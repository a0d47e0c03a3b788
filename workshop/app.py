"""Application factory."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import sqlite3

import click
from flask import Flask, request
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from .resources import resource_dir
from .services import WorkshopService
from .storage.db import Database


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, database (migrated), i18n, HTTP routes, Socket.IO events.

    Settings come from the defaults, then every ``WORKSHOP_*`` environment
    variable (``from_prefixed_env``), then ``test_config``, as in Flask's tutorial.
    The screens are found with :mod:`importlib.resources` (workshop/resources.py),
    installed or in a checkout.
    """
    instance = (test_config or {}).get("INSTANCE_PATH") or config_module.default_instance_path()
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance),
        static_folder=str(resource_dir("static")),
        template_folder=str(resource_dir("templates")),
    )
    check_instance_folder(app.instance_path)
    app.config.from_mapping(config_module.defaults(app.instance_path))
    app.config.from_prefixed_env(config_module.PREFIX)
    if test_config:
        app.config.from_mapping(test_config)
    app.config["INSTANCE_PATH"] = app.instance_path
    config_module.normalise(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.instance_secret(app.instance_path)

    db = Database(
        app.config["DATABASE_URL"],
        synchronous=app.config["SQLITE_SYNCHRONOUS"],
        busy_timeout=app.config["DB_BUSY_TIMEOUT"],
    )
    try:
        db.upgrade()
    except OperationalError as error:
        reason = str(error.orig)
        if not isinstance(error.orig, sqlite3.OperationalError) or not any(
            sign in reason for sign in ("readonly", "unable to open", "disk is full", "disk I/O error")
        ):
            raise  # a locked database or a PostgreSQL error is not about the folder
        folder = os.path.dirname(make_url(app.config["DATABASE_URL"]).database or "") or app.instance_path
        raise InstanceFolderError(folder, reason) from None
    app.extensions["workshop.db"] = db
    app.extensions["workshop.service"] = WorkshopService(db)
    app.extensions["workshop.service"].flood = config_module.idea_rate(app.config["IDEA_RATE"])

    from .web import gatherings_http, http, i18n, limits, sockets

    i18n.init_app(app)
    http.init_app(app)
    gatherings_http.init_app(app)
    limits.init_http(app)
    sockets.init_app(app)
    app.after_request(route_cookie)
    # Outermost first: the proxy's view of the request, then a bounded long-polling body,
    # then Socket.IO's middleware (which sockets.init_app put around Flask).
    app.wsgi_app = BodyLimit(app.wsgi_app, sockets.MAX_FRAME)  # type: ignore[method-assign]
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
    return app


class InstanceFolderError(click.ClickException):
    """The instance folder cannot be written: one clear line and exit code 73 instead of a traceback.

    A ``ClickException``: every ``workshop`` command prints it as ``Error: …``/``Erreur``
    and exits with :attr:`exit_code` (73, ``EX_CANTCREAT`` of sysexits.h).
    """

    exit_code = 73

    def __init__(self, path: str, reason: str) -> None:
        from .commands import _

        super().__init__(
            _(
                "the instance folder %(path)s cannot be written (%(reason)s): "
                "set WORKSHOP_INSTANCE_PATH to a writable folder with free space",
                path=path,
                reason=reason,
            )
        )


def check_instance_folder(path: str) -> None:
    """Create the instance folder and prove it writable (read-only, full, or not a folder fails here).

    The database, the secret key and the QR images are written there; a probe file found
    read-only mounts, a full disk and a path under a regular file before anything else does.
    """
    probe = os.path.join(path, f".write-test-{secrets.token_hex(4)}")
    try:
        os.makedirs(path, exist_ok=True)
        with open(probe, "wb") as handle:
            handle.write(b"x" * 4096)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise InstanceFolderError(path, error.strerror or errno.errorcode.get(error.errno or 0, str(error))) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(probe)


#: the cookie that keeps one browser on one worker behind a proxy (docs/nginx/workshop.conf hashes it)
ROUTE_COOKIE = "workshop_route"


def route_cookie(response):
    """Give each browser a random route on its pages, before its socket connects.

    The proxy hashes it to choose a worker: every request of one phone reaches the same
    worker (Socket.IO's long-polling needs it) even when a whole room shares one venue NAT
    address, which ``ip_hash`` would send to a single worker. Random, not secret, no data.
    """
    if response.mimetype == "text/html" and ROUTE_COOKIE not in request.cookies:
        response.set_cookie(
            ROUTE_COOKIE,
            secrets.token_urlsafe(9),
            max_age=7 * 24 * 3600,
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
    return response


class BodyLimit:
    """Answer an oversized Socket.IO long-polling POST at once with 413, before anyone reads it.

    Engine.IO refuses such a body by disconnecting the session, and that disconnect waits for
    the client's next GET to drain the session's queue: the POST stayed unanswered for the
    ping interval plus timeout (40 s). Refused here, the body is never read and the
    connection closed.
    """

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "").startswith("/socket.io"):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = self.limit + 1
            if length > self.limit:
                body = b"Payload too large"
                start_response(
                    "413 Request Entity Too Large",
                    [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), ("Connection", "close")],
                )
                return [body]
        return self.app(environ, start_response)
