"""High availability: which unsealed node is active, and the switch between active and standby.

Mirrors OpenBao's vault/ha.go (runStandby, waitForLeadership, acquireLock, step-down) on our
PostgreSQL lock (storage/pg_lock.py). An unsealed node starts as a standby: its storage refuses
writes, its read cache follows the active's changes (storage/pg_notify.py), and it tries for the
lock every ``retry_interval``. The node that gets it fences its storage with the new term,
forgets its whole read cache (changes may have been missed), and only then runs the Core's
post-unseal setup (mount tables, policies, audit devices, periodic work: lease expiry, token
tidy, rotation), reading the latest state from the shared storage. So the background work of a
dead active resumes on the new one, and every write the old one acknowledged is visible to it.
When the lock is lost (renewal failed, a takeover, ``step_down``) the node tears that setup
down before anything else and becomes a standby again; its storage refuses writes from the
moment the loss is noticed, and the fencing term refuses any that were already in flight.

Never two actives: the lock row admits one holder per term, and a node considers itself active
only between a successful acquire and the first failed renewal, which happens before its lease
could run out on the database's clock.

Standbys that serve reads ("performance standbys", unless ``serve_reads`` is off): once the
listener is connected a standby loads the Core's tables read-only (``Core.serve_reads``,
core/standby.py) and hands every announced key to ``Core.invalidate``. Before it answers a
read, ``read_barrier`` syncs with the change stream (``ChangeListener.sync``: every change the
active acknowledged before the read began has been applied to the caches) and lets the Core
rebuild what changed. The bound is therefore zero staleness for writes acknowledged before the
read was received; a write still in flight when the read arrives may or may not be seen, as
on a single node. When the sync cannot be done (listener down, marker late) the read is
forwarded instead. Whenever the lock's term changes a standby forgets every cached entry, for
an active that died between a commit and its announcement (that write was never
acknowledged). Requests a standby does not answer itself are forwarded to the active
(server/forwarding.py).

Standby workers of the node whose worker is active (``workers = N``: they share an
``ActiveSlot``, storage/read_lease.py) skip the marker: the read barrier reads the slot and
passes at once when its read lease is valid and the listener has applied the active's last
committed announcement (waiting for it when it is still on its way; the marker again when that
fails). For each term and listener connection the first such read syncs with a marker, which
covers whatever earlier terms acknowledged. The bound stays the same: nothing the active
acknowledged before the read began is missed. What that rests on: the active worker renews the
lease with a heartbeat on its lock session (``HEARTBEAT``), ends it (``revoke``) before it
steps down or once it knows it lost the lock, and a node taking the lock over from a worker
node's holder that did not release it waits ``GRACE`` after acquiring before it acknowledges
anything, so a lease it cannot revoke has run out first; clocks are assumed to run at the same
rate within 10 %.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime
from typing import Protocol

import psycopg

from sealbox.storage.cache import CachedStorage
from sealbox.storage.pg_lock import (
    DEFAULT_RENEW_INTERVAL,
    DEFAULT_RETRY_INTERVAL,
    DEFAULT_TTL,
    LockHolder,
    PostgreSQLLock,
)
from sealbox.storage.pg_notify import ChangeListener, SyncUnavailable
from sealbox.storage.postgresql import PostgreSQLStorage, StorageUnavailable
from sealbox.storage.read_lease import GRACE, HEARTBEAT, READ_LEASE, ActiveSlot

log = logging.getLogger("sealbox.ha")

STEP_DOWN_PAUSE = 10.0  # compat: manualStepDownSleepPeriod (vault/ha.go)
_APPLY_WAIT = 0.5  # seconds a standby worker waits for an announcement before sending a marker


class Activatable(Protocol):
    """What the coordinator drives in the Core: the post-unseal setup and its teardown."""

    async def activate(self) -> None:
        """Load tables and start background work (this node is now the active one)."""
        ...

    async def deactivate(self) -> None:
        """Stop background work and unload (this node is no longer active)."""
        ...

    async def serve_reads(self) -> None:
        """Load the tables read-only (a standby that answers reads)."""
        ...

    async def stop_reads(self) -> None:
        """Drop the read-only tables."""
        ...

    @property
    def serving_reads(self) -> bool:
        """Whether the read-only tables are loaded."""
        ...

    def invalidate(self, key: str | None) -> None:
        """The active changed ``key`` (None: possibly anything)."""
        ...

    async def catch_up(self) -> None:
        """Rebuild what the active changed, before a read."""
        ...


class HACoordinator:
    """One node's part in the election, from unseal to seal."""

    def __init__(
        self,
        core: Activatable,
        storage: PostgreSQLStorage,
        cache: CachedStorage | None,
        *,
        identity: str,
        api_addr: str,
        ttl: float | None = None,
        renew_interval: float | None = None,
        retry_interval: float = DEFAULT_RETRY_INTERVAL,
        serve_reads: bool = True,
        forward_addr: str = "",
        active_slot: ActiveSlot | None = None,
    ) -> None:
        self._core = core
        self._slot = active_slot
        storage.active_slot = active_slot
        self._vouched: tuple[int, int] | None = None  # (term, listener epoch) synced once
        self.serve_reads = serve_reads
        self._storage = storage
        self._cache = cache
        if cache is not None:
            cache.invalidate(None)
            cache.passthrough = True  # sealed: nothing keeps a cache current yet
        self.lock = PostgreSQLLock(
            storage,
            identity,
            api_addr,
            ttl=DEFAULT_TTL if ttl is None else ttl,
            renew_interval=DEFAULT_RENEW_INTERVAL if renew_interval is None else renew_interval,
            forward_addr=forward_addr,
        )
        self.api_addr = api_addr
        self._retry = retry_interval
        self._listener = ChangeListener(storage, self._invalidate)
        self._task: asyncio.Task[None] | None = None
        self._pause_until = 0.0
        self._active = False
        self.active_since: datetime | None = None
        self.leader: LockHolder | None = None
        self._seen_term: int | None = None
        self.transitions = 0
        """How often this node became active (a test aid)."""

    @property
    def active(self) -> bool:
        """This node is the active one: set up as such, and its lease not possibly expired."""
        return self._active and self.lock.held

    @property
    def performance_standby(self) -> bool:
        """A standby with its tables loaded, answering reads itself."""
        return (
            self._task is not None
            and not self._active
            and self.serve_reads
            and self._core.serving_reads
        )

    async def read_barrier(self) -> bool:
        """Before a standby answers a read: True once every change the active acknowledged
        before this call is applied here; False when that cannot be done (forward instead)."""
        if not self.performance_standby:
            return False
        try:
            if not await self._caught_up_with_sibling():
                await self._listener.sync()
            await self._core.catch_up()
        except SyncUnavailable:
            return False
        except Exception as err:  # noqa: BLE001 - a failed rebuild means: forward this read
            log.warning("standby catch-up failed (%s)", type(err).__name__)
            return False
        return self.performance_standby

    async def _caught_up_with_sibling(self) -> bool:
        """True once every change the node's active worker acknowledged before this call is
        applied here, learnt from the shared slot; False: sync with a marker instead."""
        slot = self._slot
        if slot is None:
            return False
        state = slot.read()
        listener = self._listener
        if not state.valid() or not listener.connected.is_set():
            return False
        if self._seen_term is not None and state.term < self._seen_term:
            return False  # the lock row names a later holder already: no lease of its
        if self._vouched != (state.term, listener.epoch):
            # Once per term and connection: a marker sent after the slot was read covers
            # everything committed before, earlier terms' announcements included.
            epoch = listener.epoch
            await listener.sync()
            listener.raise_floor(state.term, state.seq, epoch)
            if listener.epoch == epoch:
                self._vouched = (state.term, epoch)
            return True
        if listener.applied(state.term) >= state.seq:
            return True
        return await listener.wait_applied(state.term, state.seq, _APPLY_WAIT)

    async def _heartbeat(self, term: int) -> None:
        """The active worker's read lease for its siblings: renewed after each round trip on
        the lock's session, ended when one fails."""
        slot = self._slot
        if slot is None:
            return
        try:
            while True:
                started = time.monotonic_ns()
                if not await self.lock.confirm() or self.lock.term != term:
                    return
                slot.renew(term, started + int(READ_LEASE * 1e9))
                await asyncio.sleep(HEARTBEAT)
        finally:
            slot.revoke(term)

    @property
    def running(self) -> bool:
        """True between ``start`` (unsealed) and ``stop`` (sealed)."""
        return self._task is not None

    def start(self) -> None:
        """The barrier is unsealed: stand by and compete for the lock."""
        if self._task is None:
            self._storage.refuse_writes()
            if self._cache is not None:
                self._cache.passthrough = False  # the listener's first act is a flush
            self._listener.start()
            self._task = asyncio.create_task(self._run(), name="sealbox-ha")

    async def stop(self) -> None:
        """Sealing or shutting down: give the lock up and stop competing."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._listener.stop()
        if self._active:
            await self._demote()
        await self._core.stop_reads()
        await self.lock.close()
        if self._cache is not None:
            self._cache.invalidate(None)
            self._cache.passthrough = True

    async def step_down(self) -> None:
        """sys/step-down: release the lock and keep out of the election for a while."""
        if not self._active:
            return
        self._pause_until = time.monotonic() + STEP_DOWN_PAUSE
        self._revoke_lease()  # before the lock is free: a successor will not wait for it
        await self.lock.release()  # hold() sees it and the loop demotes this node

    async def current_leader(self) -> LockHolder | None:
        """The active node as the database says now (None: nobody holds the lock)."""
        try:
            self.leader = await self.lock.holder()
        except (psycopg.Error, OSError, StorageUnavailable):
            self.leader = None
        if self.leader is not None:
            if self._seen_term not in (None, self.leader.term):
                self._invalidate(None)  # a new active: what the old one never announced
            self._seen_term = self.leader.term
        return self.leader

    def _invalidate(self, key: str | None) -> None:
        if self._active:
            return
        if self._cache is not None:
            self._cache.invalidate(key)
        self._core.invalidate(key)

    async def _run(self) -> None:
        while True:
            if time.monotonic() >= self._pause_until:
                term = await self._try_acquire()
                if term is not None:
                    await self._serve_as_active(term)
                    continue
            await self.current_leader()
            await self._prepare_reads()
            await asyncio.sleep(self._retry)

    async def _prepare_reads(self) -> None:
        """A standby loads its read-only tables once its listener follows the changes."""
        if not self.serve_reads or self._active or self._core.serving_reads:
            return
        try:
            async with asyncio.timeout(self._retry):
                await self._listener.connected.wait()
            await self._core.serve_reads()
        except TimeoutError:
            return
        except Exception as err:  # noqa: BLE001 - retried on the next round; forwards meanwhile
            log.warning("loading the standby's tables failed (%s)", type(err).__name__)
            with contextlib.suppress(Exception):
                await self._core.stop_reads()
        else:
            log.info("this standby serves reads")

    async def _try_acquire(self) -> int | None:
        try:
            return await self.lock.try_acquire()
        except (psycopg.Error, OSError, StorageUnavailable) as err:
            log.warning("HA lock attempt failed (%s)", type(err).__name__)
            return None

    async def _serve_as_active(self, term: int) -> None:
        await self._listener.stop()
        if self._cache is not None:
            self._cache.invalidate(None)
        acquired_at = time.monotonic()
        self.leader = LockHolder(self.lock.identity, self.api_addr, term, self.lock.forward_addr)
        holding = asyncio.create_task(self.lock.hold())
        heartbeat = asyncio.create_task(self._heartbeat(term))
        try:
            try:
                await self._core.activate()
                if self.lock.took_over_lease:
                    # The previous holder's standby workers may trust its read lease (it
                    # did not release the lock): acknowledge nothing before that ran out.
                    await asyncio.sleep(acquired_at + GRACE - time.monotonic())
            except Exception as err:  # noqa: BLE001 - a failed setup must give the lock back
                log.warning("activation failed (%s); stepping down", type(err).__name__)
                self._revoke_lease()
                await self.lock.release()
            else:
                # Only now: until the tables are loaded, requests get a retryable 503.
                self._active = True
                self.active_since = datetime.now(UTC)
                self.transitions += 1
                log.info("this node is now the active node (term %d)", term)
            await holding
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            if not holding.done():
                holding.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await holding
        await self._demote()

    def _revoke_lease(self) -> None:
        term = self.lock.term
        if self._slot is not None and term is not None:
            self._slot.revoke(term)

    async def _demote(self) -> None:
        self._revoke_lease()
        self._storage.refuse_writes()
        self._active = False
        self.active_since = None
        self.leader = None
        try:
            await self._core.deactivate()
        finally:
            if self._cache is not None:
                self._cache.invalidate(None)
            if self._task is not None:
                self._listener.start()
        log.info("this node is now a standby")
