"""Build Vault's JSON response envelope from a Response (sdk/logical/translate_response.go)."""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from sealbox.logical import Auth, Response


def _auth(auth: Auth) -> dict[str, Any]:
    # compat: identity_policies is omitempty in OpenBao's HTTPAuth (translate_response.go)
    identity = {"identity_policies": auth.identity_policies} if auth.identity_policies else {}
    return {
        "client_token": auth.client_token,
        "accessor": auth.accessor,
        "policies": auth.policies,
        "token_policies": auth.token_policies,
        **identity,
        "metadata": auth.metadata,
        "lease_duration": auth.lease_duration,
        "renewable": auth.renewable,
        "entity_id": auth.entity_id,
        "token_type": auth.token_type,
        "orphan": auth.orphan,
        "mfa_requirement": None,
        "num_uses": auth.num_uses,
    }


def envelope(response: Response, request_id: str = "") -> dict[str, Any]:
    """The envelope dict; sys paths that Vault mirrors get ``data`` at the top level too."""
    body: dict[str, Any] = {}
    if response.top_level and response.data:
        body.update(response.data)
    secret = response.secret
    wrap = response.wrap_info
    body.update(
        {
            "request_id": "" if wrap else (request_id or str(uuid.uuid4())),
            "lease_id": secret.lease_id if secret else "",
            "renewable": secret.renewable if secret else False,
            "lease_duration": secret.ttl if secret else 0,
            "data": response.data,
            "wrap_info": None
            if wrap is None
            else {
                "token": wrap.token,
                "accessor": wrap.accessor,
                "ttl": wrap.ttl,
                "creation_time": wrap.creation_time,
                "creation_path": wrap.creation_path,
                **({"wrapped_accessor": wrap.wrapped_accessor} if wrap.wrapped_accessor else {}),
            },
            "warnings": response.warnings or None,
            "auth": None if response.auth is None else _auth(response.auth),
        }
    )
    return body


def render(response: Response, request_id: str = "") -> tuple[int, bytes]:
    """Status and body bytes for a successful Response."""
    if response.body is not None:
        return response.status or 200, response.body
    if response.raw:
        return response.status or 200, orjson.dumps(response.data)
    empty = (
        response.data is None
        and response.auth is None
        and response.wrap_info is None
        and response.secret is None
        and not response.warnings
    )
    if empty:
        return response.status or 204, b""
    return response.status or 200, orjson.dumps(envelope(response, request_id))
