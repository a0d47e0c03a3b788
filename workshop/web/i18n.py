"""Languages: French by default, English second; error codes to readable sentences.

The locale is what the person chose (``?lang=`` on a page, ``lang`` in the
Socket.IO auth), kept in their session; otherwise French.  We deliberately do
not follow the browser's Accept-Language: a projector or a borrowed laptop set
to English must not switch a French workshop.
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import Babel
from flask_babel import gettext as _

from ..errors import WorkshopError
from ..messages import FIELD_NAMES, MESSAGES, PHASE_NAMES, error_message, public_params  # noqa: F401  (the table lives in workshop.messages)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") if request else None
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    stored = session.get("lang")
    if stored in languages:
        return stored
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["current_locale"] = lambda: select_locale()


def error_payload(error: WorkshopError) -> dict:
    """The ``error`` member of a failed acknowledgement: code, readable message, params."""
    return {"code": error.code, "type": type(error).code, "message": error_message(error, _), "params": public_params(error)}


def server_error_payload() -> dict:
    return {"code": "server_error", "type": "error", "message": _(MESSAGES["server_error"]), "params": {}}
