"""What a new user runs into first, against a real dev server: names in any script (UTF-8
paths), policies with slashes, nesting bombs, unknown methods, bad bodies, the old ``generic``
mount type (hvac's own test mounts it), and dev mode's CLI login."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path
from urllib.parse import quote, urlsplit

import hvac
import pytest
import requests
from hvac import exceptions
from tests.compat.conftest import VENV_BIN, ServerProcess, free_port, start_process, stop
from tests.compat.server.conftest import unique

pytestmark = pytest.mark.compat

_POLICY = 'path "secret/data/x" {\n  capabilities = ["read"]\n}\n'


def _headers(server: ServerProcess) -> dict[str, str]:
    return {"X-Vault-Token": server.token}


def test_policy_names_are_utf8(root: hvac.Client, sealbox_server: ServerProcess) -> None:
    name = unique("☃snow")
    url = f"{sealbox_server.address}/v1/sys/policies/acl/{quote(name)}"
    answer = requests.put(
        url, json={"policy": _POLICY}, headers=_headers(sealbox_server), timeout=5
    )
    assert answer.status_code == 204
    assert name in root.sys.list_acl_policies()["data"]["keys"]
    assert root.sys.read_acl_policy(name)["data"]["name"] == name


def test_mount_paths_are_utf8(root: hvac.Client) -> None:
    path = unique("☃")
    root.sys.enable_secrets_engine("kv", path=path)
    assert f"{path}/" in root.sys.list_mounted_secrets_engines()["data"]


def test_kv_keys_from_the_cli_are_utf8(sealbox_server: ServerProcess) -> None:
    env = {**os.environ, "VAULT_ADDR": sealbox_server.address, "VAULT_TOKEN": sealbox_server.token}
    key = unique("☃u")
    sealbox = str(VENV_BIN / "sealbox")
    subprocess.run([sealbox, "kv", "put", f"secret/{key}", "k=v"], env=env, check=True)
    listed = subprocess.run(
        [sealbox, "kv", "list", "-format=json", "secret/"],
        env=env,
        check=True,
        capture_output=True,
    )
    assert key in json.loads(listed.stdout)


def test_a_path_that_is_not_utf8_is_refused(sealbox_server: ServerProcess) -> None:
    url = f"{sealbox_server.address}/v1/secret/data/%FF"
    answer = requests.get(url, headers=_headers(sealbox_server), timeout=5)
    assert answer.status_code == 400
    assert answer.json() == {"errors": ["request path is not valid UTF-8"]}


def test_policies_named_with_slashes_are_listed(root: hvac.Client) -> None:
    # compat: OpenBao accepts "a/b" as a policy name and lists it with the others.
    name = unique("team") + "/reader"
    root.sys.create_or_update_acl_policy(name=name, policy=_POLICY)
    assert name in root.sys.list_acl_policies()["data"]["keys"]
    assert name in root.sys.list_policies()["data"]["policies"]


@pytest.mark.parametrize(
    "policy",
    [
        'path "a" {' + " b {" * 5000 + "}" * 5001,
        'path "a" { capabilities = ' + "[" * 5000 + "]" * 5000 + " }",
        '{"path": ' + "[" * 3000 + "]" * 3000 + "}",
    ],
    ids=["hcl-blocks", "hcl-lists", "json"],
)
def test_deeply_nested_policies_are_a_400(sealbox_server: ServerProcess, policy: str) -> None:
    url = f"{sealbox_server.address}/v1/sys/policies/acl/{unique('deep')}"
    answer = requests.put(
        url, json={"policy": policy}, headers=_headers(sealbox_server), timeout=10
    )
    assert answer.status_code == 400
    assert answer.json() == {"errors": ["failed to parse policy: depth limit exceeded"]}
    assert "RecursionError" not in sealbox_server.log_text()


def test_an_unknown_method_is_a_405(sealbox_server: ServerProcess) -> None:
    address = urlsplit(sealbox_server.address)
    with socket.create_connection((address.hostname, address.port), timeout=5) as conn:
        conn.sendall(b"BREW /v1/secret/data/x HTTP/1.1\r\nHost: x\r\n\r\n")
        status_line = conn.recv(4096).split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 405 Method Not Allowed"


def test_a_body_that_is_not_utf8_says_so(sealbox_server: ServerProcess) -> None:
    url = f"{sealbox_server.address}/v1/secret/data/{unique('u')}"
    answer = requests.post(
        url, data=b'{"data": {"a": "\xff"}}', headers=_headers(sealbox_server), timeout=5
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "errors": ["failed to decode JSON input: request body is not valid UTF-8"]
    }


@pytest.mark.parametrize("value", [-5, 1 << 32])
def test_max_versions_out_of_range_is_a_400(root: hvac.Client, value: int) -> None:
    with pytest.raises(exceptions.InvalidRequest, match="max_versions must be between"):
        root.secrets.kv.v2.configure(max_versions=value, mount_point="secret")
    assert root.secrets.kv.v2.read_configuration(mount_point="secret")["data"]["max_versions"] >= 0


def test_generic_is_the_old_name_of_kv_v1(root: hvac.Client) -> None:
    # What hvac's test_secret_backend_manipulation does.
    path = unique("generic")
    root.sys.enable_secrets_engine("generic", path=path)
    mounts = root.sys.list_mounted_secrets_engines()["data"]
    assert mounts[f"{path}/"]["type"] == "generic"
    root.secrets.kv.v1.create_or_update_secret("x", {"a": "b"}, mount_point=path)
    assert root.secrets.kv.v1.read_secret("x", mount_point=path)["data"] == {"a": "b"}
    root.sys.disable_secrets_engine(path)


def test_dev_mode_logs_the_cli_in(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    args = [
        str(VENV_BIN / "sealbox"),
        "server",
        "-dev",
        f"-dev-listen-address=127.0.0.1:{port}",
        "-dev-aws-listen-address=off",
        "-dev-gcp-listen-address=off",
    ]
    process, _ = start_process(args, address, tmp_path, env={"HOME": str(home)})
    try:
        token_file = home / ".sealbox-token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        env = {k: v for k, v in os.environ.items() if k not in ("VAULT_TOKEN", "SEALBOX_TOKEN")}
        env.update({"VAULT_ADDR": address, "HOME": str(home)})
        looked_up = subprocess.run(
            [str(VENV_BIN / "sealbox"), "token", "lookup", "-format=json"],
            env=env,
            check=True,
            capture_output=True,
        )
        assert json.loads(looked_up.stdout)["data"]["policies"] == ["root"]
    finally:
        stop(process)
