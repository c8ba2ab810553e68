"""KV v2 delete/undelete/destroy of versions and max_versions pruning."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.engines.harness import FakeClock, call, make_config

from sealbox.engines.kv import KVv2Engine
from sealbox.logical import Operation

R, W = Operation.READ, Operation.UPDATE


def write_versions(kv2: KVv2Engine, key: str, count: int) -> None:
    for n in range(count):
        call(kv2, W, f"data/{key}", {"data": {"n": n + 1}})


def versions_map(kv2: KVv2Engine, key: str) -> dict[str, Any]:
    result: dict[str, Any] = call(kv2, R, f"metadata/{key}").data["versions"]
    return result


def test_delete_versions_soft_deletes(kv2: KVv2Engine) -> None:
    write_versions(kv2, "s", 3)
    assert call(kv2, W, "delete/s", {"versions": [1, 2, 7, -1]}).status == 204
    assert call(kv2, R, "data/s", {"version": 1}).status == 404
    assert call(kv2, R, "data/s", {"version": 2}).status == 404
    assert call(kv2, R, "data/s").status == 200
    assert versions_map(kv2, "s")["1"]["deletion_time"] != ""


def test_versions_as_comma_string(kv2: KVv2Engine) -> None:
    write_versions(kv2, "s", 2)
    assert call(kv2, W, "delete/s", {"versions": "1,2"}).status == 204
    assert call(kv2, R, "data/s").status == 404


def test_undelete_restores(kv2: KVv2Engine) -> None:
    write_versions(kv2, "s", 2)
    call(kv2, Operation.DELETE, "data/s")
    assert call(kv2, W, "undelete/s", {"versions": [2]}).status == 204
    out = call(kv2, R, "data/s")
    assert (out.status, out.data["data"], out.data["metadata"]["deletion_time"]) == (
        200,
        {"n": 2},
        "",
    )


def test_undelete_rearms_delete_version_after(kv2: KVv2Engine, clock: FakeClock) -> None:
    call(kv2, W, "metadata/s", {"delete_version_after": "1s"})
    write_versions(kv2, "s", 1)
    clock.advance(2)
    assert call(kv2, R, "data/s").status == 404
    call(kv2, W, "undelete/s", {"versions": [1]})
    out = call(kv2, R, "data/s")
    assert out.status == 200
    assert out.data["metadata"]["deletion_time"] == "2026-01-02T03:04:08.123456Z"


def test_destroy_removes_data_for_good(kv2: KVv2Engine) -> None:
    write_versions(kv2, "s", 2)
    assert call(kv2, W, "destroy/s", {"versions": [1]}).status == 204
    out = call(kv2, R, "data/s", {"version": 1})
    assert (out.status, out.envelope) == (404, True)
    assert out.data == {
        "data": None,
        "metadata": {
            "created_time": "2026-01-02T03:04:05.123456Z",
            "custom_metadata": None,
            "deletion_time": "",
            "destroyed": True,
            "version": 1,
        },
    }
    # Destroying again, or undeleting, changes nothing.
    assert call(kv2, W, "destroy/s", {"versions": [1]}).status == 204
    assert call(kv2, W, "undelete/s", {"versions": [1]}).status == 204
    assert call(kv2, R, "data/s", {"version": 1}).data["metadata"]["destroyed"] is True
    # Deleting a destroyed version does not set a deletion time.
    call(kv2, W, "delete/s", {"versions": [1]})
    assert versions_map(kv2, "s")["1"]["deletion_time"] == ""


def test_destroyed_version_data_is_gone_from_storage(kv2: KVv2Engine) -> None:
    import asyncio

    from sealbox.logical.storage import list_recursive

    write_versions(kv2, "s", 2)
    call(kv2, W, "destroy/s", {"versions": [1, 2]})
    keys = asyncio.run(list_recursive(kv2.config.storage))
    assert [k for k in keys if k.startswith("versions/")] == []


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("delete", "No version number provided"),
        ("undelete", "No version number provided"),
        ("destroy", "no version number provided"),
    ],
)
@pytest.mark.parametrize("body", [{}, {"versions": []}], ids=["absent", "empty"])
def test_versions_required(
    kv2: KVv2Engine, endpoint: str, message: str, body: dict[str, Any]
) -> None:
    out = call(kv2, W, f"{endpoint}/s", body)
    assert (out.status, out.errors) == (400, [message])


@pytest.mark.parametrize("versions", [["a"], [1.5], {"a": 1}], ids=["text", "float", "map"])
def test_versions_wrong_type(kv2: KVv2Engine, versions: Any) -> None:
    out = call(kv2, W, "delete/s", {"versions": versions})
    assert out.status == 400
    assert out.errors is not None
    assert out.errors[0].startswith("Field validation failed")


@pytest.mark.parametrize("endpoint", ["delete", "undelete", "destroy"])
def test_unknown_key_is_204(kv2: KVv2Engine, endpoint: str) -> None:
    assert call(kv2, W, f"{endpoint}/nope", {"versions": [1]}).status == 204


def test_pruning_matches_openbao_oldest_version(kv2: KVv2Engine) -> None:
    call(kv2, W, "metadata/p", {"max_versions": 2})
    write_versions(kv2, "p", 3)
    meta = call(kv2, R, "metadata/p").data
    assert (meta["oldest_version"], sorted(meta["versions"])) == (2, ["2", "3"])
    assert call(kv2, R, "data/p", {"version": 1}).status == 404
    # Lowering max_versions prunes only at the next write.
    write_versions(kv2, "p", 2)
    call(kv2, W, "metadata/p", {"max_versions": 1})
    assert sorted(versions_map(kv2, "p")) == ["4", "5"]
    write_versions(kv2, "p", 1)
    meta = call(kv2, R, "metadata/p").data
    assert (meta["oldest_version"], sorted(meta["versions"])) == (6, ["6"])


def test_default_keeps_ten(kv2: KVv2Engine) -> None:
    write_versions(kv2, "s", 10)
    # compat: OpenBao moves oldest_version to 1 once the current version reaches the maximum.
    assert call(kv2, R, "metadata/s").data["oldest_version"] == 1
    write_versions(kv2, "s", 1)
    assert sorted(int(v) for v in versions_map(kv2, "s")) == list(range(2, 12))


@settings(max_examples=25, deadline=None)
@given(
    max_versions=st.integers(1, 6),
    mount_max=st.integers(0, 6),
    writes=st.integers(1, 15),
)
def test_pruning_keeps_exactly_newest_n(max_versions: int, mount_max: int, writes: int) -> None:
    import asyncio

    from sealbox.logical.storage import list_recursive

    backend = KVv2Engine(make_config({"version": "2"}), clock=FakeClock())
    call(backend, W, "config", {"max_versions": mount_max})
    call(backend, W, "metadata/k", {"max_versions": max_versions})
    write_versions(backend, "k", writes)
    kept = sorted(int(v) for v in versions_map(backend, "k"))
    # compat: a key keeps the larger of its own max_versions and the mount's (bao 2.7.2).
    effective = max(max_versions, mount_max) if mount_max else max_versions
    expected = list(range(max(1, writes - effective + 1), writes + 1))
    assert kept == expected
    stored = asyncio.run(list_recursive(backend.config.storage))
    assert len([k for k in stored if k.startswith("versions/")]) == len(expected)
    for version in expected:
        out = call(backend, R, "data/k", {"version": version})
        assert out.data["data"] == {"n": version}
