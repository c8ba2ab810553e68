"""The expiration manager: every lease a response carries is registered, renewed, revoked.

Mirrors OpenBao's internal/vault/expiration.go in far fewer lines:

* ``register`` runs in the pipeline after the backend answered: a response with a
  ``Secret`` gets a lease id ``<mount><request path>/<random>``, its TTL capped by the
  secret's and the mount's max TTL, and a stored entry (through the barrier, so it survives
  restarts and seal/unseal). kv mounts only hint a TTL and register nothing, as OpenBao's.
  A response carrying a token (a login) schedules a check of that token at its expiry.
* A background task sleeps until the next lease or token is due. An expired lease is revoked
  through the issuing backend's ``revoke_lease``; an expired token is revoked through the
  token store, whose revoke hook revokes the token's leases (children first, as the token
  store orders them). On start every stored lease is rescheduled, so those that expired while
  the server was down are revoked at once.
* A failed revocation is never dropped: the entry records the attempt count and the error,
  and is retried with doubling back-off (``sys/leases/lookup`` shows both). Only
  ``revoke-force`` deletes a lease whose backend cannot revoke it.
* ``renew`` grants the increment (default: the lease's TTL) capped so the lease never outlives
  ``issue_time + max_ttl``, then lets the backend apply it (``renew_lease``).

The manager sees the Core only through three narrow things: its storage view, a function that
routes a lease path to its backend, and the token store's lookup/revoke hook.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sealbox.core.leases.entry import (
    LeaseEntry,
    check_lease_id,
    check_prefix,
    new_lease_id,
)
from sealbox.core.leases.locks import KeyedLocks
from sealbox.core.leases.schedule import Schedule
from sealbox.core.leases.store import LeaseStore
from sealbox.core.leases.target import (
    LeaseRouter,
    LeaseTarget,
    TokenLookup,
    TokenRecord,
    lease_request,
)
from sealbox.errors import InvalidRequest, SealboxError, Sealed, UnsupportedOperation
from sealbox.logical import Operation, Request, Response, Secret, Storage

log = logging.getLogger("sealbox.expiration")

# compat: OpenBao's kv ("generic") mounts return a TTL hint but never register a lease
# (request_handling.go: registerLease = false for kv and generic).
_NO_LEASE_TYPES = frozenset({"kv", "generic"})
_CONCURRENT_REVOCATIONS = 8
_MAX_SLEEP = 30.0


def _describe(err: BaseException) -> str:
    """An error as a lease may show it: a SealboxError's public message, else only its type."""
    if isinstance(err, SealboxError):
        return err.public_message or type(err).__name__
    return type(err).__name__


class ExpirationManager:
    """Leases of one server."""

    def __init__(
        self,
        storage: Storage,
        route: LeaseRouter,
        tokens: TokenLookup,
        clock: Callable[[], datetime],
        *,
        retry_base: float = 1.0,
        retry_cap: float = 120.0,
    ) -> None:
        self._store = LeaseStore(storage)
        self._route = route
        self._tokens = tokens
        self._clock = clock
        self._retry_base, self._retry_cap = retry_base, retry_cap
        self._schedule = Schedule()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._workers: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(_CONCURRENT_REVOCATIONS)
        self._locks = KeyedLocks()
        # Leases whose revocation was asked for (sync=false) before their expiry.
        self._requested: set[str] = set()

    # ---- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        """Begin expiring (after unseal): restore the schedule in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="sealbox-expiration")

    async def stop(self) -> None:
        """Stop every background task (before seal); stored leases stay for the next start."""
        tasks = [t for t in (self._task, *self._workers) if t is not None]
        self._task = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers.clear()
        self._schedule.clear()
        self._requested.clear()

    # ---- registration ---------------------------------------------------------------

    async def register(self, req: Request, response: Response) -> None:
        """Give ``response.secret`` a lease (``req`` is the routed request); schedule tokens."""
        secret = response.secret
        if secret is not None and not secret.lease_id and req.mount_type not in _NO_LEASE_TYPES:
            await self._register_secret(req, secret)
        auth = response.auth
        if auth is not None and auth.client_token and auth.lease_duration > 0:
            token_hash = await self._tokens.hash_token(auth.client_token)
            self._alarm(
                f"token:{token_hash}", self._clock() + timedelta(seconds=auth.lease_duration)
            )

    async def _register_secret(self, req: Request, secret: Secret) -> None:
        target = self._route(req.mount_point + req.path)
        mount_max = target.backend.config.max_lease_ttl if target else 0
        max_ttl = (
            min(v for v in (secret.max_ttl, mount_max) if v > 0)
            if (secret.max_ttl or mount_max)
            else 0
        )
        ttl = min(secret.ttl, max_ttl) if max_ttl else secret.ttl
        now = self._clock()
        token = req.token_entry
        entry = LeaseEntry(
            lease_id=new_lease_id(req.mount_point + req.path),
            path=(req.mount_point + req.path).rstrip("/"),
            mount_point=req.mount_point,
            token_hash=getattr(token, "id_hash", "") or "",
            issue_time=now,
            expire_time=now + timedelta(seconds=ttl),
            ttl=ttl,
            max_ttl=max_ttl,
            renewable=secret.renewable,
            internal_data=dict(secret.internal_data),
        )
        try:
            await self._store.put(entry, new=True)
        except Exception:
            # compat: OpenBao revokes a secret it could not register, so nothing outlives it
            if target is not None:
                with contextlib.suppress(Exception):
                    await target.backend.revoke_lease(
                        lease_request(target, Operation.DELETE),
                        Secret(entry.lease_id, ttl, secret.renewable, dict(entry.internal_data)),
                    )
            raise
        secret.lease_id, secret.ttl = entry.lease_id, ttl
        self._alarm(f"lease:{entry.lease_id}", entry.expire_time)
        if token is not None and getattr(token, "expire_time", None) is not None:
            self._alarm(f"token:{entry.token_hash}", token.expire_time)

    # ---- lookup, list ---------------------------------------------------------------

    async def lookup(self, lease_id: str) -> dict[str, Any]:
        """``sys/leases/lookup``: 400 ``invalid lease`` when unknown."""
        entry = await self._store.get(check_lease_id(lease_id))
        if entry is None:
            raise InvalidRequest("invalid lease")
        return entry.lookup_wire(self._clock())

    async def list_ids(self, prefix: str) -> list[str]:
        """``LIST sys/leases/lookup/<prefix>``: lease id suffixes and sub-prefixes."""
        prefix = check_prefix(prefix)
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return sorted(await self._store.children(prefix))

    async def failing(self) -> list[LeaseEntry]:
        """Leases whose revocation failed and is being retried (``sys/leases?type=...``)."""
        entries = [await self._store.get(lease_id) for lease_id in await self._store.ids()]
        return [e for e in entries if e is not None and e.revoke_attempts]

    # ---- renew ----------------------------------------------------------------------

    async def renew(self, lease_id: str, increment: int) -> Response:
        """``sys/leases/renew``: extend by ``increment`` (0: the lease's TTL), capped by max_ttl."""
        lease_id = check_lease_id(lease_id)
        async with self._locks.hold(lease_id):
            entry = await self._store.get(lease_id)
            now = self._clock()
            if entry is None or entry.revoke_attempts:
                raise InvalidRequest("lease not found")
            if not entry.renewable:
                raise InvalidRequest("lease is not renewable")
            if now >= entry.expire_time:
                raise InvalidRequest("lease expired")
            granted, warnings = entry.renewal(increment, now)
            target = self._target(entry)
            secret = Secret(entry.lease_id, granted, True, dict(entry.internal_data), entry.max_ttl)
            try:
                renewed = await target.backend.renew_lease(
                    lease_request(target, Operation.UPDATE), secret
                )
            except UnsupportedOperation as err:
                raise InvalidRequest("lease is not renewable") from err
            granted = min(granted, renewed.ttl) if renewed.ttl > 0 else granted
            entry.internal_data = dict(renewed.internal_data)
            entry.expire_time, entry.last_renewal = now + timedelta(seconds=granted), now
            await self._store.put(entry)
            self._alarm(f"lease:{lease_id}", entry.expire_time)
        return Response(secret=Secret(lease_id, granted, True), warnings=warnings)

    # ---- revoke ---------------------------------------------------------------------

    async def revoke(self, lease_id: str, *, sync: bool = True) -> None:
        """``sys/leases/revoke``: revoke now (sync) or on the background queue."""
        entry = await self._store.get(check_lease_id(lease_id))
        if entry is None:
            return  # compat: revoking an unknown lease is a 204 in OpenBao
        if not sync:
            self._queue(entry.lease_id)
            return
        error = await self._revoke_id(entry.lease_id, force=False)
        if error is not None:
            raise InvalidRequest(f"failed to revoke entry: {error}")

    async def revoke_prefix(self, prefix: str, *, force: bool = False, sync: bool = True) -> None:
        """``revoke-prefix`` / ``revoke-force``: every lease under ``prefix``."""
        prefix = check_prefix(prefix)
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        ids = await self._store.ids(prefix)
        if not sync and not force:
            for lease_id in ids:
                self._queue(lease_id)
            return
        errors = [err for lease_id in ids if (err := await self._revoke_id(lease_id, force=force))]
        if errors:
            raise InvalidRequest(
                f"failed to revoke prefix: {len(errors)} lease(s) failed: {errors[0]}"
            )

    async def revoke_by_token(self, token: TokenRecord) -> None:
        """Token store revoke hook: the token's leases go with it (failures keep retrying)."""
        self._schedule.cancel(f"token:{token.id_hash}")
        for lease_id in await self._store.by_token(token.id_hash):
            await self._revoke_id(lease_id, force=False)

    async def _revoke_id(self, lease_id: str, *, force: bool) -> str | None:
        """One revocation attempt; the error message on failure (the lease is then kept)."""
        async with self._locks.hold(lease_id):
            entry = await self._store.get(lease_id)
            if entry is None:
                return None
            try:
                target = self._target(entry)
                secret = Secret(
                    entry.lease_id, entry.ttl, entry.renewable, dict(entry.internal_data)
                )
                await target.backend.revoke_lease(lease_request(target, Operation.DELETE), secret)
            except Exception as err:  # noqa: BLE001 - any backend failure must keep the lease
                message = _describe(err)
                if not force:
                    await self._failed(entry, message)
                    return message
                log.warning("lease %s force-revoked after error: %s", lease_id, message)
            await self._store.delete(entry)
            self._schedule.cancel(f"lease:{lease_id}")
            return None

    async def _failed(self, entry: LeaseEntry, message: str) -> None:
        entry.failed(message, self._clock(), self._retry_base, self._retry_cap)
        await self._store.put(entry)
        self._alarm(f"lease:{entry.lease_id}", entry.due())
        log.warning(
            "revocation of lease %s failed (attempt %d, retrying): %s",
            entry.lease_id,
            entry.revoke_attempts,
            message,
        )

    # ---- tidy -----------------------------------------------------------------------

    async def tidy(self) -> int:
        """Revoke leases whose token is gone; drop dangling index entries. Returns the count."""
        revoked = 0
        for token_hash in await self._store.tokens():
            alive = await self._tokens.lookup_hash(token_hash) is not None
            for lease_id in await self._store.by_token(token_hash):
                if await self._store.get(lease_id) is None:
                    await self._store.drop_index(token_hash, lease_id)
                elif not alive:
                    revoked += int(await self._revoke_id(lease_id, force=False) is None)
        return revoked

    # ---- background -----------------------------------------------------------------

    def _queue(self, lease_id: str) -> None:
        """Revoke ``lease_id`` in the background as soon as possible (``sync=false``)."""
        self._requested.add(lease_id)
        self._alarm(f"lease:{lease_id}", self._clock())

    def _alarm(self, key: str, due: datetime) -> None:
        if self._task is None:
            return
        self._schedule.set(key, due)
        self._wake.set()

    async def _run(self) -> None:
        try:
            await self._restore()
        except Sealed:
            return  # sealed again before the restore ran (initialise seals right away)
        while True:
            self._wake.clear()
            now = self._clock()
            for key in self._schedule.pop_due(now):
                self._spawn(key)
            upcoming = self._schedule.next_due()
            timeout = _MAX_SLEEP if upcoming is None else (upcoming - now).total_seconds()
            # asyncio.timeout, not wait_for: on 3.11 wait_for loses a cancellation that
            # arrives together with the wake-up, and stop() would then wait forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, min(timeout, _MAX_SLEEP))):
                    await self._wake.wait()

    async def _restore(self) -> None:
        """Reschedule every stored lease; check every token that holds one."""
        tokens: set[str] = set()
        for lease_id in await self._store.ids():
            entry = await self._store.get(lease_id)
            if entry is not None:
                self._schedule.set(f"lease:{lease_id}", entry.due())
                if entry.token_hash:
                    tokens.add(entry.token_hash)
        now = self._clock()
        for token_hash in tokens:
            self._schedule.set(f"token:{token_hash}", now)

    def _spawn(self, key: str) -> None:
        kind, _, name = key.partition(":")
        work = self._expire_lease(name) if kind == "lease" else self._check_token(name)
        task = asyncio.create_task(self._guarded(work))
        self._workers.add(task)
        task.add_done_callback(self._workers.discard)

    async def _guarded(self, work: Awaitable[None]) -> None:
        async with self._slots:
            try:
                await work
            except Exception as err:  # noqa: BLE001 - a background worker must keep running
                log.warning("lease expiry step failed: %s", _describe(err))

    async def _expire_lease(self, lease_id: str) -> None:
        entry = await self._store.get(lease_id)
        if entry is None:
            return
        if entry.due() > self._clock() and lease_id not in self._requested:
            self._alarm(f"lease:{lease_id}", entry.due())
            return
        self._requested.discard(lease_id)
        await self._revoke_id(lease_id, force=False)

    async def _check_token(self, token_hash: str) -> None:
        # An expired token is revoked by the lookup itself, and its revoke hook is ours.
        entry = await self._tokens.lookup_hash(token_hash)
        if entry is None:
            for lease_id in await self._store.by_token(token_hash):
                await self._revoke_id(lease_id, force=False)
        elif entry.expire_time is not None:
            self._alarm(f"token:{token_hash}", entry.expire_time)

    # ---- helpers --------------------------------------------------------------------

    def _target(self, entry: LeaseEntry) -> LeaseTarget:
        target = self._route(entry.path)
        if target is None:
            raise InvalidRequest(f"no secrets engine is mounted at {entry.mount_point}")
        return target
