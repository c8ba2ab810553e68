"""Vault's wire shapes for tokens: the ``auth`` block and the lookup ``data``.

Mirrors OpenBao's token_store.go ``handleLookup`` (key set observed on ``bao`` 2.x: accessor,
creation_time (unix seconds), creation_ttl, display_name, entity_id, expire_time (RFC 3339 with
nanoseconds, or null), explicit_max_ttl, id ("" when looked up by accessor), issue_time, meta,
num_uses, orphan, path, policies, renewable, ttl (seconds left), type; plus ``period`` for
periodic tokens, ``last_renewal``/``last_renewal_time`` once renewed and ``role`` for tokens made
from a role) and the ``auth`` block of create/renew responses (``logical.Auth``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sealbox.goformat import rfc3339_nano
from sealbox.logical import Auth
from sealbox.logical.tokens import TokenEntry


def token_auth(entry: TokenEntry, token: str) -> Auth:
    """The ``auth`` block for ``token`` ("" when the caller only knows the accessor)."""
    policies = list(entry.policies)
    return Auth(
        client_token=token,
        accessor=entry.accessor,
        policies=policies,
        token_policies=list(policies),
        metadata=dict(entry.meta) if entry.meta else None,
        lease_duration=entry.lease_ttl,
        renewable=entry.renewable,
        entity_id=entry.entity_id,
        token_type=entry.type,
        orphan=entry.orphan,
        num_uses=max(entry.num_uses, 0),
    )


def token_lookup_data(
    entry: TokenEntry, token: str | None, *, now: datetime | None = None
) -> dict[str, Any]:
    """The ``data`` of lookup, lookup-self and lookup-accessor (``token`` None = by accessor)."""
    moment = now if now is not None else datetime.now(UTC)
    expiring = entry.expire_time is not None
    data: dict[str, Any] = {
        "accessor": entry.accessor,
        "creation_time": int(entry.creation_time.timestamp()),
        "creation_ttl": entry.ttl,
        "display_name": entry.display_name,
        "entity_id": entry.entity_id,
        "expire_time": rfc3339_nano(entry.expire_time) if entry.expire_time is not None else None,
        "explicit_max_ttl": entry.explicit_max_ttl,
        "id": token or "",
        "issue_time": rfc3339_nano(entry.creation_time),
        "meta": dict(entry.meta) if entry.meta else None,
        "num_uses": max(entry.num_uses, 0),
        "orphan": entry.orphan,
        "path": entry.path,
        "policies": list(entry.policies),
        "renewable": entry.renewable and expiring and not entry.expired(moment),
        "ttl": entry.remaining(moment),
        "type": entry.type,
    }
    if entry.period:
        data["period"] = entry.period
    if entry.last_renewal is not None:
        data["last_renewal"] = rfc3339_nano(entry.last_renewal)
        data["last_renewal_time"] = int(entry.last_renewal.timestamp())
    if entry.role:
        data["role"] = entry.role
    if entry.bound_cidrs:
        data["bound_cidrs"] = list(entry.bound_cidrs)
    return data
