"""Change notifications between nodes on one PostgreSQL: who changed which keys.

The active node's writes announce the keys they changed on the table's NOTIFY channel; each
standby listens and drops those keys from its read cache (OpenBao's standbys get the same from
the active over the cluster port; we have a shared database instead, so it carries them).

``ChangeNotifier`` batches: writes that finish while a NOTIFY is in flight are announced
together by the next one, as a JSON array of keys split below PostgreSQL's 8000-byte payload
limit. Its connection commits asynchronously (``synchronous_commit = off``): notifications
need no durability, and no fsync. A write returns only after its keys were announced, i.e.
after the NOTIFY's transaction committed and its entry sits in PostgreSQL's notification queue.
An announcement that fails is retried once on a new connection; if that fails too the write
reports ``StorageUnavailable`` (it did commit, so the client sees an ambiguous 5xx, never an
acknowledgement whose change a standby could miss). Listeners flush everything whenever their
own connection was (re)established, and whoever watches the HA lock flushes on every change
of term, which covers an active that died between commit and announcement.

``ChangeListener`` keeps one LISTEN connection, calls ``on_change(key)`` per key and
``on_change(None)`` (forget everything) when it (re)connects, since it may have missed some.

Read-your-acknowledged-writes on a standby: ``ChangeListener.sync()`` sends a marker NOTIFY on
a channel only this listener hears and returns once the marker came back over the LISTEN
connection. PostgreSQL delivers a session's notifications in the order of one global queue,
and an entry is queued before its transaction commits; so when the marker (queued after
``sync()`` began) arrives, every announcement that committed before ``sync()`` began has been
delivered and handled. A standby that syncs before answering a read therefore never returns a
value older than one the active acknowledged before the read began. Concurrent callers share
markers: a caller waits for the first marker *sent* after it called, so under load one NOTIFY
round trip serves a whole batch of reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
import psycopg
from psycopg import sql

from sealbox.errors import InternalError, SealboxError

if TYPE_CHECKING:
    from sealbox.storage.postgresql import PostgreSQLStorage

log = logging.getLogger("sealbox.storage.notify")

_MAX_PAYLOAD = 7000  # bytes of JSON per NOTIFY (PostgreSQL's limit is 8000)
_NOTIFY_SQL = "SELECT pg_notify(%s, p) FROM unnest(%s::text[]) AS p"
_MARKER_SQL = "SELECT pg_notify(%s, %s)"
_RECONNECT_DELAY = 0.5
SYNC_TIMEOUT = 2.0  # seconds a read waits for its marker before the caller gives up


class AnnounceFailed(InternalError):
    """The keys a write changed could not be announced (the write itself committed)."""

    default_message = "storage unavailable"


class SyncUnavailable(Exception):
    """The listener is not connected, or its marker did not come back in time."""


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
        """Return once ``keys`` were handed to PostgreSQL; ``AnnounceFailed`` if they could not
        be, even on a fresh connection."""
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
            sent = False
            for attempt in (1, 2):
                try:
                    await self._send(payloads(keys))
                except (psycopg.Error, OSError) as err:
                    log.warning(
                        "change notification failed (%s), attempt %d", type(err).__name__, attempt
                    )
                    await self._drop()
                else:
                    sent = True
                    break
            for _, future in batch:
                if not future.done():
                    if sent:
                        future.set_result(None)
                    else:
                        future.set_exception(AnnounceFailed())

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error, OSError):
                await conn.close()

    async def _send(self, messages: list[str]) -> None:
        if self._conn is None or self._conn.closed:
            self._conn = await self._storage.connect()
            await self._conn.execute("SET synchronous_commit = off")
        await self._conn.execute(_NOTIFY_SQL, (self._storage.channel, messages))
        self.notifications += 1


class ChangeListener:
    """Calls ``on_change`` for every key another node announces (None: forget everything);
    ``sync()`` waits until everything announced before the call has been handled."""

    def __init__(self, storage: PostgreSQLStorage, on_change: Callable[[str | None], None]) -> None:
        self._storage = storage
        self._on_change = on_change
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        # A channel only this listener hears, for its sync markers (63 bytes at most).
        self.sync_channel = f"{storage.channel[:40]}_sync_{secrets.token_hex(6)}"
        self._next: asyncio.Future[None] | None = None  # the marker not sent yet
        self._sent: dict[str, asyncio.Future[None]] = {}  # markers sent, not yet back
        self._sender: asyncio.Task[None] | None = None
        self._marker_conn: psycopg.AsyncConnection[Any] | None = None
        self._markers = itertools.count()
        self.markers_sent = 0
        """Sync markers sent (a test and benchmark aid)."""

    def start(self) -> None:
        """Start listening in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop listening (``sync`` refuses from now on)."""
        self.connected.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._fail_markers()
        await self._drop_marker_connection()

    async def sync(self) -> None:
        """Return once every change announced before this call has been handled.

        Raises ``SyncUnavailable`` when the listener is not connected or the marker does not
        come back within ``SYNC_TIMEOUT`` (the caller should then not trust its caches).
        """
        if not self.connected.is_set():
            raise SyncUnavailable
        future = self._next
        if future is None:
            future = self._next = asyncio.get_running_loop().create_future()
            if self._sender is None or self._sender.done():
                self._sender = asyncio.create_task(self._send_markers())
        # Shared by every caller of one batch: a cancelled caller must not cancel it. The
        # sender fails it when the marker is late, so no per-caller timer is needed.
        await asyncio.shield(future)

    async def _send_markers(self) -> None:
        """Send one marker for everyone who called ``sync`` since the previous one was sent,
        one marker in flight at a time: callers that arrive meanwhile share the next one, so
        under load one round trip serves every read that arrived during the previous one."""
        while self._next is not None:
            await asyncio.sleep(0)  # let the reads already parsed join this batch
            future, self._next = self._next, None
            marker = str(next(self._markers))
            self._sent[marker] = future
            try:
                async with asyncio.timeout(SYNC_TIMEOUT):
                    await self._send_marker(marker)
                    await asyncio.shield(future)
            except (SealboxError, psycopg.Error, OSError, TimeoutError) as err:
                log.warning("sync marker failed (%s)", type(err).__name__)
                self._sent.pop(marker, None)
                if not future.done():
                    future.set_exception(SyncUnavailable())
                if not isinstance(err, TimeoutError):
                    await self._drop_marker_connection()
            except SyncUnavailable:
                pass  # the listener lost its connection; the waiters know

    async def _send_marker(self, marker: str) -> None:
        conn = self._marker_conn
        if conn is None or conn.closed:
            conn = self._marker_conn = await self._storage.connect()
            await conn.execute("SET synchronous_commit = off")  # a marker needs no fsync
        await conn.execute(_MARKER_SQL, (self.sync_channel, marker), prepare=True)
        self.markers_sent += 1

    async def _drop_marker_connection(self) -> None:
        conn, self._marker_conn = self._marker_conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error, OSError):
                await conn.close()

    def _marker_back(self, marker: str) -> None:
        future = self._sent.pop(marker, None)
        if future is not None and not future.done():
            future.set_result(None)

    def _fail_markers(self) -> None:
        """Markers in flight may never come back over a new connection: fail their waiters."""
        sent, self._sent = self._sent, {}
        if self._next is not None and not self.connected.is_set():
            sent["next"], self._next = self._next, None  # not sent yet, and never will be
        for future in sent.values():
            if not future.done():
                future.set_exception(SyncUnavailable())

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except (psycopg.Error, OSError) as err:
                log.warning("change listener disconnected (%s)", type(err).__name__)
            self.connected.clear()
            self._fail_markers()
            self._on_change(None)
            await asyncio.sleep(_RECONNECT_DELAY)

    async def _listen(self) -> None:
        async with await self._storage.connect() as conn:
            for channel in (self._storage.channel, self.sync_channel):
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            self._on_change(None)  # whatever changed before LISTEN took effect is unknown
            self.connected.set()
            async for notify in conn.notifies():
                if notify.channel == self.sync_channel:
                    self._marker_back(notify.payload)
                    continue
                for key in orjson.loads(notify.payload):
                    self._on_change(str(key) or None)
