"""ACME problem documents (RFC 8555 6.7, RFC 7807): the only way ACME errors leave the mount.

A problem is raised inside the ACME handlers and turned into a Response carrying an
``application/problem+json`` Document with its status and a fresh nonce, so the client can
retry (RFC 8555 6.5: every response, errors included, carries ``Replay-Nonce``).
"""

from __future__ import annotations

import orjson

from sealbox.logical import Document, Response

PROBLEM_JSON = "application/problem+json"
_PREFIX = "urn:ietf:params:acme:error:"


class AcmeProblem(Exception):
    """An ACME error: ``kind`` is the RFC 8555 6.7 type without its URN prefix."""

    def __init__(self, kind: str, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.status = status

    def document(self) -> Document:
        body = {"type": _PREFIX + self.kind, "detail": self.detail, "status": self.status}
        return Document(PROBLEM_JSON, orjson.dumps(body), self.status)


def malformed(detail: str) -> AcmeProblem:
    return AcmeProblem("malformed", detail)


def bad_nonce(detail: str = "the nonce is unknown, used or expired") -> AcmeProblem:
    return AcmeProblem("badNonce", detail)


def unauthorized(detail: str) -> AcmeProblem:
    return AcmeProblem("unauthorized", detail, 403)


def problem_response(problem: AcmeProblem, nonce: str) -> Response:
    """The Response for ``problem``; never cached."""
    return Response(document=problem.document(), nonce=nonce, no_store=True)
