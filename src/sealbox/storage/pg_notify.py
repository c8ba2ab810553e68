"""Change notifications between nodes on one PostgreSQL: who changed which keys.

The active node's writes announce the keys they changed on the table's NOTIFY channel; each
standby listens and drops those keys from its read cache (OpenBao's standbys get the same from
the active over the cluster port; we have a shared database instead, so it carries them).

``ChangeNotifier`` batches: writes that finish while a NOTIFY is in flight are announced
together by the next one, as a JSON array of keys split below PostgreSQL's 8000-byte payload
limit. Its connection commits asynchronously (``synchronous_commit = off``): notifications
need no durability, and no fsync. A write returns only after its keys were announced, so the
bound for standby reads is: a read that starts after a write was acknowledged sees it unless
the standby has not yet *processed* a notification that PostgreSQL has already queued (loopback
delivery, well under a millisecond when idle). A failed announcement is logged, never reported
as a failed write (the write did commit); listeners flush everything whenever their own
connection was lost, and whoever watches the HA lock flushes on every change of term, which
covers an active that died between commit and announcement.

``ChangeListener`` keeps one LISTEN connection, calls ``on_change(key)`` per key and
``on_change(None)`` (forget everything) when it (re)connects, since it may have missed some.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
import psycopg
from psycopg import sql

if TYPE_CHECKING:
    from sealbox.storage.postgresql import PostgreSQLStorage

log = logging.getLogger("sealbox.storage.notify")

_MAX_PAYLOAD = 7000  # bytes of JSON per NOTIFY (PostgreSQL's limit is 8000)
_NOTIFY_SQL = "SELECT pg_notify(%s, p) FROM unnest(%s::text[]) AS p"
_RECONNECT_DELAY = 0.5


def payloads(keys: list[str]) -> list[str]:
    """The keys as JSON arrays of at most ``_MAX_PAYLOAD`` bytes; an oversized key becomes
    ``[""]`` (forget everything), since it cannot be named."""
    out: list[str] = []
    batch: list[str] = []
    size = 2
    for key in dict.fromkeys(keys):
        encoded = len(orjson.dumps(key)) + 1
        if encoded > _MAX_PAYLOAD:
            key, encoded = "", 3
        if batch and size + encoded > _MAX_PAYLOAD:
            out.append(orjson.dumps(batch).decode())
            batch, size = [], 2
        batch.append(key)
        size += encoded
    if batch:
        out.append(orjson.dumps(batch).decode())
    return out


class ChangeNotifier:
    """Announces changed keys for one storage, batching concurrent writers."""

    def __init__(self, storage: PostgreSQLStorage) -> None:
        self._storage = storage
        self._pending: list[tuple[list[str], asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self.notifications = 0
        """NOTIFY statements sent (a test and benchmark aid)."""

    async def announce(self, keys: list[str]) -> None:
        """Return once ``keys`` were handed to PostgreSQL (or the attempt failed)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((keys, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        await asyncio.shield(future)

    async def close(self) -> None:
        """Finish what is pending and close the connection."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    async def _run(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            keys = [key for keys, _ in batch for key in keys]
            try:
                await self._send(payloads(keys))
            except (psycopg.Error, OSError) as err:
                log.warning("change notification failed (%s)", type(err).__name__)
                conn, self._conn = self._conn, None
                if conn is not None:
                    with contextlib.suppress(psycopg.Error, OSError):
                        await conn.close()
            for _, future in batch:
                if not future.done():
                    future.set_result(None)

    async def _send(self, messages: list[str]) -> None:
        if self._conn is None or self._conn.closed:
            self._conn = await self._storage.connect()
            await self._conn.execute("SET synchronous_commit = off")
        await self._conn.execute(_NOTIFY_SQL, (self._storage.channel, messages))
        self.notifications += 1


class ChangeListener:
    """Calls ``on_change`` for every key another node announces (None: forget everything)."""

    def __init__(self, storage: PostgreSQLStorage, on_change: Callable[[str | None], None]) -> None:
        self._storage = storage
        self._on_change = on_change
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> None:
        """Start listening in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop listening."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except (psycopg.Error, OSError) as err:
                log.warning("change listener disconnected (%s)", type(err).__name__)
            self.connected.clear()
            self._on_change(None)
            await asyncio.sleep(_RECONNECT_DELAY)

    async def _listen(self) -> None:
        async with await self._storage.connect() as conn:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._storage.channel)))
            self._on_change(None)  # whatever changed before LISTEN took effect is unknown
            self.connected.set()
            async for notify in conn.notifies():
                for key in orjson.loads(notify.payload):
                    self._on_change(str(key) or None)
