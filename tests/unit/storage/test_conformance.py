"""Every storage backend passes the conformance suite (storage/testing.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from sealbox.errors import InvalidRequest
from sealbox.logical.storage import TxOp
from sealbox.storage import InMemoryStorage, SQLiteStorage, open_storage
from sealbox.storage.cache import CachedStorage
from sealbox.storage.keys import InvalidKey
from sealbox.storage.testing import exercise_storage

BACKENDS: dict[str, Callable[[Path], InMemoryStorage | SQLiteStorage | CachedStorage]] = {
    "inmem": lambda _tmp: InMemoryStorage(),
    "sqlite": lambda tmp: SQLiteStorage(str(tmp / "sealbox.db")),
    "cached-sqlite": lambda tmp: CachedStorage(SQLiteStorage(str(tmp / "sealbox.db"))),
}


@pytest.mark.parametrize("kind", sorted(BACKENDS))
def test_backend_passes_conformance(kind: str, tmp_path: Path) -> None:
    async def run() -> None:
        storage = BACKENDS[kind](tmp_path)
        try:
            await exercise_storage(storage)
        finally:
            await storage.close()

    asyncio.run(run())


@pytest.mark.parametrize("kind", ["inmem", "sqlite"])
def test_open_storage_builds_the_named_backend(kind: str, tmp_path: Path) -> None:
    async def run() -> None:
        storage = open_storage(kind, {"path": str(tmp_path / "db")})
        assert isinstance(storage, (InMemoryStorage, SQLiteStorage))
        assert (
            type(storage).__name__ == {"inmem": "InMemoryStorage", "sqlite": "SQLiteStorage"}[kind]
        )
        try:
            await storage.put("k", b"v")
            assert await storage.get("k") == b"v"
        finally:
            await storage.close()

    asyncio.run(run())


def test_open_storage_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="'consul'"):
        open_storage("consul", {})


def test_open_storage_sqlite_needs_a_path() -> None:
    with pytest.raises(ValueError, match="path"):
        open_storage("sqlite", {})


class _NonAtomicStorage(InMemoryStorage):
    """A deliberately broken backend: applies transaction ops one by one."""

    async def transaction(self, ops: list[TxOp]) -> None:
        for op in ops:
            if op.value is None:
                await self.delete(op.key)
            else:
                await self.put(op.key, op.value)


class _UnsortedStorage(InMemoryStorage):
    async def list(self, prefix: str) -> list[str]:
        return list(reversed(await super().list(prefix)))


@pytest.mark.parametrize("broken", [_NonAtomicStorage, _UnsortedStorage], ids=["atomic", "sorted"])
def test_conformance_suite_catches_broken_backends(broken: type[InMemoryStorage]) -> None:
    with pytest.raises(AssertionError, match="storage conformance"):
        asyncio.run(exercise_storage(broken()))


def test_invalid_key_is_both_a_400_and_a_value_error() -> None:
    with pytest.raises(InvalidKey) as caught:
        asyncio.run(InMemoryStorage().get("a/../b"))
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, InvalidRequest)
    assert caught.value.status == 400
    assert "a/../b" not in str(caught.value)
