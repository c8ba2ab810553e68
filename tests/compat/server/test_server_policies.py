"""ACL policies through hvac: CRUD (HCL and JSON, sys/policies/acl and legacy sys/policy),
capabilities endpoints, and end-to-end enforcement with non-root tokens."""

from __future__ import annotations

import json

import hvac
import pytest
from hvac import exceptions
from tests.compat.server.conftest import TokenFor, unique

pytestmark = pytest.mark.compat

_HCL = """
path "secret/data/app/*" {
  capabilities = ["read", "list"]
}
"""


def test_acl_policy_crud_hcl(root: hvac.Client) -> None:
    name = unique("hcl")
    root.sys.create_or_update_acl_policy(name=name, policy=_HCL)
    read = root.sys.read_acl_policy(name)
    assert set(read["data"]) == {"name", "policy"}
    assert read["data"]["name"] == name
    assert read["data"]["policy"] == _HCL
    assert name in root.sys.list_acl_policies()["data"]["keys"]
    root.sys.delete_acl_policy(name)
    with pytest.raises(exceptions.InvalidPath):
        root.sys.read_acl_policy(name)
    assert name not in root.sys.list_acl_policies()["data"]["keys"]


def test_acl_policy_json_document(root: hvac.Client) -> None:
    name = unique("json")
    document = {"path": {"kv/*": {"capabilities": ["read"]}}}
    root.sys.create_or_update_acl_policy(name=name, policy=document)
    stored = root.sys.read_acl_policy(name)["data"]["policy"]
    assert json.loads(stored) == document
    caps = root.sys.get_capabilities(
        ["kv/x"], token=root.auth.token.create(policies=[name])["auth"]["client_token"]
    )
    assert caps["kv/x"] == ["read"]


def test_policy_names_are_lowercased(root: hvac.Client) -> None:
    name = unique("MiXeD")
    root.sys.create_or_update_acl_policy(name=name, policy=_HCL)
    assert root.sys.read_acl_policy(name.lower())["data"]["name"] == name.lower()


def test_invalid_policy_is_400(root: hvac.Client) -> None:
    with pytest.raises(exceptions.InvalidRequest, match="failed to parse policy"):
        root.sys.create_or_update_acl_policy(
            name=unique("bad"), policy='path "x" { capabilities = ["bogus"] }'
        )
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.create_or_update_acl_policy(name=unique("bad"), policy="path {")


def test_builtin_policies(root: hvac.Client) -> None:
    keys = root.sys.list_acl_policies()["data"]["keys"]
    assert {"default", "root"} <= set(keys)
    assert "auth/token/lookup-self" in root.sys.read_acl_policy("default")["data"]["policy"]
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.delete_acl_policy("root")
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.delete_acl_policy("default")
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.create_or_update_acl_policy(name="root", policy=_HCL)


def test_legacy_sys_policy(root: hvac.Client) -> None:
    name = unique("legacy")
    root.sys.create_or_update_policy(name=name, policy=_HCL)
    listing = root.sys.list_policies()
    assert name in listing["data"]["policies"]
    assert name in listing["policies"]
    assert name in listing["keys"]
    read = root.sys.read_policy(name)
    assert read["name"] == name
    assert read["rules"] == _HCL
    assert read["data"]["rules"] == _HCL
    root.sys.delete_policy(name)
    with pytest.raises(exceptions.InvalidPath):
        root.sys.read_policy(name)


def test_capabilities_endpoints(root: hvac.Client) -> None:
    name = unique("caps")
    root.sys.create_or_update_acl_policy(
        name=name,
        policy='path "kv/a" { capabilities = ["read", "update"] }\n'
        'path "kv/b/*" { capabilities = ["deny"] }',
    )
    auth = root.auth.token.create(policies=[name])["auth"]
    user = hvac.Client(url=root.url, token=auth["client_token"])
    self_caps = user.sys.get_capabilities(["kv/a", "kv/b/c", "kv/other"])
    assert sorted(self_caps["kv/a"]) == ["read", "update"]
    assert self_caps["kv/b/c"] == ["deny"]
    assert self_caps["kv/other"] == ["deny"]
    single = user.sys.get_capabilities(["kv/a"])
    assert sorted(single["capabilities"]) == ["read", "update"]
    by_token = root.sys.get_capabilities(["kv/a"], token=auth["client_token"])
    assert sorted(by_token["kv/a"]) == ["read", "update"]
    by_accessor = root.sys.get_capabilities(["kv/a"], accessor=auth["accessor"])
    assert sorted(by_accessor["data"]["kv/a"]) == ["read", "update"]
    assert root.sys.get_capabilities(["anything"])["anything"] == ["root"]


def test_policy_contents_are_reread_each_request(root: hvac.Client, token_for: TokenFor) -> None:
    name = unique("live")
    root.sys.create_or_update_acl_policy(
        name=name, policy='path "secret/data/live" { capabilities = ["read"] }'
    )
    token = root.auth.token.create(policies=[name])["auth"]["client_token"]
    user = hvac.Client(url=root.url, token=token)
    root.secrets.kv.v2.create_or_update_secret("live", secret={"a": "1"})
    assert user.secrets.kv.v2.read_secret_version("live", raise_on_deleted_version=True)
    root.sys.create_or_update_acl_policy(
        name=name, policy='path "secret/data/other" { capabilities = ["read"] }'
    )
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v2.read_secret_version("live", raise_on_deleted_version=True)


@pytest.fixture(scope="module")
def acl_mount(root: hvac.Client) -> str:
    """A kv v1 mount with a few secrets for ACL tests (v1 so parameters are top-level)."""
    mount = unique("acl")
    root.sys.enable_secrets_engine("kv", path=mount, options={"version": "1"})
    for path in ("team/a/app", "team/b/app", "public/x", "private/x", "zip-zap/zong"):
        root.secrets.kv.v1.create_or_update_secret(path, {"v": path}, mount_point=mount)
    return mount


def test_glob_and_exact(root: hvac.Client, token_for: TokenFor, acl_mount: str) -> None:
    user = token_for(
        f'path "{acl_mount}/public/*" {{ capabilities = ["read", "list"] }}\n'
        f'path "{acl_mount}/zip-*" {{ capabilities = ["read"] }}'
    )
    assert user.secrets.kv.v1.read_secret("public/x", mount_point=acl_mount)["data"]
    assert user.secrets.kv.v1.read_secret("zip-zap/zong", mount_point=acl_mount)["data"]
    assert user.secrets.kv.v1.list_secrets("public", mount_point=acl_mount)["data"]["keys"] == ["x"]
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v1.read_secret("private/x", mount_point=acl_mount)
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v1.create_or_update_secret(
            "public/y", {"v": "1"}, mount_point=acl_mount, method="POST"
        )


def test_plus_segment(token_for: TokenFor, acl_mount: str) -> None:
    user = token_for(f'path "{acl_mount}/team/+/app" {{ capabilities = ["read"] }}')
    for team in ("a", "b"):
        assert user.secrets.kv.v1.read_secret(f"team/{team}/app", mount_point=acl_mount)
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v1.read_secret("public/x", mount_point=acl_mount)


def test_deny_wins_and_most_specific_path(token_for: TokenFor, acl_mount: str) -> None:
    user = token_for(
        f'path "{acl_mount}/*" {{ capabilities = ["read", "create", "update"] }}\n'
        f'path "{acl_mount}/private/*" {{ capabilities = ["deny"] }}\n'
        f'path "{acl_mount}/team/a/app" {{ capabilities = ["read"] }}'
    )
    assert user.secrets.kv.v1.read_secret("public/x", mount_point=acl_mount)
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v1.read_secret("private/x", mount_point=acl_mount)
    # the exact path outranks the glob: read only, no update
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v1.create_or_update_secret(
            "team/a/app", {"v": "2"}, mount_point=acl_mount, method="POST"
        )
    user.secrets.kv.v1.create_or_update_secret(
        "team/b/app", {"v": "2"}, mount_point=acl_mount, method="POST"
    )


def test_create_versus_update(root: hvac.Client, token_for: TokenFor, acl_mount: str) -> None:
    user = token_for(f'path "{acl_mount}/cu/*" {{ capabilities = ["create"] }}')
    user.secrets.kv.v1.create_or_update_secret(
        "cu/new", {"v": "1"}, mount_point=acl_mount, method="POST"
    )
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v1.create_or_update_secret(
            "cu/new", {"v": "2"}, mount_point=acl_mount, method="POST"
        )
    assert root.secrets.kv.v1.read_secret("cu/new", mount_point=acl_mount)["data"] == {"v": "1"}


def test_sudo_paths(token_for: TokenFor) -> None:
    plain = token_for('path "sys/audit" { capabilities = ["read"] }')
    with pytest.raises(exceptions.Forbidden):
        plain.sys.list_enabled_audit_devices()
    sudo = token_for('path "sys/audit" { capabilities = ["read", "sudo"] }')
    assert isinstance(sudo.sys.list_enabled_audit_devices()["data"], dict)


def test_allowed_parameters(token_for: TokenFor, acl_mount: str) -> None:
    user = token_for(
        f'path "{acl_mount}/params/*" {{\n'
        '  capabilities = ["create", "update"]\n'
        '  allowed_parameters = { "colour" = ["red", "blue"], "size" = [] }\n'
        "}"
    )
    user.secrets.kv.v1.create_or_update_secret(
        "params/ok", {"colour": "red", "size": "xl"}, mount_point=acl_mount, method="POST"
    )
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v1.create_or_update_secret(
            "params/bad", {"colour": "green"}, mount_point=acl_mount, method="POST"
        )
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v1.create_or_update_secret(
            "params/bad", {"other": "x"}, mount_point=acl_mount, method="POST"
        )


def test_denied_parameters(token_for: TokenFor, acl_mount: str) -> None:
    user = token_for(
        f'path "{acl_mount}/denied/*" {{\n'
        '  capabilities = ["create", "update"]\n'
        '  denied_parameters = { "password" = [], "env" = ["prod*"] }\n'
        "}"
    )
    user.secrets.kv.v1.create_or_update_secret(
        "denied/ok", {"env": "dev"}, mount_point=acl_mount, method="POST"
    )
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v1.create_or_update_secret(
            "denied/no", {"password": "x"}, mount_point=acl_mount, method="POST"
        )
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v1.create_or_update_secret(
            "denied/no", {"env": "production"}, mount_point=acl_mount, method="POST"
        )


def test_required_parameters(token_for: TokenFor, acl_mount: str) -> None:
    user = token_for(
        f'path "{acl_mount}/required/*" {{\n'
        '  capabilities = ["create", "update"]\n'
        '  required_parameters = ["owner"]\n'
        "}"
    )
    user.secrets.kv.v1.create_or_update_secret(
        "required/ok", {"owner": "me", "v": "1"}, mount_point=acl_mount, method="POST"
    )
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v1.create_or_update_secret(
            "required/no", {"v": "1"}, mount_point=acl_mount, method="POST"
        )


def test_wrapping_ttl_bounds(token_for: TokenFor, acl_mount: str) -> None:
    user = token_for(
        f'path "{acl_mount}/public/*" {{\n'
        '  capabilities = ["read"]\n'
        '  min_wrapping_ttl = "1m"\n'
        '  max_wrapping_ttl = "1h"\n'
        "}"
    )
    # min_wrapping_ttl makes wrapping mandatory
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v1.read_secret("public/x", mount_point=acl_mount)
    with pytest.raises(exceptions.Forbidden):
        user.adapter.get(f"/v1/{acl_mount}/public/x", headers={"X-Vault-Wrap-TTL": "10s"})
    with pytest.raises(exceptions.Forbidden):
        user.adapter.get(f"/v1/{acl_mount}/public/x", headers={"X-Vault-Wrap-TTL": "2h"})
    wrapped = user.adapter.get(f"/v1/{acl_mount}/public/x", headers={"X-Vault-Wrap-TTL": "5m"})
    assert wrapped["wrap_info"]["ttl"] == 300


def test_default_policy_allows_self_service(token_for: TokenFor) -> None:
    user = token_for('path "nothing" { capabilities = ["read"] }', default_policy=True)
    assert user.auth.token.lookup_self()["data"]["policies"]
    user.write("cubbyhole/mine", value="x")
    assert user.read("cubbyhole/mine")["data"] == {"value": "x"}
    with pytest.raises(exceptions.Forbidden):
        user.sys.list_mounted_secrets_engines()


_PRECEDENCE_POLICIES = (
    'path "secret/*" { capabilities = ["read"] }\n'
    'path "secret/foo" { capabilities = ["update"] }\n'
    'path "secret/foo*" { capabilities = ["list"] }\n'
    'path "secret/+/bar" { capabilities = ["create"] }\n'
    'path "secret/+/bar/*" { capabilities = ["delete"] }\n'
    'path "secret/a/+/c" { capabilities = ["patch"] }\n'
    'path "secret/zip-*" { capabilities = ["sudo", "read"] }\n'
    'path "/leading/slash" { capabilities = ["read"] }\n'
    'path "secret/deny/*" { capabilities = ["deny", "read"] }\n'
    'path "secret/+" { capabilities = ["list"] }\n'
    'path "secret/+/+/foo/*" { capabilities = ["update"] }\n'
    'path "x/y" { policy = "write" }\n'
    'path "x/z" { policy = "sudo" }\n'
    'path "x/r" { policy = "read" }\n',
    'path "secret/foo" { capabilities = ["read"] }\n'
    'path "secret/*" { capabilities = ["delete"] }\n'
    'path "secret/deny/ok" { capabilities = ["read"] }\n'
    'path "secret/zip-zap" { capabilities = ["create"] }\n',
    '{"path": {"json/*": {"capabilities": ["read", "list"]}, '
    '"json/exact": {"capabilities": ["deny"]}}}',
)
# Observed on OpenBao 2.7.2 with the same three policies on one token.
_PRECEDENCE_EXPECTED = {
    "secret/foo": ["read", "update"],
    "secret/foobar": ["list"],
    "secret/x": ["list"],
    "secret/x/bar": ["create"],
    "secret/x/bar/baz": ["delete", "read"],
    "secret/a/b/c": ["patch"],
    "secret/a/b/c/d": ["delete", "read"],
    "secret/zip-zap": ["create"],
    "secret/zip-zap/zong": ["read", "sudo"],
    "leading/slash": ["read"],
    "secret/deny/ok": ["read"],
    "secret/deny/x": ["deny"],
    "secret/1/2/foo/bar": ["delete", "read"],
    "secret/1/2/foo": ["delete", "read"],
    "x/y": ["create", "delete", "list", "read", "update"],
    "x/z": ["create", "delete", "list", "read", "sudo", "update"],
    "x/r": ["list", "read"],
    "json/a": ["list", "read"],
    "json/exact": ["deny"],
    "nothing": ["deny"],
    "secret/": ["list"],
    "secret": ["deny"],
}


def test_capabilities_precedence_matches_openbao(root: hvac.Client) -> None:
    names = []
    for policy in _PRECEDENCE_POLICIES:
        names.append(unique("prec"))
        root.sys.create_or_update_acl_policy(name=names[-1], policy=policy)
    token = root.auth.token.create(policies=names, no_default_policy=True)["auth"]["client_token"]
    caps = root.sys.get_capabilities(list(_PRECEDENCE_EXPECTED), token=token)
    assert {p: sorted(caps[p]) for p in _PRECEDENCE_EXPECTED} == _PRECEDENCE_EXPECTED
