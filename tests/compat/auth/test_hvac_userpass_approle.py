"""hvac's userpass, AppRole, token and identity clients, unchanged, against ``sealbox server``."""

from __future__ import annotations

import hvac
import hvac.exceptions
import pytest

pytestmark = pytest.mark.compat

_READER = 'path "secret/data/{name}/*" {{ capabilities = ["read"] }}'


def test_userpass_login_reads_only_what_the_policy_allows(
    root: hvac.Client, anon: hvac.Client, unique: str
) -> None:
    mount = f"up-{unique}"
    root.sys.enable_auth_method("userpass", path=mount)
    root.sys.create_or_update_policy(f"reader-{unique}", _READER.format(name=unique))
    root.secrets.kv.v2.create_or_update_secret(f"{unique}/db", {"pw": "hunter2"})
    root.secrets.kv.v2.create_or_update_secret(f"other-{unique}", {"pw": "nope"})
    root.auth.userpass.create_or_update_user(
        "alice", "correct horse", policies=[f"reader-{unique}"], mount_point=mount
    )
    assert root.auth.userpass.list_user(mount_point=mount)["data"]["keys"] == ["alice"]
    login = anon.auth.userpass.login("alice", "correct horse", mount_point=mount)
    assert anon.token == login["auth"]["client_token"]
    assert login["auth"]["metadata"] == {"username": "alice"}
    assert anon.is_authenticated()
    secret = anon.secrets.kv.v2.read_secret_version(f"{unique}/db", raise_on_deleted_version=True)
    assert secret["data"]["data"] == {"pw": "hunter2"}
    with pytest.raises(hvac.exceptions.Forbidden):
        anon.secrets.kv.v2.read_secret_version(f"other-{unique}", raise_on_deleted_version=True)
    renewed = anon.auth.token.renew_self(increment="1h")
    assert renewed["auth"]["lease_duration"] == 3600
    lookup = anon.auth.token.lookup_self()["data"]
    assert lookup["display_name"] == f"{mount}-alice"
    assert lookup["path"] == f"auth/{mount}/login/alice"


def test_userpass_wrong_password_then_lockout(
    root: hvac.Client, anon: hvac.Client, unique: str
) -> None:
    mount = f"up-{unique}"
    root.sys.enable_auth_method("userpass", path=mount)
    root.auth.userpass.create_or_update_user("bob", "right", mount_point=mount)
    for _ in range(5):
        with pytest.raises(hvac.exceptions.InvalidRequest, match="invalid username or password"):
            anon.auth.userpass.login("bob", "wrong", mount_point=mount)
    with pytest.raises(hvac.exceptions.Forbidden):
        anon.auth.userpass.login("bob", "right", mount_point=mount)
    root.auth.userpass.update_password_on_user("bob", "new-pass", mount_point=mount)
    assert anon.auth.userpass.login("bob", "new-pass", mount_point=mount)["auth"]["client_token"]


def test_approle_full_cycle_with_wrapped_secret_id(
    root: hvac.Client, anon: hvac.Client, unique: str, sealbox_server: object
) -> None:
    mount = f"ar-{unique}"
    root.sys.enable_auth_method("approle", path=mount)
    root.auth.approle.create_or_update_approle(
        "web",
        token_policies=["default"],
        token_ttl="20m",
        secret_id_num_uses=2,
        mount_point=mount,
    )
    role = root.auth.approle.read_role("web", mount_point=mount)["data"]
    assert role["secret_id_num_uses"] == 2
    assert role["token_ttl"] == 1200
    role_id = root.auth.approle.read_role_id("web", mount_point=mount)["data"]["role_id"]
    wrapped = root.auth.approle.generate_secret_id("web", mount_point=mount, wrap_ttl="60s")
    wrapping_token = wrapped["wrap_info"]["token"]
    assert wrapped["data"] is None
    unwrapper = hvac.Client(url=root.url)
    secret_id = unwrapper.sys.unwrap(wrapping_token)["data"]["secret_id"]
    accessors = root.auth.approle.list_secret_id_accessors("web", mount_point=mount)
    (accessor,) = accessors["data"]["keys"]
    looked = root.auth.approle.read_secret_id_accessor("web", accessor, mount_point=mount)
    assert looked["data"]["secret_id_num_uses"] == 2
    login = anon.auth.approle.login(role_id, secret_id, mount_point=mount)
    assert login["auth"]["metadata"] == {"role_name": "web"}
    assert login["auth"]["lease_duration"] == 1200
    anon.auth.approle.login(role_id, secret_id, mount_point=mount)
    with pytest.raises(hvac.exceptions.InvalidRequest, match="invalid role or secret ID"):
        anon.auth.approle.login(role_id, secret_id, mount_point=mount)
    custom = root.auth.approle.create_custom_secret_id("web", "my-own-secret", mount_point=mount)
    assert custom["data"]["secret_id"] == "my-own-secret"
    root.auth.approle.destroy_secret_id("web", "my-own-secret", mount_point=mount)
    with pytest.raises(hvac.exceptions.InvalidRequest):
        anon.auth.approle.login(role_id, "my-own-secret", mount_point=mount)
    root.auth.approle.delete_role("web", mount_point=mount)
    with pytest.raises(hvac.exceptions.InvalidPath):
        root.auth.approle.read_role("web", mount_point=mount)


def test_identity_entity_and_group_policies_reach_login_tokens(
    root: hvac.Client, anon: hvac.Client, unique: str
) -> None:
    mount = f"up-{unique}"
    root.sys.enable_auth_method("userpass", path=mount)
    accessor = root.sys.list_auth_methods()["data"][f"{mount}/"]["accessor"]
    root.sys.create_or_update_policy(f"grp-{unique}", _READER.format(name=unique))
    root.secrets.kv.v2.create_or_update_secret(f"{unique}/app", {"k": "v"})
    entity = root.secrets.identity.create_or_update_entity(name=f"carol-{unique}")
    entity_id = entity["data"]["id"]
    root.secrets.identity.create_or_update_entity_alias(
        name="carol", canonical_id=entity_id, mount_accessor=accessor
    )
    root.auth.userpass.create_or_update_user("carol", "pw", mount_point=mount)
    login = anon.auth.userpass.login("carol", "pw", mount_point=mount)
    assert login["auth"]["entity_id"] == entity_id
    with pytest.raises(hvac.exceptions.Forbidden):
        anon.secrets.kv.v2.read_secret_version(f"{unique}/app", raise_on_deleted_version=True)
    group = root.secrets.identity.create_or_update_group(
        name=f"team-{unique}", policies=[f"grp-{unique}"], member_entity_ids=[entity_id]
    )
    # identity policies apply at request time, to the token already issued
    secret = anon.secrets.kv.v2.read_secret_version(f"{unique}/app", raise_on_deleted_version=True)
    assert secret["data"]["data"] == {"k": "v"}
    assert anon.auth.token.lookup_self()["data"]["identity_policies"] == [f"grp-{unique}"]
    found = root.secrets.identity.lookup_entity(alias_name="carol", alias_mount_accessor=accessor)
    assert found["data"]["id"] == entity_id
    assert found["data"]["direct_group_ids"] == [group["data"]["id"]]
    missing = root.secrets.identity.lookup_entity(name="nobody-" + unique)
    assert missing.status_code == 204  # hvac hands back the bare 204 response
    root.secrets.identity.update_entity(entity_id, name=f"carol-{unique}", disabled=True)
    with pytest.raises(hvac.exceptions.Forbidden):
        anon.auth.userpass.login("carol", "pw", mount_point=mount)
