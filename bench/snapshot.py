"""Benchmark: what a reconnect storm costs — every phone asking for its snapshot at once.

    .venv/bin/python bench/snapshot.py --participants 300 --ideas 3

Builds a workshop on a fresh SQLite file (participants, ideas, themes, dot
votes, define closed), then times, in the same run: the baseline (building the
full state for every request, as `full_snapshot` does), the cached path used by
the `snapshot` event (built once per change, filtered per person), and the size
of what one phone receives.  Then a second workshop stays in define with the
vote open and the room keeps changing during the reconnects: between two
phones' snapshots one phone votes and, every other step, a newcomer joins; it
prints the CPU per snapshot and how many times the shared state was rebuilt.
Counts are fixed; nothing touches the network.  Run it with PYTHONPATH set to
another checkout to get that tree's figures on the same machine.
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


def build(service: WorkshopService, participants: int, ideas: int, close_define: bool = True):
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
    voters = phones if close_define else phones[: len(phones) // 2]
    for n, phone in enumerate(voters):
        for k in range(5):
            service.vote(phone, {"op_id": op(), "kind": "theme", "target_id": themes[(n + k) % 8]})
    if close_define:
        service.advance_phase(fac, {"op_id": op()})
    return fac, phones, themes, code


def changing_room(service: WorkshopService, participants: int, ideas: int) -> None:
    """Reconnects while the room votes and joins: CPU per snapshot, and rebuilds of the shared state."""
    from workshop.services import snapshots

    fac, phones, themes, code = build(service, participants, ideas, close_define=False)
    builder = "build_shared" if hasattr(snapshots, "build_shared") else "build_full_snapshot"
    original = getattr(snapshots, builder)
    rebuilds = [0]

    def counted(*args):
        rebuilds[0] += 1
        return original(*args)

    setattr(snapshots, builder, counted)
    guest = service.authenticate(code=code)
    late = phones[len(phones) // 2 :]
    snapshot_cpu = write_cpu = 0.0
    try:
        for n, phone in enumerate(phones):
            t0 = time.process_time()
            service.snapshot(phone)
            snapshot_cpu += time.process_time() - t0
            t0 = time.process_time()
            service.vote(late[n % len(late)], {"op_id": op(), "kind": "theme", "target_id": themes[n % 8]})
            if n % 2:
                service.join(guest, {"op_id": op(), "group": "habitant"})
            write_cpu += time.process_time() - t0
    finally:
        setattr(snapshots, builder, original)
    n = len(phones)
    print(f"{n} phones reconnecting while the room votes (one vote between two snapshots) and joins (every other step)")
    print(f"  snapshot: {snapshot_cpu * 1000 / n:6.2f} ms CPU/phone, shared state rebuilt {rebuilds[0]} times for {n} snapshots")
    print(f"  (the votes and joins in between: {write_cpu * 1000 / n:.2f} ms CPU per step)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--ideas", type=int, default=3)
    parser.add_argument("--changing-only", action="store_true", help="only the room changing during reconnects")
    args = parser.parse_args()
    if not args.changing_only:
        reconnect_storm(args)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/changing.db")
        db.upgrade()
        changing_room(WorkshopService(db), args.participants, args.ideas)
        db.dispose()


def reconnect_storm(args) -> None:
    """Every phone asks for its snapshot, nothing changing in between: baseline against the cached path."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        db.upgrade()
        service = WorkshopService(db)
        fac, phones, _, _ = build(service, args.participants, args.ideas)

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
