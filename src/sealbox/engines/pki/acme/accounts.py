"""ACME accounts in the mount's storage, keyed by the JWK thumbprint of their key.

The account URL is ``<acme base>/account/<thumbprint>``; a ``kid`` is resolved by its last
segment. Storage keys: ``acme/accounts/<thumbprint>``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sealbox.engines.pki.store import PKIStore

_PREFIX = "acme/accounts/"


@dataclass(slots=True)
class Account:
    """One registered account (RFC 8555 7.1.2)."""

    id: str
    jwk: dict[str, Any]
    status: str = "valid"
    contact: list[str] = field(default_factory=list)
    created: str = ""

    def to_wire(self, orders_url: str) -> dict[str, Any]:
        return {"status": self.status, "contact": self.contact, "orders": orders_url}


async def load(store: PKIStore, account_id: str) -> Account | None:
    raw = await store.get_json(_PREFIX + account_id)
    return None if raw is None else Account(**raw)


async def save(store: PKIStore, account: Account) -> None:
    await store.put_json(_PREFIX + account.id, asdict(account))
