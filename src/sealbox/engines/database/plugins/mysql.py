"""mysql-database-plugin: users and passwords in MySQL or MariaDB through aiomysql.

Behaves like OpenBao's plugins/database/mysql: the connection URL is a Go MySQL driver DSN,
``{{username}}:{{password}}@tcp(host:port)/dbname`` (or ``unix(/path/to.sock)``), with the
credentials filled in; statements are split on ``;`` and filled like the PostgreSQL
plugin's. Defaults, as OpenBao's:

* revocation: ``REVOKE ALL PRIVILEGES, GRANT OPTION FROM '{{name}}'@'%'; DROP USER
  '{{name}}'@'%'`` (skipped when the user is already gone, so a retry succeeds);
* rotation: ``ALTER USER '{{username}}'@'%' IDENTIFIED BY '{{password}}'``;
* renew: nothing (MySQL users do not expire), unless the role has renew statements.

MySQL commits every ``CREATE USER``/``GRANT`` on its own, so a transaction cannot undo a
half-done creation: when a creation statement fails, the role's rollback statements run,
or else the default revocation, so no half-created user is left behind. Statements that
change users run one at a time per connection configuration, as OpenBao's plugin locks.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import aiomysql
import pymysql

from sealbox.engines.database.plugins import ConnectionSettings, PluginError
from sealbox.engines.database.plugins.statements import fill, redact, split_statements

_CONNECT_TIMEOUT = 5
_DSN = re.compile(
    r"^(?P<user>[^:@]*)(?::(?P<password>.*))?@(?P<net>tcp|unix)\((?P<addr>[^)]*)\)/"
    r"(?P<db>[^?]*)(?:\?(?P<params>.*))?$",
    re.DOTALL,
)
_DEFAULT_REVOCATION = (
    "REVOKE ALL PRIVILEGES, GRANT OPTION FROM '{{name}}'@'%'; DROP USER '{{name}}'@'%'",
)


def parse_dsn(dsn: str) -> dict[str, Any]:
    """aiomysql connect arguments from a Go MySQL DSN (ValueError when it is not one)."""
    match = _DSN.match(dsn)
    if match is None:
        raise ValueError("connection_url is not a MySQL DSN (user:password@tcp(host:port)/db)")
    args: dict[str, Any] = {
        "user": match.group("user"),
        "password": match.group("password") or "",
        "db": match.group("db") or None,
    }
    if match.group("net") == "unix":
        args["unix_socket"] = match.group("addr")
    else:
        host, _, port = match.group("addr").rpartition(":")
        args["host"], args["port"] = (host or "127.0.0.1"), int(port or 3306)
    return args


class MySQLPlugin:
    """One MySQL/MariaDB connection configuration."""

    # compat: the mysql plugin's DefaultUserNameTemplate (32: MySQL's user name limit)
    default_username_template = (
        '{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 10) (.RoleName | truncate 10) '
        "(random 20) (unix_time) | truncate 32 }}"
    )
    default_rotation = ("ALTER USER '{{username}}'@'%' IDENTIFIED BY '{{password}}'",)

    def __init__(self, settings: ConnectionSettings) -> None:
        self._settings = settings
        self._idle: list[aiomysql.Connection] = []
        self._slots = asyncio.Semaphore(max(1, settings.max_open_connections))
        self._serial = asyncio.Lock()
        self._closed = False

    def _redact(self, message: str, *secrets: str) -> str:
        return redact(message, self._settings.password, *secrets)

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[aiomysql.Connection]:
        async with self._slots:
            conn = self._idle.pop() if self._idle else None
            if conn is None or conn.closed:
                s = self._settings
                try:
                    dsn = fill(s.connection_url, {"username": s.username, "password": s.password})
                    conn = await aiomysql.connect(
                        **parse_dsn(dsn), autocommit=False, connect_timeout=_CONNECT_TIMEOUT
                    )
                except (pymysql.err.MySQLError, OSError, ValueError) as err:
                    raise PluginError("error verifying - ping: " + self._redact(str(err))) from None
            try:
                yield conn
            except (pymysql.err.OperationalError, OSError):
                conn.close()
                raise
            else:
                if self._closed:
                    conn.close()
                else:
                    self._idle.append(conn)

    async def _run(self, statements: Sequence[str], values: dict[str, str]) -> None:
        try:
            async with self._serial, self._connection() as conn:
                try:
                    async with conn.cursor() as cur:
                        for statement in split_statements(statements):
                            await cur.execute(fill(statement, values))
                    await conn.commit()
                except BaseException:
                    await conn.rollback()
                    raise
        except pymysql.err.MySQLError as err:
            raise PluginError(
                "failed to execute query: " + self._redact(str(err), values.get("password", ""))
            ) from None

    async def _exists(self, username: str) -> bool:
        try:
            async with self._connection() as conn, conn.cursor() as cur:
                await cur.execute("SELECT 1 FROM mysql.user WHERE User = %s", (username,))
                found = await cur.fetchone() is not None
                await conn.commit()
                return found
        except pymysql.err.MySQLError as err:
            raise PluginError("failed to execute query: " + self._redact(str(err))) from None

    async def verify(self) -> None:
        await self._run(["SELECT 1"], {})

    async def new_user(
        self,
        statements: Sequence[str],
        rollback: Sequence[str],
        username: str,
        password: str,
        expiration: datetime,
    ) -> None:
        if not split_statements(statements):
            raise PluginError("no creation statements were provided")
        values = {
            "name": username,
            "username": username,
            "password": password,
            "expiration": expiration.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        }
        try:
            await self._run(statements, values)
        except PluginError:
            with contextlib.suppress(PluginError):
                if split_statements(rollback):
                    await self._run(rollback, values)
                elif await self._exists(username):
                    await self._run(_DEFAULT_REVOCATION, values)
            raise

    async def renew_user(
        self, statements: Sequence[str], username: str, expiration: datetime
    ) -> None:
        if split_statements(statements):
            expires = expiration.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            await self._run(
                statements, {"name": username, "username": username, "expiration": expires}
            )

    async def set_password(self, statements: Sequence[str], username: str, password: str) -> None:
        values = {"name": username, "username": username, "password": password}
        await self._run(statements or self.default_rotation, values)

    async def delete_user(self, statements: Sequence[str], username: str) -> None:
        values = {"name": username, "username": username}
        if split_statements(statements):
            await self._run(statements, values)
        elif await self._exists(username):
            await self._run(_DEFAULT_REVOCATION, values)

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
