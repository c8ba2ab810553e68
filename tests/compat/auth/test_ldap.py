"""The ``ldap`` auth method against a real OpenLDAP server (slapd), through hvac and the CLI.

OpenBao 2.x's dev server has no built-in LDAP auth plugin ("plugin not found in the catalog:
ldap"), so there is no differential run here; the directory itself is real.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import hvac
import hvac.exceptions
import pytest
from tests.compat.auth.slapd_server import (
    BASE,
    BIND_DN,
    BIND_PASSWORD,
    PASSWORDS,
    LDAPServer,
    running_slapd,
)
from tests.compat.conftest import VENV_BIN, ServerProcess

pytestmark = pytest.mark.compat


@pytest.fixture(scope="module")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LDAPServer]:
    with running_slapd(tmp_path_factory.mktemp("slapd")) as server:
        yield server


def _mount(root: hvac.Client, slapd: LDAPServer, unique: str, **extra: object) -> str:
    mount = f"ldap-{unique}"
    root.sys.enable_auth_method("ldap", path=mount)
    root.auth.ldap.configure(
        url=slapd.url,
        binddn=BIND_DN,
        bindpass=BIND_PASSWORD,
        userdn=f"ou=users,{BASE}",
        userattr="uid",
        groupdn=f"ou=groups,{BASE}",
        groupattr="cn",
        starttls=True,
        certificate=slapd.ca_pem,
        mount_point=mount,
        **extra,
    )
    root.auth.ldap.create_or_update_group("devs", policies=["dev"], mount_point=mount)
    root.auth.ldap.create_or_update_group("ops", policies=["ops"], mount_point=mount)
    return mount


def test_ldap_groups_map_to_policies(
    root: hvac.Client, anon: hvac.Client, slapd: LDAPServer, unique: str
) -> None:
    mount = _mount(root, slapd, unique)
    root.auth.ldap.create_or_update_user(
        "bob", policies=["bob-own"], groups=["devs"], mount_point=mount
    )
    alice = anon.auth.ldap.login("alice", PASSWORDS["alice"], mount_point=mount)["auth"]
    assert alice["policies"] == ["default", "dev", "ops"]
    assert alice["metadata"] == {"username": "alice"}
    bob = hvac.Client(url=anon.url).auth.ldap.login("bob", PASSWORDS["bob"], mount_point=mount)[
        "auth"
    ]
    assert bob["policies"] == ["bob-own", "default", "dev"]
    config = root.auth.ldap.read_configuration(mount_point=mount)["data"]
    assert "bindpass" not in config
    assert config["starttls"] is True


def test_ldap_group_alias_feeds_external_groups(
    root: hvac.Client, slapd: LDAPServer, unique: str, sealbox_server: ServerProcess
) -> None:
    mount = _mount(root, slapd, unique)
    accessor = root.sys.list_auth_methods()["data"][f"{mount}/"]["accessor"]
    group = root.secrets.identity.create_or_update_group(
        name=f"ldap-ops-{unique}", group_type="external", policies=[f"ext-{unique}"]
    )
    root.secrets.identity.create_or_update_group_alias(
        name="ops", mount_accessor=accessor, canonical_id=group["data"]["id"]
    )
    login = hvac.Client(url=sealbox_server.address).auth.ldap.login(
        "alice", PASSWORDS["alice"], mount_point=mount
    )["auth"]
    assert login["identity_policies"] == [f"ext-{unique}"]


def test_ldap_bad_passwords_lock_out(
    root: hvac.Client, anon: hvac.Client, slapd: LDAPServer, unique: str
) -> None:
    mount = _mount(root, slapd, unique)
    with pytest.raises(hvac.exceptions.InvalidRequest, match="failed to bind as user"):
        anon.auth.ldap.login("nobody", "x", mount_point=mount)
    with pytest.raises(hvac.exceptions.InvalidRequest, match="zero length"):
        anon.auth.ldap.login("carol", "", mount_point=mount)
    for _ in range(5):
        with pytest.raises(hvac.exceptions.InvalidRequest, match="failed to bind as user"):
            anon.auth.ldap.login("carol", "wrong", mount_point=mount)
    with pytest.raises(hvac.exceptions.Forbidden):
        anon.auth.ldap.login("carol", PASSWORDS["carol"], mount_point=mount)


def test_ldap_starttls_needs_the_right_ca(
    root: hvac.Client, anon: hvac.Client, slapd: LDAPServer, unique: str
) -> None:
    mount = _mount(root, slapd, unique)
    root.auth.ldap.configure(
        url=slapd.url,
        binddn=BIND_DN,
        bindpass=BIND_PASSWORD,
        userdn=f"ou=users,{BASE}",
        userattr="uid",
        starttls=True,
        certificate="",
        mount_point=mount,
    )
    with pytest.raises(hvac.exceptions.InternalServerError):
        anon.auth.ldap.login("alice", PASSWORDS["alice"], mount_point=mount)


def test_ldap_renewal_follows_group_changes(
    root: hvac.Client, slapd: LDAPServer, unique: str, sealbox_server: ServerProcess
) -> None:
    mount = _mount(root, slapd, unique)
    client = hvac.Client(url=sealbox_server.address)
    client.auth.ldap.login("alice", PASSWORDS["alice"], mount_point=mount)
    assert client.auth.token.renew_self()["auth"]["policies"] == ["default", "dev", "ops"]
    root.auth.ldap.create_or_update_group("ops", policies=["ops", "more"], mount_point=mount)
    with pytest.raises(hvac.exceptions.InternalServerError, match="policies have changed"):
        client.auth.token.renew_self()


def test_sealbox_login_method_ldap(
    root: hvac.Client, slapd: LDAPServer, unique: str, sealbox_server: ServerProcess, tmp_path: Path
) -> None:
    mount = _mount(root, slapd, unique)
    env = {**os.environ, "VAULT_ADDR": sealbox_server.address, "HOME": str(tmp_path)}
    env.pop("VAULT_TOKEN", None)
    done = subprocess.run(
        [
            str(VENV_BIN / "sealbox"),
            "login",
            "-method=ldap",
            f"-path={mount}",
            "username=alice",
            "password=-",
        ],
        input=PASSWORDS["alice"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    token = (tmp_path / ".sealbox-token").read_text().strip()
    lookup = hvac.Client(url=sealbox_server.address, token=token).auth.token.lookup_self()["data"]
    assert lookup["display_name"] == f"{mount}-alice"


@pytest.mark.parametrize(
    "discovery",
    [{"discoverdn": True}, {}],
    ids=["anonymous-search", "dn-from-userattr"],
)
def test_ldap_without_a_bind_account(
    root: hvac.Client,
    anon: hvac.Client,
    slapd: LDAPServer,
    unique: str,
    discovery: dict[str, object],
) -> None:
    mount = f"ldap-{unique}"
    root.sys.enable_auth_method("ldap", path=mount)
    root.auth.ldap.configure(
        url=slapd.url,
        userdn=f"ou=users,{BASE}",
        userattr="uid",
        groupdn=f"ou=groups,{BASE}",
        mount_point=mount,
        **discovery,
    )
    root.auth.ldap.create_or_update_group("devs", policies=["dev"], mount_point=mount)
    login = anon.auth.ldap.login("carol", PASSWORDS["carol"], mount_point=mount)["auth"]
    assert login["policies"] == ["default", "dev"]
    with pytest.raises(hvac.exceptions.InvalidRequest, match="failed to bind as user"):
        anon.auth.ldap.login("carol", "wrong", mount_point=mount)
