"""PostgreSQL storage on a real server: conformance, schema, fencing, failures, durability."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest
from tests.postgres_server import start_postgres

from sealbox.logical.storage import TxOp
from sealbox.storage import open_storage
from sealbox.storage.cache import CachedStorage
from sealbox.storage.postgresql import (
    FencedWrite,
    PostgreSQLStorage,
    StorageUnavailable,
)
from sealbox.storage.testing import exercise_storage


@pytest.mark.parametrize(
    "variant", ["plain", "ha_enabled", "cached", "fenced"], ids=lambda v: str(v)
)
def test_postgresql_passes_conformance(pg_url: str, variant: str) -> None:
    async def run() -> None:
        storage = PostgreSQLStorage(pg_url, ha_enabled=variant != "plain")
        if variant == "fenced":
            await storage.open()
            with psycopg.connect(pg_url, autocommit=True) as conn:
                conn.execute(
                    "INSERT INTO sealbox_ha_locks VALUES "
                    "('core/lock', 'n', 'v', 7, 0, NULL, 'infinity')"
                )
            storage.fence(7)
        try:
            await exercise_storage(CachedStorage(storage) if variant == "cached" else storage)
        finally:
            await storage.close()

    asyncio.run(run())


def test_schema_is_created_in_the_named_tables(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA vault")

    async def run() -> None:
        storage = open_storage(
            "postgresql",
            {
                "connection_url": pg_url,
                "table": "vault.kv",
                "ha_enabled": "true",
                "ha_table": "vault.locks",
                "max_parallel": "4",
            },
        )
        assert isinstance(storage, PostgreSQLStorage)
        await storage.put("a/b", b"\x00\xff")
        await storage.close()

    asyncio.run(run())
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT key, value FROM vault.kv").fetchall()
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'vault'"
        ).fetchall()
    assert rows == [("a/b", b"\x00\xff")]
    assert sorted(t for (t,) in tables) == ["kv", "locks"]


def test_several_nodes_creating_the_schema_at_once_do_not_collide(pg_url: str) -> None:
    async def run() -> None:
        nodes = [PostgreSQLStorage(pg_url, ha_enabled=True) for _ in range(6)]
        await asyncio.gather(*(n.put(f"k{i}", b"v") for i, n in enumerate(nodes)))
        assert await nodes[0].list("") == [f"k{i}" for i in range(6)]
        for node in nodes:
            await node.close()

    asyncio.run(run())


@pytest.mark.parametrize("name", ["kv; DROP TABLE x", "a.b.c", "1abc", "", "naïve"])
def test_table_names_are_identifiers_only(name: str) -> None:
    with pytest.raises(ValueError, match="invalid PostgreSQL table name"):
        PostgreSQLStorage("", name)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="max_parallel"):
        open_storage("postgresql", {"max_parallel": "lots"})
    with pytest.raises(ValueError, match="max_parallel"):
        open_storage("postgresql", {"max_parallel": "0"})
    with pytest.raises(ValueError, match="ha_enabled"):
        open_storage("postgresql", {"ha_enabled": "maybe"})


def test_refused_and_fenced_writes_change_nothing(pg_url: str) -> None:
    async def run() -> None:
        storage = PostgreSQLStorage(pg_url, ha_enabled=True)
        await storage.put("keep", b"1")
        storage.refuse_writes()
        with pytest.raises(FencedWrite):
            await storage.put("keep", b"2")
        storage.fence(3)  # no lock row carries term 3
        with pytest.raises(FencedWrite) as caught:
            await storage.transaction([TxOp("keep", None), TxOp("new", b"x")])
        assert caught.value.status == 503
        assert await storage.get("keep") == b"1"
        assert await storage.get("new") is None
        await storage.close()

    asyncio.run(run())


def test_unreachable_database_is_a_5xx_without_the_password(postgres_port_closed: int) -> None:
    url = f"postgresql://sealbox:Canary-Pa55word@127.0.0.1:{postgres_port_closed}/x"

    async def run() -> None:
        storage = PostgreSQLStorage(url)
        with pytest.raises(StorageUnavailable) as caught:
            await storage.get("k")
        assert caught.value.status >= 500
        assert "Canary-Pa55word" not in str(caught.value)
        assert "Canary-Pa55word" not in repr(storage)
        await storage.close()

    asyncio.run(run())


def test_wrong_password_is_a_5xx_without_the_password(pg_url: str) -> None:
    url = pg_url.replace(":postgres@", ":Canary-Wr0ng@")

    async def run() -> None:
        storage = PostgreSQLStorage(url)
        with pytest.raises(StorageUnavailable) as caught:
            await storage.put("k", b"v")
        assert "Canary-Wr0ng" not in str(caught.value)
        cause = caught.value.__cause__
        assert cause is not None
        assert "Canary-Wr0ng" not in str(cause)
        await storage.close()

    asyncio.run(run())


@pytest.fixture
def postgres_port_closed() -> int:
    from tests.compat.conftest import free_port

    return free_port()


@pytest.mark.slow
def test_acknowledged_writes_survive_a_database_crash() -> None:
    """SIGKILL the postmaster right after puts returned: after restart every one is there."""
    workdir = Path(tempfile.mkdtemp(prefix="sealbox-pgcrash-"))
    server = start_postgres(workdir)
    url = server.dsn()

    async def write() -> None:
        storage = PostgreSQLStorage(url)
        await asyncio.gather(*(storage.put(f"d/{i}", str(i).encode()) for i in range(200)))
        await storage.transaction([TxOp(f"t/{i}", b"tx") for i in range(50)])
        # SIGKILL the postmaster itself (no shutdown checkpoint): as root, server.process is
        # runuser, whose death would leave PostgreSQL running and untested.
        postmaster = int((server.datadir / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGKILL)
        server.process.wait()
        for _ in range(600):  # the backends notice and exit; then the data dir is free
            if not Path(f"/proc/{postmaster}").exists():
                break
            await asyncio.sleep(0.1)
        await storage.close()

    asyncio.run(write())
    for _ in range(100):
        restarted = subprocess.Popen(
            server.process.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            restarted.wait(timeout=1.0)  # exited: old backends still held the shared memory
        except subprocess.TimeoutExpired:
            break
    try:
        deadline = 60.0

        async def read() -> None:
            storage = PostgreSQLStorage(url)
            for _ in range(int(deadline * 10)):
                try:
                    await storage.get("probe")
                    break
                except StorageUnavailable:
                    await storage.close()
                    storage = PostgreSQLStorage(url)
                    await asyncio.sleep(0.1)
            assert len(await storage.list("d/")) == 200
            assert await storage.get("d/199") == b"199"
            assert len(await storage.list("t/")) == 50
            await storage.close()

        asyncio.run(read())
    finally:
        restarted.terminate()
        restarted.wait(timeout=30)
