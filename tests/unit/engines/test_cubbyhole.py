"""Cubbyhole: per-token private KV, refusal without a token, destroy on revocation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tests.unit.engines.harness import TokenEntry, call

from sealbox.engines.cubbyhole import CubbyholeEngine
from sealbox.logical import Operation

R, W, D, L = Operation.READ, Operation.UPDATE, Operation.DELETE, Operation.LIST
ALICE = TokenEntry("alice-cubby")
BOB = TokenEntry("bob-cubby")


def test_private_per_token(cubbyhole: CubbyholeEngine) -> None:
    assert call(cubbyhole, W, "x", {"a": 1, "ttl": "1h"}, token_entry=ALICE).status == 204
    out = call(cubbyhole, R, "x", token_entry=ALICE)
    assert (out.status, out.data, out.lease_duration) == (200, {"a": 1, "ttl": "1h"}, None)
    assert call(cubbyhole, R, "x", token_entry=BOB).status == 404
    assert call(cubbyhole, L, "", token_entry=BOB).status == 404
    assert call(cubbyhole, L, "", token_entry=ALICE).data == {"keys": ["x"]}


def test_write_replaces_and_delete(cubbyhole: CubbyholeEngine) -> None:
    call(cubbyhole, W, "d/x", {"a": 1}, token_entry=ALICE)
    call(cubbyhole, W, "d/x", {"b": 2}, token_entry=ALICE)
    assert call(cubbyhole, R, "d/x", token_entry=ALICE).data == {"b": 2}
    assert call(cubbyhole, L, "d", token_entry=ALICE).data == {"keys": ["x"]}
    assert call(cubbyhole, D, "d/x", token_entry=ALICE).status == 204
    assert call(cubbyhole, R, "d/x", token_entry=ALICE).status == 404


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("x", {}, "missing data fields"),
        ("d/", {"a": 1}, "cannot write to a path ending in '/'"),
        ("", {"a": 1}, "cannot write to a path ending in '/'"),
    ],
    ids=["empty", "folder", "root"],
)
def test_bad_writes(
    cubbyhole: CubbyholeEngine, path: str, body: dict[str, Any], message: str
) -> None:
    out = call(cubbyhole, W, path, body, token_entry=ALICE)
    assert (out.status, out.errors) == (400, [message])


@pytest.mark.parametrize(
    "entry",
    [None, TokenEntry(""), TokenEntry("a/b"), object()],
    ids=["none", "empty", "slash", "no-attr"],
)
@pytest.mark.parametrize("operation", [R, W, D, L])
def test_without_token_entry_is_denied(
    cubbyhole: CubbyholeEngine, entry: Any, operation: Operation
) -> None:
    out = call(cubbyhole, operation, "x", {"a": 1}, token_entry=entry)
    assert (out.status, out.errors) == (403, ["permission denied"])


def test_patch_unsupported(cubbyhole: CubbyholeEngine) -> None:
    assert call(cubbyhole, Operation.PATCH, "x", {"a": 1}, token_entry=ALICE).status == 405


def test_destroy_removes_only_that_token(cubbyhole: CubbyholeEngine) -> None:
    for path in ("x", "d/y", "d/e/z"):
        call(cubbyhole, W, path, {"a": 1}, token_entry=ALICE)
    call(cubbyhole, W, "x", {"b": 1}, token_entry=BOB)
    asyncio.run(cubbyhole.destroy(ALICE.cubbyhole_id))
    assert call(cubbyhole, L, "", token_entry=ALICE).status == 404
    assert call(cubbyhole, R, "x", token_entry=BOB).data == {"b": 1}
    asyncio.run(cubbyhole.destroy(ALICE.cubbyhole_id))
    asyncio.run(cubbyhole.destroy(""))
