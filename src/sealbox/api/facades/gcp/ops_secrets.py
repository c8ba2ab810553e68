"""secrets.create, get, list, patch and delete.

A secret is a KV v2 key; creating one writes only its metadata (no version), as Secret
Manager does. ``updateMask`` names the fields a patch replaces (a named field absent from the
body is cleared); ``replication`` is immutable. An ``etag`` in a patch body or a delete's query
must match the current one (else FAILED_PRECONDITION, nothing changed).
"""

from __future__ import annotations

import time
from typing import Any

from sealbox.api.facades.gcp import validate
from sealbox.api.facades.gcp.context import Call
from sealbox.api.facades.gcp.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
)
from sealbox.api.facades.gcp.filters import compile_filter
from sealbox.api.facades.gcp.kv import now_ns
from sealbox.api.facades.gcp.model import MAX_VERSIONS, SecretView, parse_rfc3339, rfc3339
from sealbox.api.facades.gcp.names import Parent, SecretName, secret_id
from sealbox.api.facades.gcp.paging import page
from sealbox.api.facades.gcp.render import secret_json
from sealbox.logical import Operation

_UPDATABLE = {
    "labels",
    "annotations",
    "topics",
    "rotation",
    "expireTime",
    "ttl",
    "versionAliases",
    "versionDestroyTtl",
    "customerManagedEncryption",
    "etag",
}
_SNAKE = {
    "expire_time": "expireTime",
    "version_aliases": "versionAliases",
    "version_destroy_ttl": "versionDestroyTtl",
    "customer_managed_encryption": "customerManagedEncryption",
}


def not_found(name: SecretName, project: str) -> NotFound:
    return NotFound(f"Secret [{name.render(project)}] not found or has no versions.")


async def load(call: Call, name: SecretName) -> SecretView:
    """The secret's view (NOT_FOUND when the key does not exist)."""
    found = await call.kv.read(name.key)
    if found is None or found[0].expired(now_ns()):
        raise not_found(name, call.project)
    return found[0]


def _field(gcp: dict[str, Any], field: str, value: Any, versions: set[int]) -> None:
    """Set (or with None clear) one updatable field in ``gcp``, validated."""
    checks: dict[str, Any] = {
        "labels": validate.labels,
        "annotations": validate.annotation_map,
        "topics": validate.topics,
    }
    if field in checks:
        gcp[field] = checks[field](value)
    elif field == "ttl":
        if value is not None:
            seconds = validate.duration(value, "ttl")
            gcp["expireTime"] = rfc3339(int((time.time() + seconds) * 1e9))
    elif field == "expireTime":
        if value is not None:
            try:
                parse_rfc3339(str(value))
            except ValueError as err:
                raise InvalidArgument("expireTime must be an RFC 3339 UTC time.") from err
        gcp[field] = value
    elif field == "versionAliases":
        gcp[field] = validate.aliases(value, versions)
    elif field == "versionDestroyTtl":
        if value is not None:
            validate.duration(value, field)
        gcp[field] = value
    elif field == "rotation":
        if value is not None and not isinstance(value, dict):
            raise InvalidArgument("rotation must be an object.")
        period = (value or {}).get("rotationPeriod")
        if period is not None and validate.duration(period, "rotationPeriod") < 3600:
            raise InvalidArgument("rotation.rotationPeriod must be at least 3600s.")
        gcp[field] = value
    else:
        gcp[field] = value
    if gcp.get(field) in (None, {}, []):
        gcp.pop(field, None)


async def create_secret(call: Call) -> dict[str, Any]:
    """POST /v1/{parent}/secrets?secretId=."""
    name = SecretName(call.parent, secret_id(call.query.get("secretId", "")))
    body = call.body
    gcp: dict[str, Any] = {}
    if call.parent.location:
        if body.get("replication"):
            raise InvalidArgument("Regional secrets take no replication policy.")
    else:
        gcp["replication"] = validate.replication(body.get("replication"))
    for field in _UPDATABLE - {"etag", "versionAliases"}:
        if body.get(field) is not None:
            _field(gcp, field, body[field], set())
    if body.get("versionAliases"):
        raise InvalidArgument("A new secret has no versions to alias.")
    existing = await call.kv.read(name.key)
    if existing is not None:
        if not existing[0].expired(now_ns()):
            raise AlreadyExists(f"Secret [{name.render(call.project)}] already exists.")
        await call.kv.call(Operation.DELETE, "metadata/" + name.key, {})  # expired: gone
    change = {"key_extra": {"gcp": gcp}, "expect_version": 0, "max_versions": MAX_VERSIONS}
    view = await call.kv.write(name.key, change)
    return secret_json(name, view, call.project)


async def get_secret(call: Call) -> dict[str, Any]:
    """GET /v1/{name}."""
    name = call.secret_name()
    return secret_json(name, await load(call, name), call.project)


def _visible(view: SecretView, parent: Parent) -> SecretName | None:
    """The view's name under ``parent``, or None when it is not one of its secrets."""
    prefix = parent.key_prefix()
    if not view.key.startswith(prefix):
        return None
    rest = view.key[len(prefix) :]
    if "/" in rest:
        return None
    try:
        return SecretName(parent, secret_id(rest))
    except InvalidArgument:
        return None


async def list_secrets(call: Call) -> dict[str, Any]:
    """GET /v1/{parent}/secrets?filter=&pageSize=&pageToken= (sorted by name)."""
    views = await call.kv.list_all(call.parent.key_prefix())
    now = now_ns()
    secrets = []
    for view in views:
        name = _visible(view, call.parent)
        if name is not None and not view.expired(now):
            secrets.append(secret_json(name, view, call.project))
    text = call.query.get("filter", "").strip()
    if text:
        wanted = compile_filter(text)
        secrets = [s for s in secrets if wanted(s)]
    secrets.sort(key=lambda s: str(s["name"]))
    return page(secrets, call.query, "secrets")


def check_etag(given: Any, view: SecretView) -> None:
    if given and given != view.etag:
        raise FailedPrecondition("The etag does not match the current etag of the secret.")


async def patch_secret(call: Call) -> dict[str, Any]:
    """PATCH /v1/{name}?updateMask=a,b."""
    name = call.secret_name()
    mask = [m.strip() for m in call.query.get("updateMask", "").split(",") if m.strip()]
    if not mask:
        raise InvalidArgument("updateMask is required.")
    fields = [_SNAKE.get(m, m) for m in mask]
    for field in fields:
        if field not in _UPDATABLE:
            raise InvalidArgument(f"The field [{field}] cannot be updated.")

    async def change() -> tuple[str, dict[str, Any]]:
        view = await load(call, name)
        check_etag(call.body.get("etag"), view)
        gcp = dict(view.gcp)
        for field in fields:
            if field != "etag":
                _field(gcp, field, call.body.get(field), set(view.versions))
        return name.key, {"key_extra": view.with_gcp(gcp), "expect_version": view.kv_version}

    view = await call.kv.mutate(change)
    return secret_json(name, view, call.project)


async def delete_secret(call: Call) -> dict[str, Any]:
    """DELETE /v1/{name}?etag=: the secret and every version, at once."""
    name = call.secret_name()
    view = await load(call, name)
    check_etag(call.query.get("etag"), view)
    await call.kv.call(Operation.DELETE, "metadata/" + name.key, {})
    return {}
