"""The database engine and sys/leases through hvac's own APIs (``secrets.database``,
``sys.*_lease``), the Python client most Vault users have, against a real PostgreSQL."""

from __future__ import annotations

import uuid

import hvac
import pytest
from hvac import exceptions
from tests.compat.conftest import ServerProcess
from tests.compat.database.conftest import GUIDE_CREATION, WORKING_REVOCATION, Database

pytestmark = [pytest.mark.compat, pytest.mark.slow]


@pytest.fixture
def client(sealbox_server: ServerProcess) -> hvac.Client:
    return hvac.Client(url=sealbox_server.address, token=sealbox_server.token)


def test_hvac_database_and_leases(client: hvac.Client, mount: str, database: Database) -> None:
    db = client.secrets.database
    db.configure(
        name="pg",
        plugin_name="postgresql-database-plugin",
        allowed_roles=["app", "st"],
        connection_url=database.url_template(),
        username="postgres",
        password="postgres",
        mount_point=mount,
    )
    assert db.read_connection("pg", mount_point=mount)["data"]["plugin_name"] == (
        "postgresql-database-plugin"
    )
    assert db.list_connections(mount_point=mount)["data"]["keys"] == ["pg"]
    db.create_role(
        name="app",
        db_name="pg",
        creation_statements=[GUIDE_CREATION],
        revocation_statements=[WORKING_REVOCATION],
        default_ttl="1h",
        max_ttl="2h",
        mount_point=mount,
    )
    assert db.read_role("app", mount_point=mount)["data"]["default_ttl"] == 3600
    creds = db.generate_credentials("app", mount_point=mount)
    lease_id, user = creds["lease_id"], creds["data"]["username"]
    assert database.can_login(user, creds["data"]["password"])

    lease = client.sys.read_lease(lease_id)["data"]
    assert lease["id"] == lease_id
    assert lease["renewable"] is True
    assert client.sys.renew_lease(lease_id, increment=600)["lease_duration"] == 600
    listed = client.sys.list_leases(f"{mount}/creds/app/")["data"]["keys"]
    assert listed == [lease_id.rsplit("/", 1)[1]]
    client.sys.revoke_lease(lease_id)
    assert not database.role_exists(user)
    with pytest.raises(exceptions.InvalidRequest, match="invalid lease"):
        client.sys.read_lease(lease_id)

    static_user = f"hvac_{uuid.uuid4().hex[:8]}"
    with database.admin() as conn:
        conn.execute(f"CREATE ROLE \"{static_user}\" LOGIN PASSWORD 'x'")
    db.create_static_role(
        name="st",
        db_name="pg",
        username=static_user,
        rotation_statements=[],
        rotation_period=3600,
        mount_point=mount,
    )
    first = db.get_static_credentials("st", mount_point=mount)["data"]["password"]
    db.rotate_static_role_credentials("st", mount_point=mount)
    second = db.get_static_credentials("st", mount_point=mount)["data"]["password"]
    assert first != second
    assert database.can_login(static_user, second)

    others = [db.generate_credentials("app", mount_point=mount) for _ in range(2)]
    client.sys.revoke_prefix(f"{mount}/creds/app")
    assert not any(database.role_exists(c["data"]["username"]) for c in others)
