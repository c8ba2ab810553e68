"""The HTTP client over httpx.MockTransport, and address/token resolution."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from sealbox.client import (
    DEFAULT_ADDRESS,
    Client,
    ClientConfig,
    ClientError,
    read_token_file,
    write_token_file,
)

Handler = Callable[[httpx.Request], httpx.Response]


TOKEN = "tok"


def make_client(handler: Handler) -> Client:
    return Client("http://vault.test", TOKEN, transport=httpx.MockTransport(handler))


def test_read_sends_token_and_parses_envelope() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": {"k": "v"}})

    with make_client(handler) as client:
        assert client.read("secret/data/x") == {"data": {"k": "v"}}
    assert seen[0].headers["X-Vault-Token"] == "tok"
    assert seen[0].url.path == "/v1/secret/data/x"


def test_read_404_is_none_but_kv_deleted_body_is_returned() -> None:
    bodies = [{"errors": []}, {"data": {"data": None, "metadata": {"version": 1}}}]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json=bodies.pop(0))

    with make_client(handler) as client:
        assert client.read("a") is None
        assert client.read("b") == {"data": {"data": None, "metadata": {"version": 1}}}


def test_list_uses_get_with_list_true() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "GET"
        assert request.url.params["list"] == "true"
        return httpx.Response(200, json={"data": {"keys": ["a"]}})

    with make_client(handler) as client:
        assert client.list("secret/metadata") == {"data": {"keys": ["a"]}}


def test_write_204_is_none_and_body_is_json() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "PUT"
        assert json.loads(request.content) == {"a": "b"}
        return httpx.Response(204)

    with make_client(handler) as client:
        assert client.write("kv/x", {"a": "b"}) is None


def test_patch_uses_merge_patch_content_type() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Content-Type"] == "application/merge-patch+json"
        return httpx.Response(200, json={"data": {}})

    with make_client(handler) as client:
        client.patch("kv/data/x", {"data": {"a": "b"}})


def test_wrap_ttl_header() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["X-Vault-Wrap-TTL"] == "5m"
        return httpx.Response(200, json={"wrap_info": {"token": "w"}})

    with make_client(handler) as client:
        client.wrap_ttl = "5m"
        assert client.read("x") == {"wrap_info": {"token": "w"}}


@pytest.mark.parametrize("status", [400, 403, 405, 500, 503])
def test_errors_raise_client_error(status: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"errors": ["permission denied"]})

    with make_client(handler) as client, pytest.raises(ClientError) as info:
        client.write("x", {"password": "hunter2"})
    assert info.value.status == status
    assert info.value.errors == ["permission denied"]
    assert str(info.value).endswith(f"Code: {status}. Errors:\n\n* permission denied")
    assert "hunter2" not in str(info.value)


def test_repr_hides_token() -> None:
    config = ClientConfig(token="secret-token")
    assert "secret-token" not in repr(config)
    assert TOKEN not in repr(make_client(lambda _request: httpx.Response(204)))


def test_config_prefers_sealbox_then_vault_then_token_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    write_token_file("file-token")
    env = {"VAULT_ADDR": "http://v:1", "VAULT_TOKEN": "vt", "SEALBOX_ADDR": "http://s:2"}
    config = ClientConfig.from_env(env)
    assert (config.address, config.token) == ("http://s:2", "vt")
    assert ClientConfig.from_env({}).token == "file-token"
    assert ClientConfig.from_env({}).address == DEFAULT_ADDRESS == "https://127.0.0.1:8200"
    tls = ClientConfig.from_env({"VAULT_SKIP_VERIFY": "true", "SEALBOX_CACERT": "/ca.pem"})
    assert tls.skip_verify is True
    assert tls.ca_cert == "/ca.pem"


def test_token_file_mode_0600(tmp_path: Path) -> None:
    path = write_token_file("t0k", tmp_path / ".sealbox-token")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_token_file(path) == "t0k"
    assert read_token_file(tmp_path / "missing") is None
