"""KV v2 data/: versioned reads and writes, cas, merge patch, soft delete, response shapes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.engines.harness import FakeClock, call, make_config

from sealbox.engines.kv import KVv2Engine
from sealbox.logical import Operation

R, W, P, D = Operation.READ, Operation.UPDATE, Operation.PATCH, Operation.DELETE
VERSION_KEYS = {"created_time", "custom_metadata", "deletion_time", "destroyed", "version"}


def test_write_returns_version_metadata(kv2: KVv2Engine) -> None:
    out = call(kv2, W, "data/s", {"data": {"a": "b"}})
    assert out.status == 200
    assert set(out.data) == VERSION_KEYS
    assert out.data["version"] == 1
    assert out.data["created_time"] == "2026-01-02T03:04:05.123456Z"
    assert out.data["deletion_time"] == ""
    assert out.data["custom_metadata"] is None
    assert out.data["destroyed"] is False


def test_read_latest_and_by_version(kv2: KVv2Engine) -> None:
    call(kv2, W, "data/s", {"data": {"a": "b"}})
    call(kv2, W, "data/s", {"data": {"a": "c"}})
    latest = call(kv2, R, "data/s")
    assert latest.status == 200
    assert latest.data["data"] == {"a": "c"}
    assert latest.data["metadata"]["version"] == 2
    first = call(kv2, R, "data/s", {"version": "1"})
    assert first.data["data"] == {"a": "b"}
    assert call(kv2, R, "data/s", {"version": 0}).data["metadata"]["version"] == 2
    assert call(kv2, R, "data/s", {"version": -1}).data["metadata"]["version"] == 2


@pytest.mark.parametrize("query", [{}, {"version": 9}], ids=["never-written", "no-such-version"])
def test_missing_is_plain_404(kv2: KVv2Engine, query: dict[str, Any]) -> None:
    if query:
        call(kv2, W, "data/s", {"data": {"a": 1}})
    out = call(kv2, R, "data/never" if not query else "data/s", query)
    assert (out.status, out.errors, out.envelope) == (404, [], False)


def test_read_after_delete_is_404_with_envelope(kv2: KVv2Engine, clock: FakeClock) -> None:
    call(kv2, W, "data/s", {"data": {"a": 1}})
    clock.advance(1.5)
    assert call(kv2, D, "data/s").status == 204
    out = call(kv2, R, "data/s")
    assert (out.status, out.envelope) == (404, True)
    assert out.data["data"] is None
    assert out.data["metadata"]["deletion_time"] == "2026-01-02T03:04:06.623456Z"
    assert out.data["metadata"]["destroyed"] is False


def test_delete_of_deleted_keeps_first_deletion_time(kv2: KVv2Engine, clock: FakeClock) -> None:
    call(kv2, W, "data/s", {"data": {"a": 1}})
    call(kv2, D, "data/s")
    first = call(kv2, R, "data/s").data["metadata"]["deletion_time"]
    clock.advance(5)
    call(kv2, D, "data/s")
    assert call(kv2, R, "data/s").data["metadata"]["deletion_time"] == first


def test_delete_of_unknown_key_is_204(kv2: KVv2Engine) -> None:
    assert call(kv2, D, "data/nope").status == 204


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"data": {"a": 2}, "options": {"cas": 1}}, 200, None),
        ({"data": {"a": 2}, "options": {"cas": "1"}}, 200, None),
        ({"data": {"a": 2}, "options": {"cas": 0}}, 400, "did not match"),
        ({"data": {"a": 2}, "options": {"cas": 5}}, 400, "did not match"),
        ({"data": {"a": 2}, "options": {"cas": "x"}}, 400, "error parsing check-and-set"),
        ({"data": {"a": 2}, "options": "x"}, 400, "Field validation failed"),
        ({"data": "str"}, 400, "Field validation failed"),
        ({"nodata": 1}, 400, "no data provided"),
    ],
    ids=[
        "cas-ok",
        "cas-string",
        "cas-0-exists",
        "cas-ahead",
        "cas-bad",
        "options-bad",
        "data-bad",
        "no-data",
    ],
)
def test_write_cas_and_validation(
    kv2: KVv2Engine, body: dict[str, Any], status: int, message: str | None
) -> None:
    call(kv2, W, "data/s", {"data": {"a": 1}})
    out = call(kv2, W, "data/s", body)
    assert out.status == status
    if message is not None:
        assert out.errors is not None
        assert message in out.errors[0]
        assert call(kv2, R, "data/s").data["metadata"]["version"] == 1


def test_cas_zero_creates_only_when_absent(kv2: KVv2Engine) -> None:
    assert call(kv2, W, "data/new", {"data": {"a": 1}, "options": {"cas": 0}}).status == 200


@pytest.mark.parametrize("where", ["config", "metadata/s"])
def test_cas_required(kv2: KVv2Engine, where: str) -> None:
    call(kv2, W, where, {"cas_required": True})
    out = call(kv2, W, "data/s", {"data": {"a": 1}})
    assert (out.status, out.errors) == (400, ["check-and-set parameter required for this call"])
    assert call(kv2, W, "data/s", {"data": {"a": 1}, "options": {"cas": 0}}).status == 200
    patch = call(kv2, P, "data/s", {"data": {"b": 1}})
    assert patch.status == 400
    assert call(kv2, P, "data/s", {"data": {"b": 1}, "options": {"cas": 1}}).status == 200


def test_write_to_folder_is_refused(kv2: KVv2Engine) -> None:
    out = call(kv2, W, "data/dir/", {"data": {"a": 1}})
    assert (out.status, out.errors) == (400, ["cannot write to a path ending in '/'"])


def test_unknown_parameter_is_a_warning(kv2: KVv2Engine) -> None:
    out = call(kv2, W, "data/w", {"data": {"a": 1}, "foo": "bar"})
    assert out.status == 200
    assert out.warnings == ["Endpoint ignored these unrecognized parameters: [foo]"]


def test_empty_and_null_data_are_versions(kv2: KVv2Engine) -> None:
    assert call(kv2, W, "data/w", {"data": {}}).status == 200
    assert call(kv2, R, "data/w").data["data"] == {}
    assert call(kv2, W, "data/w", {"data": None}).data["version"] == 2


def test_patch_is_json_merge_patch(kv2: KVv2Engine) -> None:
    call(kv2, W, "data/s", {"data": {"a": 1, "b": {"c": 1, "d": 2}, "keep": True}})
    out = call(kv2, P, "data/s", {"data": {"a": None, "b": {"c": None, "e": 3}, "n": [1]}})
    assert (out.status, out.data["version"]) == (200, 2)
    assert call(kv2, R, "data/s").data["data"] == {"b": {"d": 2, "e": 3}, "keep": True, "n": [1]}


@pytest.mark.parametrize(
    ("body", "message"),
    [({}, "no data provided"), ({"data": "x"}, "Field validation failed")],
    ids=["empty", "not-a-map"],
)
def test_patch_bad_input(kv2: KVv2Engine, body: dict[str, Any], message: str) -> None:
    call(kv2, W, "data/s", {"data": {"a": 1}})
    out = call(kv2, P, "data/s", body)
    assert out.status == 400
    assert out.errors is not None
    assert message in out.errors[0]


def test_patch_missing_or_deleted(kv2: KVv2Engine) -> None:
    assert call(kv2, P, "data/nope", {"data": {"a": 1}}).status == 404
    call(kv2, W, "metadata/m", {"max_versions": 1})
    assert call(kv2, P, "data/m", {"data": {"a": 1}}).status == 404
    call(kv2, W, "data/s", {"data": {"a": 1}})
    call(kv2, D, "data/s")
    out = call(kv2, P, "data/s", {"data": {"a": 2}})
    assert (out.status, out.envelope) == (404, True)
    assert set(out.data) == VERSION_KEYS


def test_delete_version_after_from_mount_and_key(kv2: KVv2Engine, clock: FakeClock) -> None:
    call(kv2, W, "config", {"delete_version_after": "3s"})
    out = call(kv2, W, "data/a", {"data": {"x": 1}})
    assert out.data["deletion_time"] == "2026-01-02T03:04:08.123456Z"
    call(kv2, W, "metadata/b", {"delete_version_after": "1h"})
    assert call(kv2, W, "data/b", {"data": {"x": 1}}).data["deletion_time"] == (
        "2026-01-02T04:04:05.123456Z"
    )
    assert call(kv2, R, "data/a").status == 200
    clock.advance(3)
    expired = call(kv2, R, "data/a")
    assert (expired.status, expired.envelope) == (404, True)
    assert call(kv2, R, "data/b").status == 200


def test_negative_mount_delete_version_after_disables(kv2: KVv2Engine) -> None:
    call(kv2, W, "config", {"delete_version_after": "-5s"})
    assert call(kv2, R, "config").data["delete_version_after"] == "-1s"
    assert call(kv2, W, "data/a", {"data": {"x": 1}}).data["deletion_time"] == ""


def test_invalid_path_warns(kv2: KVv2Engine) -> None:
    for op, verb in [(R, "get"), (W, "put"), (D, "delete"), (Operation.LIST, "list")]:
        out = call(kv2, op, "s", {"a": 1} if op is W else None)
        assert out.status == 404
        assert out.data is None
        assert f"'sealbox kv {verb}'" in out.warnings[0]


def test_read_version_field_validation(kv2: KVv2Engine) -> None:
    out = call(kv2, R, "data/s", {"version": "abc"})
    assert out.status == 400
    assert out.errors is not None
    assert out.errors[0].startswith("Field validation failed")


def test_list_on_data_is_unsupported(kv2: KVv2Engine) -> None:
    assert call(kv2, Operation.LIST, "data/").status == 405


json_leaf = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=40, deadline=None)
@given(body=st.dictionaries(st.text(max_size=12), json_value, max_size=6))
def test_round_trip(body: dict[str, Any]) -> None:
    backend = KVv2Engine(make_config({"version": "2"}), clock=FakeClock())
    call(backend, W, "data/k", {"data": body})
    assert call(backend, R, "data/k").data["data"] == body
