"""The HTTP/1.1 listener (server/http.py) on the wire: keep-alive, pipelining, LIST, limits.

Raw sockets, so every byte the server sends is checked, not what a client library makes of it.
"""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

import pytest
from tests.compat.conftest import ServerProcess

pytestmark = pytest.mark.compat

_STATUS = re.compile(rb"HTTP/1\.1 (\d{3}) ")


def _connect(server: ServerProcess) -> socket.socket:
    parts = urlsplit(server.address)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def _statuses(data: bytes) -> list[int]:
    return [int(code) for code in _STATUS.findall(data)]


def test_pipelined_requests_are_answered_in_order_including_list(
    sealbox_server: ServerProcess,
) -> None:
    token = sealbox_server.token.encode()
    with _connect(sealbox_server) as sock:
        sock.sendall(
            b"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n"
            b"LIST /v1/sys/policies/acl HTTP/1.1\r\nHost: x\r\nX-Vault-Token: "
            + token
            + b"\r\n\r\n"
            b"GET /v1/sys/nothing-here HTTP/1.1\r\nHost: x\r\nX-Vault-Token: " + token + b"\r\n\r\n"
            b"GET /v1/sys/seal-status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        data = _read_all(sock)
    assert _statuses(data) == [200, 200, 404, 200]
    assert b'"keys":["default"' in data
    assert data.rstrip().endswith(b"}")
    assert b"connection: close" in data.split(b"HTTP/1.1 200 OK")[-1]


def test_keep_alive_serves_many_requests_on_one_connection(sealbox_server: ServerProcess) -> None:
    with _connect(sealbox_server) as sock:
        for _ in range(5):
            sock.sendall(b"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n")
            head = sock.recv(65536)
            assert head.startswith(b"HTTP/1.1 200 OK\r\n")


def test_http_1_0_closes_after_the_answer(sealbox_server: ServerProcess) -> None:
    with _connect(sealbox_server) as sock:
        sock.sendall(b"GET /v1/sys/health HTTP/1.0\r\n\r\n")
        assert _statuses(_read_all(sock)) == [200]


def test_declared_body_over_the_limit_is_refused_without_reading_it(
    sealbox_server: ServerProcess,
) -> None:
    with _connect(sealbox_server) as sock:
        sock.sendall(
            b"POST /v1/secret/data/huge HTTP/1.1\r\nHost: x\r\nContent-Length: 40000000\r\n"
            b"X-Vault-Token: " + sealbox_server.token.encode() + b"\r\n\r\n{"
        )
        data = _read_all(sock)  # the server answers and closes; the body is never sent
    assert _statuses(data) == [413]
    assert b"http: request body too large" in data


def test_chunked_body_over_the_limit_is_refused(sealbox_server: ServerProcess) -> None:
    chunk = b"a" * (1 << 20)
    with _connect(sealbox_server) as sock:
        sock.sendall(
            b"POST /v1/secret/data/huge HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"X-Vault-Token: " + sealbox_server.token.encode() + b"\r\n\r\n"
        )
        try:
            for _ in range(40):
                sock.sendall(b"100000\r\n" + chunk + b"\r\n")
        except OSError:
            pass  # the server may close while we are still sending
        data = _read_all(sock)
    assert _statuses(data) == [413]


def test_expect_100_continue_is_honoured(sealbox_server: ServerProcess) -> None:
    body = b'{"data":{"k":"v"}}'
    with _connect(sealbox_server) as sock:
        sock.sendall(
            b"POST /v1/secret/data/expect HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n"
            b"X-Vault-Token: " + sealbox_server.token.encode() + b"\r\n\r\n"
        )
        assert sock.recv(25) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        assert _statuses(_read_all(sock)) == [200]


def test_malformed_request_gets_400_after_earlier_answers(sealbox_server: ServerProcess) -> None:
    with _connect(sealbox_server) as sock:
        sock.sendall(b"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\nnot http at all\r\n\r\n")
        assert _statuses(_read_all(sock)) == [200, 400]


def test_a_real_propfind_is_not_mistaken_for_list(sealbox_server: ServerProcess) -> None:
    with _connect(sealbox_server) as sock:
        sock.sendall(b"PROPFIND /v1/sys/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert _statuses(_read_all(sock)) == [405]


def test_head_carries_the_length_but_no_body(sealbox_server: ServerProcess) -> None:
    with _connect(sealbox_server) as sock:
        sock.sendall(b"HEAD /v1/sys/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = _read_all(sock)
    head, _, body = data.partition(b"\r\n\r\n")
    assert _statuses(head) == [200]
    assert re.search(rb"content-length: [1-9]\d*", head)
    assert body == b""
