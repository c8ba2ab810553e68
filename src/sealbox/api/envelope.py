"""Build Vault's JSON response envelope from a Response (sdk/logical/translate_response.go)."""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from sealbox.api import shapes
from sealbox.logical import Auth, Operation, Response


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


def envelope(
    response: Response, request_id: str = "", *, top_level: bool = False
) -> dict[str, Any]:
    """The envelope dict; with ``top_level``, ``data`` is repeated at the top as well."""
    body: dict[str, Any] = {}
    if top_level and response.data:
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


def render(
    response: Response,
    request_id: str = "",
    *,
    path: str = "",
    operation: Operation = Operation.READ,
    status: int = 0,
) -> tuple[int, bytes, str]:
    """Status, body and content type for ``response`` to a request on API path ``path``.

    ``status`` overrides the success code (an error answered with an envelope).
    """
    document = response.document
    if document is not None:
        return (
            status or document.status or (201 if response.created else 200),
            document.content,
            document.media_type,
        )
    if operation is Operation.HELP or (path and shapes.unwrapped(path)):
        return status or 200, orjson.dumps(response.data), ""
    code = status or (201 if response.created else 202 if response.accepted else 200)
    empty = (
        response.data is None
        and response.auth is None
        and response.wrap_info is None
        and response.secret is None
        and not response.warnings
    )
    if empty and not response.accepted:
        return status or 204, b"", ""
    body = envelope(response, request_id, top_level=bool(path) and shapes.mirrored(path))
    return code, orjson.dumps(body), ""


def headers(response: Response) -> list[tuple[bytes, bytes]]:
    """The HTTP headers that carry ``response``'s protocol metadata (RFC 8555 6.5, 7.1; RFC 8288).

    Nonces go out as ``Replay-Nonce``, the resource address as ``Location``, each link as its
    own ``Link: <target>;rel="relation"`` header (ACME clients read several). ``no_store``
    needs nothing here: this door sends ``Cache-Control: no-store`` on every answer.
    """
    out: list[tuple[bytes, bytes]] = []
    if response.nonce:
        out.append((b"replay-nonce", response.nonce.encode("ascii")))
    if response.location:
        out.append((b"location", response.location.encode("ascii")))
    for link in response.links:
        out.append((b"link", f'<{link.target}>;rel="{link.relation}"'.encode("ascii")))
    return out
