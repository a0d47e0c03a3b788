"""Application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from . import config as config_module
from .services import WorkshopService
from .storage.db import Database

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, database (migrated), i18n, HTTP routes, Socket.IO events.

    ``test_config`` overrides everything else, as in Flask's tutorial.
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
    )
    instance = (test_config or {}).get("INSTANCE_PATH") or config_module.from_environment().get("INSTANCE_PATH")
    if instance:
        app.instance_path = os.path.abspath(instance)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config_module.defaults(app.instance_path))
    app.config.from_mapping(config_module.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.instance_secret(app.instance_path)

    db = Database(app.config["DATABASE_URL"])
    db.upgrade()
    app.extensions["workshop.db"] = db
    app.extensions["workshop.service"] = WorkshopService(db)

    from .web import gatherings_http, http, i18n, sockets

    i18n.init_app(app)
    http.init_app(app)
    gatherings_http.init_app(app)
    sockets.init_app(app)
    return app
