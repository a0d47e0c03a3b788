"""docs/protocol.md stays true: every event the server handles or emits is documented, and nothing else."""

from __future__ import annotations

import re

from support import ROOT

from workshop.web.sockets import READ_EVENTS, WRITE_EVENTS

DOC = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")


def test_every_client_event_is_documented():
    documented = set(re.findall(r"^### `([a-z.]+)`", DOC, flags=re.M))
    assert documented == set(WRITE_EVENTS) | set(READ_EVENTS)


def test_every_broadcast_is_documented():
    source = (ROOT / "workshop" / "web" / "broadcast.py").read_text(encoding="utf-8")
    emitted = set(re.findall(r'_emit(?:_results)?\("([a-z.]+)"', source))
    table = DOC.split("## Server → client events", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z.]+)` \|", table, flags=re.M))
    assert emitted == documented
