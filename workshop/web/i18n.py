"""Languages: French by default; error codes to readable sentences; plurals for the scripts.

Two sets of languages (``workshop/config.py``):

- ``PHONE_LANGUAGES`` — the pages residents read: the phone (join, every
  phase, the not-sent list, the offline banner), the home page where a code is
  typed, and the public restitution.  French, English, Arabic (right to left),
  Turkish, Portuguese, Spanish.
- ``LANGUAGES`` — everything else (console, projector, plenary, observatory,
  exports): French and English only.

The locale is what the person chose (``?lang=`` on a page, ``lang`` in the
Socket.IO auth), kept in their session; otherwise French.  We deliberately do
not follow the browser's Accept-Language: a projector or a borrowed laptop set
to English must not switch a French workshop.  A choice the page does not
offer (a console, a screen or an export asked in ``ar`` — or opened in a
browser whose session remembers ``ar`` from the phone) falls back to French:
:func:`select_locale` returns the default locale whenever the chosen language
is not in the page's set; the session keeps the choice for the phone.

Plurals: the server uses gettext's ``ngettext`` (each catalogue's
``Plural-Forms``: French ``n > 1`` so 0 and 1 are singular; Arabic six
forms).  The scripts get, for each plural string, one sentence per CLDR
category of the language (:func:`plural_forms`, ``nplural`` in templates),
and pick one with ``Intl.PluralRules`` (``static/js/lib/dom.js``).
"""

from __future__ import annotations

from datetime import date as dt_date

from babel import Locale
from babel.dates import format_date as babel_format_date
from flask import current_app, has_request_context, request, session
from flask_babel import Babel, get_translations
from flask_babel import gettext as _

from ..errors import WorkshopError
from ..messages import FIELD_NAMES, MESSAGES, PHASE_NAMES, error_message, public_params  # noqa: F401  (the table lives in workshop.messages)

#: the language menu shows each language in its own name
NATIVE_NAMES = {
    "fr": "Français",
    "en": "English",
    "ar": "العربية",
    "tr": "Türkçe",
    "pt": "Português",
    "es": "Español",
}
RIGHT_TO_LEFT = frozenset({"ar"})
#: the BCP 47 tag a page and ``Intl.PluralRules`` use, when it is not the catalogue's code:
#: the Portuguese written here is European (most Portuguese speakers in France), whose
#: plural rules differ from Brazil's (0 is plural)
LANGUAGE_TAGS = {"pt": "pt-PT"}
#: the Flask endpoints whose pages residents read (they offer PHONE_LANGUAGES)
PHONE_ENDPOINTS = frozenset({"http.participant", "http.restitution", "http.home"})
#: the CLDR plural categories, in gettext's order for Arabic (nplurals=6)
CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def _is_phone_context() -> bool:
    if not has_request_context():
        return False
    return request.endpoint in PHONE_ENDPOINTS or bool(session.get("phone_connection"))


def languages_here() -> tuple[str, ...]:
    """The languages this page (or Socket.IO connection) can be shown in."""
    key = "PHONE_LANGUAGES" if _is_phone_context() else "LANGUAGES"
    return tuple(current_app.config[key])


def select_locale() -> str:
    """The person's choice if this page offers it, else French (the default locale)."""
    offered = languages_here()
    known = current_app.config["PHONE_LANGUAGES"]
    chosen = request.args.get("lang") if has_request_context() else None
    if chosen in known:
        session["lang"] = chosen  # kept even where it is not offered: the phone will use it
    else:
        chosen = session.get("lang") if has_request_context() else None
    if chosen in offered:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_socket_language(auth: dict) -> None:
    """On a Socket.IO connect: the ``lang`` in the auth, and whether a phone is connecting.

    Every connection that is neither the console (``facilitator_token``) nor
    the screen (``role: "screen"``) is a phone, and gets PHONE_LANGUAGES.
    """
    session["phone_connection"] = not auth.get("facilitator_token") and auth.get("role") != "screen"
    if auth.get("lang") in current_app.config["PHONE_LANGUAGES"]:
        session["lang"] = auth["lang"]


def language_tag(lang: str) -> str:
    return LANGUAGE_TAGS.get(lang, lang)


def direction(lang: str) -> str:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


def _samples(lang: str) -> dict[str, int]:
    """One number per CLDR plural category of ``lang`` (1 before 0, so 'one' is tried on 1)."""
    rule = Locale.parse(language_tag(lang).replace("-", "_")).plural_form
    found: dict[str, int] = {}
    for n in [1, 2, 0, *range(3, 200), 1_000_000]:
        found.setdefault(rule(n), n)
    return {c: found[c] for c in CATEGORIES if c in found}


def plural_forms(singular: str, plural: str, lang: str | None = None) -> dict[str, str]:
    """``{"one": "%(n)s idée", "other": "%(n)s idées", …}``: one sentence per plural category.

    Each sentence is the catalogue's ``ngettext`` for a number of that category,
    unformatted: the script fills ``%(n)s`` and chooses with ``Intl.PluralRules``.
    """
    lang = lang or select_locale()
    translations = get_translations()
    return {category: translations.ungettext(singular, plural, n) for category, n in _samples(lang).items()}


def format_day(value: str | None, lang: str) -> str:
    """'2020-11-03' → '3 novembre 2020', '3 Kasım 2020', '3 نوفمبر 2020' for the pages residents read.

    The documents' :func:`workshop.exports.common.format_date` knows French and
    English only; the other phone languages are formatted by Babel here.
    """
    from ..exports.i18n import LANGS, format_date

    if lang in LANGS or not value:
        return format_date(value, lang if lang in LANGS else "fr")
    try:
        day = dt_date.fromisoformat(value)
    except ValueError:
        return value
    return babel_format_date(day, "long", locale=Locale.parse(language_tag(lang).replace("-", "_")))


def init_app(app) -> None:
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["current_locale"] = lambda: select_locale()
    app.jinja_env.globals["languages_here"] = languages_here
    app.jinja_env.globals["native_names"] = NATIVE_NAMES
    app.jinja_env.globals["language_tag"] = lambda: language_tag(select_locale())
    app.jinja_env.globals["text_direction"] = lambda: direction(select_locale())
    app.jinja_env.globals["nplural"] = plural_forms


def error_payload(error: WorkshopError) -> dict:
    """The ``error`` member of a failed acknowledgement: code, readable message, params."""
    return {"code": error.code, "type": type(error).code, "message": error_message(error, _), "params": public_params(error)}


def server_error_payload() -> dict:
    return {"code": "server_error", "type": "error", "message": _(MESSAGES["server_error"]), "params": {}}
