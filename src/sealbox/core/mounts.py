"""The mount tables (secrets engines and auth methods) and their persistence.

Mirrors OpenBao's mount.go: each entry has a random uuid (its storage prefix
``logical/<uuid>/`` or ``auth/<uuid>/``), an accessor (``<type>_<8 hex>``), a type, options
and tunables. The tables live in the barrier at ``core/mounts`` and ``core/auth``.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from sealbox.logical import Storage

MOUNTS_KEY = "core/mounts"
AUTH_KEY = "core/auth"
_NOT_IN_REGISTRY = frozenset({"system", "cubbyhole", "identity", "token", "ns_system"})


@dataclass(slots=True)
class MountConfig:
    """Per-mount tunables; zero TTLs mean "use the system default"."""

    default_lease_ttl: int = 0
    max_lease_ttl: int = 0
    force_no_cache: bool = False
    listing_visibility: str = ""
    audit_non_hmac_request_keys: list[str] = field(default_factory=list)
    audit_non_hmac_response_keys: list[str] = field(default_factory=list)
    passthrough_request_headers: list[str] = field(default_factory=list)
    allowed_response_headers: list[str] = field(default_factory=list)
    token_type: str = ""
    # Auth mounts: the tuned user_lockout_config (parsed: core/system/user_lockout.py).
    user_lockout_config: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class MountEntry:
    """One mounted secrets engine or auth method."""

    path: str
    type: str
    description: str = ""
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    accessor: str = ""
    options: dict[str, str] = field(default_factory=dict)
    config: MountConfig = field(default_factory=MountConfig)
    local: bool = False
    seal_wrap: bool = False
    table: str = "mounts"

    def __post_init__(self) -> None:
        if not self.accessor:
            prefix = "auth_" if self.table == "auth" else ""
            self.accessor = f"{prefix}{self.type}_{secrets.token_hex(4)}"

    @property
    def storage_prefix(self) -> str:
        """Where the mount's data lives inside the barrier."""
        root = "auth" if self.table == "auth" else "logical"
        return f"{root}/{self.uuid}/"

    def to_wire(self, system_default: int, system_max: int) -> dict[str, Any]:
        """The entry as ``GET sys/mounts`` shows it."""
        del system_default, system_max
        wire_config: dict[str, Any] = {
            "default_lease_ttl": self.config.default_lease_ttl,
            "force_no_cache": self.config.force_no_cache,
            "max_lease_ttl": self.config.max_lease_ttl,
        }
        if self.table == "auth":
            wire_config["token_type"] = self.config.token_type or "default-service"
        for key in (
            "passthrough_request_headers",
            "allowed_response_headers",
            "audit_non_hmac_request_keys",
            "audit_non_hmac_response_keys",
        ):
            if getattr(self.config, key):
                wire_config[key] = list(getattr(self.config, key))
        if self.config.listing_visibility:
            wire_config["listing_visibility"] = self.config.listing_visibility
        # compat: plugins from the builtin registry report their deprecation status; the
        # single-instance backends (system, cubbyhole, identity, token) do not
        # (logical_system.go mountInfo)
        status = {} if self.type in _NOT_IN_REGISTRY else {"deprecation_status": "supported"}
        return {
            **status,
            "accessor": self.accessor,
            "config": wire_config,
            "description": self.description,
            "external_entropy_access": False,
            "local": self.local,
            "options": dict(self.options) if self.options else None,
            "plugin_version": "",
            "running_plugin_version": f"v2.7.2+builtin.{_builtin(self.type)}",
            "running_sha256": "",
            "seal_wrap": self.seal_wrap,
            "type": self.type,
            "uuid": self.uuid,
        }

    def to_json(self) -> dict[str, Any]:
        """Persisted form."""
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> MountEntry:
        """Inverse of ``to_json``."""
        config = MountConfig(**raw.pop("config", {}))
        return cls(config=config, **raw)


def _builtin(kind: str) -> str:
    return "bao" if kind in ("system", "identity", "token", "cubbyhole") else kind


async def load_table(storage: Storage, key: str) -> list[MountEntry] | None:
    """The persisted table at ``key``, or None when never written."""
    raw = await storage.get(key)
    if raw is None:
        return None
    return [MountEntry.from_json(item) for item in orjson.loads(raw)]


async def save_table(storage: Storage, key: str, entries: list[MountEntry]) -> None:
    """Persist a table in one write."""
    await storage.put(key, orjson.dumps([entry.to_json() for entry in entries]))
