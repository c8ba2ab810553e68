"""KV v2 ``extra/<path>``: the facades' atomic changes, pointer reads and scheduled deletion."""

from __future__ import annotations

import asyncio

from tests.unit.engines.harness import FakeClock, call, make_config

from sealbox.engines.kv import KVv2Engine
from sealbox.engines.kv.model import to_nanos
from sealbox.logical import Operation

R, W, L = Operation.READ, Operation.UPDATE, Operation.LIST


def _engine() -> tuple[KVv2Engine, FakeClock]:
    clock = FakeClock()
    return KVv2Engine(make_config({"version": "2"}), clock=clock), clock


def test_new_version_and_label_moves_land_together() -> None:
    kv, _ = _engine()
    first = call(
        kv,
        W,
        "extra/app",
        {
            "data": {"a": "1"},
            "new_version_extra": {"l": ["CUR"]},
            "key_extra": {"pointers": {"cur": 1}},
            "expect_version": 0,
        },
    )
    assert first.status == 200
    assert first.data["version"] == 1
    second = call(
        kv,
        W,
        "extra/app",
        {
            "data": {"a": "2"},
            "new_version_extra": {"l": ["CUR"]},
            "version_extra": {"1": {"l": ["PREV"]}},
            "key_extra": {"pointers": {"cur": 2}},
            "expect_version": 1,
        },
    )
    versions = second.data["record"]["versions"]
    assert (versions["1"]["extra"], versions["2"]["extra"]) == ({"l": ["PREV"]}, {"l": ["CUR"]})
    read = call(kv, R, "extra/app", {"data_pointer": "cur"})
    assert (read.data["data"], read.data["data_version"]) == ({"a": "2"}, 2)
    # The Vault view is unchanged by facade metadata.
    assert call(kv, R, "data/app").data["data"] == {"a": "2"}
    assert "PREV" not in repr(call(kv, R, "metadata/app").data)


def test_stale_expect_version_writes_nothing() -> None:
    kv, _ = _engine()
    call(kv, W, "extra/app", {"data": {"a": "1"}, "expect_version": 0})
    stale = call(
        kv, W, "extra/app", {"data": {"a": "x"}, "expect_version": 0, "key_extra": {"k": "v"}}
    )
    assert stale.status == 400
    record = call(kv, R, "extra/app").data["record"]
    assert (record["current_version"], record["extra"]) == (1, {})
    unknown = call(kv, W, "extra/app", {"version_extra": {"7": {}}})
    assert unknown.status == 400


def test_list_is_recursive_with_records() -> None:
    kv, _ = _engine()
    for key in ("a", "p/b", "p/q/c"):
        call(kv, W, "extra/" + key, {"data": {"x": key}, "key_extra": {"name": key}})
    listed = call(kv, L, "extra/")
    assert listed.data["keys"] == ["a", "p/b", "p/q/c"]
    assert listed.data["key_info"]["p/q/c"]["extra"] == {"name": "p/q/c"}
    assert call(kv, L, "extra/p/").data["keys"] == ["p/b", "p/q/c"]
    assert call(kv, L, "extra/none/").status == 404


def test_scheduled_deletion_hides_then_sweep_purges() -> None:
    kv, clock = _engine()
    call(kv, W, "extra/gone", {"data": {"x": "1"}})
    call(kv, W, "extra/kept", {"data": {"x": "1"}})
    due = to_nanos(clock.now) + 7 * 86400 * 10**9
    call(kv, W, "extra/gone", {"scheduled_deletion": due})
    clock.advance(7 * 86400 - 1)
    assert call(kv, R, "data/gone").status == 200
    clock.advance(2)
    storage = kv.config.storage
    assert asyncio.run(kv.store().sweep_scheduled()) == 1
    assert asyncio.run(storage.list("versions/")) != []  # "kept" still has its version
    assert asyncio.run(storage.list("metadata/")) == ["kept"]
    assert call(kv, R, "data/gone").status == 404
    # Clearing a schedule (0) keeps the key.
    later = to_nanos(clock.now) + 86400 * 10**9
    call(kv, W, "extra/kept", {"scheduled_deletion": later})
    call(kv, W, "extra/kept", {"scheduled_deletion": 0})
    clock.advance(30 * 86400)
    asyncio.run(kv.periodic())
    assert call(kv, R, "data/kept").status == 200
