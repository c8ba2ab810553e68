"""The Core: owns seal state, mounts, tokens, policies and audit, and runs the pipeline.

Lifecycle mirrors OpenBao's core.go: ``initialize`` (seal config, root key, keyring, root
token), ``unseal`` (shares until the threshold, then post-unseal setup: mount tables, policies,
audit devices), ``seal`` (tear down, forget keys). Request handling is in ``pipeline.py``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sealbox.barrier.barrier import Barrier
from sealbox.barrier.seal import UnsealProgress, read_seal_config
from sealbox.barrier.seal import initialize as seal_initialize
from sealbox.core.audit import AuditBroker
from sealbox.core.config import CoreConfig
from sealbox.core.mounts import AUTH_KEY, MOUNTS_KEY, MountEntry, load_table, save_table
from sealbox.core.pipeline import handle_request
from sealbox.core.policy_store import PolicyStore
from sealbox.core.router import Route, Router
from sealbox.core.seal_ops import SealOperations
from sealbox.core.tokens import TokenStore
from sealbox.core.wrapping import Wrapper
from sealbox.errors import InvalidRequest, Sealed
from sealbox.framework import Backend, BackendConfig
from sealbox.logical import Request, Response, Storage, StorageView


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class InitOutput:
    """What ``sys/init`` returns: the unseal key shares and the first root token."""

    keys: list[bytes] = field(repr=False)
    root_token: str = field(repr=False)


# Mounts every initialised server has (OpenBao: cubbyhole/, identity/, sys/; auth token/).
_REQUIRED_MOUNTS = (
    ("cubbyhole/", "cubbyhole", "per-token private secret storage"),
    ("sys/", "system", "system endpoints used for control, policy and debugging"),
)
_REQUIRED_AUTH = (("token/", "token", "token based credentials"),)


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
        self.router = Router()
        self.policies = PolicyStore(StorageView(self.barrier, ""))
        self.tokens = TokenStore(
            StorageView(self.barrier, "sys/token/"),
            clock=clock,
            max_lease_ttl=self.config.max_lease_ttl,
            default_lease_ttl=self.config.default_lease_ttl,
        )
        self.audit = AuditBroker(StorageView(self.barrier, ""), self.config.audit_dirs)
        self.wrapper = Wrapper(self)
        self.seal_ops = SealOperations(self)
        self.tokens.on_revoke.append(self._destroy_cubbyhole)
        self.unseal_progress: UnsealProgress | None = None
        self.cluster_id = ""
        self.mount_entries: list[MountEntry] = []
        self.auth_entries: list[MountEntry] = []
        self._views: dict[str, StorageView] = {}

    # ---- seal lifecycle -------------------------------------------------------------

    @property
    def sealed(self) -> bool:
        """Whether the barrier is sealed."""
        return self.barrier.sealed

    async def initialized(self) -> bool:
        """Whether ``sys/init`` has run against this storage."""
        return await read_seal_config(self.physical) is not None

    async def initialize(
        self, shares: int, threshold: int, root_token_id: str | None = None
    ) -> InitOutput:
        """Create the seal, keyring and first root token (400 when already initialised)."""
        if await self.initialized():
            raise InvalidRequest("Vault is already initialized")
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
        self.barrier.seal()
        await self._teardown()
        return InitOutput(keys=list(result.key_shares), root_token=root_token)

    async def progress(self) -> UnsealProgress:
        """The unseal progress tracker (created lazily from the stored seal config)."""
        if self.unseal_progress is None:
            if await read_seal_config(self.physical) is None:
                raise InvalidRequest("Vault is not initialized")
            self.unseal_progress = UnsealProgress(self.physical, self.barrier)
        return self.unseal_progress

    async def unseal(self, key: bytes) -> bool:
        """Submit one share; True once unsealed."""
        if not self.sealed:
            return True
        progress = await self.progress()
        if await progress.submit(key):
            await self._post_unseal(first_time=False)
            return True
        return False

    async def seal(self) -> None:
        """Forget the keys and drop every mounted backend."""
        if self.sealed:
            return
        await self._teardown()
        self.barrier.seal()
        self.unseal_progress = None

    async def _post_unseal(self, *, first_time: bool) -> None:
        if first_time:
            self.cluster_id = secrets.token_hex(16)
            await self.barrier.put("core/cluster", self.cluster_id.encode())
        else:
            stored = await self.barrier.get("core/cluster")
            self.cluster_id = stored.decode() if stored else ""
        self.tokens.invalidate()
        await self.policies.setup_defaults()
        await self._load_mounts()
        await self.audit.load()

    async def _teardown(self) -> None:
        for route in self.router.routes():
            await route.backend.cleanup()
            self.router.unmount(route.mount_path)
        self._views.clear()
        await self.audit.close()

    async def _destroy_cubbyhole(self, entry: Any) -> None:
        route = self.router.get("cubbyhole/")
        destroy = getattr(route.backend, "destroy", None) if route else None
        if destroy is not None:
            await destroy(entry.cubbyhole_id)

    # ---- mounts ---------------------------------------------------------------------

    async def _load_mounts(self) -> None:
        mounts = await load_table(self.barrier, MOUNTS_KEY)
        auths = await load_table(self.barrier, AUTH_KEY)
        if mounts is None:
            mounts = [MountEntry(p, t, d) for p, t, d in _REQUIRED_MOUNTS]
            await save_table(self.barrier, MOUNTS_KEY, mounts)
        if auths is None:
            auths = [MountEntry(p, t, d, table="auth") for p, t, d in _REQUIRED_AUTH]
            await save_table(self.barrier, AUTH_KEY, auths)
        self.mount_entries, self.auth_entries = mounts, auths
        for entry in mounts:
            await self._attach(entry)
        for entry in auths:
            await self._attach(entry)

    def mount_path_of(self, entry: MountEntry) -> str:
        """Where ``entry`` is routed: ``secret/`` or ``auth/userpass/``."""
        return ("auth/" + entry.path) if entry.table == "auth" else entry.path

    async def _attach(self, entry: MountEntry) -> Backend:
        from sealbox.core.plugins import backend_factory

        view = StorageView(self.barrier, entry.storage_prefix)
        config = BackendConfig(
            mount_path=self.mount_path_of(entry),
            mount_type=entry.type,
            storage=view,
            options=dict(entry.options),
            default_lease_ttl=entry.config.default_lease_ttl or self.config.default_lease_ttl,
            max_lease_ttl=entry.config.max_lease_ttl or self.config.max_lease_ttl,
            system=self,
        )
        backend = backend_factory(entry.type, entry.table)(config)
        await backend.initialize()
        mount_path = self.mount_path_of(entry)
        self.router.mount(mount_path, entry, backend)
        self._views[mount_path] = view
        return backend

    def view_for(self, route: Route) -> StorageView:
        """The storage view of a mounted route."""
        return self._views[route.mount_path]

    async def save_mounts(self, table: str) -> None:
        """Persist the secrets-engine or auth table after a change."""
        if table == "auth":
            await save_table(self.barrier, AUTH_KEY, self.auth_entries)
        else:
            await save_table(self.barrier, MOUNTS_KEY, self.mount_entries)

    async def add_mount(self, entry: MountEntry) -> None:
        """Mount a new backend and persist the table (nothing persisted on failure)."""
        mount_path = self.mount_path_of(entry)
        if self.router.conflicts(mount_path):
            kind = "auth/" if entry.table == "auth" else ""
            raise InvalidRequest(f"path is already in use at {kind}{entry.path}")
        await self._attach(entry)
        entries = self.auth_entries if entry.table == "auth" else self.mount_entries
        entries.append(entry)
        try:
            await self.save_mounts(entry.table)
        except Exception:
            entries.remove(entry)
            self.router.unmount(mount_path)
            raise

    async def remove_mount(self, entry: MountEntry) -> None:
        """Unmount and delete all of a mount's data."""
        from sealbox.logical.storage import list_recursive

        mount_path = self.mount_path_of(entry)
        route = self.router.unmount(mount_path)
        entries = self.auth_entries if entry.table == "auth" else self.mount_entries
        entries.remove(entry)
        await self.save_mounts(entry.table)
        view = self._views.pop(mount_path, None)
        if route is not None:
            await route.backend.cleanup()
        if view is not None:
            for key in await list_recursive(view):
                await view.delete(key)

    async def move_mount(self, entry: MountEntry, new_path: str) -> None:
        """Remount: same uuid (so the data stays), new path."""
        old_mount_path = self.mount_path_of(entry)
        new_entry_path = new_path.removeprefix("auth/") if entry.table == "auth" else new_path
        probe = ("auth/" + new_entry_path) if entry.table == "auth" else new_entry_path
        if self.router.conflicts(probe):
            raise InvalidRequest(f"path already in use at {new_path}")
        route = self.router.unmount(old_mount_path)
        view = self._views.pop(old_mount_path)
        entry.path = new_entry_path
        if route is not None:
            self.router.mount(probe, entry, route.backend)
            route.backend.config.mount_path = probe
        self._views[probe] = view
        await self.save_mounts(entry.table)

    def find_mount(self, path: str, table: str) -> MountEntry | None:
        """The entry mounted exactly at ``path`` (with or without trailing slash)."""
        path = path.strip("/") + "/"
        entries = self.auth_entries if table == "auth" else self.mount_entries
        return next((e for e in entries if e.path == path), None)

    # ---- requests -------------------------------------------------------------------

    async def handle(self, req: Request) -> Response:
        """Run one request through the pipeline."""
        if self.sealed:
            raise Sealed()
        return await handle_request(self, req)

    async def wrap_response(
        self, req: Request, response: Response, ttl: int, path: str
    ) -> Response:
        """Replace ``response`` by a single-use wrapping token (X-Vault-Wrap-TTL)."""
        return await self.wrapper.wrap(req, response, ttl, path)

    def is_sudo(self, req: Request) -> bool:
        """Whether the caller's token carries root (used by the token backend)."""
        return req.sudo
