"""SQLite-specific behaviour: durability, group commit, WAL, index use, closing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from sealbox.errors import InternalError
from sealbox.logical.storage import TxOp
from sealbox.storage import SQLiteStorage
from sealbox.storage.sqlite import _RANGE_SQL, _TAIL_SQL


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "sealbox.db")


def test_data_survives_reopen(db_path: str) -> None:
    async def write() -> None:
        storage = SQLiteStorage(db_path)
        await storage.put("a/b", b"\x00value")
        await storage.transaction([TxOp("a/c", b"c"), TxOp("a/d", b"")])
        await storage.close()

    async def read() -> None:
        storage = SQLiteStorage(db_path)
        try:
            assert await storage.get("a/b") == b"\x00value"
            assert await storage.get("a/d") == b""
            assert await storage.list("a/") == ["b", "c", "d"]
        finally:
            await storage.close()

    asyncio.run(write())
    asyncio.run(read())


def test_put_is_visible_to_another_connection_when_it_returns(db_path: str) -> None:
    async def run() -> None:
        storage = SQLiteStorage(db_path)
        try:
            await storage.put("k", b"v")
            with sqlite3.connect(db_path) as other:
                rows = other.execute("SELECT value FROM kv WHERE key = 'k'").fetchall()
            assert rows == [(b"v",)]
        finally:
            await storage.close()

    asyncio.run(run())


def test_many_concurrent_writers_all_commit_in_fewer_transactions(db_path: str) -> None:
    writers = 200

    async def run() -> None:
        storage = SQLiteStorage(db_path)
        try:
            await asyncio.gather(
                *(storage.put(f"w/{i:03d}", str(i).encode()) for i in range(writers))
            )
            assert await storage.list("w/") == [f"{i:03d}" for i in range(writers)]
            for i in range(writers):
                assert await storage.get(f"w/{i:03d}") == str(i).encode()
            # gather() queues every put before the writer wakes: they must share commits.
            assert storage.commits < writers
        finally:
            await storage.close()

    asyncio.run(run())


def test_journal_mode_is_wal(db_path: str) -> None:
    asyncio.run(SQLiteStorage(db_path).close())
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.parametrize(("sql", "args"), [(_RANGE_SQL, ("a/", "a0")), (_TAIL_SQL, ("",))])
def test_list_queries_search_the_index(db_path: str, sql: str, args: tuple[str, ...]) -> None:
    asyncio.run(SQLiteStorage(db_path).close())
    with sqlite3.connect(db_path) as conn:
        plan = " ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, args))
    assert "SEARCH" in plan
    assert "SCAN" not in plan


def test_list_of_a_large_folder_skips_its_contents(db_path: str) -> None:
    async def run() -> None:
        storage = SQLiteStorage(db_path)
        try:
            await storage.transaction([TxOp(f"big/{i:04d}", b"") for i in range(2000)])
            await storage.put("z", b"")
            assert await storage.list("") == ["big/", "z"]
        finally:
            await storage.close()

    asyncio.run(run())


def test_closed_storage_refuses_operations(db_path: str) -> None:
    async def run() -> None:
        storage = SQLiteStorage(db_path)
        await storage.close()
        await storage.close()  # idempotent
        with pytest.raises(RuntimeError, match="closed"):
            await storage.get("k")
        with pytest.raises(RuntimeError, match="closed"):
            await storage.put("k", b"v")

    asyncio.run(run())


def test_a_failing_write_reports_internal_error_and_spares_the_group(db_path: str) -> None:
    async def run() -> None:
        storage = SQLiteStorage(db_path)
        try:
            with sqlite3.connect(db_path) as conn:
                conn.execute(
                    "CREATE TRIGGER refuse BEFORE INSERT ON kv WHEN NEW.key = 'bad' "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            results = await asyncio.gather(
                storage.put("good", b"1"),
                storage.transaction([TxOp("also-bad", b"x"), TxOp("bad", b"2")]),
                storage.put("good2", b"3"),
                return_exceptions=True,
            )
            assert results[0] is None
            assert results[2] is None
            assert isinstance(results[1], InternalError)
            assert await storage.get("good") == b"1"
            assert await storage.get("good2") == b"3"
            assert await storage.get("also-bad") is None
        finally:
            await storage.close()

    asyncio.run(run())


def test_database_files_are_private_to_the_server_user(db_path: str) -> None:
    async def write() -> None:
        storage = SQLiteStorage(db_path)
        try:
            await storage.put("k", b"v")
            for suffix in ("", "-wal", "-shm"):
                mode = Path(db_path + suffix).stat().st_mode & 0o777
                assert mode == 0o600, (suffix, oct(mode))
        finally:
            await storage.close()

    asyncio.run(write())
