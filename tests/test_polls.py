"""Quick polls, at the service layer, on SQLite and PostgreSQL (the ``service`` fixture).

The facilitator creates, opens, closes and reveals; participants answer, once
per poll, changing their answer until it closes; results are counted with the
groups smaller than five merged into "autres"; snapshots show each role what
it may see.  A hypothesis property: whatever sequence of answers and changes,
each participant counts once, with their last answer, and the results equal a
recount.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import new_op
from test_services import Room, count_rows, rejected

from workshop.domain import polls as rules
from workshop.errors import Forbidden, NotFound, PhaseError, ValidationError
from workshop.storage.models import Operation, PollAnswer

GROUPS = ["habitant", "élu", "agent", "association"]


def room_with(service, people: dict[str, int] | None = None):
    room = Room(service, settings={"groups": GROUPS})
    phones = []
    for group, n in (people or {"habitant": 2}).items():
        phones += [room.join(f"{group}{i}", group) for i in range(n)]
    return room, phones


def create(room, kind="single", open_=True, **spec):
    spec.setdefault("question", "Comment arrivez-vous ?")
    if kind in ("single", "multiple"):
        spec.setdefault("options", ["À pied", "En bus", "En voiture"])
    return room.ok("create_poll", room.fac, kind=kind, open=open_, **spec)["poll"]


def answer(room, phone, poll, **payload):
    return room.ok("answer_poll", phone, poll_id=poll["id"], **payload)


def poll_of(room, poll_id):
    return next(p for p in room.full()["polls"] if p["id"] == poll_id)


# --------------------------------------------------------------------------- lifecycle


def test_a_poll_from_draft_to_revealed_results(service):
    room, (ana, bob) = room_with(service)
    draft = create(room, open_=False)
    assert draft["state"] == "draft" and draft["results"]["answers"] == 0
    assert [o["value"] for o in draft["options"]] == ["1", "2", "3"]
    rejected(room, lambda: answer(room, ana, draft, choices=["1"]), "poll_not_open", PhaseError)
    assert service.snapshot(ana)["polls"] == [], "a draft stays on the console"

    opened = room.ok("set_poll_state", room.fac, poll_id=draft["id"], state="open")["poll"]
    assert opened["state"] == "open" and opened["opened_at"]
    assert answer(room, ana, draft, choices=["2"]) == {"poll_id": draft["id"], "mine": {"choices": ["2"], "text": None}}
    answer(room, bob, draft, choices=["1"])
    answer(room, bob, draft, choices=["2"])  # changed: replaces
    results = poll_of(room, draft["id"])["results"]
    assert results["answers"] == 2 and [o["count"] for o in results["options"]] == [0, 2, 0]

    phone = service.snapshot(ana)["polls"]
    assert phone[0]["results"] is None and phone[0]["mine"] == {"choices": ["2"], "text": None}
    assert "answers" not in phone[0]
    screen = service.snapshot(service.authenticate(code=room.code, role="screen"))["polls"]
    assert screen[0]["results"] is None and screen[0]["answers"] == 2 and "mine" not in screen[0]

    closed = room.ok("set_poll_state", room.fac, poll_id=draft["id"], state="closed")["poll"]
    assert closed["state"] == "closed" and closed["closed_at"]
    rejected(room, lambda: answer(room, ana, draft, choices=["1"]), "poll_closed", PhaseError)

    room.ok("reveal_poll", room.fac, poll_id=draft["id"], revealed=True)
    phone = service.snapshot(bob)["polls"][0]
    assert phone["results"]["answers"] == 2 and phone["mine"] == {"choices": ["2"], "text": None}
    room.ok("reveal_poll", room.fac, poll_id=draft["id"], revealed=False)
    assert service.snapshot(bob)["polls"][0]["results"] is None


def test_polls_run_alongside_any_phase(service):
    room, (ana, _) = room_with(service)
    for _phase in ("lobby", "diverge", "define", "converge", "closed"):
        poll = create(room, "agree", question=f"D'accord ? ({_phase})")
        answer(room, ana, poll, choices=["agree"])
        if room.round()["phase"] != "closed":
            room.advance()
    assert [p["results"]["answers"] for p in room.full()["polls"]] == [1] * 5


@pytest.mark.parametrize(
    "spec, code",
    [
        ({"kind": "poll"}, "invalid_field"),
        ({"kind": "single", "options": ["Seul"]}, "poll_options"),
        ({"kind": "single", "options": ["Oui", "oui"]}, "poll_options"),
        ({"kind": "single", "options": [f"{n}" for n in range(11)]}, "poll_options"),
        ({"kind": "single", "options": ["Oui", ""]}, "empty_text"),
        ({"kind": "scale", "options": ["1", "2"]}, "invalid_field"),
        ({"kind": "multiple", "options": ["a", "b"], "max_choices": 3}, "invalid_field"),
        ({"kind": "single", "options": ["a", "b"], "max_choices": 1}, "invalid_field"),
        ({"kind": "word", "question": "  "}, "empty_text"),
    ],
)
def test_a_poll_spec_is_checked(service, spec, code):
    room, _ = room_with(service)
    payload = {"question": "Q ?", **spec}
    rejected(room, lambda: room.ok("create_poll", room.fac, **payload), code, ValidationError)


def test_answers_are_checked(service):
    room, (ana, _) = room_with(service)
    single = create(room)
    rejected(room, lambda: answer(room, ana, single, choices=["9"]), "unknown_choice", ValidationError)
    rejected(room, lambda: answer(room, ana, single, choices=["1", "2"]), "too_many_choices", ValidationError)
    rejected(room, lambda: answer(room, ana, single, choices=[]), "invalid_field", ValidationError)
    rejected(room, lambda: answer(room, ana, single, choices="1"), "invalid_field", ValidationError)
    multiple = create(room, "multiple", options=["a", "b", "c", "d"], max_choices=2)
    assert answer(room, ana, multiple, choices=["3", "1"])["mine"]["choices"] == ["1", "3"]
    rejected(room, lambda: answer(room, ana, multiple, choices=["1", "2", "3"]), "too_many_choices", ValidationError)
    rejected(room, lambda: answer(room, ana, multiple, choices=["1", "1"]), "invalid_field", ValidationError)
    word = create(room, "word", question="Un mot ?")
    rejected(room, lambda: answer(room, ana, word, text="deux mots"), "not_one_word", ValidationError)
    rejected(room, lambda: answer(room, ana, word, text=" "), "empty_text", ValidationError)
    assert answer(room, ana, word, text=" Énergie ")["mine"] == {"choices": [], "text": "Énergie"}
    rejected(room, lambda: room.ok("answer_poll", ana, poll_id=999999, choices=["1"]), "unknown_poll", NotFound)


def test_only_the_facilitator_runs_polls_and_only_participants_answer(service):
    room, (ana, _) = room_with(service)
    poll = create(room)
    screen = service.authenticate(code=room.code, role="screen")
    for actor in (ana, screen):
        rejected(room, lambda a=actor: room.ok("create_poll", a, kind="agree", question="Q ?"), "role", Forbidden)
        rejected(room, lambda a=actor: room.ok("set_poll_state", a, poll_id=poll["id"], state="closed"), "role", Forbidden)
        rejected(room, lambda a=actor: room.ok("reveal_poll", a, poll_id=poll["id"]), "role", Forbidden)
    rejected(room, lambda: answer(room, room.fac, poll, choices=["1"]), "role", Forbidden)
    other, _ = room_with(service)
    rejected([room, other], lambda: other.ok("set_poll_state", other.fac, poll_id=poll["id"], state="closed"), "unknown_poll", NotFound)


def test_an_answer_is_exactly_once(service):
    room, (ana, _) = room_with(service)
    poll = create(room)
    payload = {"op_id": new_op(), "poll_id": poll["id"], "choices": ["1"]}
    first = service.answer_poll(ana, payload)
    ops = count_rows(service, Operation)
    answer(room, ana, poll, choices=["3"])
    again = service.answer_poll(ana, dict(payload))  # a late retry does not undo the change made since
    assert again.replayed and again.result == first.result and again.changes == []
    assert count_rows(service, Operation) == ops + 1
    assert poll_of(room, poll["id"])["results"]["options"][2]["count"] == 1
    assert count_rows(service, PollAnswer) == 1


# --------------------------------------------------------------------------- counting


def test_small_groups_are_merged_into_autres(service):
    room, phones = room_with(service, {"habitant": 6, "élu": 2, "agent": 5, "association": 1})
    poll = create(room, "scale", question="Utile ?")
    for n, phone in enumerate(phones):
        answer(room, phone, poll, choices=[str(1 + n % 5)])
    results = poll_of(room, poll["id"])["results"]
    # élu (2) and association (1) make "autres" 3: still too small, so the smallest group left (agent, 5) joins it
    assert set(results["by_group"]) == {"habitant", "autres"}
    assert results["by_group"]["autres"]["answers"] == 8
    assert sum(g["answers"] for g in results["by_group"].values()) == results["answers"] == 14
    assert all(g["answers"] >= rules.MIN_GROUP for g in results["by_group"].values())
    assert results["mean"] is not None


def test_word_answers_count_together_whatever_their_case_and_accents(service):
    room, phones = room_with(service, {"habitant": 4})
    poll = create(room, "word", question="Un mot ?")
    for phone, text in zip(phones, ["écoute", "Ecoute", "écoute", "Partage"], strict=True):
        answer(room, phone, poll, text=text)
    words = poll_of(room, poll["id"])["results"]["words"]
    assert words == [{"text": "écoute", "count": 3}, {"text": "Partage", "count": 1}]


def test_merge_rule_alone():
    assert rules.merge_small_groups({"a": 5, "b": 4}) == {"a": "autres", "b": "autres"}  # "autres" 4 < 5: a joins it
    assert rules.merge_small_groups({"a": 5, "b": 6}) == {"a": "a", "b": "b"}
    assert rules.merge_small_groups({"a": 9, None: 5}) == {"a": "a", None: "autres"}
    assert rules.merge_small_groups({"a": 3}) == {"a": "autres"}


# --------------------------------------------------------------------------- the property


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 5), st.lists(st.sampled_from(["1", "2", "3", "4"]), min_size=1, max_size=2, unique=True)), max_size=30
    )
)
def test_each_participant_counts_once_with_their_last_answer(tmp_path_factory, steps):
    from workshop.services import WorkshopService
    from workshop.storage.db import Database

    db = Database(f"sqlite:///{tmp_path_factory.mktemp('polls') / 'w.db'}")
    db.upgrade()
    try:
        service = WorkshopService(db)
        room, phones = room_with(service, {"habitant": 3, "agent": 3})
        poll = create(room, "multiple", options=["a", "b", "c", "d"], max_choices=2)
        last: dict[int, list[str]] = {}
        for who, choices in steps:
            result = answer(room, phones[who], poll, choices=choices)
            last[who] = result["mine"]["choices"]
        with db.read() as s:
            rows = s.query(PollAnswer.participant_id, PollAnswer.choices).filter(PollAnswer.poll_id == poll["id"]).all()
        assert sorted(p for p, _ in rows) == sorted(phones[w].participant_id for w in last)
        assert {p: c for p, c in rows} == {phones[w].participant_id: c for w, c in last.items()}
        expected = rules.count(
            "multiple", poll["options"], [rules.Answer("habitant" if w < 3 else "agent", tuple(c)) for w, c in last.items()]
        )
        assert poll_of(room, poll["id"])["results"] == expected
        assert service.poll_results(room.id, poll["id"])["results"] == expected
    finally:
        db.dispose()
