"""Fixtures for the database engine and lease suites: a real PostgreSQL, real servers.

Each test gets its own database in the session's PostgreSQL (``postgres`` fixture) with a
table ``items``, its own ``database`` mount on the shared sealbox dev server, and helpers that
act as the generated user would: log in with psycopg and try what the grants allow.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
import requests
from tests.compat.conftest import ServerProcess
from tests.postgres_server import PostgresServer

GUIDE_CREATION = (
    "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; "
    'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{{name}}";'
)
GUIDE_REVOCATION = 'DROP ROLE IF EXISTS "{{name}}";'
# What the docs recommend instead: take the grants away first, then drop the role.
WORKING_REVOCATION = (
    'REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM "{{name}}"; '
    'DROP ROLE IF EXISTS "{{name}}";'
)


@dataclass(frozen=True)
class Database:
    """One test's database in the shared PostgreSQL."""

    server: PostgresServer
    name: str

    def url_template(self, port: int | None = None) -> str:
        """The connection_url sealbox gets ({{username}}/{{password}} filled in by it)."""
        return (
            f"postgresql://{{{{username}}}}:{{{{password}}}}@{self.server.host}:"
            f"{port or self.server.port}/{self.name}?sslmode=disable"
        )

    def admin(self) -> psycopg.Connection[tuple[Any, ...]]:
        """A superuser connection to this database (autocommit)."""
        return psycopg.connect(self.server.dsn(self.name), autocommit=True)

    def role_exists(self, name: str) -> bool:
        with self.admin() as conn:
            return (
                conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
                is not None
            )

    def valid_until(self, name: str) -> Any:
        with self.admin() as conn:
            row = conn.execute(
                "SELECT rolvaliduntil FROM pg_roles WHERE rolname = %s", (name,)
            ).fetchone()
            return None if row is None else row[0]

    def login(self, user: str, password: str) -> psycopg.Connection[tuple[Any, ...]]:
        """Connect as ``user`` over TCP with password authentication (raises when refused)."""
        return psycopg.connect(
            host=self.server.host,
            port=self.server.port,
            dbname=self.name,
            user=user,
            password=password,
            connect_timeout=10,
            autocommit=True,
        )

    def can_login(self, user: str, password: str) -> bool:
        try:
            self.login(user, password).close()
        except psycopg.OperationalError:
            return False
        return True


@pytest.fixture
def database(postgres: PostgresServer) -> Iterator[Database]:
    """A fresh database with a table ``items`` (dropped afterwards, roles included)."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = Database(postgres, name)
    with db.admin() as conn:
        conn.execute("CREATE TABLE items (x int)")
        conn.execute("INSERT INTO items VALUES (1), (2)")
    yield db
    with psycopg.connect(postgres.dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class Api:
    """Raw HTTP against one server: (status, JSON body or None)."""

    server: ServerProcess

    def __call__(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None
    ) -> tuple[int, Any]:
        answer = requests.request(
            method,
            f"{self.server.address}/v1/{path}",
            json=body,
            headers={"X-Vault-Token": self.server.token if token is None else token},
            timeout=60,
        )
        return answer.status_code, (answer.json() if answer.content else None)

    def ok(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None
    ) -> Any:
        status, data = self(method, path, body, token)
        assert status in (200, 204), (status, data)
        return data


@pytest.fixture(scope="session")
def api(sealbox_server: ServerProcess) -> Api:
    return Api(sealbox_server)


@pytest.fixture
def mount(api: Api) -> str:
    """A new database mount on the shared dev server."""
    path = f"db-{uuid.uuid4().hex[:8]}"
    api.ok("POST", f"sys/mounts/{path}", {"type": "database"})
    return path


def configure(api: Api, mount: str, db: Database, name: str = "pg", **extra: Any) -> None:
    """database/config/<name> against ``db`` as the superuser (unless ``extra`` says else)."""
    body = {
        "plugin_name": "postgresql-database-plugin",
        "connection_url": db.url_template(),
        "username": "postgres",
        "password": "postgres",
        "allowed_roles": "*",
        **extra,
    }
    api.ok("POST", f"{mount}/config/{name}", body)


def guide_role(api: Api, mount: str, name: str = "app-role", **extra: Any) -> None:
    """The role from the guide, with a revocation statement that works unless overridden."""
    body = {
        "db_name": "pg",
        "creation_statements": GUIDE_CREATION,
        "revocation_statements": WORKING_REVOCATION,
        "default_ttl": "1h",
        "max_ttl": "24h",
        **extra,
    }
    api.ok("POST", f"{mount}/roles/{name}", body)


def wait_until(
    predicate: Callable[[], bool], timeout: float = 60.0, what: str = "condition"
) -> None:
    """Poll ``predicate`` until true; fails after ``timeout`` (a liveness bound, not a speed check)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
