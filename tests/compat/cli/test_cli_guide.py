"""Every Vault command of the secrets-management guide, with ``sealbox`` in place of ``vault``."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.compat.cli.cli_helpers import Runner, unique

from sealbox.client import Client

pytestmark = pytest.mark.compat

GUIDE_POLICY = """path "secret/data/myapp/*" {
capabilities = ["read", "list"]
}
path "database/creds/app-role" {
capabilities = ["read"]
}
"""


@pytest.fixture
def guide_mount(api: Client) -> Iterator[str]:
    mount = unique("secret")
    yield mount
    api.delete(f"sys/mounts/{mount}")


def _put(sealbox: Runner, mount: str, password: str) -> None:
    result = sealbox(
        "kv",
        "put",
        f"{mount}/myapp/database",
        "username=app_user",
        f"password={password}",
        "host=postgres.internal:5432",
    )
    assert result.returncode == 0, result.stderr


def test_guide_kv_flow(sealbox: Runner, api: Client, guide_mount: str) -> None:
    mount = guide_mount
    enabled = sealbox("secrets", "enable", f"-path={mount}", "kv-v2")
    assert enabled.returncode == 0, enabled.stderr
    assert enabled.stdout.strip() == f"Success! Enabled the kv-v2 secrets engine at: {mount}/"
    mounts = api.read("sys/mounts") or {}
    entry = mounts["data"][f"{mount}/"]
    assert entry["type"] == "kv"
    assert entry["options"]["version"] == "2"

    _put(sealbox, mount, "s3cr3t-p@ssw0rd")
    _put(sealbox, mount, "second")
    _put(sealbox, mount, "third")

    got = sealbox("kv", "get", f"{mount}/myapp/database")
    assert got.returncode == 0, got.stderr
    lines = got.stdout.splitlines()
    assert lines[1] == f"{mount}/data/myapp/database"
    assert "Secret Path" in lines[0]
    assert any(line.startswith("=") and " Metadata " in line for line in lines)
    assert any(line.startswith("=") and " Data " in line for line in lines)
    assert any(line.split() == ["version", "3"] for line in lines)
    assert any(line.split() == ["password", "third"] for line in lines)
    assert any(line.split() == ["host", "postgres.internal:5432"] for line in lines)

    v1 = sealbox("kv", "get", "-version=1", f"{mount}/myapp/database")
    assert any(line.split() == ["password", "s3cr3t-p@ssw0rd"] for line in v1.stdout.splitlines())
    v3 = sealbox("kv", "get", "-version=3", f"{mount}/myapp/database")
    assert any(line.split() == ["version", "3"] for line in v3.stdout.splitlines())

    as_json = sealbox("kv", "get", "-format=json", f"{mount}/myapp/database")
    envelope = json.loads(as_json.stdout)
    assert envelope["data"]["data"] == {
        "username": "app_user",
        "password": "third",
        "host": "postgres.internal:5432",
    }
    assert list(envelope)[:6] == [
        "request_id",
        "lease_id",
        "lease_duration",
        "renewable",
        "data",
        "warnings",
    ]

    listed = sealbox("kv", "list", f"{mount}/myapp/")
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == ["Keys", "----", "database"]

    deleted = sealbox("kv", "delete", f"{mount}/myapp/database")
    assert deleted.returncode == 0
    assert "Success! Data deleted (if it existed) at:" in deleted.stdout

    destroyed = sealbox("kv", "destroy", "-versions=1,2", f"{mount}/myapp/database")
    assert destroyed.returncode == 0, destroyed.stderr
    assert destroyed.stdout.strip() == f"Success! Data written to: {mount}/destroy/myapp/database"

    meta = sealbox(
        "kv",
        "metadata",
        "put",
        "-max-versions=10",
        "-delete-version-after=720h",
        f"{mount}/myapp/database",
    )
    assert meta.returncode == 0, meta.stderr

    state = (api.read(f"{mount}/metadata/myapp/database") or {})["data"]
    assert state["max_versions"] == 10
    assert state["delete_version_after"] in {"720h0m0s", "720h"}
    assert state["versions"]["1"]["destroyed"] is True
    assert state["versions"]["2"]["destroyed"] is True
    assert state["versions"]["3"]["deletion_time"]


def test_guide_policy_write_from_stdin(sealbox: Runner, api: Client) -> None:
    name = unique("myapp-policy")
    result = sealbox("policy", "write", name, "-", stdin=GUIDE_POLICY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Success! Uploaded policy: {name}"
    stored = api.read(f"sys/policies/acl/{name}") or {}
    assert stored["data"]["policy"] == GUIDE_POLICY
    read_back = sealbox("policy", "read", name)
    assert read_back.stdout.strip() == GUIDE_POLICY.strip()
    assert name in sealbox("policy", "list").stdout.split()
    assert sealbox("policy", "delete", name).returncode == 0
    assert api.read(f"sys/policies/acl/{name}") is None


def test_login_stores_token_file(
    sealbox: Runner, vault_server: tuple[str, str], home: Path
) -> None:
    _, root = vault_server
    result = sealbox("login", root, no_token=True)
    assert result.returncode == 0, result.stderr
    assert "Success! You are now authenticated." in result.stdout
    token_file = home / ".sealbox-token"
    assert token_file.read_text() == root
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert sealbox("token", "lookup", no_token=True).returncode == 0
    assert root not in result.stderr


def test_login_from_stdin(sealbox: Runner, vault_server: tuple[str, str], home: Path) -> None:
    _, root = vault_server
    result = sealbox("login", "-token-only", "-", stdin=root + "\n", no_token=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == root
    stored = sealbox("login", "-no-print", "-", stdin=root, no_token=True)
    assert stored.returncode == 0
    assert (home / ".sealbox-token").read_text() == root


def test_login_bad_token_fails(sealbox: Runner, home: Path) -> None:
    result = sealbox("login", "not-a-token", no_token=True)
    assert result.returncode == 2
    assert "Code: 403" in result.stderr
    assert not (home / ".sealbox-token").exists()
