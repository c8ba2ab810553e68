"""A standby's read-only copy of the Core's state, so it can answer reads itself (HA).

A performance standby (Vault Enterprise's term; vault/ha.go runs ``perfStandby`` setup)
answers reads with the same mount table, policies, tokens, identity and audit devices as the
active, and forwards everything else. ``ReadReplica`` is that part of the Core on a standby:

- ``load`` mounts the tables read-only: no default policy or missing required mount is
  created (the active did that), and neither the expiration manager nor periodic work runs
  (they write). Backends are built from the Catalog and ``initialize``\\ d as on the active;
  they see only their storage view, which refuses writes on a standby.
- ``invalidate(key)`` is called for every storage key the active announces as changed
  (storage/pg_notify.py; None: anything may have changed). It drops what is cached in memory
  at once (token entries, compiled policies, a backend's own cache through
  ``Backend.invalidate``, e.g. transit's parsed keys) and notes what must be rebuilt (mount
  tables, audit devices, keyring, identity indexes).
- ``catch_up`` rebuilds what was noted. A read waits for it, and for a rebuild already under
  way, so no read is answered from a half-rebuilt table.

The storage-level read cache below the barrier is the coordinator's (core/ha.py); this module
only knows the Core's own keys. Nothing here writes.
"""

from __future__ import annotations

import asyncio
import enum
import logging

from sealbox.barrier.barrier import Barrier
from sealbox.barrier.paths import KEYRING_PATH
from sealbox.core.audit import AUDIT_TABLE_KEY, AuditBroker
from sealbox.core.mount_table import MountTable
from sealbox.core.mounts import AUTH_KEY, MOUNTS_KEY
from sealbox.core.policy_store import PolicyStore
from sealbox.core.tokens import TokenStore

log = logging.getLogger("sealbox.core.standby")

_POLICY_PREFIX = "sys/policy/"
_TOKEN_PREFIX = "sys/token/"
_AUDIT_PREFIX = "audit/"


class _Rebuild(enum.Flag):
    NONE = 0
    KEYRING = enum.auto()
    MOUNTS = enum.auto()
    IDENTITY = enum.auto()
    AUDIT = enum.auto()
    ALL = KEYRING | MOUNTS | IDENTITY | AUDIT


class ReadReplica:
    """The Core's tables on a standby: loaded without writing, rebuilt when the active changes
    them."""

    def __init__(
        self,
        barrier: Barrier,
        mounts: MountTable,
        policies: PolicyStore,
        tokens: TokenStore,
        audit: AuditBroker,
    ) -> None:
        self._barrier = barrier
        self._mounts = mounts
        self._policies = policies
        self._tokens = tokens
        self._audit = audit
        self._pending = _Rebuild.NONE
        self._lock = asyncio.Lock()
        self.loaded = False
        """True while the tables are loaded and this replica may answer reads."""

    async def load(self) -> None:
        """Load everything from storage (a node that just became a standby)."""
        async with self._lock:
            self._pending = _Rebuild.NONE
            self._forget_cached()
            try:
                await self._barrier.reload()
                await self._mounts.load(read_only=True)
                await self._audit.load()
            except BaseException:
                await self._mounts.unload()
                await self._audit.close()
                raise
            self.loaded = True

    async def unload(self) -> None:
        """Drop the tables (the node becomes active, or seals)."""
        async with self._lock:
            self.loaded = False
            self._pending = _Rebuild.NONE
            await self._mounts.unload()
            await self._audit.close()

    def invalidate(self, key: str | None) -> None:
        """The active changed ``key`` (None: possibly anything)."""
        if key is None:
            self._forget_cached()
            self._pending |= _Rebuild.ALL
        elif key.startswith(_TOKEN_PREFIX):
            self._tokens.invalidate_key(key[len(_TOKEN_PREFIX) :])
        elif key.startswith(_POLICY_PREFIX):
            self._policies.invalidate()
        elif key in (MOUNTS_KEY, AUTH_KEY):
            self._pending |= _Rebuild.MOUNTS
        elif key == AUDIT_TABLE_KEY or key.startswith(_AUDIT_PREFIX):
            self._pending |= _Rebuild.AUDIT
        elif key == KEYRING_PATH:
            self._pending |= _Rebuild.KEYRING
        elif self._is_identity(key):
            self._pending |= _Rebuild.IDENTITY
        else:
            self._mounts.invalidate(key)

    async def catch_up(self) -> None:
        """Rebuild whatever the active changed since the last call (or wait for a rebuild
        under way), so the next read sees it."""
        if self._pending is _Rebuild.NONE and not self._lock.locked():
            return
        async with self._lock:
            pending, self._pending = self._pending, _Rebuild.NONE
            if not self.loaded or pending is _Rebuild.NONE:
                return
            try:
                await self._rebuild(pending)
            except Exception:
                # Not trustworthy any more: stop answering reads until loaded again.
                self.loaded = False
                raise

    async def _rebuild(self, pending: _Rebuild) -> None:
        if pending & _Rebuild.KEYRING:
            await self._barrier.reload()
        if pending & _Rebuild.MOUNTS:
            await self._mounts.unload()
            await self._mounts.load(read_only=True)
        elif pending & _Rebuild.IDENTITY:
            await self._reload_identity()
        if pending & _Rebuild.AUDIT:
            await self._audit.load()
        log.debug("standby caught up (%s)", pending)

    def _forget_cached(self) -> None:
        self._tokens.invalidate()
        self._policies.invalidate()

    def _is_identity(self, key: str) -> bool:
        entry = next((e for e in self._mounts.mounts if e.type == "identity"), None)
        return entry is not None and key.startswith(entry.storage_prefix)

    async def _reload_identity(self) -> None:
        for route in self._mounts.router.routes():
            if route.entry.type == "identity":
                await route.backend.initialize()
