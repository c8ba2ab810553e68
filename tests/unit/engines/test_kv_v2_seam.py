"""The plain async API facades use: versions carrying a private ``extra``, and atomic writes."""

from __future__ import annotations

import asyncio
import builtins

import pytest
from tests.unit.engines.harness import FakeClock, call, make_config

from sealbox.engines.kv import KVv2Engine
from sealbox.errors import CheckAndSetMismatch, NotFound
from sealbox.logical import Operation, TxOp
from sealbox.storage.inmem import InMemoryStorage

R, W = Operation.READ, Operation.UPDATE


def test_extra_is_stored_but_never_shown(kv2: KVv2Engine) -> None:
    extra = {"aws_version_id": "abc", "stages": ["AWSCURRENT"]}
    vmeta = asyncio.run(kv2.write_version("s", {"a": 1}, extra=extra))
    assert (vmeta.version, vmeta.extra) == (1, extra)
    for path in ("data/s", "metadata/s", "subkeys/s"):
        assert "abc" not in repr(call(kv2, R, path).data)
    listed = call(kv2, Operation.LIST, "detailed-metadata/").data
    assert "AWSCURRENT" not in repr(listed)
    stored = asyncio.run(kv2.read_version("s"))
    assert stored is not None
    assert (stored.data, stored.metadata.extra) == ({"a": 1}, extra)


def test_set_extra_and_list_versions(kv2: KVv2Engine) -> None:
    asyncio.run(kv2.write_version("s", {"a": 1}, extra={"stages": ["AWSCURRENT"]}))
    asyncio.run(kv2.write_version("s", {"a": 2}))
    asyncio.run(kv2.set_version_extra("s", 1, {"stages": ["AWSPREVIOUS"]}))
    versions = asyncio.run(kv2.list_versions("s"))
    assert [(v.version, v.extra) for v in versions] == [(1, {"stages": ["AWSPREVIOUS"]}), (2, {})]
    with pytest.raises(NotFound):
        asyncio.run(kv2.set_version_extra("s", 9, {}))
    assert asyncio.run(kv2.list_versions("nope")) == []


def test_patch_keeps_extra(kv2: KVv2Engine) -> None:
    asyncio.run(kv2.write_version("s", {"a": 1}, extra={"state": "ENABLED"}))
    call(kv2, Operation.PATCH, "data/s", {"data": {"b": 2}})
    latest = asyncio.run(kv2.read_version("s"))
    assert latest is not None
    assert latest.metadata.extra == {"state": "ENABLED"}


def test_read_version_hides_deleted_and_destroyed(kv2: KVv2Engine) -> None:
    asyncio.run(kv2.write_version("s", {"a": 1}))
    asyncio.run(kv2.write_version("s", {"a": 2}))
    call(kv2, W, "destroy/s", {"versions": [1]})
    call(kv2, Operation.DELETE, "data/s")
    assert asyncio.run(kv2.read_version("s", 1)) is None
    assert asyncio.run(kv2.read_version("s")) is None
    assert asyncio.run(kv2.read_version("nope")) is None


def test_write_version_cas(kv2: KVv2Engine) -> None:
    asyncio.run(kv2.write_version("s", {"a": 1}, cas=0))
    with pytest.raises(CheckAndSetMismatch):
        asyncio.run(kv2.write_version("s", {"a": 1}, cas=0))


def test_concurrent_cas_writes_admit_one(kv2: KVv2Engine) -> None:
    async def race() -> list[bool]:
        async def attempt(n: int) -> bool:
            try:
                await kv2.write_version("s", {"n": n}, cas=0)
            except CheckAndSetMismatch:
                return False
            return True

        return list(await asyncio.gather(*(attempt(n) for n in range(5))))

    assert sum(asyncio.run(race())) == 1


class FailingTransactions(InMemoryStorage):
    """Storage whose transactions fail after being asked, as a crash would."""

    fail = False

    async def transaction(self, ops: builtins.list[TxOp]) -> None:
        if self.fail:
            raise OSError("disk gone")
        await super().transaction(ops)


def test_failed_write_leaves_nothing_half_written() -> None:
    config = make_config({"version": "2"})
    storage = FailingTransactions()
    config.storage = storage
    backend = KVv2Engine(config, clock=FakeClock())
    call(backend, W, "metadata/s", {"max_versions": 1})
    call(backend, W, "data/s", {"data": {"a": 1}})
    before = dict(storage._data)
    storage.fail = True
    with pytest.raises(OSError, match="disk gone"):
        asyncio.run(backend.write_version("s", {"a": 2}))
    assert storage._data == before
    storage.fail = False
    assert call(backend, R, "data/s").data["data"] == {"a": 1}
