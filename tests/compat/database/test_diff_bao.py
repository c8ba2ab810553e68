"""Differential test: the same database-engine and lease calls against ``bao server -dev``
(builtin postgresql-database-plugin) and sealbox, both on the same real PostgreSQL.

Compared: status codes, envelope fields, the exact key sets and static values of every
answer, and the error messages of the bad inputs. Random values (user names, passwords,
lease id suffixes, times) are compared by shape only.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from tests.compat.conftest import ServerProcess
from tests.compat.database.conftest import GUIDE_CREATION, WORKING_REVOCATION, Api, Database

pytestmark = [pytest.mark.compat, pytest.mark.slow]

_LEASE_SUFFIX = re.compile(r"/[A-Za-z0-9]{24}$")
_USERNAME = re.compile(r"^v-token-app-role-[A-Za-z0-9]{20}-\d{10}$")


def _scenario(api: Api, database: Database, static_user: str) -> dict[str, Any]:
    """Run the calls on one server; return what must be identical between servers."""
    mount = f"db{uuid.uuid4().hex[:6]}"
    seen: dict[str, Any] = {}
    api.ok("POST", f"sys/mounts/{mount}", {"type": "database"})
    try:
        seen["config_write"] = api(
            "POST",
            f"{mount}/config/pg",
            {
                "plugin_name": "postgresql-database-plugin",
                "connection_url": database.url_template(),
                "username": "postgres",
                "password": "postgres",
                "allowed_roles": ["app-role", "ro", "st"],
            },
        )
        seen["config_read"] = api.ok("GET", f"{mount}/config/pg")["data"]
        role = {
            "db_name": "pg",
            "creation_statements": GUIDE_CREATION,
            "revocation_statements": WORKING_REVOCATION,
            "default_ttl": "1h",
            "max_ttl": "2h",
        }
        seen["role_write"] = api("POST", f"{mount}/roles/app-role", role)
        seen["role_read"] = api.ok("GET", f"{mount}/roles/app-role")["data"]
        seen["roles_list"] = api.ok("LIST", f"{mount}/roles")["data"]
        creds = api.ok("GET", f"{mount}/creds/app-role")
        lease_id = creds["lease_id"]
        seen["creds"] = {
            "keys": sorted(creds),
            "data_keys": sorted(creds["data"]),
            "renewable": creds["renewable"],
            "lease_duration": creds["lease_duration"],
            "lease_prefix": _LEASE_SUFFIX.sub("", lease_id),
            "lease_suffix_ok": bool(_LEASE_SUFFIX.search(lease_id)),
            "username_ok": bool(_USERNAME.match(creds["data"]["username"])),
            "password_len": len(creds["data"]["password"]),
        }
        assert database.can_login(creds["data"]["username"], creds["data"]["password"])
        lookup = api.ok("PUT", "sys/leases/lookup", {"lease_id": lease_id})["data"]
        seen["lookup"] = {
            "keys": sorted(lookup),
            "path": lookup["path"],
            "renewable": lookup["renewable"],
            "last_renewal": lookup["last_renewal"],
            "id_ok": lookup["id"] == lease_id,
        }
        renew = api.ok("PUT", "sys/leases/renew", {"lease_id": lease_id, "increment": "30m"})
        seen["renew"] = {k: renew[k] for k in ("lease_id", "renewable", "lease_duration", "data")}
        seen["renew"]["lease_id"] = seen["renew"]["lease_id"] == lease_id
        capped = api.ok("PUT", "sys/leases/renew", {"lease_id": lease_id, "increment": "10h"})
        seen["renew_capped_warns"] = bool(capped["warnings"]) and "max_ttl" in capped["warnings"][0]
        seen["list_leases"] = api.ok("LIST", f"sys/leases/lookup/{mount}/creds/")["data"]
        seen["revoke"] = api("PUT", "sys/leases/revoke", {"lease_id": lease_id})
        seen["user_gone"] = not database.role_exists(creds["data"]["username"])
        seen["lookup_gone"] = api("PUT", "sys/leases/lookup", {"lease_id": lease_id})
        seen["renew_gone"] = api("PUT", "sys/leases/renew", {"lease_id": lease_id})
        seen["lookup_missing"] = api("PUT", "sys/leases/lookup", {})
        seen["unknown_creds"] = api("GET", f"{mount}/creds/nosuch")
        api.ok("POST", f"{mount}/roles/other", role)
        status, body = api("GET", f"{mount}/creds/other")
        seen["not_allowed"] = (status, "is not an allowed role" in body["errors"][0])
        seen["static_write"] = api(
            "POST",
            f"{mount}/static-roles/st",
            {"db_name": "pg", "username": static_user, "rotation_period": "1h"},
        )
        static_read = api.ok("GET", f"{mount}/static-roles/st")["data"]
        seen["static_read"] = {k: v for k, v in static_read.items() if k != "last_vault_rotation"}
        static = api.ok("GET", f"{mount}/static-creds/st")["data"]
        seen["static_creds"] = {"keys": sorted(static), "username": static["username"]}
        assert database.can_login(static_user, static["password"])
        seen["rotate_role"] = api("POST", f"{mount}/rotate-role/st")
        seen["rotate_missing"] = api("POST", f"{mount}/rotate-role/nosuch")
        seen["short_period"] = api(
            "POST",
            f"{mount}/static-roles/x",
            {"db_name": "pg", "username": "u", "rotation_period": "1s"},
        )
        seen["static_list"] = api.ok("LIST", f"{mount}/static-roles")["data"]
        seen["missing_role"] = api("GET", f"{mount}/roles/nosuch")
        seen["missing_config"] = api("GET", f"{mount}/config/nosuch")
        status, body = api("POST", f"{mount}/config/bad", {"plugin_name": "nosuch-plugin"})
        seen["bad_plugin"] = (
            status,
            "plugin not found in the catalog: nosuch-plugin" in body["errors"][0],
        )
        policy = f"pw{uuid.uuid4().hex[:6]}"
        api.ok(
            "POST",
            f"sys/policies/password/{policy}",
            {
                "policy": 'length = 24\nrule "charset" {\n  charset = "xyz789"\n  min-chars = 24\n}\n'
            },
        )
        api.ok(
            "POST",
            f"{mount}/config/pg",
            {"plugin_name": "postgresql-database-plugin", "password_policy": policy},
        )
        seen["config_policy"] = (
            api.ok("GET", f"{mount}/config/pg")["data"]["password_policy"] == policy
        )
        creds = api.ok("GET", f"{mount}/creds/app-role")["data"]
        seen["policy_password"] = len(creds["password"]) == 24 and set(creds["password"]) <= set(
            "xyz789"
        )
        assert database.can_login(creds["username"], creds["password"])
        api.ok(
            "POST",
            f"{mount}/config/pg",
            {"plugin_name": "postgresql-database-plugin", "password_policy": "nosuch"},
        )
        status, body = api("GET", f"{mount}/creds/app-role")
        seen["policy_missing"] = (status, "no password policy found" in body["errors"][0])
        template = (
            '{{ printf "%s%s%s" .RoleName .RoleName .RoleName | truncate_sha256 12 }}_'
            "{{ .RoleName | sha256 | truncate 10 }}_{{ .DisplayName | uppercase }}_{{ random 4 }}"
        )
        api.ok(
            "POST",
            f"{mount}/config/pg",
            {
                "plugin_name": "postgresql-database-plugin",
                "password_policy": "",
                "username_template": template,
            },
        )
        creds = api.ok("GET", f"{mount}/creds/app-role")["data"]
        seen["templated_user"] = creds["username"][:-4]
        assert database.can_login(creds["username"], creds["password"])
        for case, bad in (("bad_function", "{{ nosuch }}"), ("bad_field", "{{ .Nope }}")):
            status, body = api(
                "POST",
                f"{mount}/config/pg",
                {"plugin_name": "postgresql-database-plugin", "username_template": bad},
            )
            seen[case] = (status, body["errors"][0].startswith("error creating database object:"))
        seen["revoke_prefix"] = api("PUT", f"sys/leases/revoke-prefix/{mount}/creds")
        seen["list_after"] = api("LIST", f"sys/leases/lookup/{mount}/creds/")
    finally:
        # The bao server is shared with the differential suite, which compares mount lists.
        api("DELETE", f"sys/mounts/{mount}")
    return seen


def test_database_engine_matches_openbao(
    bao_server: ServerProcess, sealbox_server: ServerProcess, database: Database
) -> None:
    users = []
    for _ in range(2):
        name = f"st_{uuid.uuid4().hex[:8]}"
        with database.admin() as conn:
            conn.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD 'x'")
        users.append(name)
    bao = _scenario(Api(bao_server), database, users[0])
    ours = _scenario(Api(sealbox_server), database, users[1])
    bao["static_read"]["username"] = ours["static_read"]["username"] = "<user>"
    bao["static_creds"]["username"] = ours["static_creds"]["username"] = "<user>"
    bao["creds"]["lease_prefix"] = bao["creds"]["lease_prefix"].split("/", 1)[1]
    ours["creds"]["lease_prefix"] = ours["creds"]["lease_prefix"].split("/", 1)[1]
    bao["lookup"]["path"] = bao["lookup"]["path"].split("/", 1)[1]
    ours["lookup"]["path"] = ours["lookup"]["path"].split("/", 1)[1]
    for key in bao:
        assert ours[key] == bao[key], key
