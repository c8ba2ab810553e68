"""Where leases live in the barrier: ``id/<lease id>`` plus a per-token index.

Mirrors OpenBao's layout (``expire/id/<lease id>``, ``expire/token/<token>/<lease>``): the
lease id is the key itself, so listing a prefix of lease ids is one storage LIST, and
``token/<token hash>/<sha256 of lease id>`` (value: the lease id) finds a token's leases when
the token is revoked. A lease and its index entry are written and deleted in one storage
transaction (one commit); ``tidy`` removes index entries left dangling all the same.
"""

from __future__ import annotations

import hashlib

from sealbox.core.leases.entry import LeaseEntry
from sealbox.logical import Storage, TxOp
from sealbox.logical.storage import list_recursive

_ID = "id/"
_TOKEN = "token/"


def _index_key(token_hash: str, lease_id: str) -> str:
    return f"{_TOKEN}{token_hash}/{hashlib.sha256(lease_id.encode()).hexdigest()}"


class LeaseStore:
    """Lease entries over the manager's storage view (``sys/expire/``)."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def get(self, lease_id: str) -> LeaseEntry | None:
        """The entry of ``lease_id`` or None."""
        raw = await self._storage.get(_ID + lease_id)
        return None if raw is None else LeaseEntry.from_json(raw)

    async def put(self, entry: LeaseEntry, *, new: bool = False) -> None:
        """Write ``entry`` (and, for a new lease of a token, its index entry, atomically)."""
        ops = [TxOp(_ID + entry.lease_id, entry.to_json())]
        if new and entry.token_hash:
            ops.append(TxOp(_index_key(entry.token_hash, entry.lease_id), entry.lease_id.encode()))
        await self._storage.transaction(ops)

    async def delete(self, entry: LeaseEntry) -> None:
        """Forget a lease and its token index entry (one transaction)."""
        ops = [TxOp(_ID + entry.lease_id, None)]
        if entry.token_hash:
            ops.insert(0, TxOp(_index_key(entry.token_hash, entry.lease_id), None))
        await self._storage.transaction(ops)

    async def children(self, prefix: str) -> list[str]:
        """One level under ``prefix``: lease id suffixes and sub-prefixes ending in "/"."""
        return await self._storage.list(_ID + prefix)

    async def ids(self, prefix: str = "") -> list[str]:
        """Every lease id under ``prefix``."""
        return [prefix + key for key in await list_recursive(self._storage, _ID + prefix)]

    async def by_token(self, token_hash: str) -> list[str]:
        """Lease ids issued to ``token_hash`` (from the index)."""
        out: list[str] = []
        for key in await self._storage.list(f"{_TOKEN}{token_hash}/"):
            raw = await self._storage.get(f"{_TOKEN}{token_hash}/{key}")
            if raw is not None:
                out.append(raw.decode())
        return out

    async def tokens(self) -> list[str]:
        """Token hashes that have an index."""
        return [key.rstrip("/") for key in await self._storage.list(_TOKEN)]

    async def drop_index(self, token_hash: str, lease_id: str) -> None:
        """Remove one dangling index entry."""
        await self._storage.delete(_index_key(token_hash, lease_id))
