"""The OAuth 2.0 token endpoint service-account key files point at (``token_uri``).

google-auth's service-account flow (and ``gcloud auth activate-service-account``) posts
``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<RS256 JWT>`` (RFC 7523)
form-encoded to the key file's ``token_uri``. The assertion is checked by the ``gcpsa`` auth
mount's login (``principal.Principals.login``), and the sealbox token it issues is the
``access_token`` answered; errors are RFC 6749 §5.2 JSON (``invalid_grant`` etc., HTTP 400).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson

from sealbox.api.facades.gcp.errors import Unauthenticated
from sealbox.api.facades.gcp.principal import Principals

PATH = "/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _error(code: str, description: str) -> tuple[int, bytes]:
    return 400, orjson.dumps({"error": code, "error_description": description})


async def grant(principals: Principals, body: bytes, address: str) -> tuple[int, bytes]:
    """Status and JSON body for one token request."""
    try:
        form: dict[str, Any] = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return _error("invalid_request", "The request body is not form-encoded text.")
    if form.get("grant_type") != JWT_BEARER:
        return _error("unsupported_grant_type", f"Only {JWT_BEARER} is supported.")
    assertion = str(form.get("assertion") or "")
    if not assertion:
        return _error("invalid_request", "assertion is required.")
    try:
        token, lifetime = await principals.login(assertion, address)
    except Unauthenticated:
        return _error("invalid_grant", "Invalid JWT Signature.")
    answer = {"access_token": token, "expires_in": int(lifetime), "token_type": "Bearer"}
    return 200, orjson.dumps(answer)
