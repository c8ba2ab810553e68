"""A lean HTTP/1.1 client for forwarding requests to the active node, over keep-alive sockets.

Why not httpx here: forwarding is on the hot path of every write a standby receives, and an
httpx (or httpcore) request costs about 0.8 ms of CPU on the 2-core VM, more than the active
spends handling it. The peer is always a sealbox node (server/http.py), which answers with a
``Content-Length`` (or no body), so the client needs little: one request at a time per
connection, the response parsed with httptools (as the listener parses requests), idle
connections kept per address and dropped after ``_IDLE`` seconds, well before the server's
own keep-alive timeout (60 s) closes them.

Failures raise ``UpstreamUnavailable``. A request is retried once on a fresh connection only
when it was sent on a reused idle connection that turned out closed before any byte of an
answer came back, and only for methods that do not write (GET, HEAD, LIST): a write is never
sent twice. TLS uses the system's trust store and checks the host name.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httptools

_IDLE = 30.0
_MAX_IDLE_PER_PEER = 64
_READ_SIZE = 65536
_SAFE = frozenset({"GET", "HEAD", "LIST"})
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class UpstreamUnavailable(Exception):
    """The active node could not be reached, or its answer was cut short."""


class _Closed(UpstreamUnavailable):
    """The connection ended before any byte of the answer (safe to retry a read)."""


@dataclass
class _Response:
    """What the parser collects for one answer."""

    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)
    done: bool = False
    headers_done: bool = False
    keep_alive: bool = True

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.done = True


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = 0.0

    def close(self) -> None:
        self.writer.close()


class Upstream:
    """Keep-alive connections to the nodes requests are forwarded to."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._idle: dict[str, list[_Connection]] = {}
        self._tls = ssl.create_default_context()

    async def request(
        self, base: str, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> Answer:
        """Send ``method target`` to the node at ``base`` (``http(s)://host:port``)."""
        parts = urlsplit(base)
        head = [f"{method} {target} HTTP/1.1", f"host: {parts.netloc}"]
        head += [f"{name}: {value}" for name, value in headers]
        head.append(f"content-length: {len(body)}")
        raw = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        try:
            async with asyncio.timeout(self._timeout):
                connection, reused = await self._connection(base)
                try:
                    return await self._exchange(base, connection, raw, method)
                except _Closed:
                    if not reused or method not in _SAFE:
                        raise
                connection, _ = await self._connection(base, fresh=True)
                return await self._exchange(base, connection, raw, method)
        except (OSError, TimeoutError, httptools.HttpParserError) as err:
            raise UpstreamUnavailable from err

    async def close(self) -> None:
        """Close every idle connection."""
        idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    async def _connection(self, base: str, *, fresh: bool = False) -> tuple[_Connection, bool]:
        pool = self._idle.setdefault(base, [])
        now = time.monotonic()
        while pool and not fresh:
            connection = pool.pop()
            if now - connection.idle_since < _IDLE and not connection.reader.at_eof():
                return connection, True
            connection.close()
        parts = urlsplit(base)
        tls = self._tls if parts.scheme == "https" else None
        reader, writer = await asyncio.open_connection(
            parts.hostname, parts.port or (443 if tls else 80), ssl=tls
        )
        return _Connection(reader, writer), False

    async def _exchange(
        self, base: str, connection: _Connection, raw: bytes, method: str
    ) -> Answer:
        response = _Response()
        parser = httptools.HttpResponseParser(response)
        try:
            connection.writer.write(raw)
            await connection.writer.drain()
            received = False
            while not response.done and not (method == "HEAD" and response.headers_done):
                data = await connection.reader.read(_READ_SIZE)
                if not data:
                    if received:
                        raise UpstreamUnavailable("the answer was cut short")
                    raise _Closed("the connection was closed")
                received = True
                parser.feed_data(data)
        except BaseException:
            connection.close()
            raise
        if parser.should_keep_alive() and method != "HEAD":  # HEAD: a stray body may follow
            connection.idle_since = time.monotonic()
            pool = self._idle.setdefault(base, [])
            if len(pool) < _MAX_IDLE_PER_PEER:
                pool.append(connection)
            else:
                connection.close()
        else:
            with contextlib.suppress(OSError):
                connection.close()
        return parser.get_status_code(), response.headers, b"".join(response.body)
