"""Certificate validity: the TTL rules of openbao builtin/logical/pki/cert_util.go.

``getCertificateNotAfter``: the requested ttl, else the role's ttl, else the mount's default
lease TTL; capped (with a warning) at the role's max_ttl, else the mount's max lease TTL; a
``not_after`` timestamp replaces the TTL. A notAfter beyond the issuer's own is an error,
truncated or permitted, by the issuer's ``leaf_not_after_behavior``. notBefore is back-dated by
``not_before_duration`` (30 s) against clock skew.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sealbox.errors import InvalidRequest
from sealbox.goformat import format_duration, rfc3339


@dataclass(slots=True)
class Validity:
    """notBefore/notAfter and the warnings that explain a capped TTL."""

    not_before: datetime
    not_after: datetime
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TTLPolicy:
    """The TTL inputs: the request's, the role's and the mount's."""

    ttl: int = 0
    not_after: str = ""
    role_ttl: int = 0
    role_max_ttl: int = 0
    mount_default: int = 0
    mount_max: int = 0
    not_before_duration: int = 30


def _parse_not_after(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise InvalidRequest("could not parse given not_after") from err
    if moment.tzinfo is None:
        raise InvalidRequest("could not parse given not_after")
    return moment.astimezone(UTC)


def compute(
    now: datetime, policy: TTLPolicy, ca_not_after: datetime | None, behavior: str = "err"
) -> Validity:
    """The validity window of a new certificate (``ca_not_after`` None: self-signed)."""
    try:
        return _compute(now, policy, ca_not_after, behavior)
    except OverflowError as err:
        raise InvalidRequest("the requested validity period is out of range") from err


def _compute(
    now: datetime, policy: TTLPolicy, ca_not_after: datetime | None, behavior: str
) -> Validity:
    warnings: list[str] = []
    now = now.replace(microsecond=0)
    if policy.not_after:
        not_after = _parse_not_after(policy.not_after)
    else:
        ttl = policy.ttl or policy.role_ttl or policy.mount_default
        max_ttl = policy.role_max_ttl or policy.mount_max
        if max_ttl and ttl > max_ttl:
            warnings.append(
                f'TTL "{format_duration(ttl)}" is longer than permitted maxTTL '
                f'"{format_duration(max_ttl)}", so maxTTL is being used'
            )
            ttl = max_ttl
        not_after = now + timedelta(seconds=ttl)
    if ca_not_after is not None and not_after > ca_not_after:
        if behavior == "truncate":
            not_after = ca_not_after
        elif behavior != "permit":
            raise InvalidRequest(
                f"cannot satisfy request, as TTL would result in notAfter of "
                f"{rfc3339(not_after)} that is beyond the expiration of the CA certificate "
                f"at {rfc3339(ca_not_after)}"
            )
    not_before = now - timedelta(seconds=max(0, policy.not_before_duration))
    if not_after <= not_before:
        raise InvalidRequest("the requested validity period is empty")
    if not_before < _EARLIEST:
        # X.509 UTCTime starts in 1950 (RFC 5280 section 4.1.2.5).
        raise InvalidRequest("not_before_duration reaches before the year 1950")
    return Validity(not_before, not_after, warnings)


_EARLIEST = datetime(1950, 1, 1, tzinfo=UTC)
