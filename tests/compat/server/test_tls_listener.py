"""The configured server: HCL config, SQLite storage, TLS listener, Shamir 3-of-5, via hvac."""

from __future__ import annotations

import hvac
import pytest
from tests.compat.conftest import InitializedServer

pytestmark = pytest.mark.compat


def test_tls_server_serves_kv_over_https_with_hvac(sealbox_tls_server: InitializedServer) -> None:
    client = hvac.Client(
        url=sealbox_tls_server.address,
        token=sealbox_tls_server.token,
        verify=sealbox_tls_server.ca_cert,
    )
    assert client.sys.read_health_status(method="GET")["sealed"] is False
    client.sys.enable_secrets_engine("kv", path="tlskv", options={"version": "2"})
    client.secrets.kv.v2.create_or_update_secret(
        "app/db", secret={"password": "pw1"}, mount_point="tlskv"
    )
    read = client.secrets.kv.v2.read_secret_version(
        "app/db", mount_point="tlskv", raise_on_deleted_version=True
    )
    assert read["data"]["data"] == {"password": "pw1"}
    status = client.sys.read_seal_status()
    assert (status["t"], status["n"], status["storage_type"]) == (3, 5, "sqlite")


def test_tls_server_refuses_plain_http(sealbox_tls_server: InitializedServer) -> None:
    import requests

    plain = sealbox_tls_server.address.replace("https://", "http://")
    with pytest.raises(requests.RequestException):
        requests.get(f"{plain}/v1/sys/health", timeout=5).raise_for_status()
