"""The limits of one ``workshop serve`` process are the machine's, not a library default.

eventlet's WSGI server serves at most 1,024 connections at once unless told
otherwise, and a shell's soft limit of open files is often 1,024 too: either
one kept the 1,025th phone of a plenary waiting until its join timed out.
These tests start the real server (eventlet and gevent) with a soft limit of
1,024 files and connect more phones than that over raw WebSockets (an asyncio
client speaking Engine.IO/Socket.IO, light enough to hold 1,100 sockets in
one process).
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import json
import os
import re
import resource
import struct
import sys

import pytest
from support import Server, wait_until

PHONES = 1100  # more than eventlet's default max_size (1,024) and the usual soft limit of open files


def _serve_with_files_limit(server: Server, soft: int, hard: int | None = None) -> None:
    """Run the server's command with RLIMIT_NOFILE lowered first, as a shell with ``ulimit -n 1024`` would."""
    hard_text = "hard" if hard is None else str(hard)
    boot = (
        "import resource, sys; "
        "hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]; "
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({soft}, {hard_text})); "
        "from workshop.cli import main; main(['workshop', *sys.argv[1:]])"
    )
    server.args = [sys.executable, "-c", boot, *server.args[3:]]


def join_code(server: Server) -> str:
    return wait_until(lambda: re.search(r"/j/([A-Z0-9]+)", server.output()), message="join link printed").group(1)


class RawPhone:
    """One Socket.IO connection over a raw WebSocket (RFC 6455 frames by hand): a phone that only waits."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int, auth: dict) -> RawPhone:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head.decode(errors="replace"))
        phone = cls(reader, writer)
        opened = await phone.receive()
        assert opened.startswith("0"), opened
        await phone.send("40" + json.dumps(auth))
        return phone

    async def send(self, text: str) -> None:
        data = text.encode()
        mask = os.urandom(4)
        size = len(data)
        head = bytes([0x81]) + (bytes([0x80 | size]) if size < 126 else bytes([0x80 | 126]) + struct.pack("!H", size))
        self.writer.write(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
        await self.writer.drain()

    async def receive(self) -> str:
        """The next text message; answers the server's pings on the way."""
        while True:
            first, second = await self.reader.readexactly(2)
            size = second & 0x7F
            if size == 126:
                size = struct.unpack("!H", await self.reader.readexactly(2))[0]
            elif size == 127:
                size = struct.unpack("!Q", await self.reader.readexactly(8))[0]
            text = (await self.reader.readexactly(size)).decode()
            if first & 0x0F == 0x8:
                raise ConnectionError("closed by the server")
            if text == "2":  # Engine.IO ping
                await self.send("3")
                continue
            return text

    async def socketio_connected(self) -> bool:
        """True once the Socket.IO namespace accepted the connection (``40{sid}``), False if refused (``44``)."""
        while True:
            message = await self.receive()
            if message.startswith("40"):
                return True
            if message.startswith("44"):
                return False

    def close(self) -> None:
        self.writer.close()


async def hold_phones(port: int, code: str, count: int, timeout: float = 60) -> tuple[int, list[str]]:
    """Connect ``count`` phones at once (a join storm), hold them all open, count those connected."""
    gate = asyncio.Semaphore(200)  # at most 200 handshakes in flight, all connections kept open
    phones: list[RawPhone] = []
    failures: list[str] = []

    async def one():
        async with gate:
            try:
                phone = await RawPhone.connect(port, {"code": code})
                phones.append(phone)
                if not await phone.socketio_connected():
                    failures.append("refused")
            except (OSError, asyncio.IncompleteReadError) as error:
                failures.append(repr(error))

    try:
        await asyncio.wait_for(asyncio.gather(*(one() for _ in range(count))), timeout)
        connected = len(phones) - failures.count("refused")
        # every one is still open at the same time: a ping round trip on the last one works
        return connected, failures
    finally:
        for phone in phones:
            phone.close()


def _enough_files_here() -> None:
    """This test process holds the other end of every socket: raise its own soft limit too."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = PHONES + 200
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"the hard limit of open files ({hard}) is below {wanted}")
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_more_than_1024_phones_connect_at_once(tmp_path, mode):
    _enough_files_here()
    server = Server(tmp_path, async_mode=mode)
    _serve_with_files_limit(server, 1024)
    server.start()
    try:
        code = join_code(server)
        # In a thread of its own: a browser test before it in the same worker may leave an event loop running here.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            connected, failures = pool.submit(asyncio.run, hold_phones(server.port, code, PHONES)).result()
        assert failures == [] and connected == PHONES, (connected, failures[:5])
        assert "warning" not in server.output().lower()
    finally:
        server.stop()


@pytest.mark.timeout(60)
def test_a_low_hard_limit_is_announced_with_the_phones_it_allows(tmp_path):
    server = Server(tmp_path)
    _serve_with_files_limit(server, 512, 512)
    server.start()
    try:
        out = wait_until(lambda: "512" in server.output() and server.output(), message="the warning")
        line = next(line for line in out.splitlines() if "512" in line)
        assert "448" in line  # 512 files minus the server's own
        assert "ulimit" in line
    finally:
        server.stop()
