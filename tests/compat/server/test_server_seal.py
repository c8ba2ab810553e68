"""Seal lifecycle through hvac on fresh config-file servers: init, unseal, seal, seal-status,
health with its query overrides, leader, sys/rotate and sys/key-status."""

from __future__ import annotations

import hvac
import pytest
import requests
from hvac import exceptions
from tests.compat.conftest import InitializedServer, ServerProcess
from tests.compat.server.conftest import TokenFor, initialize

pytestmark = pytest.mark.compat


def test_init_status_before_and_after(fresh_server: ServerProcess) -> None:
    client = hvac.Client(url=fresh_server.address, token="")
    assert client.sys.is_initialized() is False
    result = client.sys.initialize(secret_shares=5, secret_threshold=3)
    assert len(result["keys"]) == 5
    assert len(result["keys_base64"]) == 5
    assert all(len(k) == 66 for k in result["keys"])  # 32-byte secret + x coordinate, hex
    assert result["root_token"]
    assert client.sys.is_initialized() is True
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.initialize(secret_shares=1, secret_threshold=1)


def test_init_rejects_threshold_above_shares(fresh_server: ServerProcess) -> None:
    client = hvac.Client(url=fresh_server.address, token="")
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.initialize(secret_shares=2, secret_threshold=3)
    assert client.sys.is_initialized() is False


def test_uninitialized_server_health_is_501(fresh_server: ServerProcess) -> None:
    client = hvac.Client(url=fresh_server.address, token="")
    response = client.sys.read_health_status(method="GET")
    assert response.status_code == 501
    assert response.json()["initialized"] is False
    custom = client.sys.read_health_status(uninit_code=299, method="GET")
    assert custom.status_code == 299
    # compat: OpenBao answers logical requests on an uninitialised server as sealed (503)
    with pytest.raises(exceptions.VaultDown):
        client.secrets.kv.v2.read_secret_version("x", raise_on_deleted_version=True)


def test_unseal_progress_reset_and_keys(fresh_server: ServerProcess) -> None:
    client = hvac.Client(url=fresh_server.address, token="")
    keys = client.sys.initialize(secret_shares=3, secret_threshold=2)["keys_base64"]
    status = client.sys.read_seal_status()
    assert (status["sealed"], status["t"], status["n"], status["progress"]) == (True, 2, 3, 0)
    assert status["type"] == "shamir"
    assert status["initialized"] is True
    step = client.sys.submit_unseal_key(keys[0])
    assert (step["sealed"], step["progress"]) == (True, 1)
    assert step["nonce"]
    reset = client.sys.submit_unseal_key(reset=True)
    assert (reset["sealed"], reset["progress"]) == (True, 0)
    done = client.sys.submit_unseal_keys(keys[1:])
    assert done["sealed"] is False
    assert done["progress"] == 0
    assert client.sys.is_sealed() is False


def test_unseal_when_already_unsealed_is_200(fresh_initialized: InitializedServer) -> None:
    response = requests.put(
        f"{fresh_initialized.address}/v1/sys/unseal",
        json={"key": fresh_initialized.unseal_keys[0]},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["sealed"] is False


def test_unseal_with_wrong_key_is_refused(fresh_server: ServerProcess) -> None:
    client = hvac.Client(url=fresh_server.address, token="")
    client.sys.initialize(secret_shares=1, secret_threshold=1)
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.submit_unseal_key("00" * 33)
    assert client.sys.is_sealed() is True


def test_seal_then_everything_is_503(fresh_initialized: InitializedServer) -> None:
    client = hvac.Client(url=fresh_initialized.address, token=fresh_initialized.token)
    client.sys.seal()
    assert client.sys.is_sealed() is True
    with pytest.raises(exceptions.VaultDown):
        client.sys.list_mounted_secrets_engines()
    with pytest.raises(exceptions.VaultDown):
        client.auth.token.lookup_self()
    health = client.sys.read_health_status(method="GET")
    assert health.status_code == 503
    assert health.json()["sealed"] is True
    assert client.sys.read_health_status(sealed_code=298, method="GET").status_code == 298
    head = requests.head(f"{fresh_initialized.address}/v1/sys/health", timeout=10)
    assert head.status_code == 503
    assert head.content == b""
    status = client.sys.read_seal_status()
    assert status["sealed"] is True
    # compat: sys/leader still answers, and sealing again is a 204 no-op
    assert client.sys.read_leader_status() == {"ha_enabled": False}
    assert client.sys.seal().status_code == 204
    client.sys.submit_unseal_keys(fresh_initialized.unseal_keys[:2])
    assert client.auth.token.lookup_self()["data"]["policies"] == ["root"]


def test_seal_needs_a_root_token(fresh_initialized: InitializedServer) -> None:
    root = hvac.Client(url=fresh_initialized.address, token=fresh_initialized.token)
    weak = root.auth.token.create(policies=["default"])["auth"]["client_token"]
    with pytest.raises(exceptions.Forbidden):
        hvac.Client(url=fresh_initialized.address, token=weak).sys.seal()
    with pytest.raises(exceptions.Forbidden):
        hvac.Client(url=fresh_initialized.address, token="").sys.seal()
    assert root.sys.is_sealed() is False


def test_state_survives_seal_and_unseal(fresh_initialized: InitializedServer) -> None:
    client = hvac.Client(url=fresh_initialized.address, token=fresh_initialized.token)
    client.sys.enable_secrets_engine("kv", path="kept", options={"version": "2"})
    client.secrets.kv.v2.create_or_update_secret("a", secret={"v": "1"}, mount_point="kept")
    client.sys.seal()
    client.sys.submit_unseal_keys(fresh_initialized.unseal_keys[1:3])
    read = client.secrets.kv.v2.read_secret_version(
        "a", mount_point="kept", raise_on_deleted_version=True
    )
    assert read["data"]["data"] == {"v": "1"}


def test_health_active_and_overrides(fresh_initialized: InitializedServer) -> None:
    client = hvac.Client(url=fresh_initialized.address, token="")
    response = client.sys.read_health_status(method="GET")
    assert response["initialized"] is True
    assert response["sealed"] is False
    assert response["standby"] is False
    for key in ("server_time_utc", "version", "cluster_name", "cluster_id"):
        assert key in response
    custom = client.sys.read_health_status(active_code=217, method="GET")
    assert custom.status_code == 217
    assert client.sys.read_health_status(standby_ok=True, method="GET")["sealed"] is False
    head = client.sys.read_health_status(method="HEAD")
    assert head.status_code == 200


def test_health_rejects_writes(fresh_initialized: InitializedServer) -> None:
    response = requests.put(f"{fresh_initialized.address}/v1/sys/health", timeout=10)
    assert response.status_code == 405


def test_leader_without_ha(fresh_initialized: InitializedServer) -> None:
    client = hvac.Client(url=fresh_initialized.address, token=fresh_initialized.token)
    leader = client.sys.read_leader_status()
    assert leader["ha_enabled"] is False


def test_seal_status_reports_cluster_when_unsealed(fresh_initialized: InitializedServer) -> None:
    status = hvac.Client(url=fresh_initialized.address, token="").sys.read_seal_status()
    assert status["sealed"] is False
    assert (status["t"], status["n"]) == (2, 3)
    assert status["cluster_name"]
    assert status["cluster_id"]
    assert status["storage_type"] == "inmem"


def test_rotate_and_key_status(root: hvac.Client) -> None:
    before = root.sys.get_encryption_key_status()
    assert before["term"] >= 1
    assert "install_time" in before
    assert before["data"]["term"] == before["term"]
    root.sys.rotate_encryption_key()
    after = root.sys.get_encryption_key_status()
    assert after["term"] == before["term"] + 1
    # data written under older terms still decrypts
    assert root.sys.list_mounted_secrets_engines()["secret/"]["type"] == "kv"


def test_rotate_needs_sudo(token_for: TokenFor) -> None:
    client = token_for('path "sys/rotate" { capabilities = ["update"] }')
    with pytest.raises(exceptions.Forbidden):
        client.sys.rotate_encryption_key()


def test_fresh_server_full_lifecycle_with_more_shares(fresh_server: ServerProcess) -> None:
    server = initialize(fresh_server, shares=5, threshold=3)
    client = hvac.Client(url=server.address, token=server.token)
    assert client.is_authenticated()
    assert client.sys.read_seal_status()["t"] == 3


def test_health_code_out_of_range_is_400(fresh_initialized: InitializedServer) -> None:
    for code in ("abc", "600", "99", "-1"):
        response = requests.get(
            f"{fresh_initialized.address}/v1/sys/health", params={"activecode": code}, timeout=10
        )
        assert response.status_code == 400, code
    assert hvac.Client(url=fresh_initialized.address, token="").sys.read_health_status(
        method="GET"
    )["initialized"]
