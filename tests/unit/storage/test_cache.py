"""The physical read cache: hits skip the backend, writes keep it coherent, LRU bounds it."""

from __future__ import annotations

import asyncio

import pytest

from sealbox.logical.storage import TxOp
from sealbox.storage import InMemoryStorage
from sealbox.storage.cache import CachedStorage


class _CountingStorage(InMemoryStorage):
    def __init__(self) -> None:
        super().__init__()
        self.gets = 0

    async def get(self, key: str) -> bytes | None:
        self.gets += 1
        return await super().get(key)


def test_repeated_reads_hit_the_cache_and_absent_keys_are_cached() -> None:
    async def run() -> None:
        inner = _CountingStorage()
        cache = CachedStorage(inner)
        await cache.put("a", b"1")
        assert [await cache.get("a") for _ in range(3)] == [b"1"] * 3
        assert await cache.get("missing") is None
        assert await cache.get("missing") is None
        assert inner.gets == 1  # only the first read of "missing" reached the backend

    asyncio.run(run())


def test_writes_deletes_and_transactions_update_cached_values() -> None:
    async def run() -> None:
        inner = _CountingStorage()
        cache = CachedStorage(inner)
        await cache.put("a", b"1")
        await cache.put("a", b"2")
        assert await cache.get("a") == b"2"
        await cache.delete("a")
        assert await cache.get("a") is None
        await cache.transaction([TxOp("a", b"3"), TxOp("b", b"4"), TxOp("c", None)])
        assert (await cache.get("a"), await cache.get("b"), await cache.get("c")) == (
            b"3",
            b"4",
            None,
        )
        assert await inner.get("a") == b"3"

    asyncio.run(run())


def test_failed_write_leaves_no_stale_entry() -> None:
    class _Failing(InMemoryStorage):
        async def put(self, key: str, value: bytes) -> None:
            del key, value
            raise OSError("disk full")

    async def run() -> None:
        inner = _Failing()
        cache = CachedStorage(inner)
        with pytest.raises(OSError, match="disk full"):
            await cache.put("a", b"1")
        assert await cache.get("a") is None

    asyncio.run(run())


def test_least_recently_used_entries_are_evicted() -> None:
    async def run() -> None:
        inner = _CountingStorage()
        cache = CachedStorage(inner, size=2)
        for key in ("a", "b", "c"):
            await cache.put(key, key.encode())
        await cache.get("a")  # evicted: goes to the backend
        assert inner.gets == 1
        await cache.get("c")  # still cached
        assert inner.gets == 1

    asyncio.run(run())
