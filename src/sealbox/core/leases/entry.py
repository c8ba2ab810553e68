"""One lease as stored through the barrier, and its ``sys/leases/lookup`` wire shape.

Mirrors OpenBao's ``leaseEntry`` (internal/vault/expiration.go): the lease id, the request
path that issued it, the issuing token (here its salted hash), the secret's internal data for
the backend's revoke/renew hooks, issue/expire/last-renewal times. Two fields are sealbox's own:
``revoke_attempts`` and ``last_error`` record failed revocations, so a lease whose database
was unreachable stays visible with the reason instead of vanishing (OpenBao keeps such leases
as "irrevocable" after its retries).
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from sealbox.errors import InvalidRequest
from sealbox.goformat import format_duration, rfc3339_nano

_BASE62 = string.ascii_letters + string.digits
# compat: OpenBao lease ids end in 24 random base62 characters ("pki2/issue/web/wIyy...").
_ID_LENGTH = 24
_SAFE_ID = re.compile(r"[\w.@+=:,~-]+(/[\w.@+=:,~-]+)*")


def new_lease_id(request_path: str) -> str:
    """``<mount><request path>/<random>``, as OpenBao builds them."""
    suffix = "".join(secrets.choice(_BASE62) for _ in range(_ID_LENGTH))
    return f"{request_path.rstrip('/')}/{suffix}"


def check_lease_id(lease_id: str) -> str:
    """``lease_id`` if it can be a storage key (no ``..``, no leading slash), else 400."""
    lease_id = lease_id.strip()
    if not lease_id or not _SAFE_ID.fullmatch(lease_id) or ".." in lease_id.split("/"):
        raise InvalidRequest("invalid lease")
    return lease_id


def check_prefix(prefix: str) -> str:
    """A lease id prefix for listing and prefix revocation ("" = everything)."""
    prefix = prefix.strip().lstrip("/")
    if prefix and (not _SAFE_ID.fullmatch(prefix.rstrip("/")) or ".." in prefix.split("/")):
        raise InvalidRequest("invalid lease prefix")
    return prefix


def rfc3339(moment: datetime | None) -> str | None:
    """Go's RFC 3339 with nanoseconds in UTC (None stays None), as OpenBao's lookup prints."""
    return None if moment is None else rfc3339_nano(moment.astimezone(UTC))


def _parse_time(text: str | None) -> datetime | None:
    return None if not text else datetime.fromisoformat(text)


@dataclass(slots=True)
class LeaseEntry:
    """A registered lease."""

    lease_id: str
    path: str
    mount_point: str
    token_hash: str
    issue_time: datetime
    expire_time: datetime
    ttl: int
    max_ttl: int
    renewable: bool
    internal_data: dict[str, Any] = field(default_factory=dict, repr=False)
    last_renewal: datetime | None = None
    revoke_attempts: int = 0
    last_error: str = ""
    next_attempt: datetime | None = None

    def due(self) -> datetime:
        """When the manager must act next: expiry, or the next revocation retry."""
        return self.next_attempt or self.expire_time

    def remaining(self, now: datetime) -> int:
        """Whole seconds left before expiry (0 once expired)."""
        return max(0, int((self.expire_time - now).total_seconds()))

    def renewal(self, increment: int, now: datetime) -> tuple[int, list[str]]:
        """The TTL a renewal by ``increment`` (0: the lease's TTL) gets, and the warnings.

        compat: capped so the lease never outlives ``issue_time + max_ttl``, with OpenBao's
        warning (framework.CalculateTTL).
        """
        wanted = increment if increment > 0 else self.ttl
        if not self.max_ttl:
            return wanted, []
        limit = int((self.issue_time + timedelta(seconds=self.max_ttl) - now).total_seconds())
        if wanted <= limit:
            return wanted, []
        granted = max(0, limit)
        return granted, [
            f'TTL of "{format_duration(wanted)}" exceeded the effective max_ttl of '
            f'"{format_duration(granted)}"; TTL value is capped accordingly'
        ]

    def failed(self, message: str, now: datetime, base: float, cap: float) -> None:
        """Record a failed revocation and when to try again (doubling back-off)."""
        self.revoke_attempts += 1
        self.last_error = message
        self.next_attempt = now + backoff(self.revoke_attempts, base, cap)

    def to_json(self) -> bytes:
        """The stored form."""
        return orjson.dumps(
            {
                "lease_id": self.lease_id,
                "path": self.path,
                "mount_point": self.mount_point,
                "token_hash": self.token_hash,
                "issue_time": self.issue_time.isoformat(),
                "expire_time": self.expire_time.isoformat(),
                "ttl": self.ttl,
                "max_ttl": self.max_ttl,
                "renewable": self.renewable,
                "internal_data": self.internal_data,
                "last_renewal": self.last_renewal.isoformat() if self.last_renewal else None,
                "revoke_attempts": self.revoke_attempts,
                "last_error": self.last_error,
                "next_attempt": self.next_attempt.isoformat() if self.next_attempt else None,
            }
        )

    @classmethod
    def from_json(cls, raw: bytes) -> LeaseEntry:
        """Parse the stored form."""
        data = orjson.loads(raw)
        return cls(
            lease_id=data["lease_id"],
            path=data["path"],
            mount_point=data["mount_point"],
            token_hash=data["token_hash"],
            issue_time=datetime.fromisoformat(data["issue_time"]),
            expire_time=datetime.fromisoformat(data["expire_time"]),
            ttl=int(data["ttl"]),
            max_ttl=int(data["max_ttl"]),
            renewable=bool(data["renewable"]),
            internal_data=dict(data.get("internal_data") or {}),
            last_renewal=_parse_time(data.get("last_renewal")),
            revoke_attempts=int(data.get("revoke_attempts", 0)),
            last_error=str(data.get("last_error", "")),
            next_attempt=_parse_time(data.get("next_attempt")),
        )

    def lookup_wire(self, now: datetime) -> dict[str, Any]:
        """``sys/leases/lookup``: OpenBao's keys, plus the revocation state once it failed."""
        wire: dict[str, Any] = {
            "id": self.lease_id,
            "issue_time": rfc3339(self.issue_time),
            "expire_time": rfc3339(self.expire_time),
            "last_renewal": rfc3339(self.last_renewal),
            "renewable": self.renewable and now < self.expire_time,
            "ttl": self.remaining(now),
            "path": self.path,
        }
        if self.revoke_attempts:
            wire["revocation_attempts"] = self.revoke_attempts
            wire["last_revocation_error"] = self.last_error
            wire["next_revocation_attempt"] = rfc3339(self.next_attempt)
        return wire


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """Delay before revocation attempt ``attempts + 1``: doubling from ``base`` up to ``cap``."""
    return timedelta(seconds=min(cap, base * (2 ** max(0, attempts - 1))))
