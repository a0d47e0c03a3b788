"""What an erasure costs: redacting the operation log and rewriting the SQLite file.

    .venv/bin/python bench/erasure.py [--participants 300] [--ideas 10] [--other 4]

Measured (2-core shared laptop, ``--other 9``: 10 workshops, 18.9 MB file):
redaction 376 ms (3,300 stored replies), VACUUM + checkpoint 275 ms; the
periodic purge when nothing expired 0.4 ms.

Builds, in a temporary SQLite file, one workshop of ``--participants`` phones
posting ``--ideas`` ideas each (every write recorded in the operation log) plus
``--other`` finished workshops of the same size, then prints the file's size
and how long ``erase_personal_data`` takes: the redaction transaction, and the
``VACUUM`` + WAL checkpoint that rewrites the whole file (the server's event
loop waits for it: this is the figure to watch on a large instance), and the
periodic purge's cost when nothing expired.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workshop.services import WorkshopService, privacy
from workshop.storage.db import Database


def op() -> str:
    return uuid.uuid4().hex


def fill(service: WorkshopService, participants: int, ideas: int, retention: int | None) -> int:
    created = service.create_workshop("Atelier", rounds=["Q"], settings={"retention_days": retention} if retention else None)
    code = created["workshop"]["code"]
    fac = service.authenticate(facilitator_token=created["facilitator_token"])
    service.advance_phase(fac, {"op_id": op()})
    for n in range(participants):
        token = service.join(service.authenticate(code=code), {"op_id": op(), "pseudonym": f"Personne {n}"}).result["token"]
        phone = service.authenticate(code=code, token=token)
        for k in range(ideas):
            service.post_idea(phone, {"op_id": op(), "text": f"Idée {k} de {n}"})
    return created["workshop"]["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--ideas", type=int, default=10, help="ideas per participant (the rate allows 12 a minute)")
    parser.add_argument("--other", type=int, default=4, help="other workshops of the same size in the file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "workshop.db"
        db = Database(f"sqlite:///{path}")
        db.upgrade()
        service = WorkshopService(db)
        service.flood = (10_000, 60)  # a bench fills the file as fast as it can
        started = time.perf_counter()
        target = fill(service, args.participants, args.ideas, retention=None)
        for _ in range(args.other):
            fill(service, args.participants, args.ideas, retention=None)
        privacy.compact_storage(db)
        print(
            f"filled {1 + args.other} workshops of {args.participants} phones x {args.ideas} ideas in {time.perf_counter() - started:.1f} s"
        )
        print(f"file: {path.stat().st_size / 1e6:.1f} MB")
        t0 = time.perf_counter()
        done = service.erase_personal_data(target, compact=False)
        t1 = time.perf_counter()
        privacy.compact_storage(db)
        t2 = time.perf_counter()
        print(
            f"erase: redaction {1000 * (t1 - t0):.0f} ms ({done['operations']} stored replies), VACUUM + checkpoint {1000 * (t2 - t1):.0f} ms"
        )
        t3 = time.perf_counter()
        for _ in range(10):
            service.purge_expired()
        print(f"periodic purge with nothing expired: {100 * (time.perf_counter() - t3):.1f} ms")
        db.dispose()


if __name__ == "__main__":
    main()
