"""The live mount tables: entries, their backends, their storage views, and their persistence.

Mirrors OpenBao's mount.go and auth.go: a secrets engine at ``secret/`` and an auth method at
``auth/userpass/`` are both routes of one Router; each gets a StorageView under its uuid
(``logical/<uuid>/`` or ``auth/<uuid>/``) so no backend can see another's data. Mounting
builds the backend from the Catalog before anything is persisted, and a failed save undoes
the mount, so the table on disk and the routes in memory never disagree.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sealbox.core.config import CoreConfig
from sealbox.core.mounts import AUTH_KEY, MOUNTS_KEY, MountEntry, load_table, save_table
from sealbox.core.plugins import Catalog
from sealbox.core.router import Route, Router
from sealbox.errors import InvalidRequest
from sealbox.framework import Backend, BackendConfig
from sealbox.logical import Storage, StorageView
from sealbox.logical.passwords import PasswordPolicies
from sealbox.logical.storage import list_recursive

# Mounts every initialised server has (OpenBao: cubbyhole/, identity/, sys/; auth token/).
_REQUIRED_MOUNTS = (
    ("cubbyhole/", "cubbyhole", "per-token private secret storage"),
    ("identity/", "identity", "identity store"),
    ("sys/", "system", "system endpoints used for control, policy and debugging"),
)
_REQUIRED_AUTH = (("token/", "token", "token based credentials"),)


def mount_path_of(entry: MountEntry) -> str:
    """Where ``entry`` is routed: ``secret/`` or ``auth/userpass/``."""
    return ("auth/" + entry.path) if entry.table == "auth" else entry.path


class MountTable:
    """Secrets-engine and auth-method mounts over the barrier."""

    def __init__(
        self,
        barrier: Storage,
        catalog: Catalog,
        config: CoreConfig,
        password_policies: PasswordPolicies,
    ) -> None:
        self._barrier = barrier
        self._catalog = catalog
        self._config = config
        self.router = Router()
        self.mounts: list[MountEntry] = []
        self.auths: list[MountEntry] = []
        self._views: dict[str, StorageView] = {}
        # Called with the mount path before a mount leaves it (disable or remount): the core
        # revokes the mount's leases there, as OpenBao does.
        self.before_remove: list[Callable[[str], Awaitable[None]]] = []
        # Handed to every backend in its config.
        self._password_policies = password_policies

    @property
    def catalog(self) -> Catalog:
        """The backend types this table can mount."""
        return self._catalog

    @property
    def config(self) -> CoreConfig:
        """The server-wide defaults (lease TTLs) mounts fall back to."""
        return self._config

    def entries(self, table: str) -> list[MountEntry]:
        """The live entries of ``table`` ("mounts" or "auth")."""
        return self.auths if table == "auth" else self.mounts

    # ---- lifecycle ------------------------------------------------------------------

    async def load(self, *, read_only: bool = False) -> None:
        """Read both tables (creating any missing required mount) and mount them.

        ``read_only`` (an HA standby): mount what is stored and write nothing.
        """
        mounts = await load_table(self._barrier, MOUNTS_KEY)
        auths = await load_table(self._barrier, AUTH_KEY)
        if read_only:
            self.mounts, self.auths = mounts or [], auths or []
            for entry in [*self.mounts, *self.auths]:
                await self._attach(entry)
            return
        # compat: OpenBao adds required mounts a stored table lacks (a server initialised by
        # an older release gets identity/ on its next unseal).
        missing = [
            (p, t, d)
            for p, t, d in _REQUIRED_MOUNTS
            if mounts is None or not any(m.type == t for m in mounts)
        ]
        if mounts is None or missing:
            mounts = [*(mounts or []), *(MountEntry(p, t, d) for p, t, d in missing)]
            await save_table(self._barrier, MOUNTS_KEY, mounts)
        if auths is None:
            auths = [MountEntry(p, t, d, table="auth") for p, t, d in _REQUIRED_AUTH]
            await save_table(self._barrier, AUTH_KEY, auths)
        self.mounts, self.auths = mounts, auths
        for entry in [*mounts, *auths]:
            await self._attach(entry)

    async def unload(self) -> None:
        """Clean up and drop every mounted backend (on seal)."""
        for route in self.router.routes():
            await route.backend.cleanup()
            self.router.unmount(route.mount_path)
        self._views.clear()

    def _backend_config(self, entry: MountEntry, view: StorageView) -> BackendConfig:
        return BackendConfig(
            mount_path=mount_path_of(entry),
            mount_type=entry.type,
            storage=view,
            options=dict(entry.options),
            default_lease_ttl=entry.config.default_lease_ttl or self._config.default_lease_ttl,
            max_lease_ttl=entry.config.max_lease_ttl or self._config.max_lease_ttl,
            password_policies=self._password_policies,
            user_lockout=dict(entry.config.user_lockout_config),
        )

    async def _attach(self, entry: MountEntry) -> Backend:
        view = StorageView(self._barrier, entry.storage_prefix)
        factory = self._catalog.factory(entry.type, entry.table)
        backend = factory(self._backend_config(entry, view))
        await backend.initialize()
        mount_path = mount_path_of(entry)
        self.router.mount(mount_path, entry, backend)
        self._views[mount_path] = view
        return backend

    def invalidate(self, key: str) -> None:
        """Hand a changed storage ``key`` to the backend whose mount stores it (HA standby)."""
        for route in self.router.routes():
            prefix = route.entry.storage_prefix
            if key.startswith(prefix):
                route.backend.invalidate(key[len(prefix) :])
                return

    # ---- lookups --------------------------------------------------------------------

    def view_for(self, route: Route) -> StorageView:
        """The storage view of a mounted route."""
        return self._views[route.mount_path]

    def view_at(self, mount_path: str) -> StorageView | None:
        """The storage view of the mount at exactly ``mount_path``, if mounted."""
        return self._views.get(mount_path)

    def auth_mount_by_accessor(self, accessor: str) -> tuple[str, str] | None:
        """(routed path, type) of the auth mount with ``accessor`` (identity aliases name it)."""
        entry = next((e for e in self.auths if e.accessor == accessor), None)
        return None if entry is None else (mount_path_of(entry), entry.type)

    def find(self, path: str, table: str) -> MountEntry | None:
        """The entry mounted exactly at ``path`` (with or without trailing slash)."""
        path = path.strip("/") + "/"
        return next((e for e in self.entries(table) if e.path == path), None)

    # ---- changes --------------------------------------------------------------------

    async def save(self, table: str) -> None:
        """Persist the secrets-engine or auth table after a change."""
        key = AUTH_KEY if table == "auth" else MOUNTS_KEY
        await save_table(self._barrier, key, self.entries(table))

    async def add(self, entry: MountEntry) -> None:
        """Mount a new backend and persist the table (nothing persisted on failure)."""
        mount_path = mount_path_of(entry)
        if self.router.conflicts(mount_path):
            kind = "auth/" if entry.table == "auth" else ""
            raise InvalidRequest(f"path is already in use at {kind}{entry.path}")
        await self._attach(entry)
        entries = self.entries(entry.table)
        entries.append(entry)
        try:
            await self.save(entry.table)
        except Exception:
            entries.remove(entry)
            self.router.unmount(mount_path)
            self._views.pop(mount_path, None)
            raise

    async def remove(self, entry: MountEntry) -> None:
        """Unmount and delete all of a mount's data (``before_remove`` hooks run first)."""
        mount_path = mount_path_of(entry)
        for hook in self.before_remove:
            await hook(mount_path)
        route = self.router.unmount(mount_path)
        self.entries(entry.table).remove(entry)
        await self.save(entry.table)
        view = self._views.pop(mount_path, None)
        if route is not None:
            await route.backend.cleanup()
        if view is not None:
            for key in await list_recursive(view):
                await view.delete(key)

    async def move(self, entry: MountEntry, new_path: str) -> None:
        """Remount: same uuid (so the data stays), new path."""
        old_mount_path = mount_path_of(entry)
        new_entry_path = new_path.removeprefix("auth/") if entry.table == "auth" else new_path
        probe = ("auth/" + new_entry_path) if entry.table == "auth" else new_entry_path
        if self.router.conflicts(probe):
            raise InvalidRequest(f"path already in use at {new_path}")
        for hook in self.before_remove:
            await hook(old_mount_path)
        route = self.router.unmount(old_mount_path)
        view = self._views.pop(old_mount_path)
        entry.path = new_entry_path
        if route is not None:
            self.router.mount(probe, entry, route.backend)
            route.backend.config.mount_path = probe
        self._views[probe] = view
        await self.save(entry.table)

    async def retune(self, entry: MountEntry) -> None:
        """Persist ``entry``'s changed tunables and hand them to its running backend."""
        await self.save(entry.table)
        route = self.router.get(mount_path_of(entry))
        if route is not None:
            config = route.backend.config
            config.default_lease_ttl = (
                entry.config.default_lease_ttl or self._config.default_lease_ttl
            )
            config.max_lease_ttl = entry.config.max_lease_ttl or self._config.max_lease_ttl
            config.options = dict(entry.options)
            config.user_lockout = dict(entry.config.user_lockout_config)
