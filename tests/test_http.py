"""Every HTTP route of docs/protocol.md ("## HTTP"), through Flask's test client (no server process).

What a person would notice: the status, the content type, the key French
words, the address in the QR codes, the headers that keep the pages safe,
and no secret in a page anyone can open.
"""

from __future__ import annotations

import csv
import html as html_module
import io
import itertools
import json
import re

import pytest
import qrcode
import qrcode.image.svg
from support import new_op

from workshop import exports

PUBLIC_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
HTML_EXPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
TITLE = "Notre quartier en 2035"
QUESTION = "Dans 10 ans, on aura réussi si…"
IDEA = "Des bancs à l'ombre"


ROOMS = itertools.count(1)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One app for the module: building one per test (migrations included) would be most of the time.

    Each test gets its own workshop (see ``room``), with its own title and territory.
    """
    from workshop import create_app

    instance = tmp_path_factory.mktemp("http") / "instance"
    return create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "TALLY_INTERVAL": 0.05})


@pytest.fixture
def room(app):
    """A workshop with one participant (Awa) and one idea, still running."""
    service = app.extensions["workshop.service"]
    n = next(ROOMS)
    title, territory = f"{TITLE} (atelier {n})", f"Quartier Nord ({n})"
    created = service.create_workshop(title, rounds=[QUESTION], territory=territory)
    code = created["workshop"]["code"]
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    joined = service.join(service.authenticate(code=code), {"op_id": new_op(), "pseudonym": "Awa"}).result
    phone = service.authenticate(code=code, token=joined["token"])
    service.advance_phase(fac, {"op_id": new_op()})
    service.post_idea(phone, {"op_id": new_op(), "text": IDEA})
    return {
        "service": service,
        "title": title,
        "territory": territory,
        "fac": fac,
        "code": code,
        "token": created["facilitator_token"],
        "participant_token": joined["token"],
    }


def html_of(response) -> str:
    assert response.mimetype == "text/html", response.mimetype
    return response.get_data(as_text=True)


def text_of(response) -> str:
    """The page as read on screen (entities such as &#39; decoded)."""
    return html_module.unescape(html_of(response))


def page_data(html: str) -> dict:
    """The JSON the page hands its script (the only inline <script>, and it is data)."""
    return json.loads(re.search(r'<script id="page-data" type="application/json">(.*?)</script>', html, re.S).group(1))


def assert_safe_page(response) -> None:
    """The documented headers, and nothing inline that the CSP would block."""
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'", csp  # no inline code, no third party
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for header, value in PUBLIC_HEADERS.items():
        assert response.headers[header] == value, header
    html = response.get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler would be blocked by the CSP"


def assert_no_secret(html: str, room: dict) -> None:
    for secret in (room["token"], room["participant_token"], "facilitator_token", "participant_id"):
        assert secret not in html, secret


def expected_qr(address: str) -> bytes:
    """The SVG QR code the qrcode library draws for ``address`` (as the app draws it: path, border 2)."""
    image = qrcode.make(address, image_factory=qrcode.image.svg.SvgPathImage, border=2, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- home and health


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"ok": True}


def test_home_page_is_french_and_offers_the_code_form(client):
    response = client.get("/")
    assert response.status_code == 200
    html = html_of(response)
    assert '<html lang="fr">' in html
    assert "Rejoindre un atelier" in html and "Atelier participatif" in html
    assert "<form" in html and 'name="code"' in html
    assert_safe_page(response)


def test_home_page_in_english(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and "Join a workshop" in html


def test_the_code_typed_on_the_home_page_leads_to_the_join_page(client, room):
    code = room["code"]
    typed = f"{code[:3].lower()} {code[3:].lower()}"
    response = client.get("/", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/j/{code}")


# --------------------------------------------------------------------------- /j/<code>: the phone page


def test_join_page_is_french_by_default(client, room):
    response = client.get(f"/j/{room['code']}")
    assert response.status_code == 200
    html = html_of(response)
    assert '<html lang="fr">' in html
    assert room["title"] in html and "Rejoindre l'atelier" in html
    data = page_data(html)
    assert data["role"] == "participant" and data["code"] == room["code"] and data["lang"] == "fr"
    assert_safe_page(response)
    assert_no_secret(html, room)
    assert IDEA not in html, "the ideas are on the projector, not in the phone's page"


def test_join_page_in_english_and_the_choice_is_remembered(client, room):
    html = client.get(f"/j/{room['code']}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and "Join the workshop" in html
    again = client.get(f"/j/{room['code']}").get_data(as_text=True)
    assert '<html lang="en">' in again, "the language chosen is kept in the session"
    assert '<html lang="fr">' in client.get(f"/j/{room['code']}?lang=fr").get_data(as_text=True)


def test_the_browser_language_does_not_switch_a_french_workshop(client, room):
    html = client.get(f"/j/{room['code']}", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="fr">' in html


def test_join_code_is_case_insensitive(client, room):
    assert client.get(f"/j/{room['code'].lower()}").status_code == 200


@pytest.mark.parametrize("path", ["/j/ZZZZZZ", "/s/ZZZZZZ", "/j/%3Cscript%3Ealert(1)%3C%5Cscript%3E"])
def test_unknown_code_is_the_styled_not_found_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    html = html_of(response)
    assert "Aucun atelier ouvert n'a ce code. Vérifiez le code affiché à l'écran." in text_of(response)
    assert "<title>Introuvable</title>" in html
    assert "css/base.css" in html and 'name="code"' in html  # the site's look, and a form to try again
    assert "<script>alert" not in html
    assert_safe_page(response)


@pytest.mark.parametrize("path", ["/j/", "/j/AB/CD", "/rejoindre"])
def test_an_unknown_address_is_the_styled_french_not_found_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert '<html lang="fr">' in html_of(response) and "css/base.css" in html_of(response)


def test_not_found_page_in_english(client):
    html = client.get("/j/ZZZZZZ?lang=en").get_data(as_text=True)
    assert "No open workshop has this code." in html


# --------------------------------------------------------------------------- /s/<code>: the projector


def test_screen_page(client, room):
    response = client.get(f"/s/{room['code']}")
    assert response.status_code == 200
    html = html_of(response)
    assert '<html lang="fr">' in html and room["title"] in html and "Écran de projection" in html
    data = page_data(html)
    assert data["role"] == "screen"
    assert data["join_url"] == f"http://localhost/j/{room['code']}"
    assert data["qr_url"] == f"/qr/{room['code']}.svg"
    assert "<button" not in html and "<input" not in html and "<form" not in html  # read-only
    assert_safe_page(response)
    assert_no_secret(html, room)


# --------------------------------------------------------------------------- /f/<token>: the console


def test_console_page(client, room):
    response = client.get(f"/f/{room['token']}")
    assert response.status_code == 200
    html = html_of(response)
    assert '<html lang="fr">' in html and room["title"] in html
    assert "Code pour rejoindre" in html and room["code"] in html
    assert response.headers["Cache-Control"] == "no-store", "the console's address is its secret: never cached"
    data = page_data(html)
    assert data["role"] == "facilitator" and data["token"] == room["token"]
    assert data["screen_url"] == f"http://localhost/s/{room['code']}"
    assert data["export_url"] == f"/f/{room['token']}/export.json"
    assert room["participant_token"] not in html
    assert_safe_page(response)


@pytest.mark.parametrize("token", ["forged", "ZZZZZZ"])
def test_wrong_facilitator_link_is_a_clear_404(client, room, token):
    response = client.get(f"/f/{token}")
    assert response.status_code == 404
    html = html_of(response)
    assert "Ce lien d'animation n'est pas valable." in text_of(response) and "workshop list" in html
    assert 'name="code"' not in html, "no join form: this was meant to be the facilitator's link"
    assert room["token"] not in html
    assert_safe_page(response)


def test_the_join_code_is_not_a_facilitator_link(client, room):
    assert client.get(f"/f/{room['code']}").status_code == 404


# --------------------------------------------------------------------------- QR codes


def test_join_qr_code_carries_the_served_address(client, room):
    response = client.get(f"/qr/{room['code']}.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data
    assert response.data == expected_qr(f"http://localhost/j/{room['code']}")
    assert response.data != expected_qr(f"http://localhost/r/{room['code']}")


def test_qr_code_uses_the_public_address_behind_a_proxy(app, client, room, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://atelier.example.org/")
    assert client.get(f"/qr/{room['code']}.svg").data == expected_qr(f"https://atelier.example.org/j/{room['code']}")
    info = client.get(f"/api/workshops/{room['code']}").get_json()
    assert info["data"]["join_url"] == f"https://atelier.example.org/j/{room['code']}"


def test_qr_code_follows_the_host_it_is_asked_on(client, room):
    response = client.get(f"/qr/{room['code']}.svg", base_url="http://192.168.1.20:8000")
    assert response.data == expected_qr(f"http://192.168.1.20:8000/j/{room['code']}")


def test_restitution_qr_code_carries_the_restitution_address(client, room):
    response = client.get(f"/qr/r/{room['code'].lower()}.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data == expected_qr(f"http://localhost/r/{room['code']}")


@pytest.mark.parametrize("path", ["/qr/ZZZZZZ.svg", "/qr/r/ZZZZZZ.svg"])
def test_qr_code_of_an_unknown_workshop_is_a_404(client, path):
    assert client.get(path).status_code == 404


# --------------------------------------------------------------------------- /api/workshops/<code>


def test_workshop_info_for_the_join_page(client, room):
    response = client.get(f"/api/workshops/{room['code'].lower()}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    info = response.get_json()
    assert info["ok"] is True
    data = info["data"]
    assert set(data) == {"code", "title", "territory", "date", "language", "groups", "anonymous", "join_url"}
    assert (data["code"], data["title"], data["territory"]) == (room["code"], room["title"], room["territory"])
    assert "habitant" in data["groups"] and data["anonymous"] is False
    assert_no_secret(response.get_data(as_text=True), room)


def test_workshop_info_for_an_unknown_code(client):
    response = client.get("/api/workshops/ZZZZZZ")
    assert response.status_code == 404
    assert response.get_json() == {"ok": False, "error": {"code": "unknown_code"}}


# --------------------------------------------------------------------------- facilitator exports

EXPORTS = [
    ("docx", {}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    ("html", {}, "text/html", ".html"),
    ("markdown", {}, "text/markdown", ".md"),
    ("csv", {}, "text/csv", ".csv"),
    ("csv", {"table": "actions"}, "text/csv", ".csv"),
    ("csv", {"table": "participation", "lang": "en"}, "text/csv", ".csv"),
    ("json", {}, "application/json", ".json"),
]


@pytest.mark.parametrize("fmt, query, mimetype, suffix", EXPORTS, ids=lambda v: v if isinstance(v, str) else None)
def test_each_export_format_downloads_with_its_type(client, room, fmt, query, mimetype, suffix):
    response = client.get(f"/f/{room['token']}/export/{fmt}", query_string=query)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    # exactly one charset, as the format names it (was "charset=utf-8; charset=utf-8")
    assert response.headers["Content-Type"] == exports.media_type(fmt)
    assert response.headers["Content-Type"].count("charset") == (1 if mimetype.startswith("text/") else 0)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.endswith(f'{suffix}"')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data
    if fmt == "docx":
        assert response.data[:2] == b"PK"
    elif fmt == "html":
        assert response.headers["Content-Security-Policy"] == HTML_EXPORT_CSP
        assert room["title"] in response.get_data(as_text=True)
    elif fmt == "markdown":
        assert room["title"] in response.get_data(as_text=True)
    elif fmt == "json":
        assert json.loads(response.data)["schema"] == "workshop-export/1"
    elif fmt == "csv" and not query:
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert any(IDEA in ";".join(row) for row in rows)


def test_html_export_to_print_opens_inline(client, room):
    response = client.get(f"/f/{room['token']}/export/html?view=1")
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    assert response.headers["Content-Security-Policy"] == HTML_EXPORT_CSP


def test_the_complete_snapshot_export(client, room):
    response = client.get(f"/f/{room['token']}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="atelier-{room["code"]}.json"'
    snapshot = json.loads(response.data)
    assert snapshot["workshop"]["code"] == room["code"]
    assert [i["text"] for i in snapshot["rounds"][0]["ideas"]] == [IDEA]


@pytest.mark.parametrize(
    "path",
    [
        "/f/forged/export.json",
        "/f/forged/export/docx",
        "/f/forged/export/html",
        "/f/{code}/export/markdown",  # the public join code is not the key
        "/f/{participant}/export/json",  # nor a participant's token
    ],
)
def test_exports_are_refused_without_the_facilitator_token(client, room, path):
    response = client.get(path.format(code=room["code"], participant=room["participant_token"]))
    assert response.status_code == 404
    assert IDEA.encode() not in response.data and b"Awa" not in response.data


@pytest.mark.parametrize("query, status", [({}, 404), ({"lang": "de"}, 400), ({"table": "tokens"}, 400)])
def test_bad_export_requests(client, room, query, status):
    fmt = "exe" if status == 404 else "csv"
    assert client.get(f"/f/{room['token']}/export/{fmt}", query_string=query).status_code == status


# --------------------------------------------------------------------------- /r/<code>: the restitution


def publish(room, published: bool = True) -> None:
    room["service"].publish_restitution(room["fac"], {"op_id": new_op(), "published": published})


def test_restitution_is_a_404_until_published_then_a_page(client, room):
    path = f"/r/{room['code']}"
    response = client.get(path)
    assert response.status_code == 404
    assert "Cette restitution n'est pas publiée" in response.get_data(as_text=True)
    assert_safe_page(response)
    publish(room)
    response = client.get(path)
    assert response.status_code == 200
    html = html_of(response)
    assert "Ce qu'est devenue votre parole" in html and room["title"] in html
    assert response.headers["Cache-Control"] == "no-cache"
    assert_safe_page(response)
    assert_no_secret(html, room)
    assert "Awa" not in html, "never a pseudonym on the public page"
    publish(room, False)
    assert client.get(path).status_code == 404, "unpublishing closes the page again"


def test_restitution_of_an_unknown_code_is_a_404(client):
    assert client.get("/r/ZZZZZZ").status_code == 404


# --------------------------------------------------------------------------- /p/<event>: the plenary


@pytest.fixture
def event(app, room):
    created = app.extensions["workshop.gatherings"].create_event("Rencontre des ateliers", "Quartier Nord", "2030-06-01", [room["code"]])
    return {"code": created["event"]["code"], "organiser_token": created["organiser_token"]}


def test_plenary_page(client, room, event):
    response = client.get(f"/p/{event['code'].lower()}")
    assert response.status_code == 200
    html = html_of(response)
    assert '<html lang="fr">' in html and "Rencontre des ateliers" in html and room["title"] in html
    data = page_data(html)
    assert data["role"] == "plenary" and [w["code"] for w in data["workshops"]] == [room["code"]]
    assert event["organiser_token"] not in html
    assert_no_secret(html, room)
    assert_safe_page(response)


def test_unknown_plenary_is_a_french_404(client):
    response = client.get("/p/NOPE42")
    assert response.status_code == 404
    assert "Aucun événement n'a ce code." in text_of(response)


def test_event_export_is_for_the_organiser_only(client, room, event):
    response = client.get(f"/e/{event['organiser_token']}/export/markdown")
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    assert client.get(f"/e/{event['code']}/export/markdown").status_code == 404
    assert client.get(f"/e/{room['token']}/export/markdown").status_code == 404


# --------------------------------------------------------------------------- /observatory


def test_observatory_lists_only_published_workshops(client, room):
    response = client.get("/observatory")
    assert response.status_code == 200
    html = html_of(response)
    assert '<html lang="fr">' in html and "Observatoire des ateliers" in html
    assert room["title"] not in html
    assert_safe_page(response)
    publish(room)
    html = client.get("/observatory").get_data(as_text=True)
    assert room["title"] in html
    assert room["code"] not in html and "Awa" not in html
    assert_no_secret(html, room)


def test_observatory_downloads(client, room):
    publish(room)
    only_this_room = {"territory": room["territory"]}
    table = client.get("/observatory.csv", query_string=only_this_room)
    assert table.status_code == 200 and table.mimetype == "text/csv"
    assert table.headers["Content-Disposition"] == 'attachment; filename="observatoire.csv"'
    assert room["title"] in table.data.decode("utf-8-sig")
    data = client.get("/observatory.json", query_string=only_this_room)
    assert data.status_code == 200 and data.mimetype == "application/json"
    assert [w["title"] for w in json.loads(data.data)["workshops"]] == [room["title"]]
    assert room["code"] not in data.get_data(as_text=True)


# --------------------------------------------------------------------------- headers on every page


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/j/{code}",
        "/s/{code}",
        "/f/{token}",
        "/r/{code}",
        "/observatory",
        "/j/ZZZZZZ",
        "/healthz",
        "/api/workshops/{code}",
        "/qr/{code}.svg",
    ],
)
def test_every_response_carries_the_security_headers(client, room, path):
    response = client.get(path.format(code=room["code"], token=room["token"]))
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    for header, value in PUBLIC_HEADERS.items():
        assert response.headers[header] == value, (path, header)


def test_static_files_and_the_vendored_socketio_client_are_served(client):
    for path in ("/static/css/base.css", "/static/js/lib/connection.js", "/static/vendor/socket.io.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()
