"""The second database plugin, mysql-database-plugin, against a real MariaDB: the same
behaviours as the PostgreSQL suites (login with the role's grants, the user really gone
after revoke, expiry and token revocation, no half-created user, static roles, rotate-root),
plus a differential run against ``bao server -dev`` on the same MariaDB."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pymysql
import pytest
from tests.compat.conftest import ServerProcess
from tests.compat.database.conftest import Api, wait_until
from tests.mariadb_server import ROOT_PASSWORD, MariaDBServer

pytestmark = [pytest.mark.compat, pytest.mark.slow]


@dataclass(frozen=True)
class Schema:
    """One test's database in the shared MariaDB."""

    server: MariaDBServer
    name: str

    def creation(self) -> str:
        return (
            "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'; "
            f"GRANT SELECT ON `{self.name}`.* TO '{{{{name}}}}'@'%';"
        )

    def url(self) -> str:
        return f"{{{{username}}}}:{{{{password}}}}@tcp({self.server.host}:{self.server.port})/"

    def user_exists(self, user: str) -> bool:
        with self.server.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM mysql.user WHERE User = %s", (user,))
            return cur.fetchone() is not None

    def login(self, user: str, password: str) -> Any:
        return pymysql.connect(
            host=self.server.host,
            port=self.server.port,
            user=user,
            password=password,
            database=self.name,
            connect_timeout=10,
        )

    def can_login(self, user: str, password: str) -> bool:
        try:
            self.login(user, password).close()
        except pymysql.err.OperationalError:
            return False
        return True


@pytest.fixture
def schema(mariadb: MariaDBServer) -> Iterator[Schema]:
    name = f"t_{uuid.uuid4().hex[:10]}"
    with mariadb.connect() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}`")
        cur.execute(f"CREATE TABLE `{name}`.items (x int)")
        cur.execute(f"INSERT INTO `{name}`.items VALUES (1), (2)")  # noqa: S608 - a generated name
    yield Schema(mariadb, name)
    with mariadb.connect() as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


def _configure(api: Api, mount: str, schema: Schema, **extra: Any) -> None:
    body = {
        "plugin_name": "mysql-database-plugin",
        "connection_url": schema.url(),
        "username": "root",
        "password": ROOT_PASSWORD,
        "allowed_roles": "*",
        **extra,
    }
    api.ok("POST", f"{mount}/config/my", body)


def _role(api: Api, mount: str, schema: Schema, name: str = "app", **extra: Any) -> None:
    body = {"db_name": "my", "creation_statements": schema.creation(), "default_ttl": "1h", **extra}
    api.ok("POST", f"{mount}/roles/{name}", body)


def test_mysql_creds_grants_and_revoke(api: Api, mount: str, schema: Schema) -> None:
    _configure(api, mount, schema)
    _role(api, mount, schema)
    creds = api.ok("GET", f"{mount}/creds/app")
    user, password = creds["data"]["username"], creds["data"]["password"]
    assert len(user) <= 32
    assert user.startswith("v-token-app-")
    with schema.login(user, password) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM items")
        assert cur.fetchone() == (2,)
        with pytest.raises(pymysql.err.OperationalError):
            cur.execute("INSERT INTO items VALUES (3)")
    renewed = api.ok("PUT", "sys/leases/renew", {"lease_id": creds["lease_id"], "increment": 60})
    assert renewed["lease_duration"] == 60
    api.ok("PUT", "sys/leases/revoke", {"lease_id": creds["lease_id"]})
    assert not schema.user_exists(user)
    assert not schema.can_login(user, password)


def test_mysql_expiry_and_token_revocation(api: Api, mount: str, schema: Schema) -> None:
    _configure(api, mount, schema)
    _role(api, mount, schema, default_ttl="2s")
    _role(api, mount, schema, name="long")
    expiring = api.ok("GET", f"{mount}/creds/app")["data"]["username"]
    token = api.ok("POST", "auth/token/create", {"policies": ["root"]})["auth"]["client_token"]
    owned = api.ok("GET", f"{mount}/creds/long", token=token)["data"]["username"]
    api.ok("POST", "auth/token/revoke", {"token": token})
    assert not schema.user_exists(owned)
    wait_until(lambda: not schema.user_exists(expiring), what="the expired MySQL user to go")


def test_mysql_failed_creation_leaves_no_user(api: Api, mount: str, schema: Schema) -> None:
    """MySQL commits CREATE USER at once; the failed GRANT after it must not leave the user."""
    _configure(api, mount, schema)
    _role(
        api,
        mount,
        schema,
        creation_statements=(
            "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'; GRANT BOGUS ON *.* TO '{{name}}'@'%';"
        ),
    )
    with schema.server.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM mysql.user WHERE User LIKE 'v-%'")
        before = cur.fetchone()
    status, answer = api("GET", f"{mount}/creds/app")
    assert status == 500
    assert answer["errors"][0].startswith("failed to execute query:")
    with schema.server.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM mysql.user WHERE User LIKE 'v-%'")
        assert cur.fetchone() == before
    assert api("LIST", f"sys/leases/lookup/{mount}/")[0] == 404


def test_mysql_static_role_and_rotate_root(api: Api, mount: str, schema: Schema) -> None:
    static_user, admin = f"st_{uuid.uuid4().hex[:8]}", f"adm_{uuid.uuid4().hex[:8]}"
    with schema.server.connect() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE USER '{static_user}'@'%' IDENTIFIED BY 'initial-pw'")
        cur.execute(f"GRANT SELECT ON `{schema.name}`.* TO '{static_user}'@'%'")
        cur.execute(f"CREATE USER '{admin}'@'%' IDENTIFIED BY 'admin-pw'")
        cur.execute(f"GRANT ALL PRIVILEGES ON *.* TO '{admin}'@'%' WITH GRANT OPTION")
    _configure(api, mount, schema, username=admin, password="admin-pw")
    api.ok(
        "POST",
        f"{mount}/static-roles/st",
        {"db_name": "my", "username": static_user, "rotation_period": "1h"},
    )
    first = api.ok("GET", f"{mount}/static-creds/st")["data"]
    assert not schema.can_login(static_user, "initial-pw")
    assert schema.can_login(static_user, first["password"])
    api.ok("POST", f"{mount}/rotate-role/st")
    second = api.ok("GET", f"{mount}/static-creds/st")["data"]
    assert not schema.can_login(static_user, first["password"])
    assert schema.can_login(static_user, second["password"])
    api.ok("POST", f"{mount}/rotate-root/my")
    assert not schema.can_login(admin, "admin-pw")
    _role(api, mount, schema)
    creds = api.ok("GET", f"{mount}/creds/app")["data"]
    assert schema.can_login(creds["username"], creds["password"])


def _scenario(api: Api, schema: Schema, static_user: str) -> dict[str, Any]:
    mount = f"my{uuid.uuid4().hex[:6]}"
    api.ok("POST", f"sys/mounts/{mount}", {"type": "database"})
    try:
        seen: dict[str, Any] = {}
        _configure(api, mount, schema, allowed_roles="app,st")
        seen["config"] = api.ok("GET", f"{mount}/config/my")["data"]
        _role(api, mount, schema)
        seen["role"] = api.ok("GET", f"{mount}/roles/app")["data"]
        creds = api.ok("GET", f"{mount}/creds/app")
        seen["creds"] = (sorted(creds["data"]), creds["lease_duration"], creds["renewable"])
        seen["user_shape"] = (len(creds["data"]["username"]), creds["data"]["username"][:12])
        seen["renew"] = api.ok("PUT", "sys/leases/renew", {"lease_id": creds["lease_id"]})[
            "lease_duration"
        ]
        seen["revoke"] = api("PUT", "sys/leases/revoke", {"lease_id": creds["lease_id"]})
        seen["gone"] = not schema.user_exists(creds["data"]["username"])
        seen["static"] = api(
            "POST",
            f"{mount}/static-roles/st",
            {"db_name": "my", "username": static_user, "rotation_period": "1h"},
        )
        seen["static_creds"] = sorted(api.ok("GET", f"{mount}/static-creds/st")["data"])
        status, body = api(
            "POST",
            f"{mount}/config/bad",
            {
                "plugin_name": "mysql-database-plugin",
                "connection_url": schema.url(),
                "username": "root",
                "password": "wrong",
            },
        )
        seen["bad_password"] = (status, "Access denied for user" in body["errors"][0])
    finally:
        # The bao server is shared with the differential suite, which compares mount lists.
        api("DELETE", f"sys/mounts/{mount}")
    return seen


def test_mysql_matches_openbao(
    bao_server: ServerProcess, sealbox_server: ServerProcess, schema: Schema
) -> None:
    users = [f"st_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with schema.server.connect() as conn, conn.cursor() as cur:
        for user in users:
            cur.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'x'")
    bao = _scenario(Api(bao_server), schema, users[0])
    ours = _scenario(Api(sealbox_server), schema, users[1])
    for key in bao:
        assert ours[key] == bao[key], key
