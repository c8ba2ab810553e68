"""HTTP-level behaviour hvac relies on: the envelope, errors, LIST forms, path-help (?help=1)
and the OpenAPI document at sys/internal/specs/openapi."""

from __future__ import annotations

import hvac
import pytest
import requests
from hvac import exceptions
from tests.compat.server.conftest import unique

pytestmark = pytest.mark.compat

_ENVELOPE = {
    "request_id",
    "lease_id",
    "renewable",
    "lease_duration",
    "data",
    "wrap_info",
    "warnings",
    "auth",
}


def _get(root: hvac.Client, path: str, **params: str) -> requests.Response:
    return requests.get(
        f"{root.url}/v1/{path}", params=params, headers={"X-Vault-Token": root.token}, timeout=10
    )


def test_envelope_and_content_type(root: hvac.Client) -> None:
    response = _get(root, "auth/token/lookup-self")
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers.get("Cache-Control") == "no-store"
    assert set(response.json()) == _ENVELOPE


def test_errors_body_and_content_type(root: hvac.Client) -> None:
    response = _get(root, f"{unique('nomount')}/x")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert list(response.json()) == ["errors"]


def test_list_with_query_forms(root: hvac.Client) -> None:
    path = unique("listme")
    root.secrets.kv.v2.create_or_update_secret(f"{path}/a", secret={"v": "1"})
    # requests renders True as "True"; Go's ParseBool accepts it, as it does 1, t and true
    for value in ("true", "True", "1", "t"):
        listed = _get(root, f"secret/metadata/{path}", list=value)
        assert listed.status_code == 200, value
        assert listed.json()["data"]["keys"] == ["a"]
    assert root.list(f"secret/metadata/{path}")["data"]["keys"] == ["a"]
    assert _get(root, f"secret/metadata/{path}", list="nope").status_code == 400
    # list=false is a plain read of the folder, which holds no metadata
    assert _get(root, f"secret/metadata/{path}", list="false").status_code == 404


def test_unsupported_operation_is_405(root: hvac.Client) -> None:
    response = requests.delete(
        f"{root.url}/v1/auth/token/lookup-self", headers={"X-Vault-Token": root.token}, timeout=10
    )
    assert response.status_code == 405
    assert "errors" in response.json()


def test_write_without_data_is_204(root: hvac.Client) -> None:
    response = root.sys.create_or_update_acl_policy(
        name=unique("noc"), policy='path "a" { capabilities = ["read"] }'
    )
    assert response.status_code == 204
    assert response.content == b""


def test_unknown_parameters_become_warnings(root: hvac.Client) -> None:
    reply = root.adapter.post(
        f"/v1/secret/data/{unique('warn')}", json={"data": {"a": "b"}, "bogus_field": 1}
    )
    assert reply["warnings"] == ["Endpoint ignored these unrecognized parameters: [bogus_field]"]


def test_path_help(root: hvac.Client) -> None:
    helped = _get(root, "secret/data/some/path", help="1").json()
    assert set(helped) >= {"help", "openapi"}
    assert helped["help"].startswith("Request:        data/some/path\n")
    assert "Matching Route: ^data/" in helped["help"]
    assert "## PARAMETERS" in helped["help"]
    assert helped["openapi"]["openapi"] == "3.0.2"
    assert "/data/{path}" in helped["openapi"]["paths"]
    sys_help = _get(root, "sys/mounts", help="1").json()
    assert "help" in sys_help


def test_path_help_needs_a_token(root: hvac.Client) -> None:
    response = requests.get(f"{root.url}/v1/secret/data/x", params={"help": "1"}, timeout=10)
    assert response.status_code == 403


def test_openapi_document(root: hvac.Client) -> None:
    document = root.adapter.get("/v1/sys/internal/specs/openapi")
    assert document["openapi"] == "3.0.2"
    assert {"openapi", "info", "paths", "components"} <= set(document)
    assert "/secret/data/{path}" in document["paths"]
    assert "/auth/token/create" in document["paths"]
    assert "/sys/mounts" in document["paths"] or "/sys/mounts/{path}" in document["paths"]
    data_item = document["paths"]["/secret/data/{path}"]
    assert "get" in data_item
    assert "post" in data_item


def test_openapi_follows_mounts(root: hvac.Client) -> None:
    mount = unique("oa")
    root.sys.enable_secrets_engine("kv", path=mount, options={"version": "2"})
    document = root.adapter.get("/v1/sys/internal/specs/openapi")
    assert f"/{mount}/data/{{path}}" in document["paths"]


def test_sys_injects_data_at_top_level(root: hvac.Client) -> None:
    mounts = _get(root, "sys/mounts").json()
    assert mounts["secret/"] == mounts["data"]["secret/"]
    key_status = _get(root, "sys/key-status").json()
    assert key_status["term"] == key_status["data"]["term"]


def test_sealed_style_errors_map_to_hvac_exceptions(root: hvac.Client) -> None:
    with pytest.raises(exceptions.InvalidRequest):
        root.adapter.post("/v1/sys/mounts/x", json={"type": 5})
    with pytest.raises(exceptions.Forbidden):
        hvac.Client(url=root.url, token="bogus").sys.list_mounted_secrets_engines()
