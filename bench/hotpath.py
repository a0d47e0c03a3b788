"""Benchmark: CPU per vote, per join, per idea and per tally flush, calling the service directly.

    .venv/bin/python bench/hotpath.py --participants 2000 --repeats 3
    PYTHONPATH=/path/to/other/checkout .venv/bin/python bench/hotpath.py   # the same figures for another tree

No sockets, no network: a fresh SQLite file per repeat, ``participants`` phones
join (CPU per join), each posts one idea in diverge (CPU per idea), then in
define each puts its dots on 8 themes (CPU per vote) while the broadcaster's
tally flush runs every 50 votes (CPU per flush).  Figures are process CPU time
(``time.process_time``), medians over the repeats with min–max.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid

from workshop.services import WorkshopService
from workshop.storage.db import Database

GROUPS = ["habitant", "agent", "association"]


def op() -> str:
    return uuid.uuid4().hex


def run(participants: int) -> dict[str, float]:
    """One repeat on a fresh database: CPU milliseconds per operation of each kind."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        db.upgrade()
        service = WorkshopService(db)
        created = service.create_workshop("Atelier", rounds=["Dans 10 ans, on aura réussi si…"])
        fac = service.authenticate(facilitator_token=created["facilitator_token"])
        code = created["workshop"]["code"]
        guest = service.authenticate(code=code)

        t0 = time.process_time()
        tokens = [service.join(guest, {"op_id": op(), "group": GROUPS[n % 3]}).result["token"] for n in range(participants)]
        out["join"] = (time.process_time() - t0) * 1000 / participants
        phones = [service.authenticate(code=code, token=token) for token in tokens]

        service.advance_phase(fac, {"op_id": op()})
        t0 = time.process_time()
        for n, phone in enumerate(phones):
            service.post_idea(phone, {"op_id": op(), "text": f"Idée {n} pour le quartier"})
        out["idea"] = (time.process_time() - t0) * 1000 / participants

        service.advance_phase(fac, {"op_id": op()})
        themes = [service.create_theme(fac, {"op_id": op(), "title": f"Thème {i}"}).result["theme"]["id"] for i in range(8)]
        service.open_vote(fac, {"op_id": op(), "open": True})
        round_id = service.snapshot(fac)["rounds"][0]["id"]
        wid = fac.workshop_id
        vote_cpu = flush_cpu = 0.0
        flushes = votes = 0
        for n, phone in enumerate(phones):
            t0 = time.process_time()
            service.vote(phone, {"op_id": op(), "kind": "theme", "target_id": themes[n % 8]})
            vote_cpu += time.process_time() - t0
            votes += 1
            if n % 50 == 49:
                t0 = time.process_time()
                service.tallies(wid, round_id, "theme")
                flush_cpu += time.process_time() - t0
                flushes += 1
        out["vote"] = vote_cpu * 1000 / votes
        out["tally flush"] = flush_cpu * 1000 / max(1, flushes)
        db.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs = [run(args.participants) for _ in range(args.repeats)]
    print(f"{args.participants} phones, {args.repeats} repeats, SQLite, CPU ms per operation: median (min–max)")
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"  {key:12s} {statistics.median(values):7.2f}  ({min(values):.2f}–{max(values):.2f})")


if __name__ == "__main__":
    main()
