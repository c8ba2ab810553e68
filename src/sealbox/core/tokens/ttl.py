"""TTL arithmetic for token creation and renewal.

Mirrors OpenBao's ``framework.CalculateTTL`` (sdk/framework/lease.go): a periodic token gets
its period (capped by the effective max TTL), bounded by its explicit max TTL counted from
creation; any other token gets the increment, else its own TTL, else the default, bounded by
the effective max TTL counted from creation. Warnings use OpenBao's ``humanDuration`` text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sealbox.errors import InvalidRequest
from sealbox.goformat import human_duration


@dataclass(frozen=True, slots=True)
class TTLLimits:
    """The system-wide defaults a token store applies (mount tuning of ``auth/token/``)."""

    default_ttl: int
    max_ttl: int


def calculate_ttl(
    limits: TTLLimits,
    *,
    start: datetime,
    now: datetime,
    increment: int = 0,
    ttl: int = 0,
    period: int = 0,
    explicit_max_ttl: int = 0,
) -> tuple[int, list[str]]:
    """The TTL to grant at ``now`` for a lease that started at ``start``, and warnings."""
    warnings: list[str] = []
    max_ttl = limits.max_ttl
    if 0 < explicit_max_ttl < max_ttl:
        max_ttl = explicit_max_ttl
    limit: int | None = None
    if period > 0:
        if period > max_ttl:
            warnings.append(
                f'period of "{human_duration(period)}" exceeded the effective max_ttl of '
                f'"{human_duration(max_ttl)}"; period value is capped accordingly'
            )
            period = max_ttl
        granted = period
        if explicit_max_ttl > 0:
            limit = explicit_max_ttl
    else:
        granted = increment or ttl or limits.default_ttl
        limit = max_ttl
    if limit is not None:
        elapsed = (now - start).total_seconds()
        max_valid = int(limit - elapsed)
        if max_valid <= 0:
            raise InvalidRequest("past the max TTL, cannot renew")
        if granted > max_valid:
            warnings.append(
                f'TTL of "{human_duration(granted)}" exceeded the effective max_ttl of '
                f'"{human_duration(max_valid)}"; TTL value is capped accordingly'
            )
            granted = max_valid
    return granted, warnings
