"""Storage of token roles, the named templates for ``auth/token/create/:role``.

Mirrors OpenBao's ``tsRoleEntry`` (internal/vault/token_store.go): allowed and disallowed
policies (exact and glob), orphan, renewable, path suffix, period and explicit max TTL. The
wire shape of a role read is ``TokenRole.to_wire`` (the key set observed on ``bao`` 2.x, where
the legacy ``period``/``explicit_max_ttl`` keys report only what was written under those
names: writing them also sets ``token_period``/``token_explicit_max_ttl``, not the reverse).
Roles are stored as JSON under ``roles/<name>``.
"""

from __future__ import annotations

import builtins

from sealbox.logical import Storage
from sealbox.logical.tokens import TokenRole

_ROLES_PREFIX = "roles/"


class RoleStore:
    """CRUD of token roles over the token store's storage."""

    __slots__ = ("_storage",)

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def read(self, name: str) -> TokenRole | None:
        """The role called ``name`` (names are case-insensitive, as in OpenBao)."""
        blob = await self._storage.get(_ROLES_PREFIX + name)
        return None if blob is None else TokenRole.from_json(blob)

    async def write(self, role: TokenRole) -> None:
        """Create or replace ``role``."""
        await self._storage.put(_ROLES_PREFIX + role.name, role.to_json())

    async def delete(self, name: str) -> None:
        """Remove the role; a missing role is not an error."""
        await self._storage.delete(_ROLES_PREFIX + name)

    async def list(self) -> builtins.list[str]:
        """Role names, sorted."""
        return sorted(k for k in await self._storage.list(_ROLES_PREFIX) if not k.endswith("/"))
