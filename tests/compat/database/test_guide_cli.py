"""The guide's "Dynamic Secrets — Database" commands with ``sealbox`` in place of ``vault``,
then ``sealbox lease`` on the credentials, against a real PostgreSQL.

The guide's revocation statement (a bare DROP ROLE) fails once the user holds table grants;
the test shows that failure surfacing on ``sealbox lease revoke -sync`` and ``lease lookup``,
then applies the statement the docs recommend (revoke the grants first).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tests.compat.conftest import VENV_BIN, ServerProcess
from tests.compat.database.conftest import WORKING_REVOCATION, Database

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def _sealbox(server: ServerProcess, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "SEALBOX_", "BAO_"))}
    env.update({"HOME": str(home), "VAULT_ADDR": server.address, "VAULT_TOKEN": server.token})
    return subprocess.run(
        [str(VENV_BIN / "sealbox"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def _table(text: str) -> dict[str, str]:
    rows = [line.split(None, 1) for line in text.splitlines()[2:] if line.strip()]
    return {row[0]: row[1].strip() if len(row) > 1 else "" for row in rows}


def test_guide_database_commands(
    sealbox_server: ServerProcess, database: Database, tmp_path: Path
) -> None:
    with database.admin() as conn:
        conn.execute("CREATE ROLE vault_admin LOGIN CREATEROLE PASSWORD 'vault-admin-password'")
        conn.execute("GRANT ALL ON items TO vault_admin WITH GRANT OPTION")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return _sealbox(sealbox_server, tmp_path, *args)

    enabled = run("secrets", "enable", "database")
    assert enabled.returncode == 0, enabled.stderr
    assert enabled.stdout == "Success! Enabled the database secrets engine at: database/\n"
    try:
        url = "postgresql://{{username}}:{{password}}@" + (
            f"{database.server.host}:{database.server.port}/{database.name}"
        )
        config = run(
            "write",
            "database/config/myapp-postgres",
            "plugin_name=postgresql-database-plugin",
            "allowed_roles=app-role,readonly-role",
            f"connection_url={url}",
            "username=vault_admin",
            "password=vault-admin-password",
        )
        assert config.returncode == 0, config.stderr
        role = run(
            "write",
            "database/roles/app-role",
            "db_name=myapp-postgres",
            "creation_statements=CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' "
            "VALID UNTIL '{{expiration}}'; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES "
            'IN SCHEMA public TO "{{name}}";',
            'revocation_statements=DROP ROLE IF EXISTS "{{name}}";',
            "default_ttl=1h",
            "max_ttl=24h",
        )
        assert role.returncode == 0, role.stderr
        creds = run("read", "database/creds/app-role")
        assert creds.returncode == 0, creds.stderr
        table = _table(creds.stdout)
        assert table["lease_duration"] == "1h"
        assert table["lease_renewable"] == "true"
        lease_id, user = table["lease_id"], table["username"]
        with database.login(user, table["password"]) as conn:
            conn.execute("UPDATE items SET x = x + 1")

        renewed = run("lease", "renew", "-increment=2h", lease_id)
        assert renewed.returncode == 0, renewed.stderr
        assert _table(renewed.stdout)["lease_duration"] == "2h"

        failed = run("lease", "revoke", "-sync", lease_id)
        assert failed.returncode == 2
        assert "cannot be dropped because some objects depend on it" in failed.stderr
        assert table["password"] not in failed.stderr
        lookup = run("lease", "lookup", lease_id)
        assert lookup.returncode == 0, lookup.stderr
        assert "some objects depend on it" in _table(lookup.stdout)["last_revocation_error"]
        assert database.role_exists(user)

        fixed = run(
            "write", "database/roles/app-role", f"revocation_statements={WORKING_REVOCATION}"
        )
        assert fixed.returncode == 0, fixed.stderr
        revoked = run("lease", "revoke", "-sync", lease_id)
        assert revoked.returncode == 0, revoked.stderr
        assert revoked.stdout == f"Success! Revoked lease: {lease_id}\n"
        assert not database.role_exists(user)
        gone = run("lease", "lookup", lease_id)
        assert gone.returncode == 2
        assert "invalid lease" in gone.stderr
    finally:
        run("secrets", "disable", "database")
