"""KV v2 config, metadata (read, write, patch, delete, list), custom_metadata and subkeys."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.engines.harness import FakeClock, call

from sealbox.engines.kv import KVv2Engine
from sealbox.logical import Operation

R, W, P, D, L = (
    Operation.READ,
    Operation.UPDATE,
    Operation.PATCH,
    Operation.DELETE,
    Operation.LIST,
)
METADATA_KEYS = {
    "cas_required",
    "created_time",
    "current_metadata_version",
    "current_version",
    "custom_metadata",
    "delete_version_after",
    "max_versions",
    "metadata_cas_required",
    "oldest_version",
    "updated_time",
    "versions",
}


def test_config_defaults_and_write(kv2: KVv2Engine) -> None:
    assert call(kv2, R, "config").data == {
        "cas_required": False,
        "delete_version_after": "0s",
        "max_versions": 0,
        "metadata_cas_required": False,
    }
    assert call(kv2, W, "config", {"max_versions": 3, "delete_version_after": "2h"}).status == 204
    out = call(kv2, R, "config").data
    assert (out["max_versions"], out["delete_version_after"], out["cas_required"]) == (
        3,
        "2h0m0s",
        False,
    )
    assert call(kv2, W, "config", {"max_versions": -1}).status == 400
    assert call(kv2, R, "config").data["max_versions"] == 3


@pytest.mark.parametrize(
    "body",
    [{"max_versions": "abc"}, {"cas_required": "notbool"}, {"delete_version_after": "bad"}],
    ids=["int", "bool", "duration"],
)
@pytest.mark.parametrize("where", ["config", "metadata/m"])
def test_wrong_types_are_400(kv2: KVv2Engine, where: str, body: dict[str, Any]) -> None:
    out = call(kv2, W, where, body)
    assert out.status == 400
    assert out.errors is not None
    assert out.errors[0].startswith("Field validation failed")
    assert call(kv2, R, "metadata/m").status == 404


def test_metadata_after_writes(kv2: KVv2Engine, clock: FakeClock) -> None:
    call(kv2, W, "data/s", {"data": {"a": 1}})
    clock.advance(1)
    call(kv2, W, "data/s", {"data": {"a": 2}})
    out = call(kv2, R, "metadata/s")
    assert out.status == 200
    assert set(out.data) == METADATA_KEYS
    assert out.data["created_time"] == "2026-01-02T03:04:05.123456Z"
    assert out.data["updated_time"] == "2026-01-02T03:04:06.123456Z"
    assert (out.data["current_version"], out.data["current_metadata_version"]) == (2, 0)
    assert out.data["versions"] == {
        "1": {
            "created_time": "2026-01-02T03:04:05.123456Z",
            "deletion_time": "",
            "destroyed": False,
        },
        "2": {
            "created_time": "2026-01-02T03:04:06.123456Z",
            "deletion_time": "",
            "destroyed": False,
        },
    }


def test_metadata_write_creates_and_updates_only_supplied(kv2: KVv2Engine) -> None:
    body = {
        "max_versions": 2,
        "custom_metadata": {"k": "v"},
        "cas_required": True,
        "delete_version_after": "1h",
    }
    assert call(kv2, W, "metadata/m", body).status == 204
    out = call(kv2, R, "metadata/m").data
    assert out["versions"] == {}
    assert (out["current_version"], out["current_metadata_version"]) == (0, 1)
    assert (out["custom_metadata"], out["delete_version_after"]) == ({"k": "v"}, "1h0m0s")
    call(kv2, W, "metadata/m", {"max_versions": 4})
    out = call(kv2, R, "metadata/m").data
    assert (out["max_versions"], out["custom_metadata"], out["cas_required"]) == (
        4,
        {"k": "v"},
        True,
    )
    assert out["current_metadata_version"] == 2
    # Metadata without data is a 404 on data/ and subkeys/.
    assert call(kv2, R, "data/m").errors == []
    assert call(kv2, R, "subkeys/m").errors == []
    # custom_metadata written by a data write's response.
    ok = call(kv2, W, "data/m", {"data": {"a": 1}, "options": {"cas": 0}})
    assert ok.data["custom_metadata"] == {"k": "v"}


def test_custom_metadata_values_are_stringified(kv2: KVv2Engine) -> None:
    call(kv2, W, "metadata/c", {"custom_metadata": {"k": 1, "b": True, "f": 1.5}})
    assert call(kv2, R, "metadata/c").data["custom_metadata"] == {"b": "1", "f": "1.5", "k": "1"}
    call(kv2, W, "metadata/c", {"custom_metadata": {}})
    assert call(kv2, R, "metadata/c").data["custom_metadata"] is None


@pytest.mark.parametrize(
    ("custom", "fragment"),
    [
        ({"n": None}, 'length of value for key "n" is 0'),
        ({"k": {"a": 1}}, "unconvertible type 'map[string]interface {}'"),
        ({"k": "x" * 513}, "must be 0 < len(value) <= 512"),
        ({"k" * 129: "v"}, "must be 0 < len(key) <= 128"),
        ({f"k{i}": "v" for i in range(65)}, "at most 64 keys"),
        ("x", "Field validation failed"),
    ],
    ids=["null", "nested", "long-value", "long-key", "too-many", "not-a-map"],
)
def test_custom_metadata_validation(kv2: KVv2Engine, custom: Any, fragment: str) -> None:
    out = call(kv2, W, "metadata/c", {"custom_metadata": custom})
    assert out.status == 400
    assert out.errors is not None
    assert fragment in out.errors[0]
    assert call(kv2, R, "metadata/c").status == 404


def test_metadata_negative_delete_version_after(kv2: KVv2Engine) -> None:
    out = call(kv2, W, "metadata/c", {"delete_version_after": "-1s"})
    assert out.status == 400
    assert out.errors is not None
    assert "cannot provide negative value" in out.errors[0]


@pytest.mark.parametrize("value", [-1, -5, 1 << 32])
def test_max_versions_out_of_uint32_is_refused(kv2: KVv2Engine, value: int) -> None:
    out = call(kv2, W, "metadata/c", {"max_versions": value})
    assert out.status == 400
    assert out.errors == ["max_versions must be between 0 and 4294967295"]
    assert call(kv2, W, "config", {"max_versions": value}).status == 400


def test_metadata_patch(kv2: KVv2Engine) -> None:
    assert call(kv2, P, "metadata/nope", {"max_versions": 3}).status == 404
    call(kv2, W, "metadata/m", {"custom_metadata": {"k": "v", "keep": "x"}, "max_versions": 2})
    body = {"custom_metadata": {"k": None, "z": "y"}, "max_versions": 5}
    assert call(kv2, P, "metadata/m", body).status == 204
    out = call(kv2, R, "metadata/m").data
    assert out["custom_metadata"] == {"keep": "x", "z": "y"}
    assert (out["max_versions"], out["current_metadata_version"]) == (5, 2)
    assert call(kv2, P, "metadata/m", {"max_versions": "x"}).status == 400


def test_metadata_cas_when_required(kv2: KVv2Engine) -> None:
    call(kv2, W, "metadata/m", {"metadata_cas_required": True})
    missing = call(kv2, W, "metadata/m", {"max_versions": 3})
    assert missing.errors == ["check-and-set parameter required for this call"]
    assert call(kv2, W, "metadata/m", {"max_versions": 3, "cas": 5}).status == 400
    assert call(kv2, W, "metadata/m", {"max_versions": 3, "cas": 1}).status == 204
    # Without the requirement, a wrong cas is ignored (as OpenBao does).
    call(kv2, W, "metadata/x", {"cas": 9})
    assert call(kv2, R, "metadata/x").status == 200


def test_metadata_delete_removes_everything(kv2: KVv2Engine) -> None:
    import asyncio

    from sealbox.logical.storage import list_recursive

    call(kv2, W, "data/m", {"data": {"a": 1}})
    call(kv2, W, "data/m", {"data": {"a": 2}})
    call(kv2, W, "data/m2", {"data": {"a": 2}})
    assert call(kv2, D, "metadata/m").status == 204
    assert call(kv2, R, "metadata/m").errors == []
    assert call(kv2, R, "data/m").errors == []
    keys = asyncio.run(list_recursive(kv2.config.storage))
    assert keys == ["metadata/m2", *[k for k in keys if k.startswith("versions/")]]
    assert len(keys) == 2
    assert call(kv2, D, "metadata/nope").status == 204
    assert call(kv2, D, "metadata/").status == 204


def test_metadata_write_to_folder_is_refused(kv2: KVv2Engine) -> None:
    out = call(kv2, W, "metadata/dir/", {"max_versions": 3})
    assert out.errors == ["cannot write to a path ending in '/'"]


def test_list_metadata(kv2: KVv2Engine) -> None:
    for key in ("n", "s", "dir/a", "dir/b/c"):
        call(kv2, W, f"data/{key}", {"data": {"a": 1}})
    assert call(kv2, L, "metadata/").data == {"keys": ["dir/", "n", "s"]}
    assert call(kv2, L, "metadata").data == {"keys": ["dir/", "n", "s"]}
    assert call(kv2, L, "metadata/dir").data == {"keys": ["a", "b/"]}
    assert call(kv2, L, "metadata/dir/").data == {"keys": ["a", "b/"]}
    assert call(kv2, L, "metadata/none/").errors == []
    assert call(kv2, L, "metadata/n").errors == []
    assert call(kv2, L, "metadata/", {"limit": 1}).data == {"keys": ["dir/"]}
    assert call(kv2, L, "metadata/", {"after": "dir"}).data == {"keys": ["dir/", "n", "s"]}
    assert call(kv2, R, "metadata/").errors == []


def test_list_detailed_metadata(kv2: KVv2Engine) -> None:
    call(kv2, W, "data/n", {"data": {"a": 1}})
    call(kv2, W, "data/dir/a", {"data": {"a": 1}})
    out = call(kv2, L, "detailed-metadata/")
    assert out.data["keys"] == ["dir/", "n"]
    assert out.data["key_info"]["dir/"] == {}
    assert set(out.data["key_info"]["n"]) == METADATA_KEYS
    assert call(kv2, L, "detailed-metadata/dir").data["keys"] == ["a"]
    assert call(kv2, L, "detailed-metadata/zzz").status == 404


SUBKEYS_DATA = {"a": {"b": {"c": 1}, "d": [1, 2]}, "e": None, "f": "x", "g": {}}


@pytest.mark.parametrize(
    ("depth", "expected"),
    [
        (0, {"a": {"b": {"c": None}, "d": None}, "e": None, "f": None, "g": None}),
        (1, {"a": None, "e": None, "f": None, "g": None}),
        (2, {"a": {"b": None, "d": None}, "e": None, "f": None, "g": None}),
        (-1, {"a": None, "e": None, "f": None, "g": None}),
    ],
    ids=["unlimited", "one", "two", "negative"],
)
def test_subkeys(kv2: KVv2Engine, depth: int, expected: dict[str, Any]) -> None:
    call(kv2, W, "data/n", {"data": SUBKEYS_DATA})
    out = call(kv2, R, "subkeys/n", {"depth": depth} if depth else {})
    assert out.status == 200
    assert out.data["subkeys"] == expected
    assert out.data["metadata"]["version"] == 1


def test_subkeys_missing_deleted_and_bad_depth(kv2: KVv2Engine) -> None:
    assert call(kv2, R, "subkeys/nope").errors == []
    call(kv2, W, "data/s", {"data": {"a": 1}})
    call(kv2, D, "data/s")
    out = call(kv2, R, "subkeys/s")
    assert (out.status, out.envelope, out.data["subkeys"]) == (404, True, None)
    assert set(out.data) == {"metadata", "subkeys"}
    assert call(kv2, R, "subkeys/s", {"depth": "x"}).status == 400
    assert call(kv2, W, "subkeys/s", {}).status == 405
