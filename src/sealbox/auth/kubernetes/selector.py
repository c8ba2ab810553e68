"""Kubernetes label selectors for ``bound_service_account_namespace_selector``.

A role may bind namespaces by their labels instead of (or besides) their names: the selector is
a ``metav1.LabelSelector`` given as JSON or YAML (``matchLabels`` and ``matchExpressions`` with
``In``, ``NotIn``, ``Exists``, ``DoesNotExist``), and a login from a namespace outside the
name list reads the namespace's labels from the API server
(``GET /api/v1/namespaces/<ns>``, with the reviewer's bearer) and checks them, as
vault-plugin-auth-kubernetes does (path_login.go ``namespaceValidator``).
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx
import yaml

from sealbox.errors import InternalError, InvalidRequest

_OPERATORS = frozenset({"In", "NotIn", "Exists", "DoesNotExist"})


def parse_selector(text: str) -> dict[str, Any]:
    """The selector in ``text`` (JSON or YAML), validated; 400 when it is not one."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise InvalidRequest("invalid bound_service_account_namespace_selector configured") from err
    if not isinstance(raw, dict) or not set(raw) <= {"matchLabels", "matchExpressions"}:
        raise InvalidRequest("invalid bound_service_account_namespace_selector configured")
    labels = raw.get("matchLabels") or {}
    expressions = raw.get("matchExpressions") or []
    if not isinstance(labels, dict) or not isinstance(expressions, list):
        raise InvalidRequest("invalid bound_service_account_namespace_selector configured")
    for expression in expressions:
        if not isinstance(expression, dict) or expression.get("operator") not in _OPERATORS:
            raise InvalidRequest("invalid bound_service_account_namespace_selector configured")
    return {
        "matchLabels": {str(k): str(v) for k, v in labels.items()},
        "matchExpressions": expressions,
    }


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a namespace with ``labels`` matches ``selector`` (all terms must hold)."""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator = str(expression.get("key", "")), expression["operator"]
        values = [str(v) for v in expression.get("values") or []]
        present = key in labels
        if operator == "In" and (not present or labels[key] not in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


async def namespace_labels(host: str, ca_pem: str, bearer: str, namespace: str) -> dict[str, str]:
    """The labels of ``namespace`` as the API server reports them."""
    context = (
        ssl.create_default_context(cadata=ca_pem)
        if ca_pem.strip()
        else ssl.create_default_context()
    )
    url = f"{host.rstrip('/')}/api/v1/namespaces/{namespace}"
    try:
        async with httpx.AsyncClient(verify=context, timeout=10) as client:
            answer = await client.get(url, headers={"Authorization": f"Bearer {bearer}"})
        body = answer.json()
    except (httpx.HTTPError, ssl.SSLError, ValueError) as err:
        raise InternalError("failed to get namespace from the Kubernetes API server") from err
    if answer.status_code != 200 or not isinstance(body, dict):
        raise InternalError("failed to get namespace from the Kubernetes API server")
    labels = (body.get("metadata") or {}).get("labels") or {}
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
