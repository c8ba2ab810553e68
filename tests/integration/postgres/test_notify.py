"""Change notifications: a standby's cache drops what the active changed, nothing else."""

from __future__ import annotations

import asyncio

import orjson
import psycopg
import pytest

from sealbox.logical.storage import TxOp
from sealbox.storage.cache import CachedStorage
from sealbox.storage.pg_lock import PostgreSQLLock
from sealbox.storage.pg_notify import (
    AnnounceFailed,
    ChangeListener,
    ChangeNotifier,
    SyncUnavailable,
    payloads,
)
from sealbox.storage.postgresql import PostgreSQLStorage
from sealbox.storage.read_lease import ActiveSlot


def test_payloads_stay_under_the_limit_and_name_every_key_once() -> None:
    keys = [f"logical/{i:05d}/" + "x" * 200 for i in range(200)]
    out = payloads([*keys, keys[0], "y" * 9000])
    assert all(len(p.encode()) <= 7000 for p in out)
    named = [k for p in out for k in orjson.loads(p)]
    assert named == [*keys, ""]  # the unnameable key means "forget everything"


def test_standby_cache_follows_the_active_writes(pg_url: str) -> None:
    async def run() -> None:
        active = PostgreSQLStorage(pg_url, ha_enabled=True)
        standby_physical = PostgreSQLStorage(pg_url, ha_enabled=True)
        standby = CachedStorage(standby_physical)
        seen: asyncio.Queue[str | None] = asyncio.Queue()

        def on_change(key: str | None) -> None:
            standby.invalidate(key)
            seen.put_nowait(key)

        listener = ChangeListener(standby_physical, on_change)
        listener.start()
        await listener.connected.wait()
        assert await seen.get() is None  # a fresh listener forgets everything first
        await active.put("a", b"1")
        await active.put("b", b"1")
        assert {await seen.get(), await seen.get()} == {"a", "b"}
        assert await standby.get("a") == b"1"  # cached now
        assert await standby.get("b") == b"1"
        await active.transaction([TxOp("a", b"2"), TxOp("c", b"3")])
        assert {await seen.get(), await seen.get()} == {"a", "c"}
        assert await standby.get("a") == b"2"
        assert await standby.get("b") == b"1"
        await active.delete("b")
        assert await seen.get() == "b"
        assert await standby.get("b") is None
        await listener.stop()
        await active.close()
        await standby.close()

    asyncio.run(run())


def test_a_listener_that_lost_its_connection_forgets_everything(pg_url: str) -> None:
    async def run() -> None:
        storage = PostgreSQLStorage(pg_url, ha_enabled=True)
        seen: asyncio.Queue[str | None] = asyncio.Queue()
        listener = ChangeListener(storage, seen.put_nowait)
        listener.start()
        await listener.connected.wait()
        assert await seen.get() is None
        async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%%' AND pid <> pg_backend_pid()"
            )
        assert await seen.get() is None  # disconnect: forget everything
        assert await seen.get() is None  # and again once listening anew
        await listener.stop()
        await storage.close()

    asyncio.run(run())


def test_sync_returns_once_every_acknowledged_change_was_handled(pg_url: str) -> None:
    async def run() -> None:
        active = PostgreSQLStorage(pg_url, ha_enabled=True)
        storage = PostgreSQLStorage(pg_url, ha_enabled=True)
        seen: list[str | None] = []
        listener = ChangeListener(storage, seen.append)
        with pytest.raises(SyncUnavailable):
            await listener.sync()  # not listening: nothing can be vouched for
        listener.start()
        await listener.connected.wait()
        for n in range(50):
            await active.put(f"k{n}", b"v")
            await listener.sync()
            assert seen[-1] == f"k{n}"
        before = listener.markers_sent
        await asyncio.gather(*(listener.sync() for _ in range(100)))
        assert listener.markers_sent - before <= 2  # concurrent callers share a marker
        await listener.stop()
        with pytest.raises(SyncUnavailable):
            await listener.sync()
        await active.close()
        await storage.close()

    asyncio.run(run())


def test_fenced_announcements_are_numbered_and_end_with_the_term(pg_url: str) -> None:
    async def run() -> None:
        active = PostgreSQLStorage(pg_url, ha_enabled=True)
        slot = ActiveSlot()
        active.active_slot = slot
        lock = PostgreSQLLock(active, "a", "http://a", ttl=3600.0)
        term = await lock.try_acquire()
        assert term is not None
        standby = PostgreSQLStorage(pg_url, ha_enabled=True)
        seen: list[str | None] = []
        listener = ChangeListener(standby, seen.append)
        listener.start()
        await listener.connected.wait()

        published = []
        for n in range(5):
            await active.put(f"k{n}", b"v")
            state = slot.read()
            assert state.term == term
            published.append(state.seq)
        assert published == sorted(set(published))  # one number per announcement, growing
        # Published before the write returned: the listener may not have it yet, then does.
        assert await listener.wait_applied(term, published[-1], timeout=10.0)
        assert listener.applied(term) == published[-1]
        assert seen[-5:] == [f"k{n}" for n in range(5)]
        # Many keys in one write: several payloads, applied only once all arrived.
        await active.transaction([TxOp(f"big/{i:04d}/" + "x" * 300, b"v") for i in range(60)])
        big = slot.read().seq
        assert await listener.wait_applied(term, big, timeout=10.0)
        assert len([k for k in seen if k and k.startswith("big/")]) == 60

        # Another node takes the lock: the old holder can announce nothing more.
        await lock.release()
        other = PostgreSQLStorage(pg_url, ha_enabled=True)
        other_lock = PostgreSQLLock(other, "b", "http://b", ttl=3600.0)
        assert await other_lock.try_acquire() == term + 1
        late = ChangeNotifier(active)
        with pytest.raises(AnnounceFailed):
            await late.announce(["late"], term)
        await listener.sync()
        assert "late" not in seen
        assert slot.read().seq == big  # and nothing was published for it
        await late.close()

        # A listener that reconnects starts a new epoch: what it applied before proves nothing.
        epoch = listener.epoch
        listener.raise_floor(term + 1, 5, epoch - 1)  # a stale epoch is ignored
        assert listener.applied(term + 1) == 0
        listener.raise_floor(term + 1, 5, epoch)
        assert listener.applied(term + 1) == 5
        await listener.stop()
        assert not await listener.wait_applied(term + 1, 6, timeout=10.0)  # not listening
        for storage, held in ((active, lock), (other, other_lock)):
            await held.close()
            await storage.close()
        await standby.close()

    asyncio.run(run())
