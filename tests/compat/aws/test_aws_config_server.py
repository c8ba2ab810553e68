"""A configured (non-dev) server with ``listener "aws"`` in its HCL: mount, account, keys
made with the sealbox CLI, and an operator-registered rotation command."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from tests.compat.conftest import VENV_BIN, free_port, start_process, stop

pytestmark = [pytest.mark.compat, pytest.mark.slow]

ROTATOR = """
import json, sys
event = json.load(sys.stdin)
with open(sys.argv[1], "a") as log:
    log.write(json.dumps(event) + "\\n")
sys.exit(1 if event["Step"] == sys.argv[2] else 0)
"""


def _config(workdir: Path, port: int, aws_port: int, fail_step: str) -> Path:
    script = workdir / "rotator.py"
    script.write_text(ROTATOR)
    events = workdir / "events.jsonl"
    config = workdir / "sealbox.hcl"
    config.write_text(
        'storage "inmem" {}\n'
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n  tls_disable = true\n}}\n'
        f'listener "aws" {{\n  address = "127.0.0.1:{aws_port}"\n  tls_disable = true\n'
        '  mount = "apps"\n  account_id = "111122223333"\n'
        f'  token_file = "{workdir / "door-token"}"\n'
        f'  rotation_function "my-rotator" {{\n'
        f'    command = ["{sys.executable}", "{script}", "{events}", "{fail_step}"]\n  }}\n'
        "}\n"
        "disable_mlock = true\n"
    )
    return config


def _sealbox(token: str, address: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "sealbox"), *args],
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "VAULT_ADDR": address, "VAULT_TOKEN": token},
        capture_output=True,
        text=True,
        check=True,
    )


@pytest.fixture
def configured(tmp_path: Path) -> Iterator[dict[str, Any]]:
    port, aws_port = free_port(), free_port()
    config = _config(tmp_path, port, aws_port, fail_step="testSecret")
    address = f"http://127.0.0.1:{port}"
    process, _ = start_process(
        [str(VENV_BIN / "sealbox"), "server", f"-config={config}"], address, tmp_path
    )
    try:
        init = requests.put(
            f"{address}/v1/sys/init", json={"secret_shares": 1, "secret_threshold": 1}, timeout=30
        ).json()
        requests.put(f"{address}/v1/sys/unseal", json={"key": init["keys"][0]}, timeout=30)
        root = init["root_token"]
        (tmp_path / "door-token").write_text(root + "\n")
        _sealbox(root, address, "secrets", "enable", "-path=apps", "-version=2", "kv")
        _sealbox(root, address, "auth", "enable", "sigv4")
        key = json.loads(
            _sealbox(
                root, address, "write", "-format=json", "auth/sigv4/keys/ci", f"token={root}"
            ).stdout
        )["data"]
        yield {
            "address": address,
            "token": root,
            "endpoint": f"http://127.0.0.1:{aws_port}",
            "key": (key["access_key_id"], key["secret_access_key"]),
            "events": tmp_path / "events.jsonl",
        }
    finally:
        stop(process)


def test_configured_door_with_its_mount_account_and_rotation_command(
    configured: dict[str, Any],
) -> None:
    client = boto3.client(
        "secretsmanager",
        endpoint_url=configured["endpoint"],
        region_name="eu-central-1",
        aws_access_key_id=configured["key"][0],
        aws_secret_access_key=configured["key"][1],
    )
    created = client.create_secret(Name="team/app", SecretString='{"k":"v"}')
    assert created["ARN"].startswith(
        "arn:aws:secretsmanager:eu-central-1:111122223333:secret:team/app-"
    )
    kv = _sealbox(
        configured["token"], configured["address"], "kv", "get", "-format=json", "apps/team/app"
    )
    assert json.loads(kv.stdout)["data"]["data"] == {"k": "v"}
    token = client.rotate_secret(
        SecretId="team/app",
        RotationLambdaARN="arn:aws:lambda:eu-central-1:111122223333:function:my-rotator",
    )["VersionId"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        described = client.describe_secret(SecretId="team/app")
        if described.get("ExternalSecretRotationMetadata"):
            break
        time.sleep(0.2)
    failure = described["ExternalSecretRotationMetadata"]
    assert failure == [
        {"Key": "LastRotationError", "Value": "rotation command exited with status 1"}
    ]
    events = [json.loads(line) for line in configured["events"].read_text().splitlines()]
    assert [e["Step"] for e in events] == ["createSecret", "setSecret", "testSecret"]
    assert {e["SecretId"] for e in events} == {created["ARN"]}
    assert {e["ClientRequestToken"] for e in events} == {token}
    assert all(len(e["RotationToken"]) >= 36 for e in events)
    assert described["VersionIdsToStages"][token] == ["AWSPENDING"]


def test_verify_is_not_a_way_to_a_keys_token(configured: dict[str, Any]) -> None:
    """A network client cannot trade a (captured) signature for the key's sealbox token."""
    body = {
        "access_key_id": configured["key"][0],
        "date": "20261203",
        "region": "us-east-1",
        "string_to_sign": "x",
        "signature": "0" * 64,
    }
    url = configured["address"] + "/v1/auth/sigv4/verify"
    assert requests.post(url, json=body, timeout=30).status_code == 403
    created = requests.post(
        configured["address"] + "/v1/auth/token/create",
        headers={"X-Vault-Token": configured["token"]},
        json={"policies": ["default"]},
        timeout=30,
    ).json()
    other = created["auth"]["client_token"]
    denied = requests.post(url, json=body, headers={"X-Vault-Token": other}, timeout=30)
    assert denied.status_code == 403


def test_aws_listener_over_tls(tmp_path: Path) -> None:
    """``listener "aws"`` with a certificate: boto3 verifies it; aws:SecureTransport is true."""
    from tests.compat.conftest import make_tls_material

    ca, cert, key = make_tls_material(tmp_path)
    port, aws_port = free_port(), free_port()
    token_file = tmp_path / "door-token"
    config = tmp_path / "tls.hcl"
    config.write_text(
        'storage "inmem" {}\n'
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n  tls_disable = true\n}}\n'
        f'listener "aws" {{\n  address = "127.0.0.1:{aws_port}"\n'
        f'  tls_cert_file = "{cert}"\n  tls_key_file = "{key}"\n'
        f'  token_file = "{token_file}"\n}}\n'
    )
    address = f"http://127.0.0.1:{port}"
    process, _ = start_process(
        [str(VENV_BIN / "sealbox"), "server", f"-config={config}"], address, tmp_path
    )
    try:
        init = requests.put(
            f"{address}/v1/sys/init", json={"secret_shares": 1, "secret_threshold": 1}, timeout=30
        ).json()
        requests.put(f"{address}/v1/sys/unseal", json={"key": init["keys"][0]}, timeout=30)
        root = init["root_token"]
        token_file.write_text(root)
        _sealbox(root, address, "secrets", "enable", "-path=secret", "-version=2", "kv")
        _sealbox(root, address, "auth", "enable", "sigv4")
        only_tls = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "secretsmanager:*",
                        "Resource": "*",
                        "Condition": {"Bool": {"aws:SecureTransport": "true"}},
                    }
                ],
            }
        )
        key_data = json.loads(
            _sealbox(
                root,
                address,
                "write",
                "-format=json",
                "auth/sigv4/keys/tls",
                f"token={root}",
                f"iam_policy={only_tls}",
            ).stdout
        )["data"]
        client = boto3.client(
            "secretsmanager",
            endpoint_url=f"https://localhost:{aws_port}",
            region_name="us-east-1",
            verify=str(ca),
            aws_access_key_id=key_data["access_key_id"],
            aws_secret_access_key=key_data["secret_access_key"],
        )
        client.create_secret(Name="over/tls", SecretString="v")
        assert client.get_secret_value(SecretId="over/tls")["SecretString"] == "v"
    finally:
        stop(process)
