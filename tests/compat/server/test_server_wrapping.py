"""Response wrapping through hvac: X-Vault-Wrap-TTL on any request, sys/wrapping/wrap,
unwrap (by body and as client token), lookup and rewrap."""

from __future__ import annotations

import hvac
import pytest
import requests
from hvac import exceptions
from tests.compat.server.conftest import unique

pytestmark = pytest.mark.compat

_WRAP_INFO_KEYS = {"token", "accessor", "ttl", "creation_time", "creation_path"}


def test_wrap_and_unwrap_payload(root: hvac.Client) -> None:
    wrapped = root.sys.wrap(payload={"secret": "value"}, ttl="90s")
    info = wrapped["wrap_info"]
    assert set(info) >= _WRAP_INFO_KEYS
    assert info["ttl"] == 90
    assert info["creation_path"] == "sys/wrapping/wrap"
    assert len(info["token"]) == 28
    assert wrapped["data"] is None
    assert wrapped["request_id"] == ""
    unwrapped = root.sys.unwrap(info["token"])
    assert unwrapped["data"] == {"secret": "value"}
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.unwrap(info["token"])


def test_wrap_endpoint_requires_wrapping(root: hvac.Client) -> None:
    with pytest.raises(exceptions.InvalidRequest, match="requires response wrapping"):
        root.adapter.post("/v1/sys/wrapping/wrap", json={"a": "b"})


def test_unwrap_with_wrapping_token_as_client_token(root: hvac.Client) -> None:
    token = root.sys.wrap(payload={"k": "v"})["wrap_info"]["token"]
    holder = hvac.Client(url=root.url, token=token)
    assert holder.sys.unwrap()["data"] == {"k": "v"}


def test_wrap_any_request_with_header(root: hvac.Client) -> None:
    path = unique("wrapped")
    root.secrets.kv.v2.create_or_update_secret(path, secret={"pw": "x"})
    wrapped = root.adapter.get(f"/v1/secret/data/{path}", headers={"X-Vault-Wrap-TTL": "5m"})
    assert wrapped["wrap_info"]["ttl"] == 300
    assert wrapped["wrap_info"]["creation_path"] == f"secret/data/{path}"
    original = root.sys.unwrap(wrapped["wrap_info"]["token"])
    assert original["data"]["data"] == {"pw": "x"}


def test_wrapped_token_create_has_wrapped_accessor(root: hvac.Client) -> None:
    wrapped = root.auth.token.create(policies=["default"], wrap_ttl="2m")
    info = wrapped["wrap_info"]
    assert info["wrapped_accessor"]
    auth = root.sys.unwrap(info["token"])["auth"]
    assert auth["accessor"] == info["wrapped_accessor"]
    assert hvac.Client(url=root.url, token=auth["client_token"]).is_authenticated()


def test_wrap_lookup_is_unauthenticated(root: hvac.Client) -> None:
    token = root.sys.wrap(payload={"a": "b"}, ttl=120)["wrap_info"]["token"]
    anonymous = hvac.Client(url=root.url, token="")
    looked = anonymous.adapter.post("/v1/sys/wrapping/lookup", json={"token": token})["data"]
    assert looked["creation_ttl"] == 120
    assert looked["creation_path"] == "sys/wrapping/wrap"
    assert looked["creation_time"]
    # lookup does not consume the token
    assert root.sys.unwrap(token)["data"] == {"a": "b"}
    with pytest.raises(exceptions.InvalidRequest):
        anonymous.adapter.post("/v1/sys/wrapping/lookup", json={"token": token})


def test_rewrap_invalidates_old_token(root: hvac.Client) -> None:
    old = root.sys.wrap(payload={"r": "1"}, ttl=60)["wrap_info"]["token"]
    rewrapped = root.adapter.post("/v1/sys/wrapping/rewrap", json={"token": old})
    new = rewrapped["wrap_info"]["token"]
    assert new != old
    assert rewrapped["wrap_info"]["ttl"] == 60
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.unwrap(old)
    assert root.sys.unwrap(new)["data"] == {"r": "1"}


def test_unwrap_bogus_token(root: hvac.Client) -> None:
    with pytest.raises(exceptions.InvalidRequest, match="wrapping token is not valid"):
        root.sys.unwrap("hvs.notawrappingtokennotawrap")


def test_wrapping_token_cannot_be_used_elsewhere(root: hvac.Client) -> None:
    token = root.sys.wrap(payload={"a": "b"})["wrap_info"]["token"]
    with pytest.raises(exceptions.Forbidden):
        hvac.Client(url=root.url, token=token).secrets.kv.v2.list_secrets("")


def test_wrap_ttl_formats(root: hvac.Client) -> None:
    for header, seconds in (("30", 30), ("15s", 15), ("20m", 1200), ("1h", 3600)):
        response = requests.post(
            f"{root.url}/v1/sys/wrapping/wrap",
            json={"x": "y"},
            headers={"X-Vault-Token": root.token, "X-Vault-Wrap-TTL": header},
            timeout=10,
        )
        assert response.status_code == 200
        assert response.json()["wrap_info"]["ttl"] == seconds


def test_lookup_with_wrapping_token_as_client_token_does_not_spend_it(root: hvac.Client) -> None:
    token = root.sys.wrap(payload={"keep": "me"}, ttl=60)["wrap_info"]["token"]
    holder = hvac.Client(url=root.url, token=token)
    for _ in range(2):
        looked = holder.adapter.post("/v1/sys/wrapping/lookup", json={})
        assert looked["data"]["creation_ttl"] == 60
    assert holder.sys.unwrap()["data"] == {"keep": "me"}


def test_invalid_wrap_ttl_header_is_400(root: hvac.Client) -> None:
    for header in ("abc", "-5"):
        with pytest.raises(exceptions.InvalidRequest, match="X-Vault-Wrap-TTL"):
            root.adapter.get("/v1/sys/mounts", headers={"X-Vault-Wrap-TTL": header})
