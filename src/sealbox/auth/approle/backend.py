"""The ``approle`` auth method: machines log in with a role ID and a secret ID.

Mirrors OpenBao's builtin/credential/approle (path_login.go for the login rules):

* an unknown role ID, a missing, expired or spent secret ID all answer 400 ``invalid role or
  secret ID``, counted toward the mount's lockout (keyed by role ID), and create nothing;
* a secret ID with uses left is decremented and deleted with its last use, under a lock, so
  two concurrent logins cannot both spend the last use;
* the caller's address must be inside the role's ``secret_id_bound_cidrs`` and the secret
  ID's ``cidr_list``; a secret ID's ``token_bound_cidrs`` replace the role's for its tokens;
* the token's metadata is ``role_name`` plus the secret ID's metadata; the entity alias is the
  role ID; renewal needs the role to still exist and applies its current TTLs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from sealbox.auth.approle.paths_role import role_paths
from sealbox.auth.approle.paths_secret_id import SecretIDHandlers, secret_id_paths
from sealbox.auth.approle.store import AppRoleStore, Role, SecretID
from sealbox.auth.lockout import Lockout, LockoutPolicy
from sealbox.errors import InternalError, InvalidCredentials, InvalidRequest, PermissionDenied
from sealbox.framework import Backend, BackendConfig, FieldData, FieldSchema, FieldType, Path
from sealbox.framework.tokenutil import address_allowed
from sealbox.logical import Alias, Auth, Operation, Request, Response

_INVALID = "invalid role or secret ID"
_LOGIN = {
    "role_id": FieldSchema(FieldType.STRING, "Role ID of the role."),
    "secret_id": FieldSchema(FieldType.STRING, "Secret ID issued for the role."),
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class AppRoleAuthMethod(Backend):
    """Role ID + secret ID logins."""

    backend_type = "approle"
    unauthenticated_paths = ("login",)

    def __init__(self, config: BackendConfig, clock: Callable[[], datetime] = _utcnow) -> None:
        super().__init__(config)
        self.clock = clock
        self.store = AppRoleStore(config.storage)
        self.lockout = Lockout(
            lambda: LockoutPolicy.from_config(config.user_lockout), clock=lambda: self.clock()
        )
        self._spend_lock = asyncio.Lock()
        roles, paths = role_paths(self.store)
        self.secret_ids = SecretIDHandlers(self.store, roles, lambda: self.clock())
        self.paths = [
            Path("login", _LOGIN, {Operation.UPDATE: self.login}, synopsis="Log in."),
            *paths,
            *secret_id_paths(self.secret_ids),
        ]

    async def login(self, req: Request, d: FieldData) -> Response:
        """POST /auth/approle/login. A token for a valid role ID and secret ID."""
        role_id = d.get("role_id").strip()
        if not role_id:
            # compat: OpenBao answers 500 "missing role_id"
            raise InternalError("missing role_id")
        if self.lockout.locked(role_id):
            raise PermissionDenied()
        role = await self.store.role_for_id(role_id)
        if role is None:
            self.lockout.failed(role_id)
            raise InvalidCredentials(_INVALID)
        address = req.client_address
        if not address_allowed(address, role.secret_id_bound_cidrs):
            raise InvalidRequest(
                f"source address {address!r} unauthorized by CIDR restrictions on the role"
            )
        metadata: dict[str, str] = {}
        token_cidrs = list(role.token.token_bound_cidrs)
        if role.bind_secret_id:
            entry = await self._spend_secret(role, d.get("secret_id").strip(), role_id, address)
            metadata = dict(entry.metadata)
            token_cidrs = list(entry.token_bound_cidrs) or token_cidrs
        self.lockout.succeeded(role_id)
        metadata["role_name"] = role.name
        auth = role.token.apply(
            Auth(metadata=metadata, alias=Alias(name=role.role_id, metadata=dict(metadata)))
        )
        auth.bound_cidrs = token_cidrs
        return Response(auth=auth)

    async def _spend_secret(
        self, role: Role, secret_id: str, role_id: str, address: str
    ) -> SecretID:
        if not secret_id:
            raise InvalidRequest("missing secret_id")
        secret_hash = self.store.secret_hash(role, secret_id)
        entry = await self.store.secret(role, secret_hash)
        if entry is not None and entry.secret_id_num_uses == 0:
            # Unlimited uses: nothing to spend, so concurrent logins need no lock.
            return self._checked(entry, role_id, address)
        async with self._spend_lock:
            entry = self._checked(await self.store.secret(role, secret_hash), role_id, address)
            if entry.secret_id_num_uses == 1:
                await self.store.delete_secret(role, secret_hash)
            elif entry.secret_id_num_uses > 1:
                spent = replace(
                    entry,
                    secret_id_num_uses=entry.secret_id_num_uses - 1,
                    last_updated_time=self.clock(),
                )
                await self.store.update_secret(role, secret_hash, spent)
        return entry

    def _checked(self, entry: SecretID | None, role_id: str, address: str) -> SecretID:
        """``entry`` if it is live and the caller's address is allowed; else the refusal.

        An expired secret ID is treated as missing (``tidy/secret-id`` deletes it later).
        """
        if entry is None or entry.expired(self.clock()):
            self.lockout.failed(role_id)
            raise InvalidCredentials(_INVALID)
        if not address_allowed(address, entry.cidr_list):
            raise InvalidRequest(
                f"source address {address!r} unauthorized through CIDR restrictions on the secret ID"
            )
        return entry

    async def renew_auth(self, req: Request, auth: Auth) -> Auth:
        """Renew while the role exists, with its current TTLs (pathLoginRenew)."""
        del req
        name = (auth.metadata or {}).get("role_name", "")
        role = await self.store.role(name) if name else None
        if role is None:
            raise InvalidRequest(f'role "{name}" does not exist during renewal')
        return role.token.renewal()


def approle_factory(config: BackendConfig) -> Backend:
    """Build an AppRole mount (registered in ``core/plugins.py``)."""
    return AppRoleAuthMethod(config)
