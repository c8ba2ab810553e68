"""The token store's storage layout: salted hashes, entries, accessor and parent indexes.

Mirrors the storage half of OpenBao's internal/vault/token_store.go, which keeps entries under
``id/<salted id>``, accessors under ``accessor/<salted accessor>`` and a ``parent/<parent>/<child>``
index. Here every identifier is ``HMAC-SHA256(salt, kind:value)`` with one random salt per
store, kept at ``salt``; an entry is written together with its indexes in one transaction.

Entries read here are cached by hash (lookup runs on every request); every write or delete of
an entry drops its cache slot. Only the last token's hash is remembered, for the same string
object (no raw token outlives its request here); revocation goes by the entry, never by the
hash. ``invalidate`` forgets everything (a standby whose storage was changed by another node).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator

import orjson

from sealbox.logical import Storage, TxOp
from sealbox.logical.tokens import TokenEntry

_SALT_KEY = "salt"
_ID_PREFIX = "id/"
_ACCESSOR_PREFIX = "accessor/"
_PARENT_PREFIX = "parent/"
_CACHE_LIMIT = 10_000


class TokenIndex:
    """Hashing and indexed storage of token entries."""

    __slots__ = ("_cache", "_generation", "_last", "_salt", "_storage", "_writing")

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._salt: bytes | None = None
        self._cache: dict[str, TokenEntry] = {}
        # The last (token string, salt, hash): a request's token is hashed more than once (an
        # HA standby's use-count check, then the pipeline; a login's new token). Matched by
        # identity, never by value: at most one raw token, the latest, is held here, and no
        # lookup takes time that depends on a token's bytes.
        self._last: tuple[str, bytes, str] | None = None
        # A load caches what it read only if no write began or ran meanwhile: otherwise a
        # lookup racing a renewal could put the old entry back after the write dropped it.
        self._generation = 0
        self._writing = 0

    def __repr__(self) -> str:
        return f"TokenIndex(<{len(self._cache)} cached>)"

    def invalidate(self) -> None:
        """Forget every cached entry and the salt; a load under way does not cache."""
        self._generation += 1
        self._cache.clear()
        self._last = None
        self._salt = None

    def forget(self, id_hash: str) -> None:
        """Forget one cached entry (another node changed it); a load under way does not cache."""
        self._generation += 1
        self._cache.pop(id_hash, None)

    # ---- hashing -------------------------------------------------------------------

    def _current_salt(self) -> bytes | None:
        return self._salt

    async def _key(self) -> bytes:
        cached = self._current_salt()
        if cached is not None:
            return cached
        stored = await self._storage.get(_SALT_KEY)
        if stored is not None:
            self._salt = stored
            return stored
        raced = self._current_salt()
        if raced is not None:  # another task created it while we waited
            return raced
        fresh = secrets.token_bytes(32)
        self._salt = fresh
        await self._storage.put(_SALT_KEY, fresh)
        return fresh

    async def hash_token(self, token: str) -> str:
        """The salted hash under which ``token`` is stored."""
        key = await self._key()
        last = self._last
        if last is not None and last[0] is token and last[1] is key:
            return last[2]
        hashed = hmac.new(key, b"token:" + token.encode(), hashlib.sha256).hexdigest()
        self._last = (token, key, hashed)
        return hashed

    async def _hash_accessor(self, accessor: str) -> str:
        key = await self._key()
        return hmac.new(key, b"accessor:" + accessor.encode(), hashlib.sha256).hexdigest()

    # ---- entries -------------------------------------------------------------------

    async def exists(self, id_hash: str) -> bool:
        """Whether an entry is stored under ``id_hash`` (ignores the cache)."""
        return await self._storage.get(_ID_PREFIX + id_hash) is not None

    async def load(self, id_hash: str) -> TokenEntry | None:
        """The stored entry, whatever its state (expired, spent)."""
        cached = self._cache.get(id_hash)
        if cached is not None:
            return cached
        generation = self._generation
        blob = await self._storage.get(_ID_PREFIX + id_hash)
        if blob is None:
            return None
        entry = TokenEntry.from_json(blob)
        if not hmac.compare_digest(entry.id_hash, id_hash):
            return None
        if self._writing or generation != self._generation:
            return entry
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[id_hash] = entry
        return entry

    @contextlib.asynccontextmanager
    async def _write(self, id_hash: str) -> AsyncIterator[None]:
        """Bracket a write of ``id_hash``: its cache slot is dropped and no load caches."""
        self._writing += 1
        self._generation += 1
        self._cache.pop(id_hash, None)
        try:
            yield
        finally:
            self._writing -= 1
            self._generation += 1
            self._cache.pop(id_hash, None)

    async def save(self, entry: TokenEntry) -> None:
        """Replace an existing entry (indexes unchanged)."""
        async with self._write(entry.id_hash):
            await self._storage.put(_ID_PREFIX + entry.id_hash, entry.to_json())

    async def insert(self, entry: TokenEntry) -> None:
        """Store a new entry with its accessor and parent index, atomically."""
        ops = [
            TxOp(_ID_PREFIX + entry.id_hash, entry.to_json()),
            TxOp(
                _ACCESSOR_PREFIX + await self._hash_accessor(entry.accessor),
                orjson.dumps({"accessor": entry.accessor, "id": entry.id_hash}),
            ),
        ]
        if entry.parent:
            ops.append(TxOp(f"{_PARENT_PREFIX}{entry.parent}/{entry.id_hash}", b""))
        async with self._write(entry.id_hash):
            await self._storage.transaction(ops)

    async def remove(self, entry: TokenEntry) -> None:
        """Delete an entry, its accessor and every parent-index key naming it."""
        ops = [
            TxOp(_ID_PREFIX + entry.id_hash, None),
            TxOp(_ACCESSOR_PREFIX + await self._hash_accessor(entry.accessor), None),
        ]
        if entry.parent:
            ops.append(TxOp(f"{_PARENT_PREFIX}{entry.parent}/{entry.id_hash}", None))
        ops.extend(
            TxOp(f"{_PARENT_PREFIX}{entry.id_hash}/{child}", None)
            for child in await self.children(entry.id_hash)
        )
        async with self._write(entry.id_hash):
            await self._storage.transaction(ops)

    async def ids(self) -> list[str]:
        """Hashes of every stored entry."""
        return [k for k in await self._storage.list(_ID_PREFIX) if not k.endswith("/")]

    # ---- indexes -------------------------------------------------------------------

    async def children(self, id_hash: str) -> list[str]:
        """Hashes recorded as children of ``id_hash``."""
        return [k for k in await self._storage.list(f"{_PARENT_PREFIX}{id_hash}/") if k]

    async def parents(self) -> list[str]:
        """Hashes that have a children folder in the parent index."""
        return [k.rstrip("/") for k in await self._storage.list(_PARENT_PREFIX)]

    async def drop_child(self, parent_hash: str, child_hash: str) -> None:
        """Remove one parent-index key."""
        await self._storage.delete(f"{_PARENT_PREFIX}{parent_hash}/{child_hash}")

    async def accessor_target(self, accessor: str) -> str | None:
        """The hash of the token behind ``accessor``."""
        if not accessor:
            return None
        blob = await self._storage.get(_ACCESSOR_PREFIX + await self._hash_accessor(accessor))
        if blob is None:
            return None
        record = orjson.loads(blob)
        if not hmac.compare_digest(str(record.get("accessor", "")), accessor):
            return None
        return str(record["id"])

    async def accessor_records(self) -> list[tuple[str, str, str]]:
        """(storage key, accessor, token hash) of every accessor index entry."""
        out: list[tuple[str, str, str]] = []
        for key in await self._storage.list(_ACCESSOR_PREFIX):
            blob = await self._storage.get(_ACCESSOR_PREFIX + key)
            if blob is not None:
                record = orjson.loads(blob)
                out.append((key, str(record["accessor"]), str(record["id"])))
        return out

    async def drop_accessor_record(self, key: str) -> None:
        """Remove one accessor index entry by its storage key."""
        await self._storage.delete(_ACCESSOR_PREFIX + key)
