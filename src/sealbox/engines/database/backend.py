"""The database secrets engine (OpenBao builtin/logical/database), type ``database``.

Paths live in ``paths_config.py`` (connections), ``paths_roles.py`` (dynamic users) and
``paths_static.py`` (static roles). This module holds what they share: the plugin cache,
per-name locks, the lease hooks the expiration manager calls, and the periodic static-role
rotation (every 5 s, like OpenBao's rotation queue tick; a failed rotation is retried 10 s
later, as OpenBao requeues it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from sealbox.engines.database.connections import Connections, plugin_failure
from sealbox.engines.database.credentials import generate_password
from sealbox.engines.database.model import ConnectionConfig, Records, Role, StaticRole
from sealbox.engines.database.paths_config import ConfigPaths
from sealbox.engines.database.paths_roles import RolePaths
from sealbox.engines.database.paths_static import StaticPaths
from sealbox.engines.database.plugins import PluginError
from sealbox.errors import InternalError, SealboxError
from sealbox.framework import Backend, BackendConfig
from sealbox.logical import Request, Secret

log = logging.getLogger("sealbox.engines.database")

_RETRY_FAILED_ROTATION = timedelta(seconds=10)


def _now() -> datetime:
    return datetime.now(UTC)


class DatabaseEngine(Backend):
    """Dynamic and static database credentials."""

    backend_type = "database"
    periodic_interval = 5.0

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        if config.password_policies is None:
            # A mount-time error, never a silent default when a connection names a policy.
            raise InternalError("the database engine needs the server's password policies")
        self._password_policies = config.password_policies
        self.connections = Connections()
        self._locks: dict[str, asyncio.Lock] = {}
        self._retry_at: dict[str, datetime] = {}
        self.paths = [
            *ConfigPaths(self).paths(),
            *RolePaths(self).paths(),
            *StaticPaths(self).paths(),
        ]

    # ---- shared helpers -------------------------------------------------------------

    def records(self, req: Request) -> Records:
        """The mount's records, through the request's storage view."""
        return Records(req.view)

    @contextlib.asynccontextmanager
    async def lock_for(self, key: str) -> AsyncIterator[None]:
        """Serialise work on one config or static role."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            yield

    async def static_role_exists(self, req: Request, name: str) -> bool:
        return await self.records(req).get(StaticRole, name) is not None

    async def dynamic_role_exists(self, req: Request, name: str) -> bool:
        return await self.records(req).get(Role, name) is not None

    async def rotate_static(
        self, records: Records, name: str, role: StaticRole, *, new: bool = False
    ) -> None:
        """Set a new password in the database, then store it, under the role's lock.

        The password is written ahead (``begin_rotation``) so that a retry after a failure
        or a crash sets the same one, and the database and the stored role converge. A new
        role (the import rotation) that fails leaves nothing behind.
        """
        async with self.lock_for(f"static/{name}"):
            config, plugin = await self.connections.get(records, role.db_name)
            if not config.allows(name):
                raise InternalError(f'"{name}" is not an allowed role')
            password = await records.pending_password(name) or await self.new_password(config)
            await records.begin_rotation(name, password)
            try:
                await plugin.set_password(role.rotation_statements, role.username, password)
            except PluginError as err:
                if new:
                    await records.end_rotation(name)
                raise InternalError(f"error setting credentials: {err}") from None
            role.password = password
            role.last_vault_rotation = _now().isoformat()
            await records.put(name, role)
            await records.end_rotation(name)
            self._retry_at.pop(name, None)

    async def new_password(self, config: ConnectionConfig) -> str:
        """A password for a user of ``config``: from its password_policy, else the default."""
        if not config.password_policy:
            return generate_password()
        return await self._password_policies.generate(config.password_policy)

    # ---- lifecycle ------------------------------------------------------------------

    async def cleanup(self) -> None:
        await self.connections.close()

    async def periodic(self) -> None:
        """Rotate every static role that is due (failures retried 10 s later)."""
        records = Records(self.config.storage)
        now = _now()
        unfinished = set(await records.unfinished_rotations())
        for name in await records.names(StaticRole):
            role = await records.get(StaticRole, name)
            due = now if name in unfinished else role.next_rotation() if role else None
            if role is None or due is None or due > now or self._retry_at.get(name, now) > now:
                continue
            try:
                await self.rotate_static(records, name, role)
            except SealboxError as err:
                self._retry_at[name] = now + _RETRY_FAILED_ROTATION
                log.warning("rotation of static role %s failed: %s", name, err.public_message)

    # ---- lease hooks ----------------------------------------------------------------

    async def renew_lease(self, req: Request, secret: Secret) -> Secret:
        """Move the user's expiry to the lease's new end (the role's renew statements)."""
        records = self.records(req)
        data = secret.internal_data
        role = await records.get(Role, str(data.get("role", "")))
        _, plugin = await self.connections.get(records, str(data.get("db_name", "")))
        statements = role.renew_statements if role else []
        try:
            await plugin.renew_user(
                statements, str(data["username"]), _now() + timedelta(seconds=secret.ttl)
            )
        except PluginError as err:
            raise plugin_failure(err) from None
        return secret

    async def revoke_lease(self, req: Request, secret: Secret) -> None:
        """Drop the user with the role's revocation statements (or the plugin's default)."""
        records = self.records(req)
        data = secret.internal_data
        role = await records.get(Role, str(data.get("role", "")))
        statements = role.revocation_statements if role else data.get("revocation_statements", [])
        if await records.get(ConnectionConfig, str(data.get("db_name", ""))) is None:
            raise InternalError(
                f'failed to find entry for connection with name: "{data.get("db_name")}"'
            )
        _, plugin = await self.connections.get(records, str(data.get("db_name", "")))
        try:
            await plugin.delete_user(list(statements), str(data["username"]))
        except PluginError as err:
            raise plugin_failure(err) from None


def database_factory(config: BackendConfig) -> Backend:
    """A database engine for one mount."""
    return DatabaseEngine(config)


__all__ = ["DatabaseEngine", "database_factory"]
