"""``roles/<name>`` and ``creds/<name>``: dynamic users (path_roles.go, path_creds_create.go).

``creds`` creates a user with the role's creation statements and returns it with a lease;
the expiration manager later calls the engine's ``revoke_lease`` (drop the user) or
``renew_lease`` (move ``VALID UNTIL``). The TTL is the role's ``default_ttl`` (else the
mount's), capped by the role's ``max_ttl`` (else the mount's); the user's expiry in the
database is the lease's. A failed creation returns a 500 with the database's message and
registers nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sealbox.engines.database import username_template
from sealbox.engines.database.connections import plugin_failure
from sealbox.engines.database.model import Role
from sealbox.engines.database.plugins import PluginError
from sealbox.errors import InternalError, InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import segment
from sealbox.logical import Operation, Request, Response, Secret

if TYPE_CHECKING:
    from sealbox.engines.database.backend import DatabaseEngine

_NAME = {"name": FieldSchema(FieldType.STRING, "Name of the role.")}
_STATEMENTS = (
    "creation_statements",
    "revocation_statements",
    "rollback_statements",
    "renew_statements",
)
_FIELDS = {
    **_NAME,
    "db_name": FieldSchema(FieldType.STRING, "Connection this role uses."),
    **{
        key: FieldSchema(FieldType.STRING_LIST, f"{key.split('_')[0].title()} statements.")
        for key in _STATEMENTS
    },
    "default_ttl": FieldSchema(FieldType.DURATION, "Default lease TTL."),
    "max_ttl": FieldSchema(FieldType.DURATION, "Maximum lease TTL."),
    "credential_type": FieldSchema(FieldType.STRING, "Only password is supported."),
}


class RolePaths:
    """Handlers of roles and creds."""

    def __init__(self, engine: DatabaseEngine) -> None:
        self._engine = engine

    def paths(self) -> list[Path]:
        return [
            Path("roles/?", {}, {Operation.LIST: self.list_roles}, synopsis="List roles."),
            Path(
                f"roles/{segment('name')}",
                _FIELDS,
                {
                    Operation.READ: self.read_role,
                    Operation.UPDATE: self.write_role,
                    Operation.DELETE: self.delete_role,
                },
                synopsis="Manage the roles that can create dynamic users.",
            ),
            Path(
                f"creds/{segment('name')}",
                _NAME,
                {Operation.READ: self.create_creds},
                synopsis="Request a new database user for a role.",
            ),
        ]

    async def list_roles(self, req: Request, d: FieldData) -> Response:
        """LIST /:mount/roles."""
        del d
        return Response(data={"keys": await self._engine.records(req).names(Role)})

    async def read_role(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/roles/:name."""
        role = await self._engine.records(req).get(Role, d.get("name"))
        return None if role is None else Response(data=role.to_wire())

    async def write_role(self, req: Request, d: FieldData) -> Response | None:
        """POST /:mount/roles/:name: only the supplied fields change."""
        name: str = d.get("name")
        records = self._engine.records(req)
        if await self._engine.static_role_exists(req, name):
            raise InvalidRequest("Role and Static Role names must be unique")
        role = await records.get(Role, name)
        if role is None:
            if not d.get("db_name"):
                raise InvalidRequest("empty database name attribute")
            role = Role(db_name=d.get("db_name"))
        credential_type = d.get("credential_type")
        if credential_type not in ("", "password"):
            raise InvalidRequest(f"credential_type {credential_type!r} is not supported")
        for key in ("db_name", *_STATEMENTS, "default_ttl", "max_ttl"):
            value, given = d.get_ok(key)
            if given:
                setattr(role, key, value)
        if role.max_ttl and role.default_ttl > role.max_ttl:
            raise InvalidRequest("ttl cannot be greater than max_ttl")
        await records.put(name, role)
        return None

    async def delete_role(self, req: Request, d: FieldData) -> Response | None:
        """DELETE /:mount/roles/:name (users already issued stay until their lease ends)."""
        await self._engine.records(req).delete(Role, d.get("name"))
        return None

    async def create_creds(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/creds/:name: a new user and password, with a lease."""
        name: str = d.get("name")
        records = self._engine.records(req)
        role = await records.get(Role, name)
        if role is None:
            raise InvalidRequest(f"unknown role: {name}")
        config, plugin = await self._engine.connections.get(records, role.db_name)
        if not config.allows(name):
            raise InternalError(f'"{name}" is not an allowed role')
        mount = self._engine.config
        max_ttl = role.max_ttl or mount.max_lease_ttl
        ttl = role.default_ttl or mount.default_lease_ttl
        if max_ttl:
            ttl = min(ttl, max_ttl)
        display = getattr(req.token_entry, "display_name", "") or "token"
        username = username_template.render(
            config.username_template or plugin.default_username_template,
            {"DisplayName": display, "RoleName": name},
        )
        password = await self._engine.new_password(config)
        expiration = datetime.now(UTC) + timedelta(seconds=ttl)
        try:
            await plugin.new_user(
                role.creation_statements, role.rollback_statements, username, password, expiration
            )
        except PluginError as err:
            raise plugin_failure(err) from None
        return Response(
            data={"username": username, "password": password},
            secret=Secret(
                ttl=ttl,
                max_ttl=max_ttl,
                renewable=True,
                internal_data={
                    "username": username,
                    "role": name,
                    "db_name": role.db_name,
                    "revocation_statements": list(role.revocation_statements),
                },
            ),
        )
