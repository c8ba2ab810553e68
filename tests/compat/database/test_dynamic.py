"""Dynamic credentials against a real PostgreSQL: the user logs in, can do what its grants
allow, and really disappears on revoke, expiry, token revocation and prefix revocation."""

from __future__ import annotations

import psycopg
import pytest
from tests.compat.database.conftest import Api, Database, configure, guide_role, wait_until

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def test_creds_user_logs_in_with_its_grants_and_is_dropped_on_revoke(
    api: Api, mount: str, database: Database
) -> None:
    configure(api, mount, database)
    guide_role(api, mount)
    creds = api.ok("GET", f"{mount}/creds/app-role")
    user, password = creds["data"]["username"], creds["data"]["password"]
    assert creds["lease_id"].startswith(f"{mount}/creds/app-role/")
    assert creds["renewable"] is True
    assert creds["lease_duration"] == 3600
    assert user.startswith("v-token-app-role-")
    with database.login(user, password) as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (2,)
        conn.execute("INSERT INTO items VALUES (3)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE other (y int)")
    api.ok("PUT", "sys/leases/revoke", {"lease_id": creds["lease_id"]})
    assert not database.role_exists(user)
    assert not database.can_login(user, password)
    status, body = api("PUT", "sys/leases/lookup", {"lease_id": creds["lease_id"]})
    assert (status, body) == (400, {"errors": ["invalid lease"]})


def test_lease_expiry_drops_the_user(api: Api, mount: str, database: Database) -> None:
    configure(api, mount, database)
    guide_role(api, mount, default_ttl="2s", max_ttl="10s")
    creds = api.ok("GET", f"{mount}/creds/app-role")
    assert creds["lease_duration"] == 2
    user = creds["data"]["username"]
    assert database.can_login(user, creds["data"]["password"])
    wait_until(lambda: not database.role_exists(user), what="the expired user to be dropped")
    assert not database.can_login(user, creds["data"]["password"])
    status, _ = api("PUT", "sys/leases/lookup", {"lease_id": creds["lease_id"]})
    assert status == 400


def test_renew_moves_valid_until_and_is_capped_by_max_ttl(
    api: Api, mount: str, database: Database
) -> None:
    configure(api, mount, database)
    guide_role(api, mount, default_ttl="1h", max_ttl="2h")
    creds = api.ok("GET", f"{mount}/creds/app-role")
    user = creds["data"]["username"]
    before = database.valid_until(user)
    renewed = api.ok("PUT", "sys/leases/renew", {"lease_id": creds["lease_id"], "increment": "90m"})
    assert renewed["lease_id"] == creds["lease_id"]
    assert renewed["lease_duration"] == 5400
    assert database.valid_until(user) > before
    capped = api.ok("PUT", "sys/leases/renew", {"lease_id": creds["lease_id"], "increment": "10h"})
    assert 7100 < capped["lease_duration"] <= 7200
    assert "exceeded the effective max_ttl" in capped["warnings"][0]
    lookup = api.ok("PUT", "sys/leases/lookup", {"lease_id": creds["lease_id"]})["data"]
    assert lookup["last_renewal"] is not None
    assert lookup["path"] == f"{mount}/creds/app-role"


def test_revoking_a_token_revokes_its_leases_and_its_childrens(
    api: Api, mount: str, database: Database
) -> None:
    configure(api, mount, database)
    guide_role(api, mount)
    parent = api.ok("POST", "auth/token/create", {"policies": ["root"]})["auth"]["client_token"]
    child = api.ok("POST", "auth/token/create", {"policies": ["root"]}, token=parent)["auth"][
        "client_token"
    ]
    mine = api.ok("GET", f"{mount}/creds/app-role", token=parent)["data"]["username"]
    childs = api.ok("GET", f"{mount}/creds/app-role", token=child)["data"]["username"]
    other = api.ok("GET", f"{mount}/creds/app-role")["data"]["username"]
    api.ok("POST", "auth/token/revoke", {"token": parent})
    assert not database.role_exists(mine)
    assert not database.role_exists(childs)
    assert database.role_exists(other)


def test_token_expiry_revokes_its_leases(api: Api, mount: str, database: Database) -> None:
    configure(api, mount, database)
    guide_role(api, mount)
    token = api.ok("POST", "auth/token/create", {"policies": ["root"], "ttl": "3s"})["auth"][
        "client_token"
    ]
    creds = api.ok("GET", f"{mount}/creds/app-role", token=token)
    user = creds["data"]["username"]
    wait_until(lambda: not database.role_exists(user), what="the token's lease to be revoked")


def test_revoke_prefix_and_listing(api: Api, mount: str, database: Database) -> None:
    configure(api, mount, database)
    guide_role(api, mount)
    guide_role(api, mount, name="ro")
    users = [api.ok("GET", f"{mount}/creds/app-role")["data"]["username"] for _ in range(3)]
    kept = api.ok("GET", f"{mount}/creds/ro")
    listed = api.ok("LIST", f"sys/leases/lookup/{mount}/creds/")["data"]["keys"]
    assert listed == ["app-role/", "ro/"]
    assert len(api.ok("LIST", f"sys/leases/lookup/{mount}/creds/app-role/")["data"]["keys"]) == 3
    api.ok("PUT", f"sys/leases/revoke-prefix/{mount}/creds/app-role")
    assert not any(database.role_exists(u) for u in users)
    assert database.role_exists(kept["data"]["username"])
    status, _ = api("LIST", f"sys/leases/lookup/{mount}/creds/app-role/")
    assert status == 404


def test_disabling_the_mount_revokes_its_leases(api: Api, mount: str, database: Database) -> None:
    configure(api, mount, database)
    guide_role(api, mount)
    user = api.ok("GET", f"{mount}/creds/app-role")["data"]["username"]
    api.ok("DELETE", f"sys/mounts/{mount}")
    assert not database.role_exists(user)


def test_remounting_revokes_the_leases_as_openbao(api: Api, mount: str, database: Database) -> None:
    configure(api, mount, database)
    guide_role(api, mount)
    creds = api.ok("GET", f"{mount}/creds/app-role")
    api.ok("POST", "sys/remount", {"from": mount, "to": f"{mount}-moved"})
    try:
        assert not database.role_exists(creds["data"]["username"])
        assert api("PUT", "sys/leases/lookup", {"lease_id": creds["lease_id"]})[0] == 400
    finally:
        api("DELETE", f"sys/mounts/{mount}-moved")


def test_lease_outlives_its_role_and_is_still_revoked(
    api: Api, mount: str, database: Database
) -> None:
    """The revocation statements are kept with the lease, so deleting the role does not
    strand the users it issued."""
    configure(api, mount, database)
    guide_role(api, mount)
    creds = api.ok("GET", f"{mount}/creds/app-role")
    api.ok("DELETE", f"{mount}/roles/app-role")
    assert api("GET", f"{mount}/roles/app-role")[0] == 404
    api.ok("PUT", "sys/leases/revoke", {"lease_id": creds["lease_id"]})
    assert not database.role_exists(creds["data"]["username"])
    assert api.ok("LIST", f"{mount}/config")["data"]["keys"] == ["pg"]
    api.ok("DELETE", f"{mount}/config/pg")
    assert api("GET", f"{mount}/config/pg")[0] == 404
