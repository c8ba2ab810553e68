"""The forwarding client against a real listener (server/http.py) on loopback.

Keep-alive reuse, a 204 without a body, a HEAD answer, a connection the peer closed while
idle (a fresh one is used, the request sent once), and a peer that is gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import pytest

from sealbox.api.app import HTTPRequest
from sealbox.server.http import HTTPConnection
from sealbox.server.upstream import Upstream, UpstreamUnavailable

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class _App:
    """Counts requests; answers with the method and body it got."""

    max_body = 1 << 20

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, bytes]] = []

    async def respond(self, request: HTTPRequest) -> Answer:
        self.seen.append((request.method, request.raw_path, request.body))
        if request.raw_path == "/empty":
            return 204, [], b""
        body = f"{request.method} {request.headers.get('x-test', '')}".encode() + request.body
        return 200, [(b"content-length", str(len(body)).encode())], body


@asynccontextmanager
async def _listener(app: _App) -> AsyncIterator[tuple[str, set[HTTPConnection]]]:
    connections: set[HTTPConnection] = set()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: HTTPConnection(app, 60.0, connections), "127.0.0.1", 0
    )
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", connections
    finally:
        server.close()
        for connection in list(connections):
            connection.close()
        await server.wait_closed()


def _run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(test())


def test_requests_reuse_one_connection_and_read_every_kind_of_answer() -> None:
    async def run() -> None:
        app = _App()
        async with _listener(app) as (base, connections):
            upstream = Upstream(10.0)
            status, headers, body = await upstream.request(
                base, "POST", "/v1/x?y=1", [("x-test", "a")], b"{}"
            )
            assert (status, body) == (200, b"POST a{}")
            assert (b"content-length", b"8") in headers
            assert (await upstream.request(base, "GET", "/empty", [], b""))[0] == 204
            assert (await upstream.request(base, "LIST", "/v1/k/", [], b""))[2] == b"LIST "
            assert len(connections) == 1  # one keep-alive connection served them all
            head = await upstream.request(base, "HEAD", "/v1/h", [], b"")
            assert head[0] == 200
            assert [s[0] for s in app.seen] == ["POST", "GET", "LIST", "HEAD"]
            await upstream.close()

    _run(run)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_connection_the_peer_closed_is_not_used_again(method: str) -> None:
    async def run() -> None:
        app = _App()
        async with _listener(app) as (base, connections):
            upstream = Upstream(10.0)
            await upstream.request(base, "GET", "/v1/warm", [], b"")
            for connection in list(connections):
                connection.close()  # the peer ends the idle connection
            await asyncio.sleep(0.05)
            status, _, body = await upstream.request(base, method, "/v1/again", [], b"{}")
            assert status == 200
            assert body.startswith(method.encode())
            assert [path for _, path, _ in app.seen].count("/v1/again") == 1  # sent once
            await upstream.close()

    _run(run)


def test_an_unreachable_peer_is_upstream_unavailable() -> None:
    async def run() -> None:
        async with _listener(_App()) as (base, _):
            pass  # closed again: nothing listens there now
        upstream = Upstream(5.0)
        with pytest.raises(UpstreamUnavailable):
            await upstream.request(base, "POST", "/v1/x", [], b"{}")

    _run(run)
