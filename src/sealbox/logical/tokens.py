"""The token records and the token services backends may use: the token store's contract.

``TokenEntry`` and ``TokenRole`` are what the core's token store keeps (OpenBao's
``logical.TokenEntry``, sdk/logical/token.go, and ``tsRoleEntry``); ``TokenStoreView`` and
``PolicyLookup`` are the narrow Protocols the core hands to the ``auth/token/`` backend, so
that backend never sees the rest of the core. ``sealbox.core.tokens.TokenStore`` implements
``TokenStoreView``.

Two differences from OpenBao on purpose: the raw token is never part of the entry
(``id_hash``, an HMAC-SHA256 of the token under the store's salt, is both the storage key and
the only identifier kept), and the lease state of a token (expire time, the TTL of the last
grant, the last renewal) lives on the entry.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import orjson

#: ``num_uses`` of a token whose last use is spent and whose revocation is under way
#: (OpenBao's ``tokenRevocationPending``).
REVOCATION_PENDING = -1


@dataclass(frozen=True, slots=True)
class TokenEntry:
    """One token as stored. Immutable: the store derives changed copies with ``replace``.

    ``ttl`` is the TTL granted at creation (``creation_ttl`` on the wire); ``lease_ttl`` is the
    TTL of the latest grant (creation or renewal), the default increment of the next renewal.
    ``expire_time`` is None for tokens that never expire (root tokens with no TTL).
    """

    id_hash: str = field(repr=False)
    accessor: str
    policies: tuple[str, ...]
    creation_time: datetime
    path: str = "auth/token/create"
    meta: dict[str, str] | None = None
    display_name: str = "token"
    num_uses: int = 0
    ttl: int = 0
    explicit_max_ttl: int = 0
    period: int = 0
    renewable: bool = True
    type: str = "service"
    orphan: bool = False
    parent: str = field(default="", repr=False)
    cubbyhole_id: str = field(default="", repr=False)
    entity_id: str = ""
    role: str = ""
    expire_time: datetime | None = None
    lease_ttl: int = 0
    last_renewal: datetime | None = None
    # Where the token may be used from (token_bound_cidrs of the login that issued it).
    bound_cidrs: tuple[str, ...] = ()

    def __repr__(self) -> str:
        # The accessor is not a secret (Vault prints it everywhere), but hashes and the
        # cubbyhole id stay out of reprs so nothing derived from the token ends up in logs.
        return (
            f"TokenEntry(accessor={self.accessor!r}, policies={list(self.policies)!r}, "
            f"display_name={self.display_name!r}, id_hash=***)"
        )

    @property
    def is_root(self) -> bool:
        """Whether the token carries the ``root`` policy."""
        return "root" in self.policies

    def expired(self, now: datetime) -> bool:
        """Whether the token's lease has run out at ``now``."""
        return self.expire_time is not None and now >= self.expire_time

    def remaining(self, now: datetime) -> int:
        """Whole seconds left on the lease (0 for non-expiring or expired tokens)."""
        if self.expire_time is None:
            return 0
        return max(0, int((self.expire_time - now).total_seconds()))

    def to_json(self) -> bytes:
        """The storage encoding."""
        raw: dict[str, Any] = asdict(self)
        for key in ("creation_time", "expire_time", "last_renewal"):
            value = raw[key]
            raw[key] = value.isoformat() if value is not None else None
        raw["policies"] = list(self.policies)
        raw["bound_cidrs"] = list(self.bound_cidrs)
        return orjson.dumps(raw)

    @classmethod
    def from_json(cls, blob: bytes) -> TokenEntry:
        """Decode what ``to_json`` wrote."""
        raw: dict[str, Any] = orjson.loads(blob)
        for key in ("creation_time", "expire_time", "last_renewal"):
            value = raw.get(key)
            raw[key] = datetime.fromisoformat(value) if value else None
        raw["policies"] = tuple(raw.get("policies") or ())
        raw["bound_cidrs"] = tuple(raw.get("bound_cidrs") or ())
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in raw.items() if k in known})


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


class RoleStoreView(Protocol):
    """CRUD of token roles."""

    async def read(self, name: str) -> TokenRole | None: ...

    async def write(self, role: TokenRole) -> None: ...

    async def delete(self, name: str) -> None: ...

    async def list(self) -> builtins.list[str]: ...


class TokenStoreView(Protocol):
    """What the ``auth/token/`` backend may do with the core's token store."""

    @property
    def roles(self) -> RoleStoreView: ...

    def now(self) -> datetime: ...

    async def create(
        self,
        *,
        policies: Iterable[str],
        ttl: int = 0,
        explicit_max_ttl: int = 0,
        period: int = 0,
        num_uses: int = 0,
        meta: dict[str, str] | None = None,
        display_name: str = "token",
        renewable: bool = True,
        parent: TokenEntry | None,
        orphan: bool = False,
        path: str = "auth/token/create",
        entity_id: str = "",
        role: str = "",
        token_id: str | None = None,
    ) -> tuple[str, TokenEntry]: ...

    async def lookup(self, token: str) -> TokenEntry | None: ...

    async def lookup_accessor(self, accessor: str) -> TokenEntry | None: ...

    async def renew(self, entry: TokenEntry, increment: int = 0) -> TokenEntry: ...

    async def revoke(self, token_or_entry: str | TokenEntry) -> bool: ...

    async def revoke_orphan(self, token_or_entry: str | TokenEntry) -> bool: ...

    async def revoke_accessor(self, accessor: str) -> bool: ...

    async def list_accessors(self) -> builtins.list[str]: ...

    async def tidy(self) -> int: ...


class IdentityPolicyLookup(Protocol):
    """The identity store as the token backend sees it."""

    async def policies_for(self, entity_id: str) -> builtins.list[str]:
        """The policies an entity brings to its tokens (its groups' and its own)."""
        ...

    async def entity_for_alias(self, name: str) -> str:
        """The entity of alias ``name`` on the token mount, created if new ("" without one)."""
        ...


class PolicyLookup(Protocol):
    """Whether a named ACL policy exists (the token backend warns about missing ones)."""

    async def exists(self, name: str) -> bool: ...


@runtime_checkable
class TokenRevocationListener(Protocol):
    """A backend that keeps state per token (cubbyhole) and drops it when the token goes."""

    async def token_revoked(self, entry: TokenEntry) -> None: ...
