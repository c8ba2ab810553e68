"""``static-roles``, ``static-creds``, ``rotate-role``: existing users whose password rotates
(path_roles.go static half, path_creds_create.go static-creds, path_rotate_credentials.go).

Creating a static role rotates the password at once (OpenBao's import rotation: the engine
must know it); if that fails nothing is stored. Rotation is serialised per role, and
``static-creds`` reads wait for a rotation in flight, so a reader never sees the old password
after the database has the new one: a client that re-reads after an authentication failure
always gets the working password. The periodic task rotates every role whose
``last_vault_rotation + rotation_period`` has passed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sealbox.engines.database.model import StaticRole
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import segment
from sealbox.logical import Operation, Request, Response

if TYPE_CHECKING:
    from sealbox.engines.database.backend import DatabaseEngine

_MIN_PERIOD = 5
_NAME = {"name": FieldSchema(FieldType.STRING, "Name of the static role.")}
_FIELDS = {
    **_NAME,
    "db_name": FieldSchema(FieldType.STRING, "Connection this role uses."),
    "username": FieldSchema(FieldType.STRING, "Existing database user."),
    "rotation_period": FieldSchema(FieldType.DURATION, "Seconds between rotations (>= 5)."),
    "rotation_schedule": FieldSchema(
        FieldType.STRING, "Cron schedule (refused: use rotation_period)."
    ),
    "rotation_window": FieldSchema(FieldType.DURATION, "Window for scheduled rotation."),
    "rotation_statements": FieldSchema(FieldType.STRING_LIST, "Statements that set the password."),
    "credential_type": FieldSchema(FieldType.STRING, "Only password is supported."),
}


class StaticPaths:
    """Handlers of static roles."""

    def __init__(self, engine: DatabaseEngine) -> None:
        self._engine = engine

    def paths(self) -> list[Path]:
        return [
            Path(
                "static-roles/?",
                {},
                {Operation.LIST: self.list_roles},
                synopsis="List static roles.",
            ),
            Path(
                f"static-roles/{segment('name')}",
                _FIELDS,
                {
                    Operation.READ: self.read_role,
                    Operation.UPDATE: self.write_role,
                    Operation.DELETE: self.delete_role,
                },
                synopsis="Manage roles that rotate an existing user's password.",
            ),
            Path(
                f"static-creds/{segment('name')}",
                _NAME,
                {Operation.READ: self.read_creds},
                synopsis="The current password of a static role.",
            ),
            Path(
                f"rotate-role/{segment('name')}",
                _NAME,
                {Operation.UPDATE: self.rotate_role},
                synopsis="Rotate a static role's password now.",
            ),
        ]

    async def list_roles(self, req: Request, d: FieldData) -> Response:
        """LIST /:mount/static-roles."""
        del d
        return Response(data={"keys": await self._engine.records(req).names(StaticRole)})

    async def read_role(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/static-roles/:name (no password)."""
        role = await self._engine.records(req).get(StaticRole, d.get("name"))
        return None if role is None else Response(data=role.to_wire())

    async def write_role(self, req: Request, d: FieldData) -> Response | None:
        """POST /:mount/static-roles/:name: store and rotate now (nothing stored on failure)."""
        name: str = d.get("name")
        records = self._engine.records(req)
        if await self._engine.dynamic_role_exists(req, name):
            raise InvalidRequest("Role and Static Role names must be unique")
        current = await records.get(StaticRole, name)
        username = d.get("username") or (current.username if current else "")
        db_name = d.get("db_name") or (current.db_name if current else "")
        if not username:
            raise InvalidRequest("username is a required field to create a static account")
        if current is not None and username != current.username:
            raise InvalidRequest("cannot update static account username")
        if not db_name:
            raise InvalidRequest("database name is a required field")
        period, given = d.get_ok("rotation_period")
        if not given and current is None:
            raise InvalidRequest("rotation_period is required to create static accounts")
        period = period if given else current.rotation_period if current else 0
        if d.get("rotation_schedule"):
            # compat: OpenBao requires rotation_period and ignores a schedule; we refuse it
            # rather than silently rotate on another cadence than the one asked for.
            raise InvalidRequest("rotation_schedule is not supported; use rotation_period")
        if period < _MIN_PERIOD:
            raise InvalidRequest(f"rotation_period must be {_MIN_PERIOD} seconds or more")
        statements, given = d.get_ok("rotation_statements")
        role = current or StaticRole(db_name=db_name, username=username, rotation_period=period)
        role.db_name, role.rotation_period = db_name, period
        if given:
            role.rotation_statements = statements
        if current is None:
            await self._engine.rotate_static(records, name, role, new=True)
        else:
            await records.put(name, role)
        return None

    async def delete_role(self, req: Request, d: FieldData) -> Response | None:
        """DELETE /:mount/static-roles/:name (the user keeps its last password)."""
        name: str = d.get("name")
        async with self._engine.lock_for(f"static/{name}"):
            await self._engine.records(req).delete(StaticRole, name)
            await self._engine.records(req).end_rotation(name)
        return None

    async def read_creds(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/static-creds/:name: waits for a rotation in flight."""
        name: str = d.get("name")
        async with self._engine.lock_for(f"static/{name}"):
            role = await self._engine.records(req).get(StaticRole, name)
        if role is None:
            raise InvalidRequest(f"unknown role: {name}")
        due = role.next_rotation()
        ttl = max(0, int((due - datetime.now(UTC)).total_seconds())) if due else 0
        return Response(
            data={
                "last_vault_rotation": role.last_vault_rotation,
                "password": role.password,
                "rotation_period": role.rotation_period,
                "ttl": ttl,
                "username": role.username,
            }
        )

    async def rotate_role(self, req: Request, d: FieldData) -> Response | None:
        """POST /:mount/rotate-role/:name."""
        name: str = d.get("name")
        records = self._engine.records(req)
        role = await records.get(StaticRole, name)
        if role is None:
            raise InvalidRequest("no static role found for role name")
        await self._engine.rotate_static(records, name, role)
        return None
