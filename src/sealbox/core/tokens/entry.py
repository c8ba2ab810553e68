"""The stored form of a token: ``TokenEntry``, its JSON encoding and random identifiers.

Mirrors OpenBao's ``logical.TokenEntry`` (sdk/logical/token.go) as the token store
(internal/vault/token_store.go) keeps it, with two differences on purpose:

* the raw token is never part of the entry; ``id_hash`` (HMAC-SHA256 of the token under the
  store's salt) is both the storage key and the only identifier kept;
* lease state that OpenBao keeps in the expiration manager (expire time, the TTL of the last
  grant, the last renewal) lives on the entry, because tokens are the only leases here so far.

Tokens are ``hvs.`` plus 24 base62 characters (28 in all, like Vault 1.10+ service tokens);
accessors are 24 base62 characters.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import orjson

TOKEN_PREFIX = "hvs."
_TOKEN_BODY_LENGTH = 24
ACCESSOR_LENGTH = 24
_BASE62 = string.ascii_letters + string.digits

#: ``num_uses`` of a token whose last use is spent and whose revocation is under way
#: (OpenBao's ``tokenRevocationPending``).
REVOCATION_PENDING = -1


def random_base62(length: int) -> str:
    """``length`` characters from [A-Za-z0-9], chosen with ``secrets``."""
    return "".join(secrets.choice(_BASE62) for _ in range(length))


def new_token_id() -> str:
    """A fresh 28-character service token: ``hvs.`` + 24 random base62 characters."""
    return TOKEN_PREFIX + random_base62(_TOKEN_BODY_LENGTH)


def new_accessor() -> str:
    """A fresh 24-character accessor."""
    return random_base62(ACCESSOR_LENGTH)


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
        return orjson.dumps(raw)

    @classmethod
    def from_json(cls, blob: bytes) -> TokenEntry:
        """Decode what ``to_json`` wrote."""
        raw: dict[str, Any] = orjson.loads(blob)
        for key in ("creation_time", "expire_time", "last_renewal"):
            value = raw.get(key)
            raw[key] = datetime.fromisoformat(value) if value else None
        raw["policies"] = tuple(raw.get("policies") or ())
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in raw.items() if k in known})
