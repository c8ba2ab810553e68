"""Database passwords never leak: the connection password, generated passwords and rotated
ones never appear in the server's output or unhashed in the audit log, including through
failing configs, failing creation and failing revocation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.compat.conftest import (
    ROOT_TOKEN,
    VENV_BIN,
    ServerProcess,
    free_port,
    start_process,
    stop,
)
from tests.compat.database.conftest import GUIDE_CREATION, GUIDE_REVOCATION, Api, Database

pytestmark = [pytest.mark.compat, pytest.mark.slow]


@pytest.fixture
def private_server(tmp_path: Path) -> Iterator[ServerProcess]:
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    args = [
        str(VENV_BIN / "sealbox"),
        "server",
        "-dev",
        f"-dev-root-token-id={ROOT_TOKEN}",
        f"-dev-listen-address=127.0.0.1:{port}",
    ]
    process, log = start_process(args, address, tmp_path)
    yield ServerProcess(address, ROOT_TOKEN, log, process, workdir=tmp_path)
    stop(process)


def test_database_passwords_never_leak(
    private_server: ServerProcess, database: Database, tmp_path: Path
) -> None:
    api = Api(private_server)
    audit_log = tmp_path / "audit.log"
    api.ok("PUT", "sys/audit/file", {"type": "file", "options": {"file_path": str(audit_log)}})
    admin, admin_pw = f"adm_{uuid.uuid4().hex[:8]}", f"Canary{uuid.uuid4().hex}"
    with database.admin() as conn:
        conn.execute(f"CREATE ROLE \"{admin}\" LOGIN CREATEROLE PASSWORD '{admin_pw}'")
        conn.execute(f'GRANT ALL ON items TO "{admin}" WITH GRANT OPTION')
    api.ok("POST", "sys/mounts/database", {"type": "database"})
    config = {
        "plugin_name": "postgresql-database-plugin",
        "connection_url": database.url_template(),
        "username": admin,
        "allowed_roles": "*",
    }
    wrong_pw = f"WrongCanary{uuid.uuid4().hex}"
    assert api("POST", "database/config/bad", {**config, "password": wrong_pw})[0] == 400
    api.ok("POST", "database/config/pg", {**config, "password": admin_pw})
    api.ok(
        "POST",
        "database/roles/app",
        {
            "db_name": "pg",
            "creation_statements": GUIDE_CREATION,
            "revocation_statements": GUIDE_REVOCATION,
        },
    )
    api.ok(
        "POST",
        "database/roles/broken",
        {"db_name": "pg", "creation_statements": GUIDE_CREATION + " BOGUS"},
    )
    creds = api.ok("GET", "database/creds/app")
    generated = creds["data"]["password"]
    assert api("GET", "database/creds/broken")[0] == 500
    assert api("PUT", "sys/leases/revoke", {"lease_id": creds["lease_id"]})[0] == 400  # grants
    api.ok("POST", "database/rotate-root/pg")
    hashed = api.ok("POST", "sys/audit-hash/file", {"input": generated})["data"]["hash"]

    audit_text, server_log = audit_log.read_text(), private_server.log_text()
    assert "failed to execute query" in server_log  # the failing revocation was logged
    for secret in (admin_pw, wrong_pw, generated):
        assert secret not in server_log
        assert secret not in audit_text
    assert hashed in audit_text
