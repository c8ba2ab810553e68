"""A read cache in front of a physical backend (OpenBao's physical cache, physical/cache.go).

Values stay as the backend holds them: behind the barrier that is ciphertext, so the cache
never holds plaintext. Reads of hot keys (a KV secret's metadata and version, token entries,
policies) then skip SQLite. Writes go to the backend first and update the cache only once they
succeeded; absent keys are cached too, so existence checks are cheap. A get that overlaps a
write of the same key does not populate the cache (the ``_generation`` guard), so a slow read
can never reinstate a value that a write has replaced. Entries are evicted least recently
used first. On shared storage (PostgreSQL with HA) a standby's cache is kept coherent by
``invalidate``, called for each key another node announces (storage/pg_notify.py); it bumps the
generation too, so a read that overlapped the change cannot put the old value back. Until
that listener runs (a sealed HA node) ``passthrough`` makes every get read the backend and
cache nothing: another node may initialise, rekey or unseal-migrate the shared storage.
"""

from __future__ import annotations

import builtins
from collections import OrderedDict

from sealbox.logical.storage import Storage, TxOp

DEFAULT_CACHE_SIZE = 131072  # compat: OpenBao's default cache_size (entries)


class CachedStorage:
    """LRU cache of get results over another Storage."""

    def __init__(self, inner: Storage, size: int = DEFAULT_CACHE_SIZE) -> None:
        self._inner = inner
        self._size = size
        self._entries: OrderedDict[str, bytes | None] = OrderedDict()
        self._generation = 0
        self.passthrough = False
        """Read through to the backend and cache nothing (set while nothing invalidates)."""

    def __repr__(self) -> str:
        return f"CachedStorage({self._inner!r}, entries={len(self._entries)})"

    async def get(self, key: str) -> bytes | None:
        if self.passthrough:
            return await self._inner.get(key)
        entries = self._entries
        if key in entries:
            entries.move_to_end(key)
            return entries[key]
        generation = self._generation
        value = await self._inner.get(key)
        if generation == self._generation:
            self._remember(key, value)
        return value

    async def put(self, key: str, value: bytes) -> None:
        self._generation += 1
        self._entries.pop(key, None)
        await self._inner.put(key, value)
        self._remember(key, bytes(value))

    async def delete(self, key: str) -> None:
        self._generation += 1
        self._entries.pop(key, None)
        await self._inner.delete(key)
        self._remember(key, None)

    async def list(self, prefix: str) -> builtins.list[str]:
        return await self._inner.list(prefix)

    async def transaction(self, ops: builtins.list[TxOp]) -> None:
        self._generation += 1
        for op in ops:
            self._entries.pop(op.key, None)
        await self._inner.transaction(ops)
        for op in ops:
            self._remember(op.key, None if op.value is None else bytes(op.value))

    @property
    def inner(self) -> Storage:
        """The backend underneath."""
        return self._inner

    def invalidate(self, key: str | None) -> None:
        """Forget ``key`` (None: everything) because another node changed it."""
        self._generation += 1
        if key is None:
            self._entries.clear()
        else:
            self._entries.pop(key, None)

    async def close(self) -> None:
        """Close the backend underneath, when it has anything to close."""
        self._entries.clear()
        close = getattr(self._inner, "close", None)
        if close is not None:
            await close()

    def _remember(self, key: str, value: bytes | None) -> None:
        if self.passthrough:
            return
        entries = self._entries
        entries[key] = value
        entries.move_to_end(key)
        if len(entries) > self._size:
            entries.popitem(last=False)
