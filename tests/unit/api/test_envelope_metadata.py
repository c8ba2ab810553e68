"""The Vault door renders a Response's protocol metadata: 201, Location, Link, Replay-Nonce.

ACME (RFC 8555 6.5, 7.1.2, 7.3) needs these on the PKI mount; documents that report a
failure (an unsuccessful OCSP answer, an ACME problem) keep their body and take its status.
"""

from __future__ import annotations

import orjson

from sealbox.api.envelope import headers, render
from sealbox.logical import Document, Link, Response


def test_plain_response_has_no_extra_headers_and_200() -> None:
    response = Response(data={"a": 1})
    status, body, media = render(response, "rid")
    assert (status, media) == (200, "")
    assert orjson.loads(body)["data"] == {"a": 1}
    assert headers(response) == []


def test_created_is_201_and_metadata_become_headers() -> None:
    response = Response(
        data={"status": "valid"},
        created=True,
        location="http://h/v1/pki/acme/account/abc",
        links=(
            Link("http://h/v1/pki/acme/directory", "index"),
            Link("http://h/v1/pki/acme/cert/1/alt", "alternate"),
        ),
        nonce="n0nce",
        no_store=True,
    )
    status, _, _ = render(response, "rid")
    assert status == 201
    assert headers(response) == [
        (b"replay-nonce", b"n0nce"),
        (b"location", b"http://h/v1/pki/acme/account/abc"),
        (b"link", b'<http://h/v1/pki/acme/directory>;rel="index"'),
        (b"link", b'<http://h/v1/pki/acme/cert/1/alt>;rel="alternate"'),
    ]


def test_document_keeps_its_media_type_and_failure_status() -> None:
    ok = Response(document=Document("application/ocsp-response", b"\x30\x03"))
    assert render(ok) == (200, b"\x30\x03", "application/ocsp-response")
    failed = Response(
        document=Document("application/problem+json", b'{"type":"x"}', 400), nonce="n"
    )
    assert render(failed) == (400, b'{"type":"x"}', "application/problem+json")
    assert headers(failed) == [(b"replay-nonce", b"n")]
    created = Response(document=Document("application/json", b"{}"), created=True)
    assert render(created)[0] == 201


def test_explicit_status_still_wins_and_accepted_stays_202() -> None:
    assert render(Response(data={"a": 1}, created=True), status=404)[0] == 404
    assert render(Response(accepted=True))[0] == 202
