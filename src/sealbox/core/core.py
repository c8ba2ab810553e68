"""The Core: assembles the stores, owns the seal state, and runs the pipeline.

Lifecycle mirrors OpenBao's core.go: ``initialize`` (seal config, root key, keyring, root
token), ``unseal`` (shares until the threshold, then post-unseal setup: mount tables, policies,
audit devices, background work), ``seal`` (tear down, forget keys).

This module is the only place that knows every part. It builds each part from the parts it
needs (the mount table from the barrier and the backend catalog, the pipeline from the mount
table and the stores, the sys and token backends from their views); nothing it builds imports
it back. Request handling is in ``pipeline.py``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sealbox.auth.token import TokenAuthMethod, TokenContext
from sealbox.barrier.autounseal import initialize_auto, unseal_auto
from sealbox.barrier.barrier import Barrier
from sealbox.barrier.seal import initialize as seal_initialize
from sealbox.barrier.seal import read_seal_config
from sealbox.barrier.seal_control import (
    Progress,
    check_unseal_request,
    seal_progress,
    status_fields,
)
from sealbox.core.audit import AuditBroker
from sealbox.core.config import CoreConfig
from sealbox.core.expiration import ExpirationManager
from sealbox.core.identity.backend import IdentityBackend, IdentityServices
from sealbox.core.leases.target import router_lookup
from sealbox.core.login import LoginService
from sealbox.core.mount_table import MountTable
from sealbox.core.mounts import MountEntry
from sealbox.core.password_policies import PasswordPolicyStore
from sealbox.core.periodic import PeriodicRunner
from sealbox.core.pipeline import Pipeline
from sealbox.core.plugins import Catalog
from sealbox.core.policy_store import PolicyStore
from sealbox.core.seal_ops import SealOperations
from sealbox.core.standby import ReadReplica
from sealbox.core.system import SystemBackend, SystemView
from sealbox.core.tokens import TokenStore
from sealbox.core.wrapping import Wrapper
from sealbox.errors import InvalidRequest, Sealed
from sealbox.framework import Backend, BackendConfig
from sealbox.logical import Request, Response, Storage, StorageView
from sealbox.logical.tokens import TokenEntry, TokenRevocationListener

if TYPE_CHECKING:  # psycopg is imported only by servers on HA storage
    from sealbox.core.ha import HACoordinator


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class InitOutput:
    """What ``sys/init`` returns: the unseal key shares and the first root token."""

    keys: list[bytes] = field(repr=False)
    root_token: str = field(repr=False)
    # With an auto-unseal seal: the recovery key shares (``keys`` is then empty).
    recovery_keys: list[bytes] = field(default_factory=list, repr=False)


@dataclass(frozen=True, slots=True)
class SealStatus:
    """What ``sys/seal-status`` reports, read while sealed or not.

    Under an auto-unseal seal, ``threshold``/``shares`` are the recovery keys'.
    """

    initialized: bool
    sealed: bool
    threshold: int
    shares: int
    progress: int
    nonce: str
    seal_type: str = "shamir"
    migration: bool = False
    recovery_seal: bool = False


class Core:
    """The heart of the server; every door calls ``handle``."""

    def __init__(
        self,
        physical: Storage,
        config: CoreConfig | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.physical = physical
        self.config = config or CoreConfig()
        self.clock = clock
        self.barrier = Barrier(physical)
        self.policies = PolicyStore(StorageView(self.barrier, ""))
        self.tokens = TokenStore(
            StorageView(self.barrier, "sys/token/"),
            clock=clock,
            max_lease_ttl=self.config.max_lease_ttl,
            default_lease_ttl=self.config.default_lease_ttl,
        )
        self.audit = AuditBroker(StorageView(self.barrier, ""), self.config.audit_dirs)
        catalog = Catalog.with_builtins(
            system=self._system_backend, token=self._token_backend, identity=self._identity_backend
        )
        self.password_policies = PasswordPolicyStore(
            StorageView(self.barrier, "sys/password_policy/")
        )
        self.mounts = MountTable(self.barrier, catalog, self.config, self.password_policies)
        self.expiration = ExpirationManager(
            StorageView(self.barrier, "sys/expire/"),
            router_lookup(self.mounts.router, self.mounts.view_for),
            self.tokens,
            clock,
        )
        self.mounts.before_remove.append(self.expiration.revoke_prefix)
        self.logins = LoginService(self.tokens, self.mounts)
        self.wrapper = Wrapper(self.tokens, self.mounts)
        self.seal_ops = SealOperations(physical, self.tokens, on_rekeyed=self._forget_progress)
        self._pipeline = Pipeline(
            self.mounts,
            self.tokens,
            self.policies,
            self.audit,
            self.wrapper,
            self.expiration,
            self.logins,
        )
        self._periodic = PeriodicRunner(self.mounts.router)
        self.replica = ReadReplica(
            self.barrier, self.mounts, self.policies, self.tokens, self.audit
        )
        """HA standbys: the tables loaded read-only, so reads are answered here."""
        self.tokens.on_revoke.append(self._token_revoked)
        self.tokens.on_revoke.append(self.expiration.revoke_by_token)
        self.unseal_progress: Progress | None = None
        self.cluster_id = ""
        self.ha: HACoordinator | None = None
        """Set by the server for HA storage: then the lock decides when the setup runs."""

    # ---- the backends that see core services ----------------------------------------

    def _system_backend(self, config: BackendConfig) -> Backend:
        view = SystemView(
            mounts=self.mounts,
            policies=self.policies,
            tokens=self.tokens,
            audit=self.audit,
            wrapper=self.wrapper,
            keyring=self.barrier,
            quorum=self.seal_ops,
            sealer=self,
            leases=self.expiration,
            password_policies=self.password_policies,
        )
        return SystemBackend(config, view)

    def _token_backend(self, config: BackendConfig) -> Backend:
        context = TokenContext(store=self.tokens, policies=self.policies, identity=self.logins)
        return TokenAuthMethod(config, context)

    def _identity_backend(self, config: BackendConfig) -> Backend:
        services = IdentityServices(
            self.mounts.auth_mount_by_accessor, lambda: self.config.api_addr
        )
        return IdentityBackend(config, services)

    # ---- seal lifecycle -------------------------------------------------------------

    @property
    def sealed(self) -> bool:
        """Whether the barrier is sealed."""
        return self.barrier.sealed

    async def initialized(self) -> bool:
        """Whether ``sys/init`` has run against this storage."""
        return await read_seal_config(self.physical) is not None

    async def seal_status(self) -> SealStatus:
        """The seal's configuration and the progress of an unseal under way."""
        config = await read_seal_config(self.physical)
        seal = await status_fields(self.physical, self.config.seals)
        progress = self.unseal_progress if self.sealed else None
        given = progress.progress if progress else 0
        return SealStatus(
            initialized=config is not None,
            sealed=self.sealed,
            threshold=seal.threshold,
            shares=seal.shares,
            progress=given,
            nonce=progress.nonce if progress and given else "",
            seal_type=seal.seal_type,
            migration=seal.migration,
            recovery_seal=seal.recovery_seal,
        )

    async def initialize(
        self,
        shares: int,
        threshold: int,
        root_token_id: str | None = None,
        *,
        recovery_shares: int = 0,
        recovery_threshold: int = 0,
    ) -> InitOutput:
        """Create the seal, keyring and first root token (400 when already initialised).

        With an auto-unseal seal the shares are recovery shares and the server stays unsealed.
        """
        if await self.initialized():
            raise InvalidRequest("Vault is already initialized")
        auto = self.config.seals.seal
        if auto is not None:
            result = await initialize_auto(
                self.physical, self.barrier, auto, recovery_shares, recovery_threshold
            )
        else:
            result = await seal_initialize(self.physical, self.barrier, shares, threshold)
        await self.barrier.unseal(result.root_key)
        await self._post_unseal(first_time=True)
        if root_token_id:
            # compat: dev mode's -dev-root-token-id goes through auth/token/create in OpenBao,
            # so lookup-self reports display_name "token" and that path (command/server.go).
            root_token = await self.tokens.create_root_token(
                root_token_id, display_name="token", path="auth/token/create"
            )
        else:
            root_token = await self.tokens.create_root_token(None)
        if auto is not None:
            if self.ha is not None:  # unsealed, but only the lock makes a node active
                await self._teardown()
                self.ha.start()
            return InitOutput([], root_token, recovery_keys=list(result.key_shares))
        self.barrier.seal()
        await self._teardown()
        return InitOutput(keys=list(result.key_shares), root_token=root_token)

    async def progress(self) -> Progress:
        """The unseal (or seal migration) progress tracker, created lazily."""
        if self.unseal_progress is None:
            if await read_seal_config(self.physical) is None:
                raise InvalidRequest("Vault is not initialized")
            self.unseal_progress = await seal_progress(
                self.physical, self.barrier, self.config.seals
            )
        return self.unseal_progress

    def _forget_progress(self) -> None:
        """After a rekey, shares given for an unseal belong to the old key: start over."""
        self.unseal_progress = None

    async def unseal(self, key: bytes, migrate: bool = False) -> bool:
        """Submit one share (with ``migrate`` during a seal migration); True once unsealed."""
        if not self.sealed:
            return True
        progress = await self.progress()
        await check_unseal_request(self.physical, progress, migrate, self.config.seals)
        if await progress.submit(key):
            self.unseal_progress = None
            if self.ha is not None:
                self.ha.start()  # standby first; activate() runs once the lock is ours
            else:
                await self._post_unseal(first_time=False)
            return True
        return False

    async def auto_unseal(self) -> None:
        """Unseal with the configured auto-unseal seal (raises while it is unavailable)."""
        seal = self.config.seals.seal
        if seal is None or not self.sealed:
            return
        await unseal_auto(self.physical, self.barrier, seal)
        if self.ha is not None:
            self.ha.start()  # standby first, as with key shares
        else:
            await self._post_unseal(first_time=False)

    async def seal(self) -> None:
        """Forget the keys and drop every mounted backend."""
        if self.sealed:
            return
        if self.ha is not None:
            await self.ha.stop()  # deactivates if active, releases the lock
        else:
            await self._teardown()
        self.barrier.seal()
        self.unseal_progress = None

    async def activate(self) -> None:
        """HA: this node took the lock; load the latest state and start background work."""
        if self.replica.loaded:
            await self.replica.unload()
        await self.barrier.reload()
        await self._post_unseal(first_time=False)

    async def deactivate(self) -> None:
        """HA: this node lost the lock; stop background work and unload."""
        await self._teardown()

    async def serve_reads(self) -> None:
        """HA standby: load the tables read-only (``replica``), to answer reads here."""
        stored = await self.barrier.get("core/cluster")
        self.cluster_id = stored.decode() if stored else ""
        await self.replica.load()

    async def stop_reads(self) -> None:
        """HA standby: drop the read-only tables (becoming active, or sealing)."""
        if self.replica.loaded:
            await self.replica.unload()

    @property
    def serving_reads(self) -> bool:
        """Whether the read-only tables are loaded (an HA standby that answers reads)."""
        return self.replica.loaded

    def invalidate(self, key: str | None) -> None:
        """HA standby: the active changed storage ``key`` (None: possibly anything)."""
        self.replica.invalidate(key)

    async def catch_up(self) -> None:
        """HA standby: before a read, rebuild what the active changed."""
        await self.replica.catch_up()

    async def _post_unseal(self, *, first_time: bool) -> None:
        if first_time:
            self.cluster_id = secrets.token_hex(16)
            await self.barrier.put("core/cluster", self.cluster_id.encode())
        else:
            stored = await self.barrier.get("core/cluster")
            self.cluster_id = stored.decode() if stored else ""
        self.tokens.invalidate()
        self.policies.invalidate()  # HA: parsed while a standby, possibly before a change
        await self.policies.setup_defaults()
        await self.mounts.load()
        await self.audit.load()
        await self.expiration.start()
        self._periodic.start()

    async def _teardown(self) -> None:
        await self._periodic.stop()
        await self.expiration.stop()
        await self.mounts.unload()
        await self.audit.close()

    async def _token_revoked(self, entry: TokenEntry) -> None:
        for route in self.mounts.router.routes():
            if isinstance(route.backend, TokenRevocationListener):
                await route.backend.token_revoked(entry)

    # ---- mounts ---------------------------------------------------------------------

    async def add_mount(self, entry: MountEntry) -> None:
        """Mount a new backend and persist the table (dev mode's ``secret/``)."""
        await self.mounts.add(entry)

    # ---- requests -------------------------------------------------------------------

    async def handle(self, req: Request) -> Response:
        """Run one request through the pipeline."""
        if self.sealed:
            raise Sealed()
        return await self._pipeline.handle(req)
