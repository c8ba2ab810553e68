"""The PostgreSQL HA lock: one holder, takeover on disconnect or lease expiry, fencing."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from sealbox.storage.pg_lock import PostgreSQLLock
from sealbox.storage.postgresql import FencedWrite, PostgreSQLStorage


def _node(url: str, name: str, ttl: float = 2.0) -> tuple[PostgreSQLStorage, PostgreSQLLock]:
    storage = PostgreSQLStorage(url, ha_enabled=True)
    return storage, PostgreSQLLock(storage, name, f"http://{name}", ttl=ttl, renew_interval=0.3)


def test_only_one_of_many_concurrent_candidates_wins(pg_url: str) -> None:
    async def run() -> None:
        nodes = [_node(pg_url, f"n{i}") for i in range(8)]
        terms = await asyncio.gather(*(lock.try_acquire() for _, lock in nodes))
        winners = [i for i, term in enumerate(terms) if term is not None]
        assert len(winners) == 1
        holder = await nodes[0][1].holder()
        assert holder is not None
        assert holder.identity == f"n{winners[0]}"
        assert holder.value == f"http://n{winners[0]}"
        for storage, lock in nodes:
            await lock.close()
            await storage.close()

    asyncio.run(run())


def test_a_live_holder_keeps_the_lock_past_its_ttl(pg_url: str) -> None:
    async def run() -> None:
        (sa, la), (sb, lb) = _node(pg_url, "a", ttl=1.0), _node(pg_url, "b")
        assert await la.try_acquire() == 1
        holding = asyncio.create_task(la.hold())
        await asyncio.sleep(2.5)  # more than two ttls: only renewals keep it
        assert await lb.try_acquire() is None
        assert not holding.done()
        await la.release()
        await holding
        assert await lb.try_acquire() == 2  # release frees it at once
        for storage, lock in ((sa, la), (sb, lb)):
            await lock.close()
            await storage.close()

    asyncio.run(run())


def test_a_disconnected_holder_loses_the_lock_at_once_and_is_fenced(pg_url: str) -> None:
    async def run() -> None:
        (sa, la), (sb, lb) = _node(pg_url, "a", ttl=3600.0), _node(pg_url, "b")
        term = await la.try_acquire()
        assert term is not None
        await sa.put("k", b"from-a")
        await la._drop_connection()  # what a killed process's socket does
        assert not la.held  # the session held the advisory lock: lost at once
        new_term = await lb.try_acquire()
        assert new_term == term + 1  # no wait for the hour-long lease
        with pytest.raises(FencedWrite):
            await sa.put("k", b"late-a")
        await sb.put("k", b"from-b")
        assert await sb.get("k") == b"from-b"
        for storage, lock in ((sa, la), (sb, lb)):
            await lock.close()
            await storage.close()

    asyncio.run(run())


def test_a_cancelled_holder_lookup_leaves_the_lock_with_its_holder(pg_url: str) -> None:
    """sys/leader and forwarding ask who holds the lock from request handlers, which are
    cancelled when their client goes away. Such a lookup on the holder's own session once
    closed that session, freed the advisory lock and let a second node become active while
    the first still called itself active until its next renewal."""

    async def run() -> None:
        (sa, la), (sb, lb) = _node(pg_url, "a", ttl=3600.0), _node(pg_url, "b")
        assert await la.try_acquire() == 1
        for _ in range(20):
            lookup = asyncio.create_task(la.holder())
            await asyncio.sleep(0)  # sent, not yet answered
            lookup.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await lookup
        assert la.held
        assert await lb.try_acquire() is None
        for storage, lock in ((sa, la), (sb, lb)):
            await lock.close()
            await storage.close()

    asyncio.run(run())


def test_a_paused_holder_is_taken_over_after_its_lease_and_its_late_writes_refused(
    pg_url: str,
) -> None:
    async def run() -> None:
        (sa, la), (sb, lb) = _node(pg_url, "a", ttl=1.0), _node(pg_url, "b")
        term = await la.try_acquire()  # a never renews: it is "paused"
        assert term is not None
        assert await lb.try_acquire() is None  # its session is alive, its lease too
        await asyncio.sleep(1.3)
        assert await lb.try_acquire() == term + 1
        with pytest.raises(FencedWrite):
            await sa.put("k", b"late-a")
        assert await sb.get("k") is None
        for storage, lock in ((sa, la), (sb, lb)):
            await lock.close()
            await storage.close()

    asyncio.run(run())


def test_writes_racing_a_takeover_never_land_after_it(pg_url: str) -> None:
    """The old leader writes non-stop while a standby takes over: once the takeover
    returned, the stored value never changes again and every later write was refused."""

    async def run() -> None:
        (sa, la), (sb, lb) = _node(pg_url, "a", ttl=3600.0), _node(pg_url, "b")
        assert await la.try_acquire() is not None
        acknowledged: list[int] = []
        refused = 0

        async def writer(worker: int) -> None:
            nonlocal refused
            for i in range(400):
                seq = i * 16 + worker
                try:
                    await sa.put("counter", str(seq).encode())
                except FencedWrite:
                    refused += 1
                else:
                    acknowledged.append(seq)

        writers = [asyncio.create_task(writer(w)) for w in range(16)]
        await asyncio.sleep(0.2)
        await la._drop_connection()
        assert await lb.try_acquire() is not None
        at_takeover = await sb.get("counter")
        await asyncio.gather(*writers)
        assert refused > 0
        assert await sb.get("counter") == at_takeover
        assert at_takeover is not None
        assert int(at_takeover) in acknowledged  # what is stored was acknowledged
        for storage, lock in ((sa, la), (sb, lb)):
            await lock.close()
            await storage.close()

    asyncio.run(run())


def test_candidates_racing_for_a_just_freed_lock_never_both_win(pg_url: str) -> None:
    """The holder's session ends while eight fresh candidates try at once, ten times over."""

    async def run() -> None:
        holder_storage, holder = _node(pg_url, "holder", ttl=3600.0)
        assert await holder.try_acquire() is not None
        for round_ in range(10):
            nodes = [_node(pg_url, f"r{round_}c{i}", ttl=3600.0) for i in range(8)]
            await holder._drop_connection()
            terms = await asyncio.gather(*(lock.try_acquire() for _, lock in nodes))
            winners = [lock for (_, lock), term in zip(nodes, terms, strict=True) if term]
            assert len(winners) <= 1
            for storage, lock in nodes:
                if lock not in winners:
                    await lock.close()
                    await storage.close()
            if winners:
                await holder.close()
                await holder_storage.close()
                holder = winners[0]
                holder_storage = next(s for s, lock in nodes if lock is holder)
        await holder.close()
        await holder_storage.close()

    asyncio.run(run())


def test_a_takeover_says_whether_the_old_holder_may_still_lease_reads(pg_url: str) -> None:
    """Only a worker node's holder (one with a forward_addr) that did not release the lock
    leaves a read lease its successor must wait out (storage/read_lease.py)."""

    async def run() -> None:
        def worker(name: str) -> tuple[PostgreSQLStorage, PostgreSQLLock]:
            storage = PostgreSQLStorage(pg_url, ha_enabled=True)
            lock = PostgreSQLLock(
                storage, name, "http://node", ttl=3600.0, forward_addr=f"http://{name}"
            )
            return storage, lock

        (sa, la), (sb, lb), (sc, lc) = worker("a"), worker("b"), _node(pg_url, "c", 3600.0)
        assert await la.try_acquire() is not None
        assert not la.took_over_lease  # nobody held it before
        assert await la.confirm()
        assert la._conn is not None
        await la._conn.close()  # its session ends unnoticed, the lock was not released
        assert not await la.confirm()  # never vouched for by a new session
        await la._drop_connection()
        assert await lb.try_acquire() is not None
        assert lb.took_over_lease
        await lb.release()  # released: its siblings' lease was revoked first
        assert await lc.try_acquire() is not None
        assert not lc.took_over_lease
        await lc._drop_connection()  # a single-process holder leases nothing
        assert await la.try_acquire() is not None
        assert not la.took_over_lease
        for storage, lock in ((sa, la), (sb, lb), (sc, lc)):
            await lock.close()
            await storage.close()

    asyncio.run(run())
