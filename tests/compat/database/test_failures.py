"""Bad input and failing databases: clear errors, nothing half-written, leases kept and
retried when revocation fails, and no secret in any answer."""

from __future__ import annotations

import pytest
from tests.compat.conftest import free_port
from tests.compat.database.conftest import (
    GUIDE_REVOCATION,
    Api,
    Database,
    configure,
    guide_role,
    wait_until,
)

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def _new_users(database: Database) -> set[str]:
    with database.admin() as conn:
        rows = conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-%'").fetchall()
    return {str(row[0]) for row in rows}


def test_config_with_unreachable_url_is_refused_and_not_stored(
    api: Api, mount: str, database: Database
) -> None:
    body = {
        "plugin_name": "postgresql-database-plugin",
        "connection_url": database.url_template(port=free_port()),
        "username": "postgres",
        "password": "secret-admin-pw-canary",
    }
    status, answer = api("POST", f"{mount}/config/bad", body)
    assert status == 400
    assert answer["errors"][0].startswith(
        "error creating database object: error verifying connection"
    )
    assert "secret-admin-pw-canary" not in str(answer)
    assert api("GET", f"{mount}/config/bad")[0] == 404


def test_config_with_wrong_password_and_unknown_plugin(
    api: Api, mount: str, database: Database
) -> None:
    status, answer = api(
        "POST",
        f"{mount}/config/bad",
        {
            "plugin_name": "postgresql-database-plugin",
            "connection_url": database.url_template(),
            "username": "postgres",
            "password": "wrong-pw-canary",
        },
    )
    assert status == 400
    assert "password authentication failed" in answer["errors"][0]
    assert "wrong-pw-canary" not in str(answer)
    status, answer = api("POST", f"{mount}/config/x", {"plugin_name": "nosuch-plugin"})
    assert status == 400
    assert "plugin not found in the catalog: nosuch-plugin" in answer["errors"][0]


def test_config_read_never_shows_the_password(api: Api, mount: str, database: Database) -> None:
    configure(api, mount, database)
    data = api.ok("GET", f"{mount}/config/pg")["data"]
    assert data == {
        "allowed_roles": ["*"],
        "connection_details": {"connection_url": database.url_template(), "username": "postgres"},
        "password_policy": "",
        "plugin_name": "postgresql-database-plugin",
        "plugin_version": "",
        "root_credentials_rotate_statements": [],
    }


def test_invalid_sql_leaves_no_user_and_no_lease(api: Api, mount: str, database: Database) -> None:
    configure(api, mount, database)
    guide_role(
        api,
        mount,
        creation_statements=(
            'CREATE ROLE "{{name}}" WITH LOGIN PASSWORD \'{{password}}\'; GRANT BOGUS TO "{{name}}";'
        ),
    )
    before = _new_users(database)
    status, answer = api("GET", f"{mount}/creds/app-role")
    assert status == 500
    assert answer["errors"][0].startswith("failed to execute query:")
    assert _new_users(database) == before
    assert api("LIST", f"sys/leases/lookup/{mount}/")[0] == 404


def test_rollback_statements_run_when_creation_fails_outside_the_transaction(
    api: Api, mount: str, database: Database
) -> None:
    """A creation split over two role statements: the second fails, rollback cleans up."""
    configure(api, mount, database)
    with database.admin() as conn:
        conn.execute("CREATE TABLE audit_trail (who text)")
    guide_role(
        api,
        mount,
        creation_statements=[
            "INSERT INTO audit_trail VALUES ('{{name}}')",
            "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}'",
            'GRANT nosuchrole TO "{{name}}"',
        ],
        rollback_statements=["DELETE FROM audit_trail WHERE who = '{{name}}'"],
    )
    status, _ = api("GET", f"{mount}/creds/app-role")
    assert status == 500
    with database.admin() as conn:
        assert conn.execute("SELECT count(*) FROM audit_trail").fetchone() == (0,)


def test_role_not_in_allowed_roles(api: Api, mount: str, database: Database) -> None:
    configure(api, mount, database, allowed_roles="other")
    guide_role(api, mount)
    status, answer = api("GET", f"{mount}/creds/app-role")
    assert (status, answer) == (500, {"errors": ['"app-role" is not an allowed role']})
    assert api("LIST", f"sys/leases/lookup/{mount}/")[0] == 404
    status, answer = api("GET", f"{mount}/creds/nosuch")
    assert (status, answer) == (400, {"errors": ["unknown role: nosuch"]})


def test_guide_revocation_statement_fails_visibly_and_is_retried(
    api: Api, mount: str, database: Database
) -> None:
    """The guide's bare DROP ROLE fails once the role holds grants: the lease says why."""
    configure(api, mount, database)
    guide_role(api, mount, revocation_statements=GUIDE_REVOCATION)
    creds = api.ok("GET", f"{mount}/creds/app-role")
    lease_id, user = creds["lease_id"], creds["data"]["username"]
    status, answer = api("PUT", "sys/leases/revoke", {"lease_id": lease_id})
    assert status == 400
    assert answer["errors"][0].startswith("failed to revoke entry: failed to execute query:")
    assert "cannot be dropped because some objects depend on it" in answer["errors"][0]
    assert creds["data"]["password"] not in str(answer)
    assert database.role_exists(user)

    def attempts() -> int:
        lookup = api.ok("PUT", "sys/leases/lookup", {"lease_id": lease_id})["data"]
        assert "some objects depend on it" in lookup["last_revocation_error"]
        return int(lookup["revocation_attempts"])

    wait_until(lambda: attempts() >= 2, what="a retry of the failed revocation")
    failing = api.ok("GET", "sys/leases?type=irrevocable")["data"]
    mine = [lease for lease in failing["leases"] if lease["lease_id"] == lease_id]
    assert len(mine) == 1
    assert "some objects depend on it" in mine[0]["error"]
    assert api.ok("GET", "sys/leases/count?type=irrevocable")["data"]["counts"][f"{mount}/"] == 1
    assert api("GET", "sys/leases?type=all")[0] == 404
    # Fix the role; the next retry (same lease) now drops the user.
    guide_role(api, mount)
    wait_until(lambda: not database.role_exists(user), timeout=120, what="the retry to succeed")
    assert api("PUT", "sys/leases/lookup", {"lease_id": lease_id})[0] == 400


def test_database_down_at_revocation_keeps_the_lease_and_retries(
    api: Api, mount: str, database: Database
) -> None:
    configure(api, mount, database)
    guide_role(api, mount)
    creds = api.ok("GET", f"{mount}/creds/app-role")
    lease_id, user = creds["lease_id"], creds["data"]["username"]
    # The database becomes unreachable: the connection now points at a closed port.
    configure(
        api,
        mount,
        database,
        connection_url=database.url_template(port=free_port()),
        verify_connection=False,
    )
    assert api("PUT", "sys/leases/revoke", {"lease_id": lease_id, "sync": False})[0] == 202

    def failed() -> bool:
        lookup = api.ok("PUT", "sys/leases/lookup", {"lease_id": lease_id})["data"]
        return "error verifying connection" in lookup.get("last_revocation_error", "")

    wait_until(failed, what="the failed revocation to show on the lease")
    assert database.role_exists(user)
    configure(api, mount, database)  # the database is back
    wait_until(
        lambda: not database.role_exists(user), timeout=180, what="the retry to drop the user"
    )
    assert api("PUT", "sys/leases/lookup", {"lease_id": lease_id})[0] == 400


def test_revoke_force_removes_a_lease_that_cannot_be_revoked(
    api: Api, mount: str, database: Database
) -> None:
    configure(api, mount, database)
    guide_role(api, mount, revocation_statements=GUIDE_REVOCATION)
    lease_id = api.ok("GET", f"{mount}/creds/app-role")["lease_id"]
    assert api("PUT", f"sys/leases/revoke-prefix/{mount}/creds")[0] == 400
    api.ok("PUT", f"sys/leases/revoke-force/{mount}/creds")
    assert api("PUT", "sys/leases/lookup", {"lease_id": lease_id})[0] == 400


def test_lease_endpoints_bad_input(api: Api) -> None:
    assert api("PUT", "sys/leases/lookup", {}) == (400, {"errors": ["lease_id must be specified"]})
    assert api("PUT", "sys/leases/lookup", {"lease_id": "../../etc"}) == (
        400,
        {"errors": ["invalid lease"]},
    )
    assert api("PUT", "sys/leases/renew", {"lease_id": "nosuch/x"}) == (
        400,
        {"errors": ["lease not found"]},
    )
    assert api("PUT", "sys/leases/revoke", {"lease_id": "nosuch/x"}) == (204, None)
    status, body = api("PUT", "sys/leases/tidy")
    assert status == 202
    assert body["warnings"]
