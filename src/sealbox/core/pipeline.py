"""The request pipeline: route, token, ACL, audit, dispatch, wrap, audit.

One pipeline serves every door (the Core checks the seal first). It mirrors OpenBao's
request_handling.go without mutating the request: each stage derives a new frozen Request
with ``Request.evolve``. It is built from the core's parts (mount table, token and policy
stores, audit broker, wrapper), never from the Core itself.

Every request that reached the audit broker gets a response entry, whatever happens: a
sealbox error is recorded with its public message, any other exception as "internal error"
before it propagates to the door (which answers 500).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sealbox.core.audit import AuditBroker
from sealbox.core.expiration import ExpirationManager
from sealbox.core.login import LoginService
from sealbox.core.mount_table import MountTable
from sealbox.core.policy_store import PolicyStore
from sealbox.core.router import Route
from sealbox.core.tokens import TokenStore
from sealbox.core.wrapping import Wrapper
from sealbox.errors import NotFound, PermissionDenied, SealboxError, UnsupportedPath
from sealbox.framework.openapi import help_openapi
from sealbox.logical import Operation, Request, Response
from sealbox.logical.tokens import TokenEntry


def _matches(patterns: tuple[str, ...], path: str) -> bool:
    return any(_matches_one(pattern, path) for pattern in patterns)


def _matches_one(pattern: str, path: str) -> bool:
    """compat: Vault's SpecialPaths: "+" is exactly one segment, a trailing "*" a prefix."""
    prefix = pattern.endswith("*")
    if "+" not in pattern:
        if prefix:
            return path.startswith(pattern[:-1])
        return path in (pattern, pattern.rstrip("/"))
    wanted = (pattern[:-1] if prefix else pattern).split("/")
    got = path.split("/") if prefix else path.rstrip("/").split("/")
    if len(got) < len(wanted) or (not prefix and len(got) != len(wanted)):
        return False
    *head, last = wanted
    if not all(w in ("+", g) for w, g in zip(head, got, strict=False)):
        return False
    final = got[len(wanted) - 1]
    return last == "+" or (final.startswith(last) if prefix else final == last)


def _audit_auth(entry: TokenEntry | None, token: str) -> dict[str, Any] | None:
    """The caller's token as the audit broker records it (the broker HMACs what it must)."""
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
        "token_issue_time": entry.creation_time.isoformat(),
    }


@dataclass(frozen=True, slots=True)
class Pipeline:
    """The stages every request goes through, over the core's parts."""

    mounts: MountTable
    tokens: TokenStore
    policies: PolicyStore
    audit: AuditBroker
    wrapper: Wrapper
    expiration: ExpirationManager
    logins: LoginService

    async def handle(self, req: Request) -> Response:
        """Run ``req`` through the whole pipeline; raises SealboxError subclasses."""
        matched = self.mounts.router.match(req.path)
        if matched is None:
            raise UnsupportedPath(f'no handler for route "{req.path}". route entry not found.')
        route, relative = matched
        backend = route.backend
        unauthenticated = _matches(backend.unauthenticated_paths, relative)

        entry = None
        if req.client_token:
            entry = self.logins.usable_from(
                await self.tokens.lookup(req.client_token), req.client_address
            )
            if entry is None and not unauthenticated:
                raise PermissionDenied()
        elif not unauthenticated:
            raise PermissionDenied()

        if req.operation is Operation.HELP:
            help_doc = {
                "help": backend.help_text(relative),
                "openapi": help_openapi(backend, relative),
            }
            return Response(data=help_doc)
        routing = {
            "path": relative,
            "mount_point": route.mount_path,
            "mount_type": route.entry.type,
            "mount_accessor": route.entry.accessor,
            "storage": self.mounts.view_for(route),
            "token_entry": _after_this_use(entry),
        }
        operation: Operation = req.operation
        if operation in (Operation.CREATE, Operation.UPDATE):
            operation = Operation.UPDATE
            if backend.checks_existence(relative):
                operation = await _resolve_write(req.evolve(**routing), route)
        sudo = False
        if entry is not None and not unauthenticated:
            sudo = await self._authorize(operation, req, entry, route, relative)
        routed = req.evolve(operation=operation, sudo=sudo, **routing)
        # compat: a token sent to an unauthenticated path is not a use of it (OpenBao lets a
        # wrapping token look itself up with sys/wrapping/lookup as often as it likes)
        spender = None if unauthenticated else entry

        audit = self.audit if self.audit.enabled else None
        if audit is None:
            return await self._dispatch(routed, req, spender, route)
        auth = _audit_auth(entry, req.client_token)
        # The audit log shows the path as the client sent it, with the mount filled in.
        audited = routed.evolve(path=req.path)
        await audit.log_request(audited, auth, None)
        try:
            response = await self._dispatch(routed, req, spender, route)
        except SealboxError as err:
            await audit.log_response(audited, auth, None, err.public_message or str(err.status))
            raise
        except Exception:
            await audit.log_response(audited, auth, None, "internal error")
            raise
        await audit.log_response(audited, auth, response, None)
        return response

    async def _dispatch(
        self, routed: Request, req: Request, entry: TokenEntry | None, route: Route
    ) -> Response:
        """Call the backend, apply Vault's not-found rules, spend a token use, wrap."""
        backend = route.backend
        response = _finish(routed, await backend.handle(routed))
        if response.auth is not None and not response.auth.client_token:
            response = await self.logins.complete(routed, route, response)
        if response.secret is not None and not response.secret.ttl:
            # A lease without its own TTL gets the mount's default (kv v1's lease hint too).
            response.secret.ttl = backend.config.default_lease_ttl
        await self.expiration.register(routed, response)
        if entry is not None and entry.num_uses:
            await self.tokens.use(req.client_token, entry)
        if req.wrap_ttl:
            response = await self.wrapper.wrap(routed, response, req.wrap_ttl, req.path)
        return response

    async def _authorize(
        self, operation: Operation, req: Request, entry: TokenEntry, route: Route, relative: str
    ) -> bool:
        """Apply the token's ACL (parameters and wrapping-TTL bounds included); True = sudo."""
        acl = await self.policies.acl(await self.logins.policies_of(entry))
        result = acl.check(operation.value, req.path, req.data, wrap_ttl=req.wrap_ttl)
        if not result.allowed:
            raise PermissionDenied()
        if _matches(route.backend.root_paths, relative) and not result.sudo:
            raise PermissionDenied()
        return result.sudo


def _after_this_use(entry: TokenEntry | None) -> TokenEntry | None:
    """The caller's entry as the backend should see it: with this request's use spent.

    compat: OpenBao spends a use before the handler runs (UseToken in CheckToken), so e.g.
    lookup-self reports the uses left; the store itself still spends it after the request.
    """
    if entry is None or entry.num_uses <= 0:
        return entry
    return replace(entry, num_uses=entry.num_uses - 1)


async def _resolve_write(req: Request, route: Route) -> Operation:
    """Turn a write into CREATE or UPDATE with the backend's existence check."""
    exists = await route.backend.exists(req)
    return Operation.UPDATE if exists is None or exists else Operation.CREATE


def _finish(req: Request, response: Response | None) -> Response:
    """Vault's not-found rules: a nil read and an empty list are 404s."""
    if response is None:
        if req.operation in (Operation.READ, Operation.LIST):
            raise NotFound()
        return Response()
    if req.operation is Operation.LIST and response.data is not None:
        keys = response.data.get("keys")
        if keys is not None and not keys:
            raise NotFound()
    return response
