"""postgresql-database-plugin: users and passwords in PostgreSQL through psycopg 3.

Behaves like OpenBao's plugins/database/postgresql: ``{{username}}``/``{{password}}`` in the
connection URL are replaced (URL-escaped unless ``disable_escaping``), statements are split
on ``;`` and run in one transaction with ``{{name}}``/``{{username}}``, ``{{password}}`` and
``{{expiration}}`` filled in, and the default statements are:

* renew: ``ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}';``
* rotation (static roles, rotate-root): ``ALTER ROLE "{{name}}" WITH PASSWORD '{{password}}';``
* revocation: revoke the user's privileges in every schema and on the database, then
  ``DROP ROLE IF EXISTS`` (a bare DROP ROLE fails while grants remain; this one does not).

Connections come from a small pool (``max_open_connections``, default 4), but statements
that change users run one at a time per connection configuration, as OpenBao's plugin holds
its lock in NewUser/UpdateUser/DeleteUser: concurrent ``GRANT``s on the same table otherwise
fail in PostgreSQL with "tuple concurrently updated". Error messages are the server's, with
the passwords involved replaced by ``[password]``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from urllib.parse import quote

import psycopg
from psycopg import sql

from sealbox.engines.database.plugins import ConnectionSettings, PluginError
from sealbox.engines.database.plugins.statements import fill, redact, split_statements

_CONNECT_TIMEOUT = 5


def pg_time(moment: datetime) -> str:
    """The expiration as OpenBao writes it for PostgreSQL ("2006-01-02 15:04:05-0700")."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S+0000")


class PostgreSQLPlugin:
    """One database connection configuration."""

    # compat: the postgresql plugin's DefaultUserNameTemplate (63: PostgreSQL's name limit)
    default_username_template = (
        '{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 8) (.RoleName | truncate 8) '
        "(random 20) (unix_time) | truncate 63 }}"
    )

    default_renew = ("ALTER ROLE \"{{name}}\" VALID UNTIL '{{expiration}}';",)
    default_rotation = ("ALTER ROLE \"{{name}}\" WITH PASSWORD '{{password}}';",)

    def __init__(self, settings: ConnectionSettings) -> None:
        self._settings = settings
        self._idle: list[psycopg.AsyncConnection[tuple[object, ...]]] = []
        self._slots = asyncio.Semaphore(max(1, settings.max_open_connections))
        self._closed = False
        self._serial = asyncio.Lock()

    def _conninfo(self) -> str:
        s = self._settings
        escape = (lambda v: v) if s.disable_escaping else (lambda v: quote(v, safe=""))
        return fill(
            s.connection_url, {"username": escape(s.username), "password": escape(s.password)}
        )

    def _redact(self, message: str, *secrets: str) -> str:
        return redact(message, self._settings.password, *secrets)

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[psycopg.AsyncConnection[tuple[object, ...]]]:
        async with self._slots:
            conn = self._idle.pop() if self._idle else None
            if conn is None or conn.closed:
                try:
                    conn = await psycopg.AsyncConnection.connect(
                        self._conninfo(), connect_timeout=_CONNECT_TIMEOUT, autocommit=True
                    )
                except (psycopg.Error, ValueError) as err:
                    raise PluginError(
                        "error verifying connection: " + self._redact(str(err))
                    ) from None
            try:
                yield conn
            except psycopg.OperationalError:
                await conn.close()
                raise
            else:
                if self._closed or conn.broken:
                    await conn.close()
                else:
                    self._idle.append(conn)

    async def _run(self, statements: Sequence[str], values: dict[str, str]) -> None:
        """Run statements in one transaction; errors become PluginError (redacted).

        The statements go as one simple-protocol query (no parameters), which PostgreSQL runs
        as a single implicit transaction: all or nothing, in one round trip.
        """
        query = ";\n".join(fill(statement, values) for statement in split_statements(statements))
        try:
            async with self._serial, self._connection() as conn:
                await conn.execute(query.encode())
        except psycopg.Error as err:
            raise PluginError(
                "failed to execute query: " + self._redact(str(err), values.get("password", ""))
            ) from None

    async def verify(self) -> None:
        async with self._connection() as conn:
            try:
                await conn.execute(b"SELECT 1")
            except psycopg.Error as err:
                raise PluginError("error verifying connection: " + self._redact(str(err))) from None

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
            "expiration": pg_time(expiration),
        }
        try:
            await self._run(statements, values)
        except PluginError:
            if split_statements(rollback):
                with contextlib.suppress(PluginError):
                    await self._run(rollback, values)
            raise

    async def renew_user(
        self, statements: Sequence[str], username: str, expiration: datetime
    ) -> None:
        values = {"name": username, "username": username, "expiration": pg_time(expiration)}
        await self._run(statements or self.default_renew, values)

    async def set_password(self, statements: Sequence[str], username: str, password: str) -> None:
        values = {"name": username, "username": username, "password": password}
        await self._run(statements or self.default_rotation, values)

    async def delete_user(self, statements: Sequence[str], username: str) -> None:
        if split_statements(statements):
            await self._run(statements, {"name": username, "username": username})
            return
        await self._default_revoke(username)

    async def _default_revoke(self, username: str) -> None:
        """Revoke every privilege the user holds, then drop it (if it still exists)."""
        role = sql.Identifier(username)
        try:
            async with (
                self._serial,
                self._connection() as conn,
                conn.transaction(),
                conn.cursor() as cur,
            ):
                await cur.execute(b"SELECT 1 FROM pg_roles WHERE rolname = %s", (username,))
                if await cur.fetchone() is None:
                    return
                await cur.execute(
                    b"SELECT DISTINCT table_schema FROM information_schema.role_column_grants"
                    b" WHERE grantee = %s UNION SELECT DISTINCT table_schema FROM"
                    b" information_schema.role_table_grants WHERE grantee = %s",
                    (username, username),
                )
                schemas = [str(row[0]) for row in await cur.fetchall()]
                for schema in schemas:
                    name = sql.Identifier(schema)
                    for kind in ("TABLES", "SEQUENCES", "FUNCTIONS"):
                        await cur.execute(
                            sql.SQL("REVOKE ALL PRIVILEGES ON ALL {} IN SCHEMA {} FROM {}").format(
                                sql.SQL(kind), name, role
                            )
                        )
                    await cur.execute(
                        sql.SQL("REVOKE USAGE ON SCHEMA {} FROM {}").format(name, role)
                    )
                await cur.execute(b"SELECT current_database()")
                row = await cur.fetchone()
                database = sql.Identifier(str(row[0] if row else "postgres"))
                await cur.execute(
                    sql.SQL("REVOKE ALL PRIVILEGES ON DATABASE {} FROM {}").format(database, role)
                )
                await cur.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(role))
        except psycopg.Error as err:
            raise PluginError("failed to execute query: " + self._redact(str(err))) from None

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()
