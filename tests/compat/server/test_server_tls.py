"""A subset of the hvac suite over HTTPS against the configured TLS server (SQLite storage,
3-of-5 Shamir): seal status, tokens, policies with a non-root token, KV v1/v2, wrapping,
rotation, and a seal/unseal round trip through the same listener."""

from __future__ import annotations

from collections.abc import Callable

import hvac
import pytest
import requests
from hvac import exceptions
from tests.compat.conftest import InitializedServer
from tests.compat.server.conftest import unique

pytestmark = pytest.mark.compat


def test_tls_seal_status_and_health(tls_root: hvac.Client) -> None:
    status = tls_root.sys.read_seal_status()
    assert (status["sealed"], status["t"], status["n"]) == (False, 3, 5)
    assert status["storage_type"] == "sqlite"
    assert tls_root.sys.read_health_status(method="GET")["initialized"] is True
    assert tls_root.sys.read_leader_status()["ha_enabled"] is False


def test_tls_needs_the_ca(sealbox_tls_server: InitializedServer) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{sealbox_tls_server.address}/v1/sys/health", timeout=10, verify=True)


def test_tls_tokens(tls_root: hvac.Client, tls_as: Callable[[str], hvac.Client]) -> None:
    auth = tls_root.auth.token.create(policies=["default"], ttl="1h", num_uses=3)["auth"]
    assert len(auth["client_token"]) == 28
    user = tls_as(auth["client_token"])
    assert user.auth.token.lookup_self()["data"]["num_uses"] == 2
    tls_root.auth.token.revoke_accessor(auth["accessor"])
    with pytest.raises(exceptions.Forbidden):
        user.auth.token.lookup_self()


def test_tls_policy_enforcement_and_kv(
    tls_root: hvac.Client, tls_as: Callable[[str], hvac.Client]
) -> None:
    mount = unique("tlsv1")
    tls_root.sys.enable_secrets_engine("kv", path=mount, options={"version": "1"})
    tls_root.secrets.kv.v1.create_or_update_secret("team/a", {"v": "a"}, mount_point=mount)
    tls_root.secrets.kv.v1.create_or_update_secret("other", {"v": "o"}, mount_point=mount)
    name = unique("tlspol")
    tls_root.sys.create_or_update_acl_policy(
        name=name, policy=f'path "{mount}/team/*" {{ capabilities = ["read"] }}'
    )
    token = tls_root.auth.token.create(policies=[name])["auth"]["client_token"]
    user = tls_as(token)
    assert user.secrets.kv.v1.read_secret("team/a", mount_point=mount)["data"] == {"v": "a"}
    with pytest.raises(exceptions.Forbidden):
        user.secrets.kv.v1.read_secret("other", mount_point=mount)


def test_tls_kv2_versions(tls_root: hvac.Client) -> None:
    mount = unique("tlsv2")
    tls_root.sys.enable_secrets_engine("kv", path=mount, options={"version": "2"})
    kv = tls_root.secrets.kv.v2
    kv.create_or_update_secret("s", secret={"v": "1"}, mount_point=mount)
    kv.create_or_update_secret("s", secret={"v": "2"}, cas=1, mount_point=mount)
    old = kv.read_secret_version("s", version=1, mount_point=mount, raise_on_deleted_version=True)
    assert old["data"]["data"] == {"v": "1"}
    kv.destroy_secret_versions("s", versions=[1], mount_point=mount)
    assert kv.read_secret_metadata("s", mount_point=mount)["data"]["versions"]["1"]["destroyed"]


def test_tls_wrapping(tls_root: hvac.Client) -> None:
    token = tls_root.sys.wrap(payload={"over": "tls"}, ttl=60)["wrap_info"]["token"]
    assert tls_root.sys.unwrap(token)["data"] == {"over": "tls"}


def test_tls_rotate_keeps_data_readable(tls_root: hvac.Client) -> None:
    mount = unique("rot")
    tls_root.sys.enable_secrets_engine("kv", path=mount, options={"version": "1"})
    tls_root.secrets.kv.v1.create_or_update_secret("k", {"v": "old-term"}, mount_point=mount)
    term = tls_root.sys.get_encryption_key_status()["term"]
    tls_root.sys.rotate_encryption_key()
    assert tls_root.sys.get_encryption_key_status()["term"] == term + 1
    assert tls_root.secrets.kv.v1.read_secret("k", mount_point=mount)["data"] == {"v": "old-term"}


def test_tls_seal_and_unseal_with_sqlite(
    tls_root: hvac.Client, sealbox_tls_server: InitializedServer
) -> None:
    mount = unique("persist")
    tls_root.sys.enable_secrets_engine("kv", path=mount, options={"version": "1"})
    tls_root.secrets.kv.v1.create_or_update_secret("k", {"v": "kept"}, mount_point=mount)
    tls_root.sys.seal()
    try:
        with pytest.raises(exceptions.VaultDown):
            tls_root.secrets.kv.v1.read_secret("k", mount_point=mount)
    finally:
        result = tls_root.sys.submit_unseal_keys(sealbox_tls_server.unseal_keys[2:5])
    assert result["sealed"] is False
    assert tls_root.secrets.kv.v1.read_secret("k", mount_point=mount)["data"] == {"v": "kept"}
