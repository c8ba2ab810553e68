"""ACME accounts in the mount's storage, found by id (the kid URL's last segment) or by key.

New accounts get a random id, as OpenBao's do, and an index from the RFC 7638 thumbprint of
their key, so key-change (RFC 8555 7.3.5) can move an account to a new key while its URL stays.
Accounts registered before the index existed have the thumbprint as id; ``find_by_key`` still
finds them while their key is unchanged. Storage keys::

    acme/accounts/<id>              Account
    acme/thumbprints/<thumbprint>   {"id": <account id>}
    acme/account-orders/<id>/<order id>   (index, empty record)
    acme/account-certs/<id>/<serial>      (what the account may revoke, empty record)
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sealbox.engines.pki.acme import jws
from sealbox.engines.pki.store import PKIStore, serial_key

_PREFIX = "acme/accounts/"
_THUMBPRINTS = "acme/thumbprints/"
ORDERS = "acme/account-orders/"
CERTS = "acme/account-certs/"


@dataclass(slots=True)
class Account:
    """One registered account (RFC 8555 7.1.2)."""

    id: str
    jwk: dict[str, Any]
    status: str = "valid"
    contact: list[str] = field(default_factory=list)
    created: str = ""
    # The EAB key id bound at registration ("" when none): always-required refuses accounts without.
    eab_id: str = ""

    def to_wire(self, orders_url: str) -> dict[str, Any]:
        return {"status": self.status, "contact": self.contact, "orders": orders_url}


def new_id() -> str:
    return str(uuid.uuid4())


async def load(store: PKIStore, account_id: str) -> Account | None:
    if not account_id or "/" in account_id:
        return None
    raw = await store.get_json(_PREFIX + account_id)
    return None if raw is None else Account(**raw)


async def find_by_key(store: PKIStore, jwk: dict[str, Any]) -> Account | None:
    """The account whose current key is ``jwk``."""
    thumb = jws.thumbprint(jwk)
    index = await store.get_json(_THUMBPRINTS + thumb)
    account = await load(store, str(index["id"]) if index else thumb)
    if account is None or jws.thumbprint(account.jwk) != thumb:
        return None
    return account


async def save(store: PKIStore, account: Account) -> None:
    await store.put_json(_PREFIX + account.id, asdict(account))
    await store.put_json(_THUMBPRINTS + jws.thumbprint(account.jwk), {"id": account.id})


async def change_key(store: PKIStore, account: Account, new_jwk: dict[str, Any]) -> None:
    """Move ``account`` to ``new_jwk``; the old key no longer finds it."""
    old = jws.thumbprint(account.jwk)
    account.jwk = dict(new_jwk)
    await save(store, account)
    await store.storage.delete(_THUMBPRINTS + old)


async def track_order(store: PKIStore, account_id: str, order_id: str) -> None:
    await store.put_json(f"{ORDERS}{account_id}/{order_id}", {})


async def order_ids(store: PKIStore, account_id: str) -> list[str]:
    return sorted(await store.storage.list(f"{ORDERS}{account_id}/"))


async def track_cert(store: PKIStore, account_id: str, serial: str) -> None:
    await store.put_json(f"{CERTS}{account_id}/{serial_key(serial)}", {})


async def issued(store: PKIStore, account_id: str, serial: str) -> bool:
    return await store.get_json(f"{CERTS}{account_id}/{serial_key(serial)}") is not None
