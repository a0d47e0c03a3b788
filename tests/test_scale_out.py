"""Scale-out mode: two server processes sharing PostgreSQL, with Redis as the Socket.IO message queue.

A phone connected to one worker sees what the facilitator does on the other:
the broadcaster's emits travel through Redis, and state lives in PostgreSQL.
"""

from __future__ import annotations

import os
import sys

import pytest
from support import IN_CI, ROOT, Server, _drop_schema, _postgres_schema_url, new_op, wait_until

sys.path.insert(0, str(ROOT / "docs"))
from example_client import Client

REDIS_URL = os.environ.get("WORKSHOP_TEST_REDIS", "redis://127.0.0.1:6379/15")

pytestmark = pytest.mark.postgres


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        if IN_CI:
            raise
        pytest.skip(f"Redis not reachable: {error}")
    return REDIS_URL


def test_two_workers_share_state_and_broadcasts(tmp_path, redis_url):
    url, schema = _postgres_schema_url()
    channel = f"workshop-test-{new_op()[:8]}"
    env = {"WORKSHOP_MESSAGE_QUEUE": redis_url, "WORKSHOP_MESSAGE_CHANNEL": channel}
    a = Server(tmp_path / "a", database_url=url, extra_env=env)
    b = Server(tmp_path / "b", database_url=url, extra_env=env)
    try:
        a.start()
        b.start()
        token = wait_until(lambda: __import__("re").search(r"/f/([A-Za-z0-9_-]+)", a.output()), message="link").group(1)
        facilitator = Client(a.url, {"facilitator_token": token})
        code = facilitator.ok("snapshot")["workshop"]["code"]
        phone = Client(b.url, {"code": code})
        phone.ok("join", {"op_id": new_op(), "group": "habitant"})

        facilitator.ok("phase.advance", {"op_id": new_op()})
        wait_until(lambda: any(r["phase"] == "diverge" for r in phone.received["round"]), message="phase change through Redis")
        idea = phone.ok("idea.post", {"op_id": new_op(), "text": "Un marché de producteurs"})["idea"]
        wait_until(lambda: any(i["id"] == idea["id"] for i in facilitator.received["idea"]), message="idea reaches the other worker")
        wait_until(lambda: facilitator.received["presence"] and facilitator.received["presence"][-1]["count"] == 1, message="presence")
        phone.close()
        facilitator.close()
    finally:
        a.stop()
        b.stop()
        _drop_schema(schema)
