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

Announcements of a fenced write name the HA term and a sequence number:
``{"t": term, "s": seq, "n": parts, "k": [keys]}`` (``n`` payloads share one ``s``; unfenced
writes, before any lock is held, send the bare array). The NOTIFY statement locks the lock row
``FOR SHARE`` and sends nothing unless it still carries the term, so a holder that lost the lock
can never announce, and therefore never acknowledge, anything after its successor took the
lock: its write reports ``AnnounceFailed`` (committed, not acknowledged; the successor's
standbys flush their caches on the term change). Once an announcement committed its ``seq`` goes
to the node's ``ActiveSlot`` (read_lease.py) before the writes it covers return, and the
listener counts, per term, the last ``seq`` it applied (``applied``, ``wait_applied``): what a
standby worker compares, instead of sending a marker.
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
from sealbox.storage.pg_sql import table_identifier
from sealbox.storage.read_lease import SlotUnavailable

if TYPE_CHECKING:
    from sealbox.storage.postgresql import PostgreSQLStorage

log = logging.getLogger("sealbox.storage.notify")

_MAX_PAYLOAD = 7000  # bytes of JSON per NOTIFY (PostgreSQL's limit is 8000)
_NOTIFY_SQL = "SELECT pg_notify(%s, p) FROM unnest(%s::text[]) AS p"
_MARKER_SQL = "SELECT pg_notify(%s, %s)"
_FENCED_NOTIFY_SQL = (
    "WITH holder AS MATERIALIZED (SELECT 1 FROM {ha} WHERE ha_key = %s AND term = %s FOR SHARE) "
    "SELECT pg_notify(%s, p) FROM holder, unnest(%s::text[]) AS p"
)
_KEPT_TERMS = 4  # terms whose applied sequence a listener remembers
_RECONNECT_DELAY = 0.5
SYNC_TIMEOUT = 2.0  # seconds a read waits for its marker before the caller gives up


class AnnounceFailed(InternalError):
    """The keys a write changed could not be announced (the write itself committed)."""

    default_message = "storage unavailable"


class _TermEnded(Exception):
    """The lock row no longer carries the term an announcement was made under."""


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


def tagged(keys: list[str], term: int, seq: int) -> list[str]:
    """``payloads(keys)`` as announcements of ``term`` numbered ``seq`` (read by ``parse``)."""
    parts = payloads(keys)
    return [
        orjson.dumps({"t": term, "s": seq, "n": len(parts), "k": orjson.Fragment(part)}).decode()
        for part in parts
    ]


def parse(payload: str) -> tuple[list[str], tuple[int, int, int] | None]:
    """The keys of one announcement, and its (term, seq, parts) when it carries them."""
    message = orjson.loads(payload)
    if isinstance(message, dict):
        tag = (int(message["t"]), int(message["s"]), int(message["n"]))
        return [str(key) for key in message["k"]], tag
    return [str(key) for key in message], None


class ChangeNotifier:
    """Announces changed keys for one storage, batching concurrent writers."""

    def __init__(self, storage: PostgreSQLStorage) -> None:
        self._storage = storage
        self._pending: list[tuple[list[str], int | None, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._seq = itertools.count(1)
        self._fenced_sql = sql.SQL(_FENCED_NOTIFY_SQL).format(ha=table_identifier(storage.ha_table))
        self.notifications = 0
        """NOTIFY statements sent (a test and benchmark aid)."""

    async def announce(self, keys: list[str], term: int | None = None) -> None:
        """Return once ``keys`` were handed to PostgreSQL; ``AnnounceFailed`` if they could not
        be, even on a fresh connection, or (with ``term``, the term the write was fenced with)
        if the lock row no longer carries ``term``."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((keys, term, future))
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
            terms = dict.fromkeys(term for _, term, _ in batch)  # nearly always one
            for term in terms:
                futures = [future for _, t, future in batch if t == term]
                keys = [key for keys, t, _ in batch if t == term for key in keys]
                failure = await self._announce(keys, term)
                for future in futures:
                    if not future.done():
                        if failure is None:
                            future.set_result(None)
                        else:
                            future.set_exception(failure)

    async def _announce(self, keys: list[str], term: int | None) -> AnnounceFailed | None:
        """Send one batch (retried once on a new connection); None once it committed."""
        seq = next(self._seq) if term is not None else 0
        messages = payloads(keys) if term is None else tagged(keys, term, seq)
        for attempt in (1, 2):
            try:
                await self._send(messages, term)
            except _TermEnded:
                log.warning("change notification refused: the HA lock changed hands")
                return AnnounceFailed()
            except (psycopg.Error, OSError) as err:
                log.warning(
                    "change notification failed (%s), attempt %d", type(err).__name__, attempt
                )
                await self._drop()
            else:
                slot = self._storage.active_slot
                if term is not None and slot is not None:
                    try:
                        slot.publish(term, seq)  # before the writes it covers are acknowledged
                    except SlotUnavailable:
                        log.error("the workers' shared slot stayed locked; write not acknowledged")
                        return AnnounceFailed()
                return None
        return AnnounceFailed()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error, OSError):
                await conn.close()

    async def _send(self, messages: list[str], term: int | None) -> None:
        if self._conn is None or self._conn.closed:
            self._conn = await self._storage.connect()
            await self._conn.execute("SET synchronous_commit = off")
        channel = self._storage.channel
        if term is None:
            await self._conn.execute(_NOTIFY_SQL, (channel, messages))
        else:
            lock_key = self._storage.lock_key
            cursor = await self._conn.execute(self._fenced_sql, (lock_key, term, channel, messages))
            if cursor.rowcount != len(messages):
                raise _TermEnded
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
        self.epoch = 0
        """Counts the connections this listener made; what it applied is vouched for per epoch."""
        self._applied: dict[int, int] = {}  # term -> last seq applied
        self._parts: dict[tuple[int, int], int] = {}  # (term, seq) -> payloads seen so far
        self._waiting: list[tuple[int, int, asyncio.Future[bool]]] = []

    def start(self) -> None:
        """Start listening in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop listening (``sync`` refuses from now on)."""
        self.connected.clear()
        self._fail_waiters()
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

    def applied(self, term: int) -> int:
        """The last announcement of ``term`` handled (0: none)."""
        return self._applied.get(term, 0)

    def raise_floor(self, term: int, seq: int, epoch: int) -> None:
        """Count ``term``'s announcements up to ``seq`` as handled: the caller synced (a marker
        sent after it read ``seq``) on connection ``epoch``, which is still the current one."""
        if epoch == self.epoch and self.connected.is_set():
            self._applied_up_to(term, seq)

    async def wait_applied(self, term: int, seq: int, timeout: float) -> bool:
        """Wait until announcement ``seq`` of ``term`` was handled; False if the connection
        dropped or ``timeout`` passed first."""
        if self._applied.get(term, 0) >= seq:
            return True
        if not self.connected.is_set():
            return False
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        entry = (term, seq, future)
        self._waiting.append(entry)
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            return False
        finally:
            with contextlib.suppress(ValueError):
                self._waiting.remove(entry)

    def _applied_up_to(self, term: int, seq: int) -> None:
        if self._applied.get(term, 0) >= seq:
            return
        self._applied[term] = seq
        if len(self._applied) > _KEPT_TERMS:
            del self._applied[min(self._applied)]
        if self._waiting:
            for waiting_term, waiting_seq, future in self._waiting:
                if waiting_term == term and waiting_seq <= seq and not future.done():
                    future.set_result(True)

    def _tagged_part(self, term: int, seq: int, parts: int) -> None:
        if parts > 1:
            seen = self._parts.get((term, seq), 0) + 1
            if seen < parts:
                self._parts[(term, seq)] = seen
                return
            self._parts.pop((term, seq), None)
        self._applied_up_to(term, seq)

    def _fail_waiters(self) -> None:
        waiting, self._waiting = self._waiting, []
        self._parts.clear()
        for _, _, future in waiting:
            if not future.done():
                future.set_result(False)

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
            self._fail_waiters()
            self._on_change(None)
            await asyncio.sleep(_RECONNECT_DELAY)

    async def _listen(self) -> None:
        async with await self._storage.connect() as conn:
            for channel in (self._storage.channel, self.sync_channel):
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            self._on_change(None)  # whatever changed before LISTEN took effect is unknown
            self.epoch += 1
            self.connected.set()
            async for notify in conn.notifies():
                if notify.channel == self.sync_channel:
                    self._marker_back(notify.payload)
                    continue
                keys, tag = parse(notify.payload)
                for key in keys:
                    self._on_change(key or None)
                if tag is not None:
                    self._tagged_part(*tag)
