"""Benchmark: what a reconnect storm costs — every phone asking for its snapshot at once.

    .venv/bin/python bench/snapshot.py --participants 300 --ideas 3

Builds a workshop on a fresh SQLite file (participants, ideas, themes, dot
votes, define closed), then times, in the same run: the baseline (building the
full state for every request, as `full_snapshot` does), the cached path used by
the `snapshot` event (built once per change, filtered per person), and the size
of what one phone receives.  Counts are fixed; nothing touches the network.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid

from workshop.domain.visibility import public_snapshot
from workshop.services import WorkshopService
from workshop.storage.db import Database


def op() -> str:
    return uuid.uuid4().hex


def build(service: WorkshopService, participants: int, ideas: int):
    created = service.create_workshop("Atelier", rounds=["Dans 10 ans, on aura réussi si…"])
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    code = created["workshop"]["code"]
    phones = []
    for n in range(participants):
        token = service.join(service.authenticate(code=code), {"op_id": op(), "group": ["habitant", "agent", "association"][n % 3]}).result[
            "token"
        ]
        phones.append(service.authenticate(code=code, token=token))
    service.advance_phase(fac, {"op_id": op()})
    for n, phone in enumerate(phones):
        for k in range(ideas):
            service.post_idea(phone, {"op_id": op(), "text": f"Idée {n}-{k} pour le quartier"})
    service.advance_phase(fac, {"op_id": op()})
    themes = [service.create_theme(fac, {"op_id": op(), "title": f"Thème {i}"}).result["theme"]["id"] for i in range(8)]
    service.open_vote(fac, {"op_id": op(), "open": True})
    for n, phone in enumerate(phones):
        for k in range(5):
            service.vote(phone, {"op_id": op(), "kind": "theme", "target_id": themes[(n + k) % 8]})
    service.advance_phase(fac, {"op_id": op()})
    return fac, phones


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--ideas", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        db.upgrade()
        service = WorkshopService(db)
        fac, phones = build(service, args.participants, args.ideas)

        t0 = time.perf_counter()
        for phone in phones:
            public_snapshot(service.full_snapshot(phone.workshop_id), phone.role, phone.participant_id)
        baseline = time.perf_counter() - t0

        t0 = time.perf_counter()
        for phone in phones:
            service.snapshot(phone)
        cached = time.perf_counter() - t0

        size = len(json.dumps(service.snapshot(phones[0]), ensure_ascii=False).encode())
        full = len(json.dumps(service.full_snapshot(fac.workshop_id), ensure_ascii=False).encode())
        n = len(phones)
        print(f"{n} phones reconnecting, {n * args.ideas} ideas, {n * 5} dots, define closed")
        print(f"  baseline (full state built per request): {baseline * 1000 / n:6.1f} ms/phone, {baseline:5.2f} s for all")
        print(
            f"  snapshot event (built once, filtered):   {cached * 1000 / n:6.1f} ms/phone, {cached:5.2f} s for all"
            f"  (x{baseline / cached:.1f} faster)"
        )
        print(f"  one phone's snapshot: {size / 1024:.1f} KiB (the facilitator's full state: {full / 1024:.1f} KiB)")
        db.dispose()


if __name__ == "__main__":
    main()
