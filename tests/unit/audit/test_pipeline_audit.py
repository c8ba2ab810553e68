"""Every request the audit broker saw gets a response entry, even when a backend crashes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from sealbox.core.config import CoreConfig
from sealbox.core.core import Core
from sealbox.logical import Operation, Request, Response
from sealbox.storage.inmem import InMemoryStorage


async def _crash(req: Request) -> Response | None:
    raise RuntimeError("a bug, with secret-looking text s3cr3t")


def test_an_unexpected_exception_is_audited_as_internal_error(tmp_path: Path) -> None:
    log = tmp_path / "audit.log"

    async def scenario() -> None:
        core = Core(InMemoryStorage(), CoreConfig(audit_dirs=(str(tmp_path),)))
        init = await core.initialize(1, 1)
        await core.unseal(init.keys[0])
        token = init.root_token
        enable = {"type": "file", "options": {"file_path": str(log)}}
        await core.handle(Request(Operation.UPDATE, "sys/audit/file", enable, client_token=token))
        route = core.mounts.router.get("cubbyhole/")
        assert route is not None
        route.backend.handle = _crash  # type: ignore[method-assign]
        with pytest.raises(RuntimeError):
            await core.handle(Request(Operation.READ, "cubbyhole/x", client_token=token))
        await core.seal()

    asyncio.run(scenario())
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    crashed = [e for e in entries if e["request"]["path"] == "cubbyhole/x"]
    assert [e["type"] for e in crashed] == ["request", "response"]
    assert crashed[1]["error"] == "internal error"
    assert "s3cr3t" not in log.read_text()
