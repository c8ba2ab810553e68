"""The audit broker: table persistence, salts, sys/audit-hash and fail-closed logging."""

from __future__ import annotations

import asyncio
import errno
import json
import os
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from sealbox.core.audit import AUDIT_TABLE_KEY, AuditBroker, AuditFailure
from sealbox.errors import InternalError, InvalidRequest
from sealbox.logical import Auth, Operation, Request, Response, Secret, WrapInfo
from sealbox.storage.inmem import InMemoryStorage

T = TypeVar("T")
CANARY = "canary-9f8e7d6c-never-in-the-log"
TOKEN = "hvs.CANARYTOKENCANARYTOKEN12"
NOW = datetime(2026, 11, 28, 0, 44, 57, 870060, tzinfo=UTC)


def run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await coro

    return asyncio.run(main())


def broker_for(tmp_path: Path, storage: InMemoryStorage | None = None) -> AuditBroker:
    return AuditBroker(storage or InMemoryStorage(), [str(tmp_path)], clock=lambda: NOW)


def caller() -> dict[str, Any]:
    return {
        "client_token": TOKEN,
        "accessor": "acc-123",
        "display_name": "token",
        "policies": ["root"],
        "token_policies": ["root"],
        "metadata": None,
        "entity_id": "",
        "token_type": "service",
        "token_ttl": 0,
        "token_issue_time": "2026-11-28T00:44:57Z",
    }


def request(**data: Any) -> Request:
    return Request(
        operation=Operation.CREATE,
        path="secret/data/app",
        data={"data": data},
        client_token=TOKEN,
        client_address="127.0.0.1",
        request_id="9b1c",
        mount_point="secret/",
        mount_type="kv",
        mount_accessor="kv_1234",
    )


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def enable_file(broker: AuditBroker, path: Path, name: str = "file", **options: str) -> None:
    run(broker.enable(name, "file", "", {"file_path": str(path), **options}, False))


def test_list_is_vaults_wire_shape(tmp_path: Path) -> None:
    broker = broker_for(tmp_path)
    before = broker.enabled
    assert broker.list() == {}
    run(broker.enable("/file", "file", "main log", {"file_path": str(tmp_path / "a.log")}, False))
    assert (before, broker.enabled) == (False, True)
    assert broker.list() == {
        "file/": {
            "type": "file",
            "description": "main log",
            "options": {"file_path": str(tmp_path / "a.log")},
            "local": False,
            "path": "file/",
        }
    }


def test_unknown_type_and_duplicate_path(tmp_path: Path) -> None:
    broker = broker_for(tmp_path)
    with pytest.raises(InvalidRequest, match='unknown backend type: "syslogx"'):
        run(broker.enable("x", "syslogx", "", {}, False))
    enable_file(broker, tmp_path / "a.log", "file")
    for path in ("file", "file/", "file/sub", ""):
        with pytest.raises(InvalidRequest, match=r"path already in use|must be specified"):
            enable_file(broker, tmp_path / "b.log", path)
    assert not (tmp_path / "b.log").exists()


def test_invalid_bool_option_refused_before_creating_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="log_raw"):
        enable_file(broker_for(tmp_path), tmp_path / "a.log", log_raw="maybe")
    assert not (tmp_path / "a.log").exists()


def test_request_and_response_lines_in_vault_shape(tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    broker = broker_for(tmp_path)
    enable_file(broker, log)
    req = request(password=CANARY, port=5432)
    resp = Response(data={"version": 1, "created_time": "2026-11-28T00:44:57Z"})
    run(broker.log_request(req, caller(), None))
    run(broker.log_response(req, caller(), resp, None))
    first, second = lines(log)
    assert list(first) == ["time", "type", "auth", "request"]
    assert first["time"] == "2026-11-28T00:44:57.87006Z"
    assert first["type"] == "request"
    assert first["request"]["namespace"] == {"id": "root"}
    assert first["request"]["data"]["data"]["port"] == 5432
    assert list(second) == ["time", "type", "auth", "request", "response"]
    assert second["request"] == first["request"]
    assert second["response"]["mount_type"] == "kv"
    assert second["response"]["data"]["version"] == 1


def test_canary_and_tokens_never_raw_in_the_file(tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    broker = broker_for(tmp_path)
    enable_file(broker, log)
    req = request(password=CANARY, nested={"list": [CANARY, {"deep": CANARY}]})
    resp = Response(
        data={"data": {"password": CANARY}},
        secret=Secret(lease_id=CANARY),
        auth=Auth(client_token=CANARY, accessor=CANARY),
        wrap_info=WrapInfo(token=CANARY, accessor=CANARY, wrapped_accessor=CANARY),
    )
    run(broker.log_request(req, caller(), "permission denied"))
    run(broker.log_response(req, caller(), resp, None))
    text = log.read_text()
    assert CANARY not in text
    # 3 in each request part, 7 in the response: data, lease, auth x2, wrap_info x3.
    assert text.count(run(broker.hash("file", CANARY))) == 13
    assert TOKEN not in text
    assert "acc-123" not in text


def test_audit_hash_equals_the_hmac_in_the_log(tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    broker = broker_for(tmp_path)
    enable_file(broker, log)
    run(broker.log_request(request(password=CANARY), caller(), None))
    logged = lines(log)[0]["request"]["data"]["data"]["password"]
    assert logged == run(broker.hash("file/", CANARY))
    assert logged.startswith("hmac-sha256:")
    assert len(logged) == len("hmac-sha256:") + 64


def test_hash_unknown_device(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match='unknown audit backend "nope/"'):
        run(broker_for(tmp_path).hash("nope", "x"))


def test_devices_have_different_salts(tmp_path: Path) -> None:
    broker = broker_for(tmp_path)
    enable_file(broker, tmp_path / "a.log", "a")
    enable_file(broker, tmp_path / "b.log", "b")
    assert run(broker.hash("a", CANARY)) != run(broker.hash("b", CANARY))


def test_log_raw_device_writes_raw_values(tmp_path: Path) -> None:
    log = tmp_path / "raw.log"
    broker = broker_for(tmp_path)
    enable_file(broker, log, log_raw="true")
    run(broker.log_request(request(password=CANARY), caller(), None))
    entry = lines(log)[0]
    assert entry["request"]["data"]["data"]["password"] == CANARY
    assert entry["request"]["client_token"] == TOKEN


def test_hmac_accessor_false(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    broker = broker_for(tmp_path)
    enable_file(broker, log, hmac_accessor="false")
    run(broker.log_request(request(), caller(), None))
    entry = lines(log)[0]
    assert entry["auth"]["accessor"] == "acc-123"
    assert entry["request"]["client_token"] != TOKEN


def test_reload_from_storage_keeps_salt_and_table(tmp_path: Path) -> None:
    storage = InMemoryStorage()
    first = broker_for(tmp_path, storage)
    enable_file(first, tmp_path / "a.log")
    before = run(first.hash("file", CANARY))
    listing = first.list()
    run(first.close())
    table = run(storage.get(AUDIT_TABLE_KEY))
    assert table is not None
    assert b"salt" not in table
    second = broker_for(tmp_path, storage)
    run(second.load())
    assert second.list() == listing
    assert run(second.hash("file", CANARY)) == before
    run(second.log_request(request(), caller(), None))
    assert len(lines(tmp_path / "a.log")) == 1


def test_disable_removes_device_table_and_salt(tmp_path: Path) -> None:
    storage = InMemoryStorage()
    broker = broker_for(tmp_path, storage)
    enable_file(broker, tmp_path / "a.log")
    assert run(broker.disable("file/"))
    assert not run(broker.disable("file/"))
    assert not broker.enabled
    assert run(storage.list("audit/")) == []
    reloaded = broker_for(tmp_path, storage)
    run(reloaded.load())
    assert reloaded.list() == {}
    run(reloaded.log_request(request(), caller(), None))  # nothing enabled: no-op


def test_load_fails_when_a_device_cannot_be_set_up(tmp_path: Path) -> None:
    storage = InMemoryStorage()
    broker = broker_for(tmp_path, storage)
    enable_file(broker, tmp_path / "a.log")
    run(broker.close())
    (tmp_path / "a.log").unlink()
    (tmp_path / "a.log").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(AuditFailure, match="symbolic link"):
        run(broker_for(tmp_path, storage).load())


def _failing_write(fd: int, data: bytes) -> int:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_fail_closed_when_the_only_device_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "a.log"
    broker = broker_for(tmp_path)
    enable_file(broker, log)
    run(broker.log_request(request(), caller(), None))
    monkeypatch.setattr("sealbox.audit.file.os.write", _failing_write)
    with pytest.raises(AuditFailure) as info:
        run(broker.log_request(request(password=CANARY), caller(), None))
    assert isinstance(info.value, InternalError)
    assert info.value.status == 500
    assert CANARY not in str(info.value)
    assert len(lines(log)) == 1


def test_fail_closed_on_short_write_leaves_no_half_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "a.log"
    broker = broker_for(tmp_path)
    enable_file(broker, log)
    real_write = os.write

    def short(fd: int, data: bytes) -> int:
        return real_write(fd, data[:10])

    monkeypatch.setattr("sealbox.audit.file.os.write", short)
    with pytest.raises(AuditFailure):
        run(broker.log_response(request(), caller(), None, None))
    assert log.read_bytes() == b""


def test_one_working_device_is_enough(tmp_path: Path) -> None:
    broker = broker_for(tmp_path)
    enable_file(broker, tmp_path / "bad.log", "bad")
    enable_file(broker, tmp_path / "good.log", "good")
    # Break only the first device, the way a revoked descriptor would.
    run(broker._devices["bad/"].device.close())
    run(broker.log_request(request(), caller(), None))
    assert len(lines(tmp_path / "good.log")) == 1
    assert (tmp_path / "bad.log").read_bytes() == b""


def test_unencodable_entry_fails_closed_without_leaking(tmp_path: Path) -> None:
    broker = broker_for(tmp_path)
    enable_file(broker, tmp_path / "a.log", log_raw="true")
    auth = {**caller(), "display_name": object()}
    with pytest.raises(AuditFailure):
        run(broker.log_request(request(), auth, None))
