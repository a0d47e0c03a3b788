"""Quick polls in the compte-rendu: each closed poll with its results, in every format, small groups merged.

Fourteen people answer: six "habitant", five "agent", two "élu", one "association". The two small
groups make "autres" 3, still too small, so the smallest group left ("agent", 5) joins it: every
document shows "habitant" (6) and "autres" (8), and nowhere the élus' or the association's answers.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from test_polls import answer, create, room_with

from workshop.exports import export
from workshop.exports.json_schema import validate


@pytest.fixture
def snapshot(service):
    room, phones = room_with(service, {"habitant": 6, "agent": 5, "élu": 2, "association": 1})
    poll = create(room, "agree", question="D'accord avec cette proposition ?")
    for n, phone in enumerate(phones):
        answer(room, phone, poll, choices=["agree" if n % 3 else "disagree"])
    room.ok("set_poll_state", room.fac, poll_id=poll["id"], state="closed")
    words = create(room, "word", question="Un mot ?")
    for phone, word in zip(phones[:3], ["Écoute", "écoute", "Partage"], strict=True):
        answer(room, phone, words, text=word)
    room.ok("set_poll_state", room.fac, poll_id=words["id"], state="closed")
    create(room, "scale", question="Encore ouvert ?")  # an open poll is not in the compte-rendu
    return room.full()


def poll_section(markdown: str) -> str:
    return markdown.split("## Sondages", 1)[1].split("\n## ", 1)[0]


def test_markdown_lists_closed_polls_with_groups_merged(snapshot):
    text = export(snapshot, "markdown").decode()
    section = poll_section(text)
    assert "D'accord avec cette proposition ?" in section and "Un mot ?" in section
    assert "Encore ouvert" not in section
    assert "| D'accord | 9 | 64\u00a0% | 4 | 5 |" in section  # habitant, autres
    assert "| Pas d'accord | 5 | 36\u00a0% | 2 | 3 |" in section
    assert "habitant (6)" in section and "autres (8)" in section
    assert "élu" not in section and "association" not in section and "agent" not in section
    assert "Écoute (2), Partage (1)" in section
    assert "moins de 5 réponses" in section


def test_csv_json_html_docx_say_the_same(snapshot):
    rows = list(csv.reader(io.StringIO(export(snapshot, "csv", table="polls").decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["N°", "Question", "Type de sondage", "Réponse", "Collège", "Réponses"]
    assert {r[4] for r in rows[1:]} == {"tous", "habitant", "autres"}
    assert ["1", "D'accord avec cette proposition ?", "D'accord / neutre / pas d'accord", "D'accord", "autres", "5"] in rows

    doc = json.loads(export(snapshot, "json"))
    assert validate(doc) == []
    assert [p["state"] for p in doc["polls"]] == ["closed", "closed", "open"]
    assert set(doc["polls"][0]["results"]["by_group"]) == {"habitant", "autres"}
    assert all(g["answers"] >= 5 for g in doc["polls"][0]["results"]["by_group"].values())
    assert "participant" not in json.dumps(doc["polls"]), "results only, never who answered what"

    html = export(snapshot, "html").decode()
    section = html.split('id="sondages"', 1)[1].split("</section>", 1)[0]
    assert "autres (8)" in section and "élu" not in section

    with zipfile.ZipFile(io.BytesIO(export(snapshot, "docx"))) as z:
        body = z.read("word/document.xml").decode()
    assert "Sondages" in body and "autres (8)" in body


def test_english_documents_word_the_polls_in_english(snapshot):
    section = export(snapshot, "markdown", lang="en").decode().split("## Quick polls", 1)[1]
    assert "| Agree | 9 |" in section and "others (8)" in section


# --------------------------------------------------------------------------- part 2: the end-of-workshop evaluation

EVALUATION = [
    {"kind": "scale", "question": "Cet atelier vous a-t-il été utile ?", "section": "evaluation"},
    {"kind": "agree", "question": "Les propositions retenues reflètent ce qui s'est dit.", "section": "evaluation"},
    {"kind": "word", "question": "Un mot pour qualifier cet atelier ?", "section": "evaluation"},
]


def test_the_evaluation_goes_to_its_own_chapter_and_to_the_observatory(service):
    from test_services import Room

    from workshop.gatherings import GatheringService

    created = service.create_workshop(
        "Atelier évalué", rounds=["Q ?"], territory="Nîmes", settings={"groups": ["habitant", "agent"]}, polls=EVALUATION
    )
    room = Room.__new__(Room)
    room.service, room.id, room.code = service, created["workshop"]["id"], created["workshop"]["code"]
    room.fac, room.tokens = service.authenticate(facilitator_token=created["facilitator_token"]), {}
    phones = [room.join(f"P{n}", "habitant" if n < 5 else "agent") for n in range(7)]
    polls = room.full()["polls"]
    assert [p["section"] for p in polls] == ["evaluation"] * 3 and {p["state"] for p in polls} == {"draft"}
    for p in polls:
        room.ok("set_poll_state", room.fac, poll_id=p["id"], state="open")
    for n, phone in enumerate(phones):
        answer(room, phone, polls[0], choices=[str(3 + n % 3)])
        answer(room, phone, polls[1], choices=["agree"])
        answer(room, phone, polls[2], text="Utile" if n % 2 else "Convivial")
    for p in polls:
        room.ok("set_poll_state", room.fac, poll_id=p["id"], state="closed")
    room.ok("publish_restitution", room.fac, published=True)

    text = export(room.full(), "markdown").decode()
    assert "## Évaluation de l'atelier" in text and "## Sondages" not in text
    chapter = text.split("## Évaluation de l'atelier", 1)[1]
    chapter = chapter.split("## Annexe", 1)[0]
    assert "Moyenne : 3,9 / 5" in chapter
    # habitant 5, agent 2: "autres" would be 2, so habitant joins it; one group left, no breakdown to show
    assert "habitant" not in chapter and "agent" not in chapter

    rows = GatheringService(service).observatory(published_only=True)
    row = next(r for r in rows if r["title"] == "Atelier évalué")
    assert [(e["kind"], e["answers"]) for e in row["evaluation"]] == [("scale", 7), ("agree", 7), ("word", 7)]
    assert row["evaluation"][0]["summary"] == "Moyenne : 3,9 / 5"
    assert row["evaluation"][1]["summary"].startswith("D'accord 100\u00a0%")
    assert row["evaluation"][2]["summary"] == "Convivial (4), Utile (3)"
    from workshop.exports.observatory import render_csv

    table = render_csv(rows).decode("utf-8-sig")
    assert "Évaluation de l'atelier" in table.splitlines()[0] and "Cet atelier vous a-t-il été utile ?\u00a0: Moyenne" in table
