"""``config/<name>``, ``reset/<name>``, ``rotate-root/<name>`` (path_config_connection.go,
path_rotate_credentials.go).

A config write verifies the connection by default (``verify_connection``) before anything is
stored, so a bad URL is a 400 and leaves no record; plugin-specific keys we do not know are
refused with OpenBao's unknown-parameter warning by the framework. ``rotate-root`` changes
the connection user's password to a generated one that only the engine knows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.engines.database import username_template
from sealbox.engines.database.connections import build_plugin, plugin_failure
from sealbox.engines.database.model import ConnectionConfig, Records
from sealbox.engines.database.plugins import PluginError
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import segment
from sealbox.logical import Operation, Request, Response

if TYPE_CHECKING:
    from sealbox.engines.database.backend import DatabaseEngine

_NAME = {"name": FieldSchema(FieldType.STRING, "Name of this database connection.")}
_FIELDS = {
    **_NAME,
    "plugin_name": FieldSchema(
        FieldType.STRING, "Database plugin, e.g. postgresql-database-plugin."
    ),
    "plugin_version": FieldSchema(FieldType.STRING, "Plugin version (builtin only)."),
    "verify_connection": FieldSchema(FieldType.BOOL, "Connect before saving.", default=True),
    "allowed_roles": FieldSchema(FieldType.COMMA_STRING_LIST, "Roles allowed to use it; * = all."),
    "root_rotation_statements": FieldSchema(
        FieldType.STRING_LIST, "Statements run by rotate-root."
    ),
    "password_policy": FieldSchema(FieldType.STRING, "Password policy for generated passwords."),
    "username_template": FieldSchema(FieldType.STRING, "Template for generated user names."),
    "connection_url": FieldSchema(FieldType.STRING, "URL with {{username}}/{{password}}."),
    "username": FieldSchema(FieldType.STRING, "User the engine connects as."),
    "password": FieldSchema(FieldType.STRING, "That user's password (never returned)."),
    "max_open_connections": FieldSchema(FieldType.INT, "Connection pool size.", default=4),
    "max_idle_connections": FieldSchema(FieldType.INT, "Accepted for compatibility."),
    "max_connection_lifetime": FieldSchema(FieldType.DURATION, "Accepted for compatibility."),
    "disable_escaping": FieldSchema(FieldType.BOOL, "Do not URL-escape the credentials."),
}


class ConfigPaths:
    """Handlers of the connection paths."""

    def __init__(self, engine: DatabaseEngine) -> None:
        self._engine = engine

    def paths(self) -> list[Path]:
        return [
            Path(
                "config/?",
                {},
                {Operation.LIST: self.list_configs},
                synopsis="List configured database connections.",
            ),
            Path(
                f"config/{segment('name')}",
                _FIELDS,
                {
                    Operation.READ: self.read_config,
                    Operation.UPDATE: self.write_config,
                    Operation.DELETE: self.delete_config,
                },
                synopsis="Configure a connection to a database.",
            ),
            Path(
                f"reset/{segment('name')}",
                _NAME,
                {Operation.UPDATE: self.reset},
                synopsis="Close and reopen the connection.",
            ),
            Path(
                f"rotate-root/{segment('name')}",
                _NAME,
                {Operation.UPDATE: self.rotate_root},
                synopsis="Rotate the connection user's password.",
            ),
        ]

    async def list_configs(self, req: Request, d: FieldData) -> Response:
        """LIST /:mount/config."""
        del d
        return Response(data={"keys": await Records(req.view).names(ConnectionConfig)})

    async def read_config(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/config/:name (no password)."""
        config = await Records(req.view).get(ConnectionConfig, d.get("name"))
        return None if config is None else Response(data=config.to_wire())

    async def write_config(self, req: Request, d: FieldData) -> Response | None:
        """POST /:mount/config/:name: verify (by default), then store."""
        name: str = d.get("name")
        records = Records(req.view)
        current = await records.get(ConnectionConfig, name)
        plugin_name = d.get("plugin_name") or (current.plugin_name if current else "")
        if not plugin_name:
            raise InvalidRequest("plugin_name must be specified")
        config = current or ConnectionConfig(plugin_name=plugin_name)
        config.plugin_name = plugin_name
        for key in (
            "connection_url",
            "username",
            "password",
            "allowed_roles",
            "root_rotation_statements",
            "password_policy",
            "username_template",
            "max_open_connections",
            "disable_escaping",
            "plugin_version",
        ):
            value, given = d.get_ok(key)
            if given:
                setattr(config, key, value)
        if config.username_template:
            try:
                username_template.check(config.username_template)
            except InvalidRequest as err:
                raise InvalidRequest(
                    f"error creating database object: invalid username template: {err}"
                ) from None
        plugin = build_plugin(config)
        try:
            if d.get("verify_connection"):
                await plugin.verify()
        except PluginError as err:
            raise InvalidRequest(f"error creating database object: {err}") from None
        finally:
            await plugin.close()
        await records.put(name, config)
        await self._engine.connections.drop(name)
        return None

    async def delete_config(self, req: Request, d: FieldData) -> Response | None:
        """DELETE /:mount/config/:name."""
        name: str = d.get("name")
        await Records(req.view).delete(ConnectionConfig, name)
        await self._engine.connections.drop(name)
        return None

    async def reset(self, req: Request, d: FieldData) -> Response | None:
        """POST /:mount/reset/:name: drop the cached connection; reconnect on next use."""
        name: str = d.get("name")
        if await Records(req.view).get(ConnectionConfig, name) is None:
            raise InvalidRequest(f'failed to find entry for connection with name: "{name}"')
        await self._engine.connections.drop(name)
        return None

    async def rotate_root(self, req: Request, d: FieldData) -> Response | None:
        """POST /:mount/rotate-root/:name: a new admin password, known only to the engine."""
        name: str = d.get("name")
        records = Records(req.view)
        async with self._engine.lock_for(f"config/{name}"):
            config, plugin = await self._engine.connections.get(records, name)
            if not config.username:
                raise InvalidRequest(
                    "unable to rotate root credentials: no username in configuration"
                )
            password = await self._engine.new_password(config)
            try:
                await plugin.set_password(
                    config.root_rotation_statements, config.username, password
                )
            except PluginError as err:
                raise plugin_failure(err) from None
            config.password = password
            await records.put(name, config)
            await self._engine.connections.drop(name)
        return None
