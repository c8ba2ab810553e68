"""Audit devices through hvac on fresh config-file servers: enable/list/disable a file device in
a temporary directory, one JSON line per request and response, HMAC'd strings, sys/audit-hash,
and fail-closed behaviour when the only device cannot write."""

from __future__ import annotations

import json
import resource
import secrets
import stat
from pathlib import Path
from typing import Any

import hvac
import pytest
from hvac import exceptions
from tests.compat.conftest import InitializedServer

pytestmark = pytest.mark.compat


def _client(server: InitializedServer) -> hvac.Client:
    return hvac.Client(url=server.address, token=server.token)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _enable(server: InitializedServer, name: str = "file", **options: str) -> Path:
    assert server.workdir is not None
    log = server.workdir / f"{name}.log"
    _client(server).sys.enable_audit_device(
        "file", path=name, description="test log", options={"file_path": str(log), **options}
    )
    return log


def test_enable_list_disable(fresh_initialized: InitializedServer) -> None:
    client = _client(fresh_initialized)
    assert client.sys.list_enabled_audit_devices()["data"] == {}
    log = _enable(fresh_initialized)
    devices = client.sys.list_enabled_audit_devices()
    assert devices["file/"]["type"] == "file"
    assert devices["data"]["file/"]["description"] == "test log"
    assert devices["file/"]["options"]["file_path"] == str(log)
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    client.sys.disable_audit_device("file")
    assert client.sys.list_enabled_audit_devices()["data"] == {}
    size = log.stat().st_size
    client.auth.token.lookup_self()
    assert log.stat().st_size == size


def test_one_line_per_request_and_response(fresh_initialized: InitializedServer) -> None:
    log = _enable(fresh_initialized)
    client = _client(fresh_initialized)
    before = len(_lines(log))
    client.auth.token.lookup_self()
    entries = _lines(log)[before:]
    assert [e["type"] for e in entries] == ["request", "response"]
    assert entries[0]["request"]["path"] == "auth/token/lookup-self"
    assert entries[0]["request"]["id"] == entries[1]["request"]["id"]
    # compat: every string in the response is HMAC'd, lists included
    assert entries[1]["response"]["data"]["policies"][0].startswith("hmac-sha256:")
    assert all("time" in e for e in entries)


def test_strings_are_hmaced_and_audit_hash_matches(fresh_initialized: InitializedServer) -> None:
    log = _enable(fresh_initialized)
    client = _client(fresh_initialized)
    client.sys.enable_secrets_engine("kv", path="kv", options={"version": "1"})
    canary = f"canary-{secrets.token_hex(8)}"
    client.secrets.kv.v1.create_or_update_secret("app", {"pw": canary}, mount_point="kv")
    client.secrets.kv.v1.read_secret("app", mount_point="kv")
    text = log.read_text()
    assert canary not in text
    assert fresh_initialized.token not in text
    expected = client.sys.calculate_hash("file", canary)
    assert expected["hash"].startswith("hmac-sha256:")
    assert expected["data"]["hash"] == expected["hash"]
    writes = [e for e in _lines(log) if e["request"].get("path") == "kv/app"]
    request_data = [
        e["request"]["data"] for e in writes if e["type"] == "request" and e["request"].get("data")
    ]
    assert {"pw": expected["hash"]} in request_data
    responses = [e for e in writes if e["type"] == "response" and e.get("response", {}).get("data")]
    assert responses[-1]["response"]["data"] == {"pw": expected["hash"]}
    assert writes[-1]["auth"]["client_token"].startswith("hmac-sha256:")


def test_log_raw_option(fresh_initialized: InitializedServer) -> None:
    log = _enable(fresh_initialized, name="raw", log_raw="true")
    client = _client(fresh_initialized)
    client.sys.enable_secrets_engine("kv", path="kv", options={"version": "1"})
    client.secrets.kv.v1.create_or_update_secret("raw", {"pw": "visible-value"}, mount_point="kv")
    assert "visible-value" in log.read_text()


def test_audit_hash_of_unknown_device(fresh_initialized: InitializedServer) -> None:
    with pytest.raises(exceptions.InvalidRequest, match="unknown audit backend"):
        _client(fresh_initialized).sys.calculate_hash("nosuch", "x")


def test_enable_outside_allowed_dirs_is_refused(fresh_initialized: InitializedServer) -> None:
    client = _client(fresh_initialized)
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.enable_audit_device(
            "file", path="evil", options={"file_path": "/etc/sealbox-audit.log"}
        )
    assert fresh_initialized.workdir is not None
    target = fresh_initialized.workdir / "target.txt"
    target.write_text("not an audit log\n")
    link = fresh_initialized.workdir / "link.log"
    link.symlink_to(target)
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.enable_audit_device("file", path="link", options={"file_path": str(link)})
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.enable_audit_device("file", path="take", options={"file_path": str(target)})
    assert target.read_text() == "not an audit log\n"
    assert client.sys.list_enabled_audit_devices()["data"] == {}


def test_audit_endpoints_need_sudo(fresh_initialized: InitializedServer) -> None:
    client = _client(fresh_initialized)
    client.sys.create_or_update_acl_policy(
        name="auditor", policy='path "sys/audit*" { capabilities = ["read", "update", "create"] }'
    )
    token = client.auth.token.create(policies=["auditor"])["auth"]["client_token"]
    user = hvac.Client(url=fresh_initialized.address, token=token)
    with pytest.raises(exceptions.Forbidden):
        user.sys.list_enabled_audit_devices()
    assert fresh_initialized.workdir is not None
    with pytest.raises(exceptions.Forbidden):
        user.sys.enable_audit_device(
            "file", options={"file_path": str(fresh_initialized.workdir / "x.log")}
        )


def test_fail_closed_when_the_only_device_cannot_write(
    fresh_initialized: InitializedServer,
) -> None:
    client = _client(fresh_initialized)
    client.sys.enable_secrets_engine("kv", path="kv", options={"version": "1"})
    client.secrets.kv.v1.create_or_update_secret("guarded", {"v": "before"}, mount_point="kv")
    log = _enable(fresh_initialized)
    client.auth.token.lookup_self()
    pid = fresh_initialized.process.pid
    # The server may no longer grow any file: the audit device's next write fails (EFBIG).
    size = log.stat().st_size
    original = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (size, original[1]))
    try:
        with pytest.raises(exceptions.InternalServerError):
            client.secrets.kv.v1.create_or_update_secret(
                "guarded", {"v": "after"}, mount_point="kv", method="POST"
            )
        with pytest.raises(exceptions.InternalServerError):
            client.sys.enable_secrets_engine("kv", path="blocked")
    finally:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, original)
    assert client.secrets.kv.v1.read_secret("guarded", mount_point="kv")["data"] == {"v": "before"}
    assert "blocked/" not in client.sys.list_mounted_secrets_engines()["data"]


def test_second_device_keeps_requests_flowing(fresh_initialized: InitializedServer) -> None:
    first = _enable(fresh_initialized, name="one")
    second = _enable(fresh_initialized, name="two")
    client = _client(fresh_initialized)
    client.auth.token.lookup_self()
    assert _lines(first)[-1]["request"]["path"] == "auth/token/lookup-self"
    assert _lines(second)[-1]["request"]["path"] == "auth/token/lookup-self"
