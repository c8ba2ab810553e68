"""The HA lock on PostgreSQL: one row per lock with a lease, a holder session and a fencing term.

OpenBao's PostgreSQL HA lock (physical/postgresql PostgreSQLLock) keeps ``ha_identity``,
``ha_value`` and ``valid_until`` in ``vault_ha_locks`` and lets the lease run out (15 s) when the
holder dies. Ours adds two things:

- **lost on disconnect**: the holder also holds a session-level advisory lock (keyed by the
  table and lock name) on its own connection. When the holder's process dies, its socket closes,
  PostgreSQL ends the session and releases the advisory lock, and the next candidate's
  ``pg_try_advisory_lock`` succeeds at once instead of waiting for the lease. The advisory lock
  is what makes two holders impossible: the lock manager grants it to one live session only,
  atomically (an earlier version compared the row's holder with ``pg_stat_activity``, whose
  per-transaction snapshot let two candidates racing for a just-freed lock both win).
  A holder that is alive but paused (SIGSTOP, a long GC, a partition that keeps TCP up) keeps
  its session; once its lease (``valid_until``, on the database's clock) has passed, a
  candidate ends that session with ``pg_terminate_backend`` (allowed for the same database
  role, as all nodes normally use) and takes the lock on its next attempt.
- **fencing**: every takeover increments ``term``. The holder fences its storage with the term
  (postgresql.py), so every write checks the row in the same statement; a paused old leader
  that wakes up after a takeover has its writes refused and changes nothing.

The holder renews every ``renew_interval`` over its own connection; if a renewal fails, or
cannot be confirmed within the lease, or that connection closes for any reason (its session
held the advisory lock), the holder considers the lock lost at once and ``hold`` returns. Only
the lock's own statements use that session: the holder lookup goes through the storage pool,
so a lookup cancelled with its HTTP request cannot end the session and free the lock while
this node still calls itself active. The row is never deleted, so terms only grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from sealbox.storage.pg_sql import table_identifier
from sealbox.storage.postgresql import LOCK_KEY, PostgreSQLStorage

log = logging.getLogger("sealbox.storage.lock")

DEFAULT_TTL = 15.0  # compat: OpenBao's PostgreSQLLockTTLSeconds
DEFAULT_RENEW_INTERVAL = 5.0  # compat: PostgreSQLLockRenewInterval
DEFAULT_RETRY_INTERVAL = 1.0  # compat: PostgreSQLLockRetryInterval
_EVICT_POLLS = 40
_EVICT_POLL_INTERVAL = 0.05


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a lock: the identity and advertised value (an api_addr) it acquired with,
    and where to forward requests to it (empty: the value)."""

    identity: str
    value: str
    term: int
    forward_addr: str = ""

    @property
    def target(self) -> str:
        """The address standbys forward to."""
        return self.forward_addr or self.value


def _statements(ha_table: str) -> dict[str, sql.SQL | sql.Composed]:
    ha = table_identifier(ha_table)
    live = sql.SQL(
        "EXISTS (SELECT 1 FROM pg_stat_activity s WHERE s.pid = h.holder_pid "
        "AND s.backend_start IS NOT DISTINCT FROM h.holder_start)"
    )
    return {
        "try_lock": sql.SQL("SELECT pg_try_advisory_lock(hashtextextended(%(name)s, 0))"),
        "acquire": sql.SQL(
            # prev: the row before this statement (one snapshot for the whole statement).
            "WITH prev AS (SELECT p.forward_addr <> '' AND p.valid_until > '-infinity' AS leased "
            "FROM {ha} p WHERE p.ha_key = %(key)s) "
            "INSERT INTO {ha} AS h (ha_key, ha_identity, ha_value, term, holder_pid, "
            "holder_start, valid_until, forward_addr) "
            "SELECT %(key)s, %(identity)s, %(value)s, 1, a.pid, a.backend_start, "
            "now() + make_interval(secs => %(ttl)s), %(forward)s "
            "FROM pg_stat_activity a WHERE a.pid = pg_backend_pid() "
            "ON CONFLICT (ha_key) DO UPDATE SET ha_identity = EXCLUDED.ha_identity, "
            "ha_value = EXCLUDED.ha_value, term = h.term + 1, holder_pid = EXCLUDED.holder_pid, "
            "holder_start = EXCLUDED.holder_start, valid_until = EXCLUDED.valid_until, "
            "forward_addr = EXCLUDED.forward_addr "
            "RETURNING term, coalesce((SELECT leased FROM prev), false)"
        ).format(ha=ha),
        "evict": sql.SQL(
            "SELECT pg_terminate_backend(h.holder_pid) FROM {ha} h "
            "WHERE h.ha_key = %(key)s AND h.valid_until < now() "
            "AND h.holder_pid <> pg_backend_pid() AND {live}"
        ).format(ha=ha, live=live),
        "unlock": sql.SQL("SELECT pg_advisory_unlock_all()"),
        "confirm": sql.SQL(
            "SELECT 1 FROM {ha} WHERE ha_key = %(key)s AND term = %(term)s "
            "AND holder_pid = pg_backend_pid()"
        ).format(ha=ha),
        "renew": sql.SQL(
            "UPDATE {ha} SET valid_until = now() + make_interval(secs => %(ttl)s) "
            "WHERE ha_key = %(key)s AND term = %(term)s AND holder_pid = pg_backend_pid() "
            "RETURNING 1"
        ).format(ha=ha),
        "release": sql.SQL(
            "UPDATE {ha} SET valid_until = '-infinity' WHERE ha_key = %(key)s AND term = %(term)s"
        ).format(ha=ha),
        "holder": sql.SQL(
            "SELECT h.ha_identity, h.ha_value, h.term, h.forward_addr FROM {ha} h "
            "WHERE h.ha_key = %(key)s AND h.valid_until >= now() AND {live}"
        ).format(ha=ha, live=live),
    }


class PostgreSQLLock:
    """One node's handle on the HA lock ``key`` of a ``PostgreSQLStorage`` with ha_enabled."""

    def __init__(
        self,
        storage: PostgreSQLStorage,
        identity: str,
        value: str,
        *,
        key: str = LOCK_KEY,
        ttl: float = DEFAULT_TTL,
        renew_interval: float = DEFAULT_RENEW_INTERVAL,
        forward_addr: str = "",
    ) -> None:
        if not storage.ha_enabled:
            raise ValueError('the HA lock needs storage "postgresql" with ha_enabled = "true"')
        if not 0 < renew_interval < ttl:
            raise ValueError("renew_interval must be positive and shorter than the lock ttl")
        self._storage = storage
        self._sql = _statements(storage.ha_table)
        self.identity, self.value, self.key = identity, value, key
        self.forward_addr = forward_addr
        self.ttl, self.renew_interval = ttl, renew_interval
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self.term: int | None = None
        self._confirmed_at = 0.0
        self._released = asyncio.Event()
        self.took_over_lease = False
        """The last acquire took the lock from a worker node's holder that did not release it:
        its standby workers may still trust its read lease (read_lease.py)."""

    def __repr__(self) -> str:
        return f"PostgreSQLLock(key={self.key!r}, identity={self.identity!r}, term={self.term})"

    async def try_acquire(self) -> int | None:
        """Take the lock if it is free, expired or its holder's session is gone; the new term.

        On success the storage is fenced with the term before this returns.
        """
        await self._storage.open()
        if self.term is not None:
            return self.term
        if not await self._try_lock():
            # A live session holds it; if its lease ran out, that holder is hung: end it and
            # wait (briefly) for PostgreSQL to release what that session held.
            if await self._execute("evict", {"key": self.key}) is None:
                return None
            for _ in range(_EVICT_POLLS):
                await asyncio.sleep(_EVICT_POLL_INTERVAL)
                if await self._try_lock():
                    break
            else:
                return None
        params = {
            "key": self.key,
            "identity": self.identity,
            "value": self.value,
            "forward": self.forward_addr,
        }
        sent_at = time.monotonic()  # the lease starts on the database after this moment
        row = await self._execute("acquire", {**params, "ttl": self.ttl})
        if row is None:
            await self._execute("unlock", {})
            return None
        self.term = int(row[0])
        self.took_over_lease = bool(row[1])
        self._confirmed_at = sent_at
        self._released.clear()
        self._storage.fence(self.term)
        return self.term

    @property
    def held(self) -> bool:
        """True while the lock is ours *and* the last renewal is recent enough that no other
        node can have taken it: checked on the local monotonic clock, so a node that was
        paused past its lease stops calling itself active the moment it runs again."""
        return self.term is not None and time.monotonic() - self._confirmed_at < self.ttl

    async def hold(self) -> None:
        """Renew the lease until it is lost or the lock released; then return (writes refused).

        A renewal has to be confirmed before the lease could have run out: the deadline is
        counted from when the previous renewal was *sent*, on this node's monotonic clock.
        """
        term = self.term
        if term is None:
            raise RuntimeError("hold() without the lock")
        params = {"key": self.key, "term": term, "ttl": self.ttl}
        try:
            while self.term == term:
                with contextlib.suppress(TimeoutError):  # not wait_for: see core/expiration
                    async with asyncio.timeout(self.renew_interval):
                        await self._released.wait()
                if self.term != term:
                    break
                sent_at = time.monotonic()
                remaining = self.ttl - (sent_at - self._confirmed_at)
                async with asyncio.timeout(max(remaining, 0.0)):
                    row = await self._execute("renew", params)
                if row is None:
                    log.warning("HA lock %s lost: term %d was taken over", self.key, term)
                    self.term = None
                    await self._drop_connection()  # and with it our advisory lock
                    break
                self._confirmed_at = sent_at
        except (TimeoutError, psycopg.Error, OSError) as err:
            # _execute has closed the session already, which marked the lock lost.
            log.warning("HA lock %s lost: renewal failed (%s)", self.key, type(err).__name__)
        finally:
            if self.term == term:
                self.term = None
            self._storage.refuse_writes()

    async def confirm(self) -> bool:
        """One round trip on the lock's own session: True if that session (the one that
        acquired, never a new one) still holds the row's term, so the advisory lock, and with
        it the lock, was still ours once this call began. A failure closes the session (the
        lock is lost)."""
        conn, term = self._conn, self.term
        if term is None or conn is None or conn.closed:
            return False
        try:
            row = await self._execute("confirm", {"key": self.key, "term": term})
        except (psycopg.Error, OSError):
            return False
        return row is not None and self.term == term and self._conn is conn

    async def release(self) -> None:
        """Give the lock up now (step-down, shutdown): a standby may take it at once."""
        term, self.term = self.term, None
        self._storage.refuse_writes()
        self._released.set()
        if term is None:
            return
        with contextlib.suppress(psycopg.Error, OSError):
            await self._execute("release", {"key": self.key, "term": term})
            await self._execute("unlock", {})

    async def holder(self) -> LockHolder | None:
        """The current holder, if the lock is held (by any node).

        Asked over the storage's pool, never over the lock's own session: a failed or
        cancelled lookup there would close the session that holds the advisory lock.
        """
        rows = await self._storage.query(self._sql["holder"], {"key": self.key})
        if not rows:
            return None
        identity, value, term, forward_addr = rows[0]
        return LockHolder(str(identity), str(value), int(term), str(forward_addr))

    async def close(self) -> None:
        """Release the lock if held and close the connection."""
        await self.release()
        await self._drop_connection()

    async def _try_lock(self) -> bool:
        row = await self._execute("try_lock", {"name": f"{self._storage.ha_table}:{self.key}"})
        return bool(row is not None and row[0])

    async def _execute(self, name: str, params: dict[str, object]) -> tuple[Any, ...] | None:
        if self._conn is None or self._conn.closed:
            self._conn = await self._storage.connect()
        try:
            cursor = await self._conn.execute(self._sql[name], params)
            return await cursor.fetchone() if cursor.description else None
        except BaseException:
            await self._drop_connection()
            raise

    async def _drop_connection(self) -> None:
        """Close the lock's session. The advisory lock dies with it, so a lock we held is
        lost this instant (another node may take it at once), not at the next renewal."""
        conn, self._conn = self._conn, None
        if self.term is not None:
            log.warning("HA lock %s lost: its database session closed", self.key)
            self.term = None
            self._storage.refuse_writes()
            self._released.set()
        if conn is not None:
            with contextlib.suppress(psycopg.Error, OSError):
                await conn.close()
