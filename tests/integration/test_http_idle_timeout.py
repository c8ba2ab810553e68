"""Idle and stalled connections are closed by the listener's keep-alive timeout.

In process, with a 0.2 s timeout so the test need not wait a minute: a connection that sends
half a request and then nothing (slowloris) is closed, as is one idle after its answer.
"""

from __future__ import annotations

import asyncio

from sealbox.api.app import VaultAPI
from sealbox.core.core import Core
from sealbox.server.http import HTTPConnection
from sealbox.storage import InMemoryStorage


async def _serve_and_probe(first_bytes: bytes) -> tuple[bytes, bytes]:
    app = VaultAPI(Core(InMemoryStorage()))
    connections: set[HTTPConnection] = set()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: HTTPConnection(app, 0.2, connections), host="127.0.0.1", port=0
    )
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(first_bytes)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(65536), timeout=5)
    after = await asyncio.wait_for(reader.read(65536), timeout=5)  # b"" once closed
    writer.close()
    server.close()
    await server.wait_closed()
    return answer, after


def test_half_a_request_then_silence_is_closed() -> None:
    answer, after = asyncio.run(_serve_and_probe(b"GET /v1/sys/health HTTP/1.1\r\nHost:"))
    assert (answer, after) == (b"", b"")


def test_idle_keep_alive_connection_is_closed_after_its_answer() -> None:
    answer, after = asyncio.run(_serve_and_probe(b"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n"))
    assert answer.startswith(b"HTTP/1.1 501 ")  # uninitialised core
    assert after == b""
