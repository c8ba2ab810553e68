"""Database plugins: one module per database behind the small ``DatabasePlugin`` contract.

Mirrors the shape of OpenBao's database plugin interface (sdk/database/dbplugin/v5:
Initialize, NewUser, UpdateUser, DeleteUser, Close) without its gRPC transport: a plugin is a
Python object the engine builds from a connection's settings. ``PLUGINS`` maps Vault's
``plugin_name`` to the factory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class PluginError(Exception):
    """A database refused or could not be reached; ``str`` is safe to show (no secrets)."""


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """What a plugin needs to connect (from ``database/config/<name>``)."""

    connection_url: str
    username: str
    password: str = field(repr=False)
    max_open_connections: int = 4
    disable_escaping: bool = False


class DatabasePlugin(Protocol):
    """Creates, changes and drops database users with the role's statements."""

    @property
    def default_username_template(self) -> str:
        """The ``username_template`` used when the connection sets none."""
        ...

    async def verify(self) -> None:
        """Connect once; raise PluginError when the database cannot be reached."""

    async def new_user(
        self,
        statements: Sequence[str],
        rollback: Sequence[str],
        username: str,
        password: str,
        expiration: datetime,
    ) -> None:
        """Run the creation statements in one transaction (rollback statements on failure)."""

    async def renew_user(
        self, statements: Sequence[str], username: str, expiration: datetime
    ) -> None:
        """Move the user's expiry (``VALID UNTIL``); empty statements: the plugin's default."""

    async def set_password(self, statements: Sequence[str], username: str, password: str) -> None:
        """Change a user's password (static roles, rotate-root)."""

    async def delete_user(self, statements: Sequence[str], username: str) -> None:
        """Drop the user (the default statements revoke its grants first)."""

    async def close(self) -> None:
        """Close every connection."""


PluginFactory = Callable[[ConnectionSettings], DatabasePlugin]


def plugin_factories() -> dict[str, PluginFactory]:
    """Known ``plugin_name`` values (imported lazily: a driver loads only when used)."""
    from sealbox.engines.database.plugins.mysql import MySQLPlugin
    from sealbox.engines.database.plugins.postgresql import PostgreSQLPlugin

    return {"postgresql-database-plugin": PostgreSQLPlugin, "mysql-database-plugin": MySQLPlugin}
