"""The TokenReview call that asks the Kubernetes API server whether a JWT is live.

Mirrors vault-plugin-auth-kubernetes token_review.go: ``POST
{kubernetes_host}/apis/authentication.k8s.io/v1/tokenreviews`` with the reviewer's bearer token
and ``{"kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1", "spec": {"token",
"audiences"}}``, trusting only the configured CA. The answer must be 2xx and not a ``Status``
failure; then ``status.authenticated`` must be true with no ``status.error``, the returned
audiences must overlap the ones asked for, and ``status.user`` must be
``system:serviceaccount:<ns>:<name>`` with the JWT's uid. Any refusal is a 403; an unreachable
API server is a 500, as in OpenBao.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx

from sealbox.auth.kubernetes.claims import ServiceAccount
from sealbox.errors import InternalError, PermissionDenied

_PATH = "/apis/authentication.k8s.io/v1/tokenreviews"


def _tls(ca_pem: str) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_pem.strip():
        context = ssl.create_default_context(cadata=ca_pem)
    return context


async def review(
    host: str, ca_pem: str, bearer: str, token: str, audiences: list[str]
) -> dict[str, Any]:
    """POST one TokenReview and return its ``status`` (raises on transport or API errors)."""
    body = {
        "kind": "TokenReview",
        "apiVersion": "authentication.k8s.io/v1",
        "spec": {"token": token, "audiences": audiences},
    }
    headers = {"Authorization": f"Bearer {bearer}", "Accept": "application/json"}
    try:
        async with httpx.AsyncClient(verify=_tls(ca_pem), timeout=10) as client:
            answer = await client.post(host.rstrip("/") + _PATH, json=body, headers=headers)
    except (httpx.HTTPError, ssl.SSLError, ValueError) as err:
        raise InternalError("lookup failed: could not reach the Kubernetes API server") from err
    if answer.status_code == 401:
        raise PermissionDenied(
            "service account unauthorized; this could mean it has been deleted or "
            "recreated with the same name"
        )
    try:
        result = answer.json()
    except ValueError as err:
        raise PermissionDenied() from err
    if not 200 <= answer.status_code < 300 or result.get("kind") == "Status":
        raise PermissionDenied()
    status = result.get("status")
    return status if isinstance(status, dict) else {}


def check_review(status: dict[str, Any], account: ServiceAccount, audiences: list[str]) -> None:
    """Whether the API server's answer vouches for ``account``; 403 otherwise."""
    if status.get("error") or status.get("authenticated") is not True:
        raise PermissionDenied()
    granted = status.get("audiences") or []
    if audiences and not set(audiences) & set(granted):
        raise PermissionDenied()
    user = status.get("user") or {}
    parts = str(user.get("username", "")).split(":")
    if len(parts) != 4 or parts[:2] != ["system", "serviceaccount"]:
        raise PermissionDenied()
    if (parts[2], parts[3]) != (account.namespace, account.name):
        raise PermissionDenied()
    if str(user.get("uid", "")) != account.uid:
        raise PermissionDenied()
