"""The request pipeline: seal check, route, token, ACL, audit, dispatch, wrap, audit.

One function serves every door. It mirrors OpenBao's request_handling.go without mutating
the request: each stage derives a new frozen Request with ``dataclasses.replace``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sealbox.errors import (
    InvalidRequest,
    NotFound,
    PermissionDenied,
    SealboxError,
    Sealed,
    UnsupportedPath,
)
from sealbox.logical import Operation, Request, Response

if TYPE_CHECKING:
    from sealbox.core.core import Core
    from sealbox.core.router import Route


def _matches(patterns: tuple[str, ...], path: str) -> bool:
    for pattern in patterns:
        if pattern.endswith("*"):
            if path.startswith(pattern[:-1]):
                return True
        elif path == pattern or path == pattern.rstrip("/"):
            return True
    return False


def _audit_auth(entry: Any, token: str) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "client_token": token,
        "accessor": entry.accessor,
        "display_name": entry.display_name,
        "policies": list(entry.policies),
        "token_policies": list(entry.policies),
        "metadata": dict(entry.meta or {}),
        "entity_id": entry.entity_id,
        "token_type": entry.type,
        "token_ttl": entry.ttl,
        "token_issue_time": entry.creation_time.isoformat()
        if hasattr(entry.creation_time, "isoformat")
        else str(entry.creation_time),
    }


async def handle_request(core: Core, req: Request) -> Response:
    """Run ``req`` through the whole pipeline; raises SealboxError subclasses."""
    if core.sealed:
        raise Sealed()
    matched = core.router.match(req.path)
    if matched is None:
        raise UnsupportedPath(f'no handler for route "{req.path}". route entry not found.')
    route, relative = matched
    backend = route.backend
    unauthenticated = _matches(backend.unauthenticated_paths, relative)

    entry = None
    if req.client_token:
        entry = await core.tokens.lookup(req.client_token)
        if entry is None and not unauthenticated:
            raise PermissionDenied()
    elif not unauthenticated:
        raise PermissionDenied()

    routed = replace(
        req,
        path=relative,
        mount_point=route.mount_path,
        mount_type=route.entry.type,
        mount_accessor=route.entry.accessor,
        storage=core.view_for(route),
        token_entry=entry,
    )
    if routed.operation is Operation.HELP:
        return Response(data={"help": backend.help_text(relative)}, raw=True)
    routed = await _resolve_write(routed, route)

    if entry is not None and not unauthenticated:
        sudo = await _authorize(core, routed, req.path, entry, route)
        if sudo:
            routed = replace(routed, sudo=True)

    auth = _audit_auth(entry, req.client_token)
    # The audit log shows the path as the client sent it, with the mount filled in.
    audited = replace(routed, path=req.path)
    if core.audit.enabled:
        await core.audit.log_request(audited, auth, None)
    try:
        response = await backend.handle(routed)
        response = _finish(routed, response)
        if response.secret is not None and not response.secret.ttl:
            # A lease without its own TTL gets the mount's default (kv v1's lease hint too).
            response.secret.ttl = backend.config.default_lease_ttl
        if entry is not None and entry.num_uses:
            await core.tokens.use(req.client_token, entry)
        if req.wrap_ttl:
            response = await core.wrap_response(routed, response, req.wrap_ttl, req.path)
    except SealboxError as err:
        if core.audit.enabled:
            await core.audit.log_response(
                audited, auth, None, err.public_message or str(err.status)
            )
        raise
    if core.audit.enabled:
        await core.audit.log_response(audited, auth, response, None)
    return response


async def _resolve_write(req: Request, route: Route) -> Request:
    """Turn a write into CREATE or UPDATE with the backend's existence check."""
    if req.operation not in (Operation.CREATE, Operation.UPDATE):
        return req
    exists = await route.backend.exists(req)
    operation = Operation.UPDATE if exists is None or exists else Operation.CREATE
    return req if operation is req.operation else replace(req, operation=operation)


async def _authorize(core: Core, req: Request, full_path: str, entry: Any, route: Route) -> bool:
    """Apply the token's ACL (parameters and wrapping-TTL bounds included) and sudo."""
    acl = await core.policies.acl(entry.policies)
    result = acl.check(req.operation.value, full_path, req.data, wrap_ttl=req.wrap_ttl)
    if not result.allowed:
        raise PermissionDenied()
    if _matches(route.backend.root_paths, req.path) and not result.sudo:
        raise PermissionDenied()
    return result.sudo


def _finish(req: Request, response: Response | None) -> Response:
    """Vault's not-found rules: a nil read and an empty list are 404s."""
    if response is None:
        if req.operation in (Operation.READ, Operation.LIST):
            raise NotFound()
        return Response()
    if req.operation is Operation.LIST and response.data is not None:
        keys = response.data.get("keys")
        if keys is not None and not keys and not response.raw:
            raise NotFound()
    return response


def validate_path(path: str) -> str:
    """Refuse path tricks before routing: ``..`` segments and empty segments."""
    segments = path.split("/")
    if any(part in ("..", ".") for part in segments):
        raise InvalidRequest("invalid request path: relative path segments are not allowed")
    return path
