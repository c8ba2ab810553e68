"""One secret model, from a configured (non-dev) server with ``listener "gcp"`` in its HCL.

The same KV v2 key is a Vault secret, an AWS secret (boto3) and a GCP secret (gcloud): a value
written through any door reads through the others, and every door's requests are in the one
audit log, without the secret value.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from tests.compat.conftest import VENV_BIN, free_port, start_process, stop
from tests.compat.gcp.conftest import GCLOUD, Door

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def _config(workdir: Path, port: int, aws_port: int, gcp_port: int) -> Path:
    config = workdir / "sealbox.hcl"
    config.write_text(
        'storage "inmem" {}\n'
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n  tls_disable = true\n}}\n'
        f'listener "aws" {{\n  address = "127.0.0.1:{aws_port}"\n  tls_disable = true\n'
        f'  mount = "apps"\n  token_file = "{workdir / "door-token"}"\n}}\n'
        f'listener "gcp" {{\n  address = "127.0.0.1:{gcp_port}"\n  tls_disable = true\n'
        '  mount = "apps"\n  project_id = "acme-prod"\n  project_number = "555000111222"\n}\n'
        "disable_mlock = true\n"
    )
    return config


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[dict[str, Any]]:
    port, aws_port, gcp_port = free_port(), free_port(), free_port()
    address = f"http://127.0.0.1:{port}"
    process, _ = start_process(
        [
            str(VENV_BIN / "sealbox"),
            "server",
            f"-config={_config(tmp_path, port, aws_port, gcp_port)}",
        ],
        address,
        tmp_path,
    )
    try:
        init = requests.put(
            f"{address}/v1/sys/init", json={"secret_shares": 1, "secret_threshold": 1}, timeout=30
        ).json()
        requests.put(f"{address}/v1/sys/unseal", json={"key": init["keys"][0]}, timeout=30)
        root = init["root_token"]
        (tmp_path / "door-token").write_text(root + "\n")
        headers = {"X-Vault-Token": root}
        enable: list[tuple[str, dict[str, Any]]] = [
            ("sys/mounts/apps", {"type": "kv", "options": {"version": "2"}}),
            ("sys/auth/sigv4", {"type": "sigv4"}),
        ]
        for path, body in enable:
            assert requests.post(f"{address}/v1/{path}", json=body, headers=headers, timeout=30).ok
        key = requests.post(
            f"{address}/v1/auth/sigv4/keys/ci", json={"token": root}, headers=headers, timeout=30
        ).json()["data"]
        door = Door(
            address, root, f"http://127.0.0.1:{gcp_port}", "acme-prod", tmp_path / "x", tmp_path
        )
        yield {"door": door, "aws": f"http://127.0.0.1:{aws_port}", "key": key}
    finally:
        stop(process)


def _gcloud(door: Door, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    if GCLOUD is None:
        pytest.skip("gcloud is not installed (make system-deps installs google-cloud-cli)")
    return subprocess.run(
        [GCLOUD, *args],
        input=stdin,
        env=door.env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_three_doors_one_secret_one_audit_log(servers: dict[str, Any], tmp_path: Path) -> None:
    door: Door = servers["door"]
    log = tmp_path / "audit.log"
    enabled = door.vault(
        "PUT", "sys/audit/file", {"type": "file", "options": {"file_path": str(log)}}
    )
    assert enabled.status_code == 204, enabled.text
    aws = boto3.client(
        "secretsmanager",
        endpoint_url=servers["aws"],
        region_name="us-east-1",
        aws_access_key_id=servers["key"]["access_key_id"],
        aws_secret_access_key=servers["key"]["secret_access_key"],
    )
    name = f"shared-{uuid.uuid4().hex[:8]}"
    canary = f"canary-{uuid.uuid4().hex}"
    aws.create_secret(Name=name, SecretString=canary)

    read = _gcloud(door, "secrets", "versions", "access", "latest", f"--secret={name}")
    assert (read.returncode, read.stdout) == (0, canary), read.stderr
    described = json.loads(_gcloud(door, "secrets", "describe", name, "--format=json").stdout)
    assert described["name"] == f"projects/555000111222/secrets/{name}"

    added = _gcloud(door, "secrets", "versions", "add", name, "--data-file=-", stdin=canary + "-2")
    assert added.returncode == 0, added.stderr
    current = aws.get_secret_value(SecretId=name)["SecretString"]
    assert canary + "-2" in current  # AWSCURRENT moved to the version gcloud added
    kv = door.vault("GET", f"apps/data/{name}").json()["data"]
    assert kv["data"] == {"SecretString": canary + "-2"}

    other_project = _gcloud(door, "secrets", "list", "--project=someone-else")
    assert other_project.returncode == 1
    assert "PERMISSION_DENIED" in other_project.stderr or "permission" in other_project.stderr

    door.vault("DELETE", "sys/audit/file")
    text = log.read_text()
    entries = [json.loads(line) for line in text.splitlines()]
    paths = {(e["type"], e["request"]["path"]) for e in entries}
    assert ("request", f"apps/extra/{name}") in paths
    assert ("response", f"apps/data/{name}") in paths
    assert canary not in text


def test_gcp_text_reads_as_aws_secret_string(servers: dict[str, Any]) -> None:
    door: Door = servers["door"]
    aws = boto3.client(
        "secretsmanager",
        endpoint_url=servers["aws"],
        region_name="us-east-1",
        aws_access_key_id=servers["key"]["access_key_id"],
        aws_secret_access_key=servers["key"]["secret_access_key"],
    )
    name = f"text-{uuid.uuid4().hex[:8]}"
    made = _gcloud(door, "secrets", "create", name, "--data-file=-", stdin="plain-text")
    assert made.returncode == 0, made.stderr
    assert aws.get_secret_value(SecretId=name)["SecretString"] == "plain-text"


def test_aws_writes_keep_gcp_metadata(servers: dict[str, Any]) -> None:
    door: Door = servers["door"]
    aws = boto3.client(
        "secretsmanager",
        endpoint_url=servers["aws"],
        region_name="us-east-1",
        aws_access_key_id=servers["key"]["access_key_id"],
        aws_secret_access_key=servers["key"]["secret_access_key"],
    )
    name = f"labels-{uuid.uuid4().hex[:8]}"
    made = _gcloud(
        door, "secrets", "create", name, "--data-file=-", "--labels=env=prod", stdin="v1"
    )
    assert made.returncode == 0, made.stderr
    aws.put_secret_value(SecretId=name, SecretString="v2")
    described = json.loads(_gcloud(door, "secrets", "describe", name, "--format=json").stdout)
    assert described.get("labels") == {"env": "prod"}
