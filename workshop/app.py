"""Application factory."""

from __future__ import annotations

import os

from flask import Flask

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
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config_module.defaults(app.instance_path))
    app.config.from_prefixed_env(config_module.PREFIX)
    if test_config:
        app.config.from_mapping(test_config)
    app.config["INSTANCE_PATH"] = app.instance_path
    config_module.normalise(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.instance_secret(app.instance_path)

    db = Database(app.config["DATABASE_URL"])
    db.upgrade()
    app.extensions["workshop.db"] = db
    app.extensions["workshop.service"] = WorkshopService(db)
    app.extensions["workshop.service"].flood = config_module.idea_rate(app.config["IDEA_RATE"])

    from .web import gatherings_http, http, i18n, sockets

    i18n.init_app(app)
    http.init_app(app)
    gatherings_http.init_app(app)
    sockets.init_app(app)
    return app
