"""Storage benchmark: SQLite put/get ops/s with group commit, and the barrier on top.

Run: ``.venv/bin/python bench/storage_bench.py [--seconds 2] [--postgres URL | --no-postgres]``.
Prints one line per case. The PostgreSQL cases use ``--postgres`` or else a throwaway cluster
(tests/postgres_server.py: initdb on a free loopback port, fsync on), on the same machine.
Writers are concurrent tasks, each awaiting its own puts one after another (like request
handlers); every put is fsync'd before it returns (``synchronous=FULL``), so the put figures
show how many callers share each commit. ``get (to_thread)`` is the alternative read design
(every read handed to a worker thread) that sqlite.py's docstring compares against.

Figures on the 2-core development VM (shared, so +-50%; fdatasync ~50 us there):
put 1 writer 2,000-6,000/s (one fsync per put), 16 writers 30,000-50,000/s, 64 writers
74,000-80,000/s (~64 puts per commit); get ~200,000/s on the loop thread vs ~45,000/s via
to_thread; through the barrier: put 64 writers 12,000-52,000/s, get ~110,000-160,000/s.

PostgreSQL on the same VM (loopback, fsync on, one pooled connection per concurrent caller; a
run on 2026-12-03 while other jobs shared the cores): put 1 writer ~2,200/s, 16 writers
~6,100/s; get 1 task ~5,300/s, 16 tasks ~8,400/s (a network round trip each, where SQLite reads
in-process); list of 1,000 children ~130/s (one index seek per child); fenced puts with change
notifications (what an HA active does) 1 writer ~1,450/s, 16 writers ~3,850/s; through the
barrier: put 64 writers ~1,750/s, get ~6,300/s. Reads of hot keys come from the read cache in
front of it (storage/cache.py), so request latency rarely pays the round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sealbox.barrier.barrier import Barrier
from sealbox.logical.storage import Storage
from sealbox.storage import SQLiteStorage

_VALUE = os.urandom(256)
_KEYS = 1000


async def _drive(
    workers: int, seconds: float, op: Callable[[int, int], Awaitable[object]]
) -> float:
    """Run ``workers`` tasks calling ``op(worker, i)`` for ``seconds``; return ops/s."""
    deadline = time.perf_counter() + seconds
    counts = [0] * workers

    async def worker(index: int) -> None:
        i = 0
        while time.perf_counter() < deadline:
            await op(index, i)
            i += 1
        counts[index] = i

    start = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(workers)))
    return sum(counts) / (time.perf_counter() - start)


def _put(storage: Storage) -> Callable[[int, int], Awaitable[object]]:
    # A fresh value every time: SQLite skips rewriting a cell whose bytes did not change, so
    # re-putting one constant value would measure commits that write (and sync) nothing.
    return lambda w, i: storage.put(f"bench/w{w}/{i % _KEYS}", i.to_bytes(8, "big") + _VALUE)


def _list(storage: Storage) -> Callable[[int, int], Awaitable[object]]:
    return lambda _w, _i: storage.list("bench/w0/")


def _get(storage: Storage) -> Callable[[int, int], Awaitable[object]]:
    return lambda w, i: storage.get(f"bench/w0/{(i * 7 + w) % _KEYS}")


async def _case(
    name: str,
    workers: int,
    seconds: float,
    op: Callable[[int, int], Awaitable[object]],
    commits: Callable[[], int] | None = None,
) -> None:
    before = commits() if commits else 0
    start = time.perf_counter()
    rate = await _drive(workers, seconds, op)
    extra = ""
    if commits:
        done = commits() - before
        extra = f"  ({done / (time.perf_counter() - start):,.0f} commits/s)"
    print(f"{name:<34} {workers:>3} tasks {rate:>11,.0f} ops/s{extra}")


async def postgres_cases(url: str, seconds: float) -> None:
    """The same cases on PostgreSQL: plain, HA-enabled and fenced (what an active node does)."""
    import psycopg

    from sealbox.storage.pg_lock import PostgreSQLLock
    from sealbox.storage.postgresql import PostgreSQLStorage

    for table, ha in (("bench_plain", False), ("bench_ha", True)):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute("DROP TABLE IF EXISTS sealbox_ha_locks")
        storage = PostgreSQLStorage(url, table, ha_enabled=ha)
        label = "pg"
        lock = None
        if ha:
            lock = PostgreSQLLock(storage, "bench", "http://bench")
            await lock.try_acquire()
            label = "pg fenced+notify"
        for workers in (1, 16, 64):
            await _case(f"{label} put", workers, seconds, _put(storage))
        if not ha:
            await _case("pg get", 1, seconds, _get(storage))
            await _case("pg get", 16, seconds, _get(storage))
            await _case("pg list (1000 children)", 1, seconds, _list(storage))
        if lock is not None:
            await lock.close()
        await storage.close()
    physical = PostgreSQLStorage(url, "bench_barrier")
    root_key = os.urandom(32)
    barrier = Barrier(physical)
    await barrier.initialize(root_key)
    await barrier.unseal(root_key)
    await _case("barrier+pg put", 64, seconds, _put(barrier))
    await _case("barrier+pg get", 16, seconds, _get(barrier))
    await physical.close()


def _throwaway_postgres(workdir: Path) -> tuple[str, Callable[[], None]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.postgres_server import start_postgres

    server = start_postgres(workdir)
    return server.dsn(), server.stop


async def main(seconds: float, postgres: str | None, with_postgres: bool) -> None:
    if with_postgres:
        with tempfile.TemporaryDirectory(prefix="sealbox-pgbench-") as tmp:
            stop: Callable[[], None] = lambda: None  # noqa: E731
            url = postgres
            if url is None:
                Path(tmp).chmod(0o755)  # the postgres user enters it when run as root
                url, stop = _throwaway_postgres(Path(tmp))
            try:
                await postgres_cases(url, seconds)
            finally:
                stop()
    await sqlite_cases(seconds)


async def sqlite_cases(seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        storage = SQLiteStorage(str(Path(tmp) / "bench.db"))
        for workers in (1, 16, 64):
            await _case("sqlite put", workers, seconds, _put(storage), lambda: storage.commits)
        await _case("sqlite get (loop thread)", 1, seconds, _get(storage))
        await _case("sqlite get (loop thread)", 16, seconds, _get(storage))

        async def threaded_get(w: int, i: int) -> object:
            return await asyncio.to_thread(
                lambda: (
                    storage._reader()
                    .execute(
                        "SELECT value FROM kv WHERE key = ?", (f"bench/w0/{(i * 7 + w) % _KEYS}",)
                    )
                    .fetchall()
                )
            )

        await _case("sqlite get (to_thread)", 16, seconds, threaded_get)
        await _case(
            "sqlite list (1000 children)", 1, seconds, lambda _w, _i: storage.list("bench/w0/")
        )
        await storage.close()

        root_key = os.urandom(32)
        physical = SQLiteStorage(str(Path(tmp) / "barrier.db"))
        barrier = Barrier(physical)
        await barrier.initialize(root_key)
        await barrier.unseal(root_key)
        for workers in (1, 64):
            await _case(
                "barrier+sqlite put", workers, seconds, _put(barrier), lambda: physical.commits
            )
        await _case("barrier+sqlite get", 16, seconds, _get(barrier))
        await physical.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--postgres", help="libpq URL of a database to use (default: throwaway)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite cases only")
    args = parser.parse_args()
    run = main(args.seconds, args.postgres, not args.no_postgres)
    try:
        import uvloop
    except ImportError:
        asyncio.run(run)
    else:
        uvloop.run(run)
