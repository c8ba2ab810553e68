"""AppRole's stored records: roles, the role-id index, secret IDs and their accessors.

Mirrors OpenBao's builtin/credential/approle storage (path_role.go, validation.go): a role
has a random ``hmac_key``; a secret ID is stored under ``secret_id/<HMAC(role name)>/<HMAC(secret
ID)>``, so neither the secret ID nor the role name appears in a key, and a secret ID can only be
found by whoever holds it. ``role_id/<HMAC>`` and ``accessor/<HMAC>`` (under the mount's salt)
are the indexes from a role ID to its role and from an accessor to its secret ID.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

import orjson

from sealbox.framework.tokenutil import TokenSettings
from sealbox.logical import Storage

_ROLE, _ROLE_ID, _SECRET, _ACCESSOR, _SALT = "role/", "role_id/", "secret_id/", "accessor/", "salt"


def keyed_hash(key: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` under ``key``, hex (OpenBao's createHMAC)."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


@dataclass(slots=True)
class Role:
    """One AppRole role."""

    name: str
    role_id: str
    hmac_key: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    bind_secret_id: bool = True
    secret_id_bound_cidrs: list[str] = field(default_factory=list)
    secret_id_num_uses: int = 0
    secret_id_ttl: int = 0
    local_secret_ids: bool = False
    token: TokenSettings = field(default_factory=TokenSettings)

    def to_json(self) -> bytes:
        """The storage form."""
        raw = asdict(self)
        raw["token"] = self.token.to_json()
        return orjson.dumps(raw)

    @classmethod
    def from_json(cls, blob: bytes) -> Role:
        """Decode ``to_json``."""
        raw: dict[str, Any] = orjson.loads(blob)
        raw["token"] = TokenSettings.from_json(raw.get("token") or {})
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})


@dataclass(slots=True)
class SecretID:
    """One issued secret ID (the value itself is never stored)."""

    secret_id_accessor: str
    secret_id_num_uses: int
    secret_id_ttl: int
    creation_time: datetime
    expiration_time: datetime | None
    last_updated_time: datetime
    metadata: dict[str, str] = field(default_factory=dict)
    cidr_list: list[str] = field(default_factory=list)
    token_bound_cidrs: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        """The storage form."""
        raw = asdict(self)
        for key in ("creation_time", "expiration_time", "last_updated_time"):
            raw[key] = raw[key].isoformat() if raw[key] is not None else None
        return orjson.dumps(raw)

    @classmethod
    def from_json(cls, blob: bytes) -> SecretID:
        """Decode ``to_json``."""
        raw: dict[str, Any] = orjson.loads(blob)
        for key in ("creation_time", "expiration_time", "last_updated_time"):
            raw[key] = datetime.fromisoformat(raw[key]) if raw.get(key) else None
        return cls(**raw)

    def expired(self, now: datetime) -> bool:
        """Whether the secret ID's TTL ran out."""
        return self.expiration_time is not None and now >= self.expiration_time


class AppRoleStore:
    """The records of one AppRole mount."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._salt: str | None = None

    async def salt(self) -> str:
        """The mount's random salt for index keys (created on first use)."""
        if self._salt is None:
            stored = await self._storage.get(_SALT)
            if stored is None:
                stored = secrets.token_hex(32).encode()
                await self._storage.put(_SALT, stored)
            self._salt = stored.decode()
        return self._salt

    # ---- roles ---------------------------------------------------------------------

    async def role(self, name: str) -> Role | None:
        """The role ``name`` (case-insensitive)."""
        blob = await self._storage.get(_ROLE + name.lower())
        return None if blob is None else Role.from_json(blob)

    async def role_names(self) -> list[str]:
        """Every role name, sorted."""
        return sorted(await self._storage.list(_ROLE))

    async def role_for_id(self, role_id: str) -> Role | None:
        """The role whose role ID is ``role_id``."""
        blob = await self._storage.get(_ROLE_ID + keyed_hash(await self.salt(), role_id))
        if blob is None:
            return None
        return await self.role(orjson.loads(blob)["name"])

    async def role_id_taken(self, role_id: str) -> bool:
        """Whether some role already uses ``role_id``."""
        return (
            await self._storage.get(_ROLE_ID + keyed_hash(await self.salt(), role_id)) is not None
        )

    async def save_role(self, role: Role, previous_role_id: str = "") -> None:
        """Store ``role`` and its role-ID index (dropping the previous one on a change)."""
        salt = await self.salt()
        if previous_role_id and previous_role_id != role.role_id:
            await self._storage.delete(_ROLE_ID + keyed_hash(salt, previous_role_id))
        await self._storage.put(
            _ROLE_ID + keyed_hash(salt, role.role_id), orjson.dumps({"name": role.name.lower()})
        )
        await self._storage.put(_ROLE + role.name.lower(), role.to_json())

    async def delete_role(self, role: Role) -> None:
        """Delete ``role``, its role-ID index and all its secret IDs."""
        for secret_hash in await self._storage.list(self._secret_dir(role)):
            await self._delete_secret(role, secret_hash)
        await self._storage.delete(_ROLE_ID + keyed_hash(await self.salt(), role.role_id))
        await self._storage.delete(_ROLE + role.name.lower())

    # ---- secret IDs ----------------------------------------------------------------

    def _secret_dir(self, role: Role) -> str:
        return _SECRET + keyed_hash(role.hmac_key, role.name.lower()) + "/"

    def secret_hash(self, role: Role, secret_id: str) -> str:
        """The storage name of ``secret_id`` for ``role``."""
        return keyed_hash(role.hmac_key, secret_id)

    async def secret(self, role: Role, secret_hash: str) -> SecretID | None:
        """The secret ID stored as ``secret_hash``."""
        blob = await self._storage.get(self._secret_dir(role) + secret_hash)
        return None if blob is None else SecretID.from_json(blob)

    async def save_secret(self, role: Role, secret_hash: str, entry: SecretID) -> None:
        """Store a secret ID and its accessor index."""
        accessor_key = _ACCESSOR + keyed_hash(await self.salt(), entry.secret_id_accessor)
        await self._storage.put(accessor_key, orjson.dumps({"secret_id_hmac": secret_hash}))
        await self._storage.put(self._secret_dir(role) + secret_hash, entry.to_json())

    async def update_secret(self, role: Role, secret_hash: str, entry: SecretID) -> None:
        """Rewrite a secret ID whose accessor index already exists (a spent use)."""
        await self._storage.put(self._secret_dir(role) + secret_hash, entry.to_json())

    async def secret_hash_for_accessor(self, accessor: str) -> str | None:
        """The storage name of the secret ID behind ``accessor``."""
        blob = await self._storage.get(_ACCESSOR + keyed_hash(await self.salt(), accessor))
        return None if blob is None else str(orjson.loads(blob)["secret_id_hmac"])

    async def _delete_secret(self, role: Role, secret_hash: str) -> None:
        entry = await self.secret(role, secret_hash)
        if entry is not None:
            accessor_key = _ACCESSOR + keyed_hash(await self.salt(), entry.secret_id_accessor)
            await self._storage.delete(accessor_key)
        await self._storage.delete(self._secret_dir(role) + secret_hash)

    async def delete_secret(self, role: Role, secret_hash: str) -> None:
        """Delete one secret ID and its accessor index."""
        await self._delete_secret(role, secret_hash)

    async def secrets(self, role: Role) -> list[tuple[str, SecretID]]:
        """Every secret ID of ``role`` as (storage name, entry)."""
        out = []
        for secret_hash in await self._storage.list(self._secret_dir(role)):
            entry = await self.secret(role, secret_hash)
            if entry is not None:
                out.append((secret_hash, entry))
        return out
