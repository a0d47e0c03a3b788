"""Every user-facing string has a French translation, compiled; every phone string is in the six phone languages.

Plurals follow each language (French: 0 and 1 singular; Arabic: six forms),
a console asked in another language falls back to French, and a phone gets
the server's refusals in the language it chose.
"""

from __future__ import annotations

import gettext
import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po
from support import ROOT

TRANSLATIONS = ROOT / "workshop" / "translations"
PO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"


def _catalog():
    with open(PO, "rb") as f:
        return read_po(f)


def test_every_string_in_the_code_is_in_the_french_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(TRANSLATIONS / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "nplural:1,2",
            "-o",
            str(pot),
            "workshop",
            "templates",
            "static/js",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    assert len(extracted) > 200, "extraction found the strings"
    known = {m.id for m in _catalog() if m.id}
    missing = extracted - known
    assert not missing, f"run `python -m workshop.translations.update` and translate: {sorted(missing)[:10]}"


def test_every_french_entry_is_translated_and_compiled():
    catalog = _catalog()
    untranslated = [m.id for m in catalog if m.id and (not m.string or "fuzzy" in m.flags)]
    assert untranslated == []
    with open(PO.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    def compiled_string(m):
        return compiled.pgettext(m.context, m.id) if m.context else compiled.gettext(m.id)

    stale = [m.id for m in catalog if m.id and isinstance(m.id, str) and compiled_string(m) != m.string]
    assert stale == [], "the .mo is older than the .po: run `python -m workshop.translations.update`"


# --------------------------------------------------------------------------- the phone languages

#: every file whose strings a phone or the public restitution page can show (the error
#: sentences phones receive live in workshop/messages.py)
PHONE_SOURCES = (
    "templates/base.html",
    "templates/_lang_switch.html",
    "templates/participant.html",
    "templates/_poll_strings.html",
    "templates/restitution.html",
    "templates/home.html",
    "templates/_join_form.html",
    "templates/not_found.html",
    "workshop/messages.py",
)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "nplural": (1, 2)}


def phone_msgids() -> set[str]:
    from babel.messages.extract import extract_from_file

    found = set()
    for source in PHONE_SOURCES:
        method, options = ("jinja2", {"extensions": "jinja2.ext.do"}) if source.endswith(".html") else ("python", {})
        for _line, message, _comments, _context in extract_from_file(method, str(ROOT / source), keywords=KEYWORDS, options=options):
            found.add(message if isinstance(message, str) else message[0])
    return found


def phone_languages() -> tuple[str, ...]:
    from workshop.config import defaults

    return tuple(lang for lang in defaults("/tmp")["PHONE_LANGUAGES"] if lang != "en")


def test_the_phone_languages_are_the_six_of_the_issue():
    assert phone_languages() == ("fr", "ar", "tr", "pt", "es")


@pytest.mark.parametrize("lang", ["fr", "ar", "tr", "pt", "es"])
def test_every_phone_string_is_translated_in_every_phone_language(lang):
    ids = phone_msgids()
    assert len(ids) > 200, "extraction found the phone strings"
    path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as f:
        catalog = read_po(f)
    missing, untranslated = [], []
    for msgid in sorted(ids):
        message = catalog.get(msgid)
        if message is None:
            missing.append(msgid)
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if "fuzzy" in message.flags or len(strings) != (catalog.num_plurals if message.pluralizable else 1) or not all(strings):
            untranslated.append(msgid)
    assert not missing, f"run `python -m workshop.translations.update`: {missing[:5]}"
    assert not untranslated, f"{lang}: translate in {path.relative_to(ROOT)}: {untranslated[:5]}"
    with open(path.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [m.id for m in catalog if m.id in ids and isinstance(m.id, str) and not m.context and compiled.gettext(m.id) != m.string]
    assert stale == [], "the .mo is older than the .po: run `python -m workshop.translations.update`"


def test_placeholders_survive_translation():
    """A translation may drop a %(n)s (Arabic says "two ideas" in one word) but never invent one."""
    ids = phone_msgids()
    for lang in phone_languages():
        with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
            catalog = read_po(f)
        for message in catalog:
            if message.id and (message.id if isinstance(message.id, str) else message.id[0]) in ids:
                sources = message.id if isinstance(message.id, tuple) else (message.id,)
                allowed = {p for s in sources for p in PLACEHOLDER.findall(s)}
                for text in message.string if isinstance(message.string, tuple) else (message.string,):
                    assert set(PLACEHOLDER.findall(text)) <= allowed, (lang, message.id, text)


PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture
def phone_app(tmp_path):
    from workshop import create_app

    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance")})


def test_plural_forms_follow_each_language(phone_app):
    """French: 0 and 1 singular; Arabic: six categories from gettext's six forms; European Portuguese: 0 plural."""
    from babel.support import Translations

    french = Translations.load(str(TRANSLATIONS), ["fr"])
    assert french.ngettext("%(n)s idea", "%(n)s ideas", 0) == "%(n)s idée"
    assert french.ngettext("%(n)s idea", "%(n)s ideas", 1) == "%(n)s idée"
    assert french.ngettext("%(n)s idea", "%(n)s ideas", 2) == "%(n)s idées"
    arabic = Translations.load(str(TRANSLATIONS), ["ar"])
    forms = {n: arabic.ngettext("%(n)s idea in the room", "%(n)s ideas in the room", n) for n in (0, 1, 2, 3, 11, 100)}
    assert len(set(forms.values())) == 5 and forms[11] == forms[100]  # many and other read the same here
    assert forms[2] == "فكرتان في القاعة" and forms[3] == "%(n)s أفكار في القاعة"

    from workshop.web.i18n import _samples

    assert _samples("fr") == {"one": 1, "many": 1_000_000, "other": 2}
    assert _samples("ar") == {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 11, "other": 100}
    from babel import Locale

    assert Locale.parse("pt_PT").plural_form(0) == "other" and _samples("pt")["one"] == 1


def test_the_page_hands_the_script_one_sentence_per_category(phone_app):
    client = phone_app.test_client()
    service = phone_app.extensions["workshop.service"]
    code = service.create_workshop("Atelier", rounds=["Question ?"])["workshop"]["code"]
    data = _page_data(client.get(f"/j/{code}?lang=ar").get_data(as_text=True))
    assert data["lang"] == "ar" and data["dir"] == "rtl"
    room = data["strings"]["room_ideas"]
    assert set(room) == {"zero", "one", "two", "few", "many", "other"}
    assert room["two"] == "فكرتان في القاعة"
    data = _page_data(client.get(f"/j/{code}?lang=fr").get_data(as_text=True))
    assert data["strings"]["room_ideas"]["one"] == "%(n)s idée dans la salle"  # Intl.PluralRules("fr") says "one" for 0
    assert data["strings"]["room_ideas"]["other"] == "%(n)s idées dans la salle"
    data = _page_data(client.get(f"/j/{code}?lang=pt").get_data(as_text=True))
    assert data["lang_tag"] == "pt-PT", "European Portuguese: 0 is plural"


def _page_data(html: str) -> dict:
    import json

    return json.loads(re.search(r'<script id="page-data" type="application/json">(.*?)</script>', html, re.S).group(1))


@pytest.mark.parametrize(
    "lang, words, native",
    [
        ("ar", "انضم إلى الورشة", "العربية"),
        ("tr", "Atölyeye katılın", "Türkçe"),
        ("pt", "Entrar na oficina", "Português"),
        ("es", "Unirse al taller", "Español"),
    ],
)
def test_the_phone_page_and_the_restitution_speak_the_language_chosen(phone_app, lang, words, native):
    client = phone_app.test_client()
    service = phone_app.extensions["workshop.service"]
    created = service.create_workshop("Notre quartier", rounds=["Question ?"])
    code = created["workshop"]["code"]
    html = client.get(f"/j/{code}?lang={lang}").get_data(as_text=True)
    tag = "pt-PT" if lang == "pt" else lang
    rtl = ' dir="rtl"' if lang == "ar" else ""
    assert f'<html lang="{tag}"{rtl}>' in html
    assert words in html and native in html and "Notre quartier" in html, "the title stays as written"
    assert 'class="lang-switch lang-menu"' in html
    home = client.get("/").get_data(as_text=True)
    assert f'<html lang="{tag}"' in home, "the choice is kept in the session for the home page"


def test_console_screen_and_exports_fall_back_to_french(phone_app):
    """Only the pages residents read speak six languages: a console asked in Arabic is French."""
    client = phone_app.test_client()
    service = phone_app.extensions["workshop.service"]
    created = service.create_workshop("Atelier", rounds=["Question ?"])
    code, token = created["workshop"]["code"], created["facilitator_token"]
    client.get(f"/j/{code}?lang=ar")  # the phone chose Arabic: kept in the session
    console = client.get(f"/f/{token}?lang=ar").get_data(as_text=True)
    assert '<html lang="fr">' in console and 'dir="rtl"' not in console
    screen = client.get(f"/s/{code}").get_data(as_text=True)
    assert '<html lang="fr">' in screen
    assert '<html lang="ar" dir="rtl">' in client.get(f"/j/{code}").get_data(as_text=True), "and the phone keeps Arabic"
    english = client.get(f"/s/{code}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english


def test_a_phone_gets_its_refusals_in_its_language_and_the_console_in_french(server):
    sys.path.insert(0, str(ROOT / "docs"))
    import example_client
    from support import new_op, wait_until

    token = wait_until(lambda: re.search(r"/f/([A-Za-z0-9_-]+)", server.output()), message="facilitator link").group(1)
    facilitator = example_client.Client(server.url, {"facilitator_token": token, "lang": "ar"})
    code = facilitator.ok("snapshot")["workshop"]["code"]
    phone = example_client.Client(server.url, {"code": code, "lang": "ar"})
    phone.ok("join", {"op_id": new_op()})
    early = phone.call("idea.post", {"op_id": new_op(), "text": "فكرة مبكرة"})
    assert early["ok"] is False and early["error"]["message"] == "غير ممكن خلال مرحلة الترحيب."
    refused = facilitator.call("vote", {"op_id": new_op(), "kind": "theme", "target_id": 1})
    assert refused["ok"] is False and "Seuls les participants" in refused["error"]["message"], refused
    facilitator.ok("phase.advance", {"op_id": new_op()})
    posted = phone.ok("idea.post", {"op_id": new_op(), "text": "حديقة مشتركة للحي"})
    assert posted["idea"]["text"] == "حديقة مشتركة للحي", "ideas stay as written"
    turkish = example_client.Client(server.url, {"code": code, "lang": "tr"})
    assert "karakter" in turkish.call("join", {"op_id": new_op(), "pseudonym": "x" * 100})["error"]["message"]
    for client in (phone, turkish, facilitator):
        client.close()


@pytest.mark.parametrize(
    "lang, tag, kicker",
    [
        ("ar", 'lang="ar" dir="rtl"', "ماذا حدث لأفكاركم"),
        ("tr", 'lang="tr"', "Fikirlerinize ne oldu"),
        ("pt", 'lang="pt-PT"', "O que aconteceu às suas ideias"),
        ("es", 'lang="es"', "Qué ha pasado con sus ideas"),
    ],
)
def test_the_public_restitution_in_each_phone_language(phone_app, lang, tag, kicker):
    from test_restitution import KEPT_IDEA, day, http_room

    from workshop.web.i18n import format_day

    room = http_room(phone_app)
    room.status(room.action["id"], "planned", day(1), "Validé en conseil")
    room.publish()
    html = phone_app.test_client().get(f"/r/{room.code}?lang={lang}").get_data(as_text=True)
    assert f"<html {tag}>" in html and kicker in html
    assert KEPT_IDEA in html, "ideas stay as written"
    assert 'lang="fr" dir="auto"' in html, "and are marked as French, laid out in their own direction"
    assert "<script" not in html
    assert format_day(day(1), lang) in html, "dates in the page's language"
