"""The database engine's stored records: connections, dynamic roles, static roles.

Storage keys follow OpenBao's builtin/logical/database: ``config/<name>``, ``role/<name>``,
``static-role/<name>``. Every record is JSON in the mount's view (so through the barrier);
the connection password and a static role's password are stored but never returned by a
read of config or static-roles.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import orjson

from sealbox.logical import Storage


@dataclass(slots=True)
class ConnectionConfig:
    """``database/config/<name>``."""

    plugin_name: str
    connection_url: str = ""
    username: str = ""
    password: str = field(default="", repr=False)
    allowed_roles: list[str] = field(default_factory=list)
    root_rotation_statements: list[str] = field(default_factory=list)
    password_policy: str = ""
    username_template: str = ""
    max_open_connections: int = 4
    disable_escaping: bool = False
    plugin_version: str = ""

    def allows(self, role: str) -> bool:
        """Whether ``role`` may use this connection (``*`` or listed)."""
        return "*" in self.allowed_roles or role in self.allowed_roles

    def to_wire(self) -> dict[str, Any]:
        """GET config/<name>: OpenBao's keys; the password is never among them."""
        return {
            "allowed_roles": list(self.allowed_roles),
            "connection_details": {
                "connection_url": self.connection_url,
                "username": self.username,
            },
            "password_policy": self.password_policy,
            "plugin_name": self.plugin_name,
            "plugin_version": self.plugin_version,
            "root_credentials_rotate_statements": list(self.root_rotation_statements),
        }


@dataclass(slots=True)
class Role:
    """``database/roles/<name>``: how to create a dynamic user."""

    db_name: str
    creation_statements: list[str] = field(default_factory=list)
    revocation_statements: list[str] = field(default_factory=list)
    rollback_statements: list[str] = field(default_factory=list)
    renew_statements: list[str] = field(default_factory=list)
    default_ttl: int = 0
    max_ttl: int = 0

    def to_wire(self) -> dict[str, Any]:
        """GET roles/<name>."""
        return {
            "creation_statements": list(self.creation_statements),
            "credential_type": "password",
            "db_name": self.db_name,
            "default_ttl": self.default_ttl,
            "max_ttl": self.max_ttl,
            "renew_statements": list(self.renew_statements),
            "revocation_statements": list(self.revocation_statements),
            "rollback_statements": list(self.rollback_statements),
        }


@dataclass(slots=True)
class StaticRole:
    """``database/static-roles/<name>``: an existing user whose password the engine rotates."""

    db_name: str
    username: str
    rotation_period: int
    rotation_statements: list[str] = field(default_factory=list)
    password: str = field(default="", repr=False)
    last_vault_rotation: str = ""

    def to_wire(self) -> dict[str, Any]:
        """GET static-roles/<name>."""
        return {
            "credential_type": "password",
            "db_name": self.db_name,
            "last_vault_rotation": self.last_vault_rotation,
            "rotation_period": self.rotation_period,
            "rotation_statements": list(self.rotation_statements),
            "username": self.username,
        }

    def next_rotation(self) -> datetime | None:
        """When the password is due to change (None before the first rotation)."""
        if not self.last_vault_rotation:
            return None
        return datetime.fromisoformat(self.last_vault_rotation) + timedelta(
            seconds=self.rotation_period
        )


_WAL = "wal/static-role/"
_R = TypeVar("_R", ConnectionConfig, Role, StaticRole)
_PREFIXES: dict[type, str] = {
    ConnectionConfig: "config/",
    Role: "role/",
    StaticRole: "static-role/",
}


class Records:
    """Typed access to the three record kinds in a mount's storage."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def get(self, kind: type[_R], name: str) -> _R | None:
        """The record ``name`` of ``kind`` or None."""
        raw = await self._storage.get(_PREFIXES[kind] + name)
        return None if raw is None else kind(**orjson.loads(raw))

    async def put(self, name: str, record: ConnectionConfig | Role | StaticRole) -> None:
        """Store ``record`` under ``name``."""
        await self._storage.put(_PREFIXES[type(record)] + name, orjson.dumps(asdict(record)))

    async def delete(self, kind: type[ConnectionConfig | Role | StaticRole], name: str) -> None:
        """Remove a record (absent is fine)."""
        await self._storage.delete(_PREFIXES[kind] + name)

    async def names(self, kind: type[ConnectionConfig | Role | StaticRole]) -> list[str]:
        """Names of every record of ``kind``."""
        return sorted(await self._storage.list(_PREFIXES[kind]))

    # A static role's rotation writes the new password here before the database changes,
    # and removes it once the role holds it (OpenBao's WAL entry in setStaticAccount).

    async def pending_password(self, name: str) -> str | None:
        """The password a rotation of ``name`` set or was setting, if it did not finish."""
        raw = await self._storage.get(_WAL + name)
        return None if raw is None else str(orjson.loads(raw)["new_password"])

    async def begin_rotation(self, name: str, password: str) -> None:
        await self._storage.put(_WAL + name, orjson.dumps({"new_password": password}))

    async def end_rotation(self, name: str) -> None:
        await self._storage.delete(_WAL + name)

    async def unfinished_rotations(self) -> list[str]:
        """Static roles with a rotation that did not finish (crash, database down)."""
        return sorted(await self._storage.list(_WAL))
