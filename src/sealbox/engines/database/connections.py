"""Open plugins per connection name, built lazily from the stored config and cached.

A config write, delete, ``reset`` or ``rotate-root`` drops the cached plugin (closing its
connections), so the next use connects with the new settings, as OpenBao's connection cache
does (builtin/logical/database/backend.go ``GetConnection``/``ClearConnection``).
"""

from __future__ import annotations

import asyncio

from sealbox.engines.database.model import ConnectionConfig, Records
from sealbox.engines.database.plugins import (
    ConnectionSettings,
    DatabasePlugin,
    PluginError,
    plugin_factories,
)
from sealbox.errors import InternalError, InvalidRequest


def build_plugin(config: ConnectionConfig) -> DatabasePlugin:
    """A plugin for ``config`` (400 for an unknown plugin_name)."""
    factory = plugin_factories().get(config.plugin_name)
    if factory is None:
        raise InvalidRequest(
            "error creating database object: invalid database version: "
            f"plugin not found in the catalog: {config.plugin_name}"
        )
    return factory(
        ConnectionSettings(
            connection_url=config.connection_url,
            username=config.username,
            password=config.password,
            max_open_connections=config.max_open_connections,
            disable_escaping=config.disable_escaping,
        )
    )


class Connections:
    """The engine's plugin cache."""

    def __init__(self) -> None:
        self._plugins: dict[str, DatabasePlugin] = {}
        self._lock = asyncio.Lock()

    async def get(self, records: Records, name: str) -> tuple[ConnectionConfig, DatabasePlugin]:
        """The config ``name`` and its plugin (500 when the config is gone)."""
        config = await records.get(ConnectionConfig, name)
        if config is None:
            raise InternalError(f'failed to find entry for connection with name: "{name}"')
        plugin = self._plugins.get(name)
        if plugin is None:
            async with self._lock:
                plugin = self._plugins.get(name)
                if plugin is None:
                    plugin = build_plugin(config)
                    self._plugins[name] = plugin
        return config, plugin

    async def drop(self, name: str) -> None:
        """Close and forget the plugin of ``name``."""
        plugin = self._plugins.pop(name, None)
        if plugin is not None:
            await plugin.close()

    async def close(self) -> None:
        """Close every plugin (unmount, seal)."""
        for name in list(self._plugins):
            await self.drop(name)


def plugin_failure(err: PluginError) -> InternalError:
    """A plugin error as the 500 OpenBao answers ("1 error occurred: ..." aside)."""
    return InternalError(str(err))
