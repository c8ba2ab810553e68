"""SQLite storage: the embedded default backend (one file, WAL, every commit fsync'd).

Layout: one table ``kv(key TEXT PRIMARY KEY, value BLOB)``: an ordinary rowid table whose
key index is separate from the rows. (A ``WITHOUT ROWID`` table, clustering rows by key,
measured slower here: with secret-sized values of 0.25-2 KiB its B-tree has few rows per
page, so 64 concurrent writers did 2-4x fewer puts/s and gets were 1.6x slower.) Keys compare
by their UTF-8 bytes, which is code-point order, which is Python's ``str`` order: ``list``
is a range scan over the covering key index that jumps over each folder it finds (one index
seek per folder, one step per leaf), never a table scan.

Writes go through ``GroupCommitWriter`` (group_commit.py): one thread, one connection with
``synchronous=FULL``, many callers per fsync. This is the same durability contract as
OpenBao's raft/bolt storage: ``put`` returns only once the data is on disk.

Reads use one read-only connection per thread (WAL lets readers run beside the writer) and
run directly on the calling thread, i.e. on the event loop. Decided by measurement
(bench/storage_bench.py, 2 shared cores): a point read by key on the loop thread did
~200,000 gets/s (about 5 microseconds of loop time each), the same read handed to a worker
with ``asyncio.to_thread`` ~35,000-50,000/s: the thread hop costs more than the read, and
the read holds the GIL either way. ``list`` also runs on the loop (~0.4 ms per 1,000
children), inside one read transaction so its index jumps see one snapshot: in a worker
thread it would give the GIL up at every row and could wait a switch interval (5 ms) each
time to get it back while the loop is busy.
"""

from __future__ import annotations

import asyncio
import builtins
import os
import sqlite3
import threading

from sealbox.logical.storage import TxOp
from sealbox.storage.group_commit import GroupCommitWriter
from sealbox.storage.keys import check_key, check_prefix, upper_bound

_SCHEMA = "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL)"
_GET_SQL = "SELECT value FROM kv WHERE key = ?"
_RANGE_SQL = "SELECT key FROM kv WHERE key >= ? AND key < ? ORDER BY key"
_TAIL_SQL = "SELECT key FROM kv WHERE key >= ? ORDER BY key"
_BUSY_TIMEOUT_MS = 10_000


class SQLiteStorage:
    """A ``Storage`` in one SQLite file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._closed = False
        self._local = threading.local()
        self._readers: builtins.list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        # Only the server's user may read the file (SQLite gives -wal and -shm the same mode).
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        setup = self._open()
        try:
            setup.execute("PRAGMA journal_mode=WAL")
            setup.execute(_SCHEMA)
        finally:
            setup.close()
        self._writer = GroupCommitWriter(self._open_writer)

    def __repr__(self) -> str:
        return f"SQLiteStorage(path={self.path!r})"

    @property
    def commits(self) -> int:
        """Transactions committed so far (each may carry many callers' writes)."""
        return self._writer.commits

    async def get(self, key: str) -> bytes | None:
        check_key(key)
        self._check_open()
        # fetchall() runs the statement to completion, so no read snapshot is left open.
        rows = self._reader().execute(_GET_SQL, (key,)).fetchall()
        return bytes(rows[0][0]) if rows else None

    async def put(self, key: str, value: bytes) -> None:
        check_key(key)
        await self._submit([TxOp(key, bytes(value))])

    async def delete(self, key: str) -> None:
        check_key(key)
        await self._submit([TxOp(key, None)])

    async def list(self, prefix: str) -> builtins.list[str]:
        check_prefix(prefix)
        self._check_open()
        return _list_children(self._reader(), prefix)

    async def transaction(self, ops: builtins.list[TxOp]) -> None:
        for op in ops:
            check_key(op.key)
        prepared = [TxOp(op.key, None if op.value is None else bytes(op.value)) for op in ops]
        if prepared:
            await self._submit(prepared)

    async def close(self) -> None:
        """Commit what is queued, stop the writer and close every connection."""
        if self._closed:
            return
        self._closed = True
        await asyncio.to_thread(self._writer.stop)
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()

    async def _submit(self, ops: builtins.list[TxOp]) -> None:
        self._check_open()
        await self._writer.submit(ops)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("storage is closed")

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        return conn

    def _open_writer(self) -> sqlite3.Connection:
        conn = self._open()
        # synchronous is per connection: FULL makes every WAL commit wait for fsync.
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            conn.execute("PRAGMA query_only=ON")
            with self._readers_lock:
                self._readers.append(conn)
            self._local.conn = conn
        return conn


def _list_children(conn: sqlite3.Connection, prefix: str) -> builtins.list[str]:
    """Immediate children of ``prefix``: walk the key range, seeking past every folder."""
    upper = upper_bound(prefix)
    out: builtins.list[str] = []
    low = prefix
    conn.execute("BEGIN")
    try:
        while True:
            folder = _scan(conn, prefix, low, upper, out)
            if folder is None:
                break
            # "0" is the character after "/": the first key beyond everything in the folder.
            low = prefix + folder + "0"
    finally:
        conn.execute("COMMIT")
    return sorted(out)


def _scan(
    conn: sqlite3.Connection,
    prefix: str,
    low: str,
    upper: str | None,
    out: builtins.list[str],
) -> str | None:
    """Append leaves from ``low`` on; stop at the first folder and return its name."""
    if upper is None:
        cursor = conn.execute(_TAIL_SQL, (low,))
    else:
        cursor = conn.execute(_RANGE_SQL, (low, upper))
    try:
        for (key,) in cursor:
            rest = key[len(prefix) :]
            slash = rest.find("/")
            if slash < 0:
                out.append(rest)
            else:
                out.append(rest[: slash + 1])
                return str(rest[:slash])
        return None
    finally:
        cursor.close()
