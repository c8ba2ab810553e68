"""ACME orders, authorizations and challenges (RFC 8555 7.1.3, 7.1.4, 8) and their states.

Status machine (RFC 8555 7.1.6), as OpenBao keeps it:

- challenge: pending -> processing (the client said it is ready) -> valid | invalid
- authorization: pending -> valid | invalid (from its challenge), expired
- order: pending -> ready (every authorization valid) -> processing (finalize) -> valid;
  invalid when an authorization fails or the order expires. ``current_status`` computes it
  from the authorizations on every read, so the background validator only writes those.

Every identifier gets an authorization offering what OpenBao offers (tls-alpn-01 aside):
http-01 and dns-01 for a DNS name, dns-01 only for a wildcard, http-01 only for an IP.
Storage keys: ``acme/orders/<id>`` and ``acme/authz/<id>``.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sealbox.engines.pki.store import PKIStore

_ORDERS = "acme/orders/"
_AUTHZ = "acme/authz/"
ORDER_LIFETIME = timedelta(hours=24)
AUTHZ_VALID_FOR = timedelta(days=30)
HTTP_01 = "http-01"
DNS_01 = "dns-01"


@dataclass(slots=True)
class Identifier:
    """``{"type": "dns" | "ip", "value": ...}``."""

    type: str
    value: str

    def to_wire(self) -> dict[str, str]:
        return {"type": self.type, "value": self.value}


@dataclass(slots=True)
class Challenge:
    type: str
    token: str
    status: str = "pending"
    validated: str = ""
    error: dict[str, Any] | None = None


@dataclass(slots=True)
class Authorization:
    id: str
    account_id: str
    identifier: Identifier
    challenges: list[Challenge]
    status: str = "pending"
    expires: str = ""
    wildcard: bool = False

    def challenge(self, kind: str) -> Challenge | None:
        return next((c for c in self.challenges if c.type == kind), None)


@dataclass(slots=True)
class Order:
    id: str
    account_id: str
    identifiers: list[Identifier]
    authorization_ids: list[str]
    expires: str
    status: str = "pending"
    serial: str = ""
    issuer_id: str = ""
    # The directory the order was made under ("" | roles/<r>/ | issuer/<i>/ | ...).
    directory: str = ""
    error: dict[str, Any] | None = field(default=None)


def new_authorization(account_id: str, identifier: Identifier, expires: str) -> Authorization:
    """A pending authorization with the challenges OpenBao offers for this identifier."""
    wildcard = identifier.type == "dns" and identifier.value.startswith("*.")
    if wildcard:
        kinds = [DNS_01]
    elif identifier.type == "ip":
        kinds = [HTTP_01]
    else:
        kinds = [HTTP_01, DNS_01]
    value = identifier.value.removeprefix("*.") if wildcard else identifier.value
    return Authorization(
        id=str(uuid.uuid4()),
        account_id=account_id,
        identifier=Identifier(identifier.type, value),
        challenges=[Challenge(kind, secrets.token_urlsafe(32)) for kind in kinds],
        wildcard=wildcard,
        expires=expires,
    )


def new_order(
    account_id: str, identifiers: list[Identifier], now: datetime, directory: str
) -> tuple[Order, list[Authorization]]:
    expires = (now + ORDER_LIFETIME).isoformat()
    authzs = [new_authorization(account_id, i, expires) for i in identifiers]
    order = Order(
        id=str(uuid.uuid4()),
        account_id=account_id,
        identifiers=identifiers,
        authorization_ids=[a.id for a in authzs],
        expires=expires,
        directory=directory,
    )
    return order, authzs


def _identifier(raw: dict[str, Any]) -> Identifier:
    return Identifier(str(raw["type"]), str(raw["value"]))


async def load_order(store: PKIStore, order_id: str) -> Order | None:
    raw = await store.get_json(_ORDERS + order_id) if "/" not in order_id else None
    if raw is None:
        return None
    raw["identifiers"] = [_identifier(i) for i in raw["identifiers"]]
    return Order(**raw)


async def save_order(store: PKIStore, order: Order) -> None:
    await store.put_json(_ORDERS + order.id, asdict(order))


async def load_authz(store: PKIStore, authz_id: str) -> Authorization | None:
    raw = await store.get_json(_AUTHZ + authz_id) if "/" not in authz_id else None
    if raw is None:
        return None
    raw["identifier"] = _identifier(raw["identifier"])
    raw["challenges"] = [Challenge(**c) for c in raw["challenges"]]
    return Authorization(**raw)


async def save_authz(store: PKIStore, authz: Authorization) -> None:
    await store.put_json(_AUTHZ + authz.id, asdict(authz))


def expired(moment: str, now: datetime) -> bool:
    return bool(moment) and datetime.fromisoformat(moment) < now


async def current_status(store: PKIStore, order: Order, now: datetime) -> str:
    """The order's status from its authorizations (RFC 8555 7.1.6)."""
    if order.status in ("valid", "invalid", "processing"):
        return order.status
    if expired(order.expires, now):
        return "invalid"
    statuses = []
    for authz_id in order.authorization_ids:
        authz = await load_authz(store, authz_id)
        statuses.append("invalid" if authz is None else authz_status(authz, now))
    if any(s not in ("pending", "valid") for s in statuses):
        return "invalid"
    return "ready" if statuses and all(s == "valid" for s in statuses) else "pending"


def authz_status(authz: Authorization, now: datetime) -> str:
    if authz.status in ("valid", "pending") and expired(authz.expires, now):
        return "expired"
    return authz.status
