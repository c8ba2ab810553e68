"""KV v1: whole-map writes, reads with a lease hint, delete and list."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.engines.harness import call, make_config

from sealbox.engines.kv import KVv1Engine
from sealbox.logical import Operation

R, W, D, L = Operation.READ, Operation.UPDATE, Operation.DELETE, Operation.LIST


def test_write_replaces_whole_map(kv1: KVv1Engine) -> None:
    assert call(kv1, W, "foo", {"a": "b", "c": 1}).status == 204
    assert call(kv1, W, "foo", {"c": 2}).status == 204
    out = call(kv1, R, "foo")
    assert (out.status, out.data) == (200, {"c": 2})


def test_never_written_is_404(kv1: KVv1Engine) -> None:
    out = call(kv1, R, "nope")
    assert (out.status, out.errors) == (404, [])


@pytest.mark.parametrize(
    ("ttl", "expected"),
    [("1h", 3600), (30, 30), ("xx", 0), (None, 0)],
    ids=["duration", "seconds", "unparsable", "absent"],
)
def test_ttl_key_is_a_lease_hint(kv1: KVv1Engine, ttl: Any, expected: int) -> None:
    body: dict[str, Any] = {"a": "b"} if ttl is None else {"a": "b", "ttl": ttl}
    call(kv1, W, "t", body)
    out = call(kv1, R, "t")
    assert out.lease_duration == expected
    assert out.data == body


def test_lease_hint_falls_back_to_mount_default() -> None:
    config = make_config()
    config.default_lease_ttl = 77
    backend = KVv1Engine(config)
    call(backend, W, "t", {"a": 1, "lease": "bad"})
    assert call(backend, R, "t").lease_duration == 77


def test_body_key_named_path_is_stored(kv1: KVv1Engine) -> None:
    call(kv1, W, "dir/x", {"a": 1, "path": "zz"})
    assert call(kv1, R, "dir/x").data == {"a": 1, "path": "zz"}


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("foo", {}, "missing data fields"),
        ("dir/", {"a": 1}, "cannot write to a path ending in '/'"),
        ("", {"a": 1}, "cannot write to a path ending in '/'"),
    ],
    ids=["empty-body", "trailing-slash", "root"],
)
def test_bad_writes_are_400(kv1: KVv1Engine, path: str, body: dict[str, Any], message: str) -> None:
    out = call(kv1, W, path, body)
    assert (out.status, out.errors) == (400, [message])


def test_delete_then_read_is_404(kv1: KVv1Engine) -> None:
    call(kv1, W, "foo", {"a": 1})
    assert call(kv1, D, "foo").status == 204
    assert call(kv1, R, "foo").status == 404
    assert call(kv1, D, "foo").status == 204


def test_list(kv1: KVv1Engine) -> None:
    call(kv1, W, "foo", {"a": 1})
    call(kv1, W, "dir/x", {"a": 1})
    assert call(kv1, L, "").data == {"keys": ["dir/", "foo"]}
    assert call(kv1, L, "dir").data == {"keys": ["x"]}
    assert call(kv1, L, "dir/").data == {"keys": ["x"]}
    assert call(kv1, L, "nothing/").status == 404


def test_patch_is_unsupported(kv1: KVv1Engine) -> None:
    assert call(kv1, Operation.PATCH, "foo", {"a": 1}).status == 405


def test_existence_check(kv1: KVv1Engine) -> None:
    import asyncio

    from sealbox.logical import Request

    def exists(path: str) -> bool | None:
        req = Request(Operation.CREATE, path, storage=kv1.config.storage)
        return asyncio.run(kv1.exists(req))

    assert exists("foo") is False
    call(kv1, W, "foo", {"a": 1})
    assert exists("foo") is True


json_leaf = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=40, deadline=None)
@given(body=st.dictionaries(st.text(min_size=1, max_size=12), json_value, min_size=1, max_size=6))
def test_round_trip(body: dict[str, Any]) -> None:
    backend = KVv1Engine(make_config())
    call(backend, W, "k", body)
    assert call(backend, R, "k").data == body
