"""sealbox's HTTP/1.1 listener: httptools parses, ``VaultAPI.respond`` answers.

Why not uvicorn: on the 2-core development VM, with wrk driving 32 keep-alive connections, a
hello-world ASGI app served by uvicorn (uvloop + httptools) does about 32,000 requests/s
while a bare httptools protocol does about 115,000/s. The ~22 µs uvicorn spends per request
on ASGI plumbing was a third of a KV v2 read (the Vault pipeline itself takes ~40 µs), so the
listener parses requests itself and hands each one, complete, to the API layer
(``bench/kv_bench.py`` shows the effect). The ASGI entry point of ``VaultAPI`` stays for
in-process tests.

What the protocol does: HTTP/1.1 keep-alive (HTTP/1.0 and ``Connection: close`` close after
the answer); pipelined requests answered in order, reading paused while a backlog builds;
``Expect: 100-continue``; a body over the limit answered 413 without reading the rest, then
the connection closed (Go's MaxBytesReader does the same); Vault's ``LIST`` method, which
llhttp does not know, is fed to the parser as ``PROPFIND`` and restored (a PROPFIND a client
really sent stays PROPFIND and gets 405); a malformed request gets 400 and a close, after the
answers to the requests before it;
idle connections are closed after the keep-alive timeout. TLS is the event loop's, from the
listener's ssl context.
"""

from __future__ import annotations

import asyncio
import collections
import http
import re
import ssl
from typing import Protocol, cast
from urllib.parse import unquote

import httptools

from sealbox.api.app import HTTPRequest


class Responder(Protocol):
    """What a listener serves: the Vault API or another door (AWS)."""

    max_body: int

    async def respond(
        self, request: HTTPRequest
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]: ...


_LIST = b"LIST "
_STAND_IN = b"PROPFIND "
_LIST_AFTER_MESSAGE = b"\r\n\r\nLIST "
_STAND_IN_AFTER_MESSAGE = b"\r\n\r\nPROPFIND "
_BACKLOG = 16  # pipelined requests buffered before reading pauses
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_TOO_LARGE = b'{"errors":["http: request body too large"]}'
_MALFORMED = b'{"errors":["malformed HTTP request"]}'
_METHOD_NOT_ALLOWED = b'{"errors":[]}'
# A request line with a method llhttp does not know: token, target, HTTP version (RFC 9112).
_REQUEST_LINE = re.compile(rb"(?:^|\r\n)([!#$%&'*+.^_`|~0-9A-Za-z-]+) [^ \r\n]+ HTTP/1\.[01]\r\n")
_KNOWN_METHODS = frozenset(m.value.encode() for m in http.HTTPMethod) | {b"PROPFIND", b"LIST"}
_BAD_PATH = b'{"errors":["request path is not valid UTF-8"]}'


def _status_line(status: int) -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"HTTP/1.1 {status} {phrase}\r\n".encode("latin-1")


_STATUS_LINES = {status.value: _status_line(status.value) for status in http.HTTPStatus}


class HTTPConnection(asyncio.Protocol):
    """One client connection."""

    def __init__(
        self, app: Responder, idle_timeout: float, connections: set[HTTPConnection]
    ) -> None:
        self._app = app
        self._max_body = app.max_body
        self._idle_timeout = idle_timeout
        self._connections = connections
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport
        self._parser = httptools.HttpRequestParser(self)
        self._client = ""
        self._client_cert = ""
        # Requests to answer in order: (request, keep-alive), or a final (status, body) refusal.
        self._queue: collections.deque[tuple[HTTPRequest, bool] | tuple[int, bytes]] = (
            collections.deque()
        )
        self._worker: asyncio.Task[None] | None = None
        self._idle: asyncio.TimerHandle | None = None
        self._paused = False
        # State of the message being parsed.
        self._at_boundary = True
        self._lists_pending = 0  # LIST requests handed to the parser as PROPFIND
        self._url = b""
        self._header_list: list[tuple[bytes, bytes]] = []
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._size = 0
        self._rejected = False

    # ---- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream server's transport (uvloop's is not an asyncio.Transport subclass).
        self._transport = cast("asyncio.Transport", transport)
        peer = self._transport.get_extra_info("peername")
        self._client = str(peer[0]) if peer else ""
        self._client_cert = _peer_certificate(self._transport)
        self._connections.add(self)
        self._arm_idle_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        del exc
        self._connections.discard(self)
        if self._idle is not None:
            self._idle.cancel()
        if self._worker is not None:
            self._worker.cancel()
        self._queue.clear()

    def data_received(self, data: bytes) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if self._rejected:
            return
        # compat: Vault's Go server takes any method token; LIST is its list verb.
        if self._at_boundary and data[:5] == _LIST:
            data = _STAND_IN + data[5:]
            self._lists_pending += 1
        if _LIST_AFTER_MESSAGE in data:  # pipelined behind a request without a body
            self._lists_pending += data.count(_LIST_AFTER_MESSAGE)
            data = data.replace(_LIST_AFTER_MESSAGE, _STAND_IN_AFTER_MESSAGE)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserInvalidMethodError:
            # compat: Go's server reads any method token in a well-formed request line and
            # Vault's handler answers 405; anything else is malformed (400).
            if not self._rejected:
                if any(m[1] not in _KNOWN_METHODS for m in _REQUEST_LINE.finditer(data)):
                    self._reject(405, _METHOD_NOT_ALLOWED)
                else:
                    self._reject(400, _MALFORMED)
        except (httptools.HttpParserUpgrade, httptools.HttpParserError):
            if not self._rejected:
                self._reject(400, _MALFORMED)
        if self._worker is None and not self._at_boundary:
            # Half a request and then silence: the timeout closes it (no slowloris hold).
            self._arm_idle_timer()

    def close(self) -> None:
        """Close the connection (server shutdown)."""
        if not self._transport.is_closing():
            self._transport.close()

    # ---- httptools callbacks ------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._at_boundary = False
        self._url = b""
        self._header_list = []
        self._body = []
        self._size = 0

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_list.append((name, value))

    def on_headers_complete(self) -> None:
        headers: dict[str, str] = {}
        for raw_name, raw_value in self._header_list:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        self._headers = headers
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_body:
            self._reject(413, _TOO_LARGE)
            return
        if headers.get("expect", "").lower() == "100-continue":
            self._transport.write(_CONTINUE)

    def on_body(self, body: bytes) -> None:
        if self._rejected:
            return
        self._size += len(body)
        if self._size > self._max_body:
            self._reject(413, _TOO_LARGE)
            return
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._at_boundary = True
        if self._rejected:
            return
        method = self._parser.get_method().decode("latin-1")
        if method == "PROPFIND" and self._lists_pending:
            method = "LIST"
            self._lists_pending -= 1
        url = httptools.parse_url(self._url)
        raw_path = url.path.decode("latin-1")
        try:
            # Paths are UTF-8, percent-encoded or not (mount, policy and secret names).
            path = unquote(url.path.decode("utf-8"), errors="strict")
        except UnicodeDecodeError:
            self._reject(400, _BAD_PATH)
            return
        request = HTTPRequest(
            method=method,
            raw_path=raw_path,
            path=path,
            query_string=url.query or b"",
            headers=self._headers,
            body=b"".join(self._body),
            client=self._client,
            client_cert_pem=self._client_cert,
        )
        self._body = []
        self._queue.append((request, self._parser.should_keep_alive()))
        self._start_worker()
        if len(self._queue) >= _BACKLOG:
            self._transport.pause_reading()
            self._paused = True

    # ---- answering ----------------------------------------------------------------------

    def _start_worker(self) -> None:
        if self._worker is None:
            self._worker = self._loop.create_task(self._answer_queue())

    async def _answer_queue(self) -> None:
        transport = self._transport
        while self._queue:
            item = self._queue.popleft()
            if isinstance(item[0], int):  # a refusal: the last thing this connection says
                status, body = item
                self._write(status, _error_headers(body), body, False)
                transport.close()
                return
            request, keep_alive = item
            status, headers, body = await self._app.respond(request)
            if transport.is_closing():
                return
            self._write(status, headers, body, keep_alive)
            if not keep_alive:
                transport.close()
                return
            if self._paused and len(self._queue) < _BACKLOG // 2:
                transport.resume_reading()
                self._paused = False
        self._worker = None
        self._arm_idle_timer()

    def _write(
        self, status: int, headers: list[tuple[bytes, bytes]], body: bytes, keep_alive: bool
    ) -> None:
        parts = [_STATUS_LINES.get(status) or _status_line(status)]
        parts.extend(name + b": " + value + b"\r\n" for name, value in headers)
        if status not in (204, 304) and not any(name == b"content-length" for name, _ in headers):
            parts.append(b"content-length: 0\r\n")
        if not keep_alive:
            parts.append(b"connection: close\r\n")
        parts.append(b"\r\n")
        parts.append(body)
        self._transport.write(b"".join(parts))

    def _reject(self, status: int, body: bytes) -> None:
        """Refuse the request being read: nothing more is read; earlier ones are answered
        first, then ``status`` is sent and the connection closed."""
        self._rejected = True
        self._transport.pause_reading()
        self._queue.append((status, body))
        self._start_worker()

    def _arm_idle_timer(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        if self._idle_timeout > 0:
            self._idle = self._loop.call_later(self._idle_timeout, self.close)


def _error_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", b"application/json"),
        (b"cache-control", b"no-store"),
        (b"content-length", str(len(body)).encode()),
    ]


def _peer_certificate(transport: asyncio.Transport) -> str:
    """The TLS client's certificate as PEM ("" without TLS or without one), for cert auth."""
    ssl_object = transport.get_extra_info("ssl_object")
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    return ssl.DER_cert_to_PEM_cert(der) if der else ""
