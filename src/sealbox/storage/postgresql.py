"""PostgreSQL storage: the shared backend for several sealbox nodes (OpenBao's physical/postgresql).

``storage "postgresql" { connection_url, table, ha_enabled, ha_table, max_parallel }``. An
empty ``connection_url`` leaves everything to libpq's environment (PGHOST, PGUSER, PGPASSWORD,
PGSSLMODE, ...). Connections come from a psycopg 3 pool of at most ``max_parallel`` (Vault's
default 128); the pool opens and the schema is created on first use, so building the backend
needs no event loop.

Durability: every write is one autocommit statement (or one transaction for a batch), and
``put`` returns only after PostgreSQL answered its COMMIT, i.e. with the server's
``synchronous_commit`` (on by default: flushed to the WAL; with synchronous replicas as they
are configured). PostgreSQL does its own group commit across connections.

Fencing: once the HA lock (pg_lock.py) is held, ``fence(term)`` makes every write check, in
the same statement, that the lock row still carries that term; a write from a leader that lost
the lock while paused is refused with ``FencedWrite`` and changes nothing. ``refuse_writes()``
(a standby) refuses every write. Until either is called (init, migration, single node) writes
are unfenced.

Change notifications: with ``ha_enabled`` each write, once committed, announces the keys it
changed on a NOTIFY channel before it returns (pg_notify.py; batched, outside the write's
transaction, because a NOTIFY inside it serialises every commit on the database's notify lock:
measured, it cut 32-writer puts/s by more than half); standbys listen to drop cached entries.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from sealbox.errors import InternalError, SealboxError
from sealbox.logical.storage import TxOp
from sealbox.storage import pg_sql
from sealbox.storage.keys import check_key, check_prefix, upper_bound
from sealbox.storage.pg_notify import ChangeNotifier
from sealbox.storage.read_lease import ActiveSlot

DEFAULT_TABLE = "sealbox_kv_store"
DEFAULT_HA_TABLE = "sealbox_ha_locks"
DEFAULT_MAX_PARALLEL = 128  # compat: OpenBao's max_parallel default (physical/postgresql)
LOCK_KEY = "core/lock"  # compat: the key of Vault's HA lock (vault/ha.go coreLockPath)
NOTIFY_CHANNEL_SUFFIX = "_changes"
_POOL_TIMEOUT = 10.0
_CONNECT_TIMEOUT = 5
Params = tuple[object, ...] | dict[str, object]


class StorageUnavailable(InternalError):
    """PostgreSQL could not be reached or failed the statement (a 5xx; never names values)."""

    default_message = "storage unavailable"


class FencedWrite(SealboxError):
    """A write from a node that does not hold the HA lock (any more)."""

    status = 503
    default_message = "this node is not the active node; the write was refused"


class PostgreSQLStorage:
    """A ``Storage`` in one PostgreSQL table, optionally with an HA lock table beside it."""

    def __init__(
        self,
        connection_url: str = "",
        table: str = DEFAULT_TABLE,
        *,
        ha_enabled: bool = False,
        ha_table: str = DEFAULT_HA_TABLE,
        max_parallel: int = DEFAULT_MAX_PARALLEL,
    ) -> None:
        if max_parallel < 1:
            raise ValueError("max_parallel must be at least 1")
        self.sql = pg_sql.build(table, ha_table)
        self.table = table
        self.ha_table = ha_table
        self.ha_enabled = ha_enabled
        self.max_parallel = max_parallel
        self.channel = table.replace(".", "_") + NOTIFY_CHANNEL_SUFFIX
        self._conninfo = connection_url  # holds the password: never in repr, logs or errors
        self._pool: AsyncConnectionPool[psycopg.AsyncConnection[Any]] | None = None
        self._opening: asyncio.Lock | None = None
        self._closed = False
        self._fence_term: int | None = None
        self._refused = False
        self._notifier: ChangeNotifier | None = None
        self.lock_key = LOCK_KEY
        """The HA lock's row, whose term fenced writes and their announcements check."""
        self.active_slot: ActiveSlot | None = None
        """Where this node's active worker publishes its announcements (read_lease.py)."""

    def __repr__(self) -> str:
        return f"PostgreSQLStorage(table={self.table!r}, ha_enabled={self.ha_enabled})"

    # -- fencing (driven by the HA lock) ----------------------------------------------------

    def fence(self, term: int) -> None:
        """Accept writes only while the HA lock row still carries ``term``."""
        self._fence_term, self._refused = term, False

    def refuse_writes(self) -> None:
        """Refuse every write (this node is a standby or lost the lock)."""
        self._fence_term, self._refused = None, True

    @property
    def fenced_term(self) -> int | None:
        """The term writes are fenced with, if any."""
        return self._fence_term

    # -- Storage ----------------------------------------------------------------------------

    async def get(self, key: str) -> bytes | None:
        check_key(key)
        rows = await self._read(self.sql.get, (key,))
        return bytes(rows[0][0]) if rows else None

    async def put(self, key: str, value: bytes) -> None:
        check_key(key)
        await self._write({key: bytes(value)})

    async def delete(self, key: str) -> None:
        check_key(key)
        await self._write({key: None})

    async def list(self, prefix: str) -> builtins.list[str]:
        check_prefix(prefix)
        upper = upper_bound(prefix)
        statement = self.sql.list_unbounded if upper is None else self.sql.list_bounded
        rows = await self._read(
            statement, {"low": prefix, "upper": upper, "start": len(prefix) + 1}
        )
        out: builtins.list[str] = []
        for (key,) in rows:
            rest = key[len(prefix) :]
            slash = rest.find("/")
            out.append(rest if slash < 0 else rest[: slash + 1])
        return out

    async def transaction(self, ops: builtins.list[TxOp]) -> None:
        for op in ops:
            check_key(op.key)
        state: dict[str, bytes | None] = {}
        for op in ops:  # later ops on the same key win
            state[op.key] = None if op.value is None else bytes(op.value)
        if state:
            await self._write(state)

    async def dump(self) -> builtins.list[tuple[str, bytes]]:
        """Every entry, keys ascending, from one statement (one consistent MVCC snapshot)."""
        rows = await self._read(self.sql.dump, ())
        return [(str(key), bytes(value)) for key, value in rows]

    async def query(self, statement: sql.SQL | sql.Composed, params: Params) -> builtins.list[Any]:
        """Rows of a read-only query over the pool (the HA lock's holder lookup)."""
        return await self._read(statement, params)

    async def close(self) -> None:
        """Close the pool (idempotent)."""
        self._closed = True
        if self._notifier is not None:
            await self._notifier.close()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    # -- internals --------------------------------------------------------------------------

    async def _read(self, statement: sql.SQL | sql.Composed, params: Params) -> builtins.list[Any]:
        """Run a query; retried once on a broken connection (stale after a database restart)."""
        for attempt in (1, 2):
            try:
                async with self._connection() as conn:
                    cursor = await conn.execute(statement, params, binary=True)
                    return await cursor.fetchall()
            except StorageUnavailable as err:
                if attempt == 2 or not isinstance(err.__cause__, psycopg.OperationalError):
                    raise
        raise AssertionError("unreachable")

    async def _write(self, state: dict[str, bytes | None]) -> None:
        if self._refused:
            raise FencedWrite
        puts = [(k, v) for k, v in state.items() if v is not None]
        params: dict[str, object] = {
            "deletes": [k for k, v in state.items() if v is None],
            "keys": [k for k, _ in puts],
            "values": [v for _, v in puts],
        }
        statement = self.sql.write
        term = self._fence_term
        if term is not None:
            statement = self.sql.write_fenced
            params.update(lock=self.lock_key, term=term)
        async with self._connection() as conn:
            cursor = await conn.execute(statement, params)
            row = await cursor.fetchone()
        if row is None or row[0] == 0:
            raise FencedWrite
        if self.ha_enabled:
            if self._notifier is None:
                self._notifier = ChangeNotifier(self)
            await self._notifier.announce(builtins.list(state), term)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A pooled autocommit connection; database failures become ``StorageUnavailable``."""
        pool = self._pool or await self.open()
        try:
            async with pool.connection() as conn:
                yield conn
        except PoolTimeout as err:
            raise StorageUnavailable from err
        except psycopg.Error as err:
            # psycopg messages name servers and users, never bound values or passwords.
            raise StorageUnavailable from err

    async def open(self) -> AsyncConnectionPool[psycopg.AsyncConnection[Any]]:
        """Create the schema if needed and open the pool (done by the first operation)."""
        if self._pool is not None:
            return self._pool
        if self._closed:
            raise RuntimeError("storage is closed")
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:  # a second caller finds the pool the first one opened
            return await self._create_pool()

    async def _create_pool(self) -> AsyncConnectionPool[psycopg.AsyncConnection[Any]]:
        if self._pool is not None:
            return self._pool
        try:
            await self.create_schema()
        except psycopg.Error as err:
            raise StorageUnavailable from err
        pool: AsyncConnectionPool[psycopg.AsyncConnection[Any]] = AsyncConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=self.max_parallel,
            kwargs={"autocommit": True, "connect_timeout": _CONNECT_TIMEOUT},
            timeout=_POOL_TIMEOUT,
            open=False,
            name="sealbox-storage",
        )
        await pool.open()
        self._pool = pool
        return pool

    async def connect(self) -> psycopg.AsyncConnection[Any]:
        """A new autocommit connection outside the pool (the HA lock and listener own theirs)."""
        return await psycopg.AsyncConnection.connect(
            self._conninfo, autocommit=True, connect_timeout=_CONNECT_TIMEOUT
        )

    async def create_schema(self) -> None:
        """Create the tables when missing (serialised across nodes by an advisory lock)."""
        async with await self.connect() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (pg_sql.SCHEMA_LOCK_ID,))
            await conn.execute(self.sql.create_kv)
            if self.ha_enabled:
                await conn.execute(self.sql.create_ha)
                await conn.execute(self.sql.migrate_ha)


def from_options(options: dict[str, str]) -> PostgreSQLStorage:
    """The backend for a ``storage "postgresql" {...}`` block (values as the config gives them)."""
    ha_enabled = options.get("ha_enabled", "false").strip().lower()
    if ha_enabled not in ("true", "false", "1", "0"):
        raise ValueError("ha_enabled must be true or false")
    try:
        max_parallel = int(options.get("max_parallel", str(DEFAULT_MAX_PARALLEL)))
    except ValueError as err:
        raise ValueError("max_parallel must be a positive integer") from err
    return PostgreSQLStorage(
        options.get("connection_url", ""),
        options.get("table") or DEFAULT_TABLE,
        ha_enabled=ha_enabled in ("true", "1"),
        ha_table=options.get("ha_table") or DEFAULT_HA_TABLE,
        max_parallel=max_parallel,
    )
