"""token, secrets, auth, audit, policy, status and operator commands against a real server."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from tests.compat.cli.cli_helpers import Runner, Server, make_runner, unique

from sealbox.client import Client

pytestmark = pytest.mark.compat


def test_token_lifecycle(sealbox: Runner, api: Client) -> None:
    created = sealbox("token", "create", "-policy=default", "-ttl=1h", "-format=json")
    assert created.returncode == 0, created.stderr
    auth = json.loads(created.stdout)["auth"]
    token = auth["client_token"]
    assert auth["lease_duration"] == 3600
    assert "default" in auth["policies"]
    table = sealbox("token", "create", "-policy=default")
    names = [line.split()[0] for line in table.stdout.splitlines()[2:]]
    assert names[:7] == [
        "token",
        "token_accessor",
        "token_duration",
        "token_renewable",
        "token_policies",
        "identity_policies",
        "policies",
    ]
    looked = sealbox("token", "lookup", "-format=json", token)
    assert looked.returncode == 0, looked.stderr
    assert json.loads(looked.stdout)["data"]["policies"] == ["default"]
    as_self = sealbox("token", "lookup", "-field=policies", token_override=token)
    assert as_self.stdout == "[default]"
    renewed = sealbox("token", "renew", "-format=json", token)
    assert renewed.returncode == 0, renewed.stderr
    caps = sealbox("token", "capabilities", token, "cubbyhole/x")
    assert caps.returncode == 0, caps.stderr
    assert "read" in caps.stdout.split(", ")
    revoked = sealbox("token", "revoke", token)
    assert revoked.stdout.strip() == "Success! Revoked token (if it existed)"
    assert sealbox("token", "lookup", token_override=token).returncode == 2


def test_root_capabilities(sealbox: Runner) -> None:
    result = sealbox("token", "capabilities", "secret/data/x")
    assert result.stdout.strip() == "root"


def test_permission_denied_is_exit_2(sealbox: Runner, api: Client, kv2: str) -> None:
    created = api.write("auth/token/create", {"policies": ["default"]}) or {}
    token = created["auth"]["client_token"]
    result = sealbox("kv", "put", f"{kv2}/x", "a=b", token_override=token)
    assert result.returncode == 2
    assert "Code: 403" in result.stderr


def test_secrets_enable_tune_move_disable(sealbox: Runner, api: Client) -> None:
    mount, moved = unique("eng"), unique("moved")
    enabled = sealbox("secrets", "enable", f"-path={mount}", "-description=test", "kv")
    assert enabled.stdout.strip() == f"Success! Enabled the kv secrets engine at: {mount}/"
    listed = sealbox("secrets", "list")
    row = next(line for line in listed.stdout.splitlines() if line.startswith(f"{mount}/"))
    assert row.split()[1] == "kv"
    assert listed.stdout.splitlines()[0].split() == ["Path", "Type", "Accessor", "Description"]
    as_json = json.loads(sealbox("secrets", "list", "-format=json").stdout)
    assert as_json[f"{mount}/"]["description"] == "test"
    tuned = sealbox("secrets", "tune", "-max-lease-ttl=720h", mount)
    assert tuned.stdout.strip() == f"Success! Tuned the secrets engine at: {mount}/"
    tune = (api.read(f"sys/mounts/{mount}/tune") or {})["data"]
    assert tune["max_lease_ttl"] == 720 * 3600
    move = sealbox("secrets", "move", mount, moved)
    assert move.returncode == 0, move.stderr
    assert f"{moved}/" in (api.read("sys/mounts") or {})["data"]
    disabled = sealbox("secrets", "disable", moved)
    assert disabled.stdout.strip() == (
        f"Success! Disabled the secrets engine (if it existed) at: {moved}/"
    )
    assert f"{moved}/" not in (api.read("sys/mounts") or {})["data"]


def test_secrets_enable_duplicate_is_exit_2(sealbox: Runner, kv2: str) -> None:
    result = sealbox("secrets", "enable", f"-path={kv2}", "kv")
    assert result.returncode == 2
    assert result.stderr.startswith("Error enabling: Error making API request.")
    assert "Code: 400" in result.stderr


def test_auth_list_has_token(sealbox: Runner) -> None:
    result = sealbox("auth", "list")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].split() == [
        "Path",
        "Type",
        "Accessor",
        "Description",
        "Version",
    ]
    assert any(line.split()[:2] == ["token/", "token"] for line in result.stdout.splitlines())


def test_auth_enable_tune_login_disable(sealbox: Runner, api: Client) -> None:
    path = unique("up")
    enabled = sealbox("auth", "enable", f"-path={path}", "userpass")
    if enabled.returncode != 0:
        pytest.skip("server has no userpass auth method yet")
    assert enabled.stdout.strip() == f"Success! Enabled userpass auth method at: {path}/"
    tuned = sealbox("auth", "tune", "-default-lease-ttl=1h", path)
    assert tuned.returncode == 0, tuned.stderr
    api.write(f"auth/{path}/users/bob", {"password": "pw", "policies": "default"})
    login = sealbox(
        "login", "-method=userpass", f"-path={path}", "username=bob", "password=-", stdin="pw"
    )
    assert login.returncode == 0, login.stderr
    assert any(line.split() == ["token_meta_username", "bob"] for line in login.stdout.splitlines())
    disabled = sealbox("auth", "disable", path)
    assert disabled.returncode == 0
    assert f"{path}/" not in (api.read("sys/auth") or {})["data"]


def test_audit_list_none(sealbox: Runner, api: Client) -> None:
    if (api.read("sys/audit") or {}).get("data"):
        pytest.skip("audit devices already enabled on this server")
    result = sealbox("audit", "list")
    assert result.returncode == 2
    assert result.stdout.strip() == "No audit devices are enabled."


def test_status_unsealed(sealbox: Runner) -> None:
    result = sealbox("status")
    assert result.returncode == 0
    rows = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in result.stdout.splitlines()[2:])
    assert rows["Sealed"] == "false"
    assert rows["Initialized"] == "true"
    status = json.loads(sealbox("status", "-format=json").stdout)
    assert status["sealed"] is False
    assert "ha_enabled" in status


def test_usage_errors_exit_1(sealbox: Runner) -> None:
    assert sealbox("kv", "get").returncode == 1
    assert sealbox("kv", "get", "-nosuchflag", "x").returncode == 1
    bad_format = sealbox("read", "-format=xml", "sys/mounts")
    assert bad_format.returncode == 1
    assert "Invalid output format: xml" in bad_format.stderr


def test_policy_fmt(sealbox: Runner, tmp_path: Path) -> None:
    path = tmp_path / "p.hcl"
    path.write_text('path "a/*" {\ncapabilities=["read"]\n}\n')
    result = sealbox("policy", "fmt", str(path))
    assert result.returncode == 0, result.stderr
    assert path.read_text() == 'path "a/*" {\n  capabilities = ["read"]\n}\n'


def test_operator_rotate_and_key_status(fresh_server: Server, tmp_path: Path) -> None:
    run = make_runner("sealbox", fresh_server.address, fresh_server.token, tmp_path)
    before = json.loads(run("operator", "key-status", "-format=json").stdout)
    rotated = run("operator", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.startswith("Success! Rotated key")
    after = json.loads(run("operator", "key-status", "-format=json").stdout)
    assert after["term"] == before["term"] + 1


def test_operator_seal_and_unseal(fresh_server: Server, tmp_path: Path) -> None:
    match = None
    for _ in range(100):
        match = re.search(r"Unseal Key: (\S+)", fresh_server.log())
        if match:
            break
        time.sleep(0.1)
    assert match is not None
    run = make_runner("sealbox", fresh_server.address, fresh_server.token, tmp_path)
    sealed = run("operator", "seal")
    assert sealed.returncode == 0, sealed.stderr
    status = run("status")
    assert status.returncode == 2
    assert "Unseal Progress" in status.stdout
    unsealed = run("operator", "unseal", "-", stdin=match.group(1))
    assert unsealed.returncode == 0, unsealed.stderr
    assert match.group(1) not in unsealed.stdout + unsealed.stderr
    assert run("status").returncode == 0
