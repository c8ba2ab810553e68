"""Token roles: named templates for ``auth/token/create/:role``.

Mirrors OpenBao's ``tsRoleEntry`` (internal/vault/token_store.go): allowed and disallowed
policies (exact and glob), orphan, renewable, path suffix, period and explicit max TTL. The
wire shape of a role read is ``TokenRole.to_wire`` (the key set observed on ``bao`` 2.x, where
the legacy ``period``/``explicit_max_ttl`` keys report only what was written under those
names: writing them also sets ``token_period``/``token_explicit_max_ttl``, not the reverse).
Roles are stored as JSON under ``roles/<name>``.
"""

from __future__ import annotations

import builtins
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from sealbox.logical import Storage

_ROLES_PREFIX = "roles/"


@dataclass(frozen=True, slots=True)
class TokenRole:
    """One token role."""

    name: str
    allowed_policies: tuple[str, ...] = ()
    disallowed_policies: tuple[str, ...] = ()
    allowed_policies_glob: tuple[str, ...] = ()
    disallowed_policies_glob: tuple[str, ...] = ()
    allowed_entity_aliases: tuple[str, ...] = ()
    orphan: bool = False
    renewable: bool = True
    path_suffix: str = ""
    token_period: int = 0
    token_explicit_max_ttl: int = 0
    token_no_default_policy: bool = False
    token_type: str = "default-service"
    token_num_uses: int = 0
    # compat: the deprecated period/explicit_max_ttl are stored and read back on their own
    # (OpenBao reports period 0 for a role written with token_period only).
    period: int = 0
    explicit_max_ttl: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        """The ``data`` of ``GET auth/token/roles/:name``."""
        return {
            "allowed_entity_aliases": list(self.allowed_entity_aliases) or None,
            "allowed_policies": list(self.allowed_policies),
            "allowed_policies_glob": list(self.allowed_policies_glob),
            "disallowed_policies": list(self.disallowed_policies),
            "disallowed_policies_glob": list(self.disallowed_policies_glob),
            "explicit_max_ttl": self.explicit_max_ttl,
            "name": self.name,
            "orphan": self.orphan,
            "path_suffix": self.path_suffix,
            "period": self.period,
            "renewable": self.renewable,
            "token_explicit_max_ttl": self.token_explicit_max_ttl,
            "token_no_default_policy": self.token_no_default_policy,
            "token_period": self.token_period,
            "token_type": self.token_type,
            # compat: OpenBao shows token_num_uses only when set (token_store.go roleRead)
            **({"token_num_uses": self.token_num_uses} if self.token_num_uses else {}),
        }

    def to_json(self) -> bytes:
        """The storage encoding."""
        return orjson.dumps(asdict(self))

    @classmethod
    def from_json(cls, blob: bytes) -> TokenRole:
        """Decode what ``to_json`` wrote."""
        raw: dict[str, Any] = orjson.loads(blob)
        known = cls.__dataclass_fields__
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in known:
                continue
            values[key] = tuple(value) if isinstance(value, list) else value
        return cls(**values)


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
