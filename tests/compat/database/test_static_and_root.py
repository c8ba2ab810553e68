"""Static roles and root rotation against a real PostgreSQL: passwords really change, the
old one stops working, and a reader never sees a rotation half-done."""

from __future__ import annotations

import threading
import uuid

import pytest
from tests.compat.database.conftest import Api, Database, configure, guide_role, wait_until

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def _make_user(database: Database) -> str:
    name = f"app_{uuid.uuid4().hex[:8]}"
    with database.admin() as conn:
        conn.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD 'initial-pw'")
        conn.execute(f'GRANT SELECT ON items TO "{name}"')
    return name


def test_static_role_import_rotation_and_rotate_role(
    api: Api, mount: str, database: Database
) -> None:
    configure(api, mount, database)
    user = _make_user(database)
    api.ok(
        "POST",
        f"{mount}/static-roles/app",
        {"db_name": "pg", "username": user, "rotation_period": "1h"},
    )
    role = api.ok("GET", f"{mount}/static-roles/app")["data"]
    assert set(role) == {
        "credential_type",
        "db_name",
        "last_vault_rotation",
        "rotation_period",
        "rotation_statements",
        "username",
    }
    assert role["rotation_period"] == 3600
    assert not database.can_login(user, "initial-pw")  # the import rotation changed it
    creds = api.ok("GET", f"{mount}/static-creds/app")["data"]
    assert set(creds) == {"last_vault_rotation", "password", "rotation_period", "ttl", "username"}
    assert creds["username"] == user
    assert 3590 <= creds["ttl"] <= 3600
    with database.login(user, creds["password"]) as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (2,)
    api.ok("POST", f"{mount}/rotate-role/app")
    rotated = api.ok("GET", f"{mount}/static-creds/app")["data"]
    assert rotated["password"] != creds["password"]
    assert rotated["last_vault_rotation"] > creds["last_vault_rotation"]
    assert not database.can_login(user, creds["password"])
    assert database.can_login(user, rotated["password"])
    assert api.ok("LIST", f"{mount}/static-roles")["data"]["keys"] == ["app"]


def test_static_role_rotates_on_its_period(api: Api, mount: str, database: Database) -> None:
    configure(api, mount, database)
    user = _make_user(database)
    api.ok(
        "POST",
        f"{mount}/static-roles/app",
        {"db_name": "pg", "username": user, "rotation_period": "5s"},
    )
    first = api.ok("GET", f"{mount}/static-creds/app")["data"]

    def rotated() -> bool:
        current = api.ok("GET", f"{mount}/static-creds/app")["data"]
        return bool(current["password"] != first["password"])

    wait_until(rotated, what="the periodic rotation")
    # Another rotation may land between a read and the login: then a re-read must work.
    current = api.ok("GET", f"{mount}/static-creds/app")["data"]
    if not database.can_login(user, current["password"]):
        current = api.ok("GET", f"{mount}/static-creds/app")["data"]
        assert database.can_login(user, current["password"])


def test_static_role_bad_input(api: Api, mount: str, database: Database) -> None:
    configure(api, mount, database)
    status, answer = api(
        "POST",
        f"{mount}/static-roles/x",
        {"db_name": "pg", "username": "nouser", "rotation_period": "1h"},
    )
    assert status == 500
    assert 'role "nouser" does not exist' in answer["errors"][0]
    assert api("GET", f"{mount}/static-roles/x")[0] == 404
    status, answer = api(
        "POST",
        f"{mount}/static-roles/y",
        {"db_name": "pg", "username": "u", "rotation_period": "1s"},
    )
    assert (status, answer) == (400, {"errors": ["rotation_period must be 5 seconds or more"]})
    assert api("POST", f"{mount}/rotate-role/nosuch") == (
        400,
        {"errors": ["no static role found for role name"]},
    )
    assert api("GET", f"{mount}/static-creds/nosuch") == (400, {"errors": ["unknown role: nosuch"]})


def test_reader_after_auth_failure_always_gets_the_working_password(
    api: Api, mount: str, database: Database
) -> None:
    """While rotate-role runs in a loop, a client that fails to log in re-reads static-creds
    once, and that password must work (a rotation is never observed half-done)."""
    configure(api, mount, database)
    user = _make_user(database)
    api.ok(
        "POST",
        f"{mount}/static-roles/app",
        {"db_name": "pg", "username": user, "rotation_period": "1h"},
    )
    stop = threading.Event()

    def rotate() -> None:
        while not stop.is_set():
            api.ok("POST", f"{mount}/rotate-role/app")

    rotator = threading.Thread(target=rotate)
    rotator.start()
    try:
        for _ in range(40):
            password = api.ok("GET", f"{mount}/static-creds/app")["data"]["password"]
            if database.can_login(user, password):
                continue
            stop.set()  # no further rotation may excuse the re-read
            rotator.join()
            password = api.ok("GET", f"{mount}/static-creds/app")["data"]["password"]
            assert database.can_login(user, password)
            stop.clear()
            rotator = threading.Thread(target=rotate)
            rotator.start()
    finally:
        stop.set()
        rotator.join()


def test_rotate_root_changes_the_admin_password_for_good(
    api: Api, mount: str, database: Database
) -> None:
    admin = f"vadmin_{uuid.uuid4().hex[:8]}"
    with database.admin() as conn:
        conn.execute(f"CREATE ROLE \"{admin}\" LOGIN CREATEROLE PASSWORD 'admin-pw'")
        conn.execute(f'GRANT SELECT ON items TO "{admin}" WITH GRANT OPTION')
    configure(api, mount, database, username=admin, password="admin-pw")
    guide_role(
        api,
        mount,
        creation_statements=(
            "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';"
            ' GRANT SELECT ON items TO "{{name}}";'
        ),
        revocation_statements='REVOKE ALL ON items FROM "{{name}}"; DROP ROLE IF EXISTS "{{name}}";',
    )
    assert database.can_login(admin, "admin-pw")
    api.ok("POST", f"{mount}/rotate-root/pg")
    assert not database.can_login(admin, "admin-pw")
    config = api.ok("GET", f"{mount}/config/pg")["data"]
    assert "password" not in config["connection_details"]
    creds = api.ok("GET", f"{mount}/creds/app-role")
    with database.login(creds["data"]["username"], creds["data"]["password"]) as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (2,)
    api.ok("PUT", "sys/leases/revoke", {"lease_id": creds["lease_id"]})
    assert not database.role_exists(creds["data"]["username"])
    assert api("POST", f"{mount}/rotate-root/nosuch")[0] == 500


def test_reset_reconnects(api: Api, mount: str, database: Database) -> None:
    configure(api, mount, database)
    guide_role(api, mount)
    api.ok("GET", f"{mount}/creds/app-role")
    api.ok("POST", f"{mount}/reset/pg")
    api.ok("GET", f"{mount}/creds/app-role")
    assert api("POST", f"{mount}/reset/nosuch")[0] == 400
