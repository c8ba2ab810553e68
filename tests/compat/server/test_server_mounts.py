"""Secret-engine and auth mounts through hvac: enable, disable, tune, read, list, remount,
sys/internal/ui/mounts, and storage isolation between mounts."""

from __future__ import annotations

import hvac
import pytest
from hvac import exceptions
from tests.compat.server.conftest import TokenFor, unique

pytestmark = pytest.mark.compat

_MOUNT_KEYS = {"accessor", "config", "description", "local", "options", "seal_wrap", "type", "uuid"}


def test_dev_server_mounts(root: hvac.Client) -> None:
    mounts = root.sys.list_mounted_secrets_engines()
    assert mounts["secret/"]["type"] == "kv"
    assert mounts["secret/"]["options"] == {"version": "2"}
    assert mounts["cubbyhole/"]["type"] == "cubbyhole"
    assert mounts["sys/"]["type"] == "system"
    assert "secret/" in mounts["data"]
    assert set(mounts["secret/"]) >= _MOUNT_KEYS
    assert {"default_lease_ttl", "max_lease_ttl", "force_no_cache"} <= set(
        mounts["secret/"]["config"]
    )


def test_enable_read_disable_secrets_engine(root: hvac.Client) -> None:
    path = unique("kv")
    root.sys.enable_secrets_engine("kv", path=path, description="team kv", options={"version": "1"})
    mounts = root.sys.list_mounted_secrets_engines()["data"]
    entry = mounts[f"{path}/"]
    assert (entry["type"], entry["description"]) == ("kv", "team kv")
    assert entry["options"] == {"version": "1"}
    assert entry["accessor"].startswith("kv_")
    one = root.adapter.get(f"/v1/sys/mounts/{path}")
    assert one["type"] == "kv"
    root.sys.disable_secrets_engine(path)
    assert f"{path}/" not in root.sys.list_mounted_secrets_engines()["data"]


def test_enable_on_used_path_is_400(root: hvac.Client) -> None:
    path = unique("dup")
    root.sys.enable_secrets_engine("kv", path=path)
    with pytest.raises(exceptions.InvalidRequest, match="path is already in use"):
        root.sys.enable_secrets_engine("kv", path=path)
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.enable_secrets_engine("kv", path=f"{path}/nested")


def test_enable_unknown_type_is_400(root: hvac.Client) -> None:
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.enable_secrets_engine("no-such-engine", path=unique("x"))


def test_cannot_mount_over_reserved_paths(root: hvac.Client) -> None:
    for reserved in ("sys", "auth/x", "cubbyhole"):
        with pytest.raises(exceptions.InvalidRequest):
            root.sys.enable_secrets_engine("kv", path=reserved)


def test_disable_missing_mount_is_not_an_error(root: hvac.Client) -> None:
    response = root.sys.disable_secrets_engine(unique("never-mounted"))
    assert response.status_code == 204


def test_tune_and_read_mount_configuration(root: hvac.Client) -> None:
    path = unique("tune")
    root.sys.enable_secrets_engine("kv", path=path)
    defaults = root.sys.read_mount_configuration(path)
    assert defaults["default_lease_ttl"] == 2764800
    assert defaults["max_lease_ttl"] == 2764800
    assert defaults["force_no_cache"] is False
    root.sys.tune_mount_configuration(
        path, default_lease_ttl="1h", max_lease_ttl=7200, description="tuned"
    )
    tuned = root.sys.read_mount_configuration(path)
    assert (tuned["default_lease_ttl"], tuned["max_lease_ttl"]) == (3600, 7200)
    assert tuned["data"]["default_lease_ttl"] == 3600
    entry = root.sys.list_mounted_secrets_engines()["data"][f"{path}/"]
    assert entry["description"] == "tuned"
    assert entry["config"]["default_lease_ttl"] == 3600


def test_tune_upgrades_kv_v1_to_v2(root: hvac.Client) -> None:
    path = unique("upgrade")
    root.sys.enable_secrets_engine("kv", path=path, options={"version": "1"})
    root.secrets.kv.v1.create_or_update_secret("a", {"k": "v"}, mount_point=path)
    root.sys.tune_mount_configuration(path, options={"version": "2"})
    assert root.sys.retrieve_mount_option(path, "version") == "2"


def test_read_tune_of_missing_mount(root: hvac.Client) -> None:
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.read_mount_configuration(unique("missing"))


def test_remount_moves_data(root: hvac.Client) -> None:
    source, target = unique("from"), unique("to")
    root.sys.enable_secrets_engine("kv", path=source, options={"version": "2"})
    root.secrets.kv.v2.create_or_update_secret("app", secret={"k": "v"}, mount_point=source)
    moved = root.sys.move_backend(source, target)
    assert moved["migration_id"] == moved["data"]["migration_id"]
    status = root.adapter.get(f"/v1/sys/remount/status/{moved['migration_id']}")
    info = status["data"]["migration_info"]
    assert (info["source_mount"], info["target_mount"]) == (f"{source}/", f"{target}/")
    assert info["status"] == "success"
    mounts = root.sys.list_mounted_secrets_engines()["data"]
    assert f"{source}/" not in mounts
    assert f"{target}/" in mounts
    read = root.secrets.kv.v2.read_secret_version(
        "app", mount_point=target, raise_on_deleted_version=True
    )
    assert read["data"]["data"] == {"k": "v"}


def test_remount_needs_sudo(token_for: TokenFor) -> None:
    client = token_for('path "sys/remount" { capabilities = ["update"] }')
    with pytest.raises(exceptions.Forbidden):
        client.sys.move_backend("secret", unique("nope"))


def test_internal_ui_mounts_detects_kv_v2(root: hvac.Client, token_for: TokenFor) -> None:
    v1 = unique("uiv1")
    root.sys.enable_secrets_engine("kv", path=v1, options={"version": "1"})
    reply = root.adapter.get("/v1/sys/internal/ui/mounts/secret/data/foo")
    assert reply["data"]["type"] == "kv"
    assert reply["data"]["options"]["version"] == "2"
    assert reply["data"]["path"] == "secret/"
    other = root.adapter.get(f"/v1/sys/internal/ui/mounts/{v1}/foo")
    assert other["data"]["options"]["version"] == "1"
    # any token that can use something under the mount may ask (Vault Agent does)
    limited = token_for('path "secret/data/x" { capabilities = ["read"] }', default_policy=True)
    assert limited.adapter.get("/v1/sys/internal/ui/mounts/secret/data/x")["data"]["type"] == "kv"
    listing = root.adapter.get("/v1/sys/internal/ui/mounts")
    assert "secret/" in listing["data"]["secret"]


def test_mounts_are_isolated(root: hvac.Client) -> None:
    first, second = unique("iso"), unique("iso")
    for path in (first, second):
        root.sys.enable_secrets_engine("kv", path=path, options={"version": "1"})
    root.secrets.kv.v1.create_or_update_secret("shared-name", {"owner": first}, mount_point=first)
    with pytest.raises(exceptions.InvalidPath):
        root.secrets.kv.v1.read_secret("shared-name", mount_point=second)


def test_unknown_mount_is_404(root: hvac.Client) -> None:
    assert root.read(f"{unique('nomount')}/foo") is None  # hvac maps 404 to None
    with pytest.raises(exceptions.InvalidPath, match="no handler for route"):
        root.adapter.get(f"/v1/{unique('nomount')}/foo")


def test_auth_mounts_enable_tune_list_disable(root: hvac.Client) -> None:
    methods = root.sys.list_auth_methods()
    assert methods["token/"]["type"] == "token"
    assert "token/" in methods["data"]
    path = unique("tok")
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.enable_auth_method("token", path=path)
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.enable_auth_method("no-such-method", path=path)
    tuning = root.sys.read_auth_method_tuning("token")
    assert tuning["default_lease_ttl"] == 2764800
    assert tuning["data"]["max_lease_ttl"] == 2764800


def test_auth_mount_roundtrip_with_available_method(root: hvac.Client) -> None:
    available = [m for m in ("userpass", "approle") if _can_enable(root, m)]
    if not available:
        pytest.skip("no auth method besides token is built in yet")
    method, path = available[0], unique("am")
    root.sys.enable_auth_method(method, path=path, description="people")
    entry = root.sys.list_auth_methods()["data"][f"{path}/"]
    assert (entry["type"], entry["description"]) == (method, "people")
    root.sys.tune_auth_method(path, default_lease_ttl="30m", max_lease_ttl="1h")
    tuned = root.sys.read_auth_method_tuning(path)
    assert (tuned["default_lease_ttl"], tuned["max_lease_ttl"]) == (1800, 3600)
    root.sys.disable_auth_method(path)
    assert f"{path}/" not in root.sys.list_auth_methods()["data"]


def _can_enable(root: hvac.Client, method: str) -> bool:
    probe = unique("probe")
    try:
        root.sys.enable_auth_method(method, path=probe)
    except exceptions.InvalidRequest:
        return False
    root.sys.disable_auth_method(probe)
    return True


def test_auth_mounts_need_sudo(token_for: TokenFor) -> None:
    client = token_for('path "sys/auth/*" { capabilities = ["create", "update", "read"] }')
    with pytest.raises(exceptions.Forbidden):
        client.sys.enable_auth_method("userpass", path=unique("up"))


def test_secret_mounts_need_no_sudo(token_for: TokenFor) -> None:
    client = token_for(
        'path "sys/mounts/*" { capabilities = ["create", "update", "read", "delete"] }\n'
        'path "sys/mounts" { capabilities = ["read"] }'
    )
    path = unique("nosudo")
    client.sys.enable_secrets_engine("kv", path=path, options={"version": "2"})
    assert client.sys.read_mount_configuration(path)["max_lease_ttl"] == 2764800
    client.sys.tune_mount_configuration(path, description="by a non-root token")
    assert f"{path}/" in client.sys.list_mounted_secrets_engines()["data"]
    client.sys.disable_secrets_engine(path)
