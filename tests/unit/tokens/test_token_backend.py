"""The ``auth/token/`` backend through ``handle``: shapes, privileges, errors, roles."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.tokens.harness import ROOT, Harness, run

from sealbox.errors import InvalidRequest, NotFound, PermissionDenied, SealboxError
from sealbox.logical import Operation

UPDATE, READ, LIST, DELETE = Operation.UPDATE, Operation.READ, Operation.LIST, Operation.DELETE

LOOKUP_KEYS = {
    "accessor", "creation_time", "creation_ttl", "display_name", "entity_id", "expire_time",
    "explicit_max_ttl", "id", "issue_time", "meta", "num_uses", "orphan", "path", "policies",
    "renewable", "ttl", "type",
}  # fmt: skip


def _data(h: Harness, op: Operation, path: str, body: dict[str, Any] | None = None,
          token: str = ROOT) -> dict[str, Any]:  # fmt: skip
    response = h.call(op, path, body, token=token)
    assert response is not None
    assert response.data is not None
    return response.data


def _limited(h: Harness, policies: list[str] | None = None) -> str:
    token, _ = h.create(policies=policies or ["tok", "p1"], ttl="1h")
    return token


def test_create_and_lookup_wire_shapes(harness: Harness) -> None:
    response = harness.call(
        UPDATE,
        "create",
        {"policies": ["p2", "P1 "], "ttl": "1h", "meta": {"a": "b"}, "display_name": "My Name",
         "num_uses": 3},
    )  # fmt: skip
    assert response is not None
    auth = response.auth
    assert auth is not None
    assert auth.policies == ["default", "p1", "p2"]
    assert (auth.lease_duration, auth.renewable, auth.num_uses) == (3600, True, 3)
    assert auth.metadata == {"a": "b"}
    data = _data(harness, UPDATE, "lookup", {"token": auth.client_token})
    assert set(data) == LOOKUP_KEYS
    assert data["display_name"] == "token-My-Name"
    assert data["id"] == auth.client_token
    assert data["creation_ttl"] == 3600
    assert data["ttl"] == 3600
    assert data["expire_time"].endswith("Z")
    by_accessor = _data(harness, UPDATE, "lookup-accessor", {"accessor": auth.accessor})
    assert by_accessor["id"] == ""
    assert set(by_accessor) == LOOKUP_KEYS


@pytest.mark.parametrize(
    ("op", "path", "body"),
    [(READ, "lookup", None), (UPDATE, "lookup", {}), (READ, "lookup-self", None)],
    ids=["get-lookup", "post-lookup-empty", "lookup-self"],
)
def test_lookup_without_token_is_self(
    harness: Harness, op: Operation, path: str, body: dict[str, Any] | None
) -> None:
    data = _data(harness, op, path, body)
    assert data["id"] == ROOT
    assert data["policies"] == ["root"]
    assert data["expire_time"] is None


@pytest.mark.parametrize(
    ("path", "body", "error", "message"),
    [
        ("lookup", {"token": "hvs.bogus"}, PermissionDenied, "bad token"),
        ("lookup-accessor", {"accessor": "bogus"}, InvalidRequest, "invalid accessor"),
        ("renew", {"token": "bogus"}, InvalidRequest, "token not found"),
        ("renew", {}, InvalidRequest, "missing token ID"),
        ("renew-accessor", {"accessor": "bogus"}, InvalidRequest, "invalid accessor"),
        ("revoke", {}, InvalidRequest, "missing token ID"),
        ("revoke-orphan", {}, InvalidRequest, "missing token ID"),
        ("revoke-orphan", {"token": "bogus"}, InvalidRequest, "token to revoke not found"),
        ("create", {"type": "batch"}, InvalidRequest, "not supported"),
        ("create", {"type": "weird"}, InvalidRequest, "invalid 'token_type' value"),
        ("create", {"num_uses": -1}, InvalidRequest, "cannot be negative"),
        ("create", {"explicit_max_ttl": "-5s"}, InvalidRequest, "must be positive"),
        ("create", {"ttl": "bogus"}, InvalidRequest, "ttl"),
        ("create", {"meta": "bad"}, InvalidRequest, "meta"),
        ("create", {"id": ROOT}, InvalidRequest, "duplicate ID"),
        ("create/nosuch", {}, InvalidRequest, "unknown role nosuch"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_errors_match_openbao(
    harness: Harness, path: str, body: dict[str, Any], error: type[SealboxError], message: str
) -> None:
    with pytest.raises(error, match=message) as caught:
        harness.call(UPDATE, path, body)
    assert caught.value.status == error.status


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"policies": ["p1"]}, ["default", "p1"]),
        ({}, ["default", "p1", "tok"]),
        ({"no_default_policy": True}, ["p1", "tok"]),
        ({"policies": ["default"]}, ["default"]),
        ({"policies": ["p2"]}, "child policies must be subset of parent"),
        ({"policies": ["root"]}, "child policies must be subset of parent"),
        ({"no_parent": True}, "root or sudo privileges required to create orphan token"),
        ({"period": "1h"}, "root or sudo privileges required to create periodic token"),
        ({"id": "abc"}, "root or sudo privileges required to specify token id"),
    ],
    ids=["subset", "inherit", "no-default", "only-default", "not-subset", "root", "no-parent",
         "period", "id"],
)  # fmt: skip
def test_non_root_parent_rules(
    harness: Harness, body: dict[str, Any], expected: list[str] | str
) -> None:
    parent = _limited(harness)
    if isinstance(expected, str):
        with pytest.raises(InvalidRequest, match=expected):
            harness.call(UPDATE, "create", body, token=parent)
        return
    response = harness.call(UPDATE, "create", body, token=parent)
    assert response is not None
    assert response.auth is not None
    assert response.auth.policies == expected
    assert not response.auth.orphan


def test_sudo_parent_may_orphan_period_and_id(harness: Harness) -> None:
    parent = _limited(harness, ["tsudo"])
    entry = run(harness.store.lookup(parent))
    assert entry is not None
    harness.sudo_accessors.add(entry.accessor)
    response = harness.call(
        UPDATE, "create", {"no_parent": True, "period": "1h", "id": "abcd"}, token=parent
    )
    assert response is not None
    assert response.auth is not None
    assert (response.auth.client_token, response.auth.orphan) == ("abcd", True)
    assert response.auth.lease_duration == 3600
    with pytest.raises(InvalidRequest, match="parent token being root"):
        harness.call(UPDATE, "create", {"policies": ["root"]}, token=parent)


def test_create_orphan_needs_no_sudo(harness: Harness) -> None:
    response = harness.call(UPDATE, "create-orphan", {"policies": ["p1"]}, token=_limited(harness))
    assert response is not None
    assert response.auth is not None
    assert response.auth.orphan
    data = _data(harness, UPDATE, "lookup", {"token": response.auth.client_token})
    assert data["path"] == "auth/token/create-orphan"


@pytest.mark.parametrize(
    ("body", "lease", "warns"),
    [
        ({"ttl": "1000000h"}, 768 * 3600, True),
        ({"ttl": "3h", "explicit_max_ttl": "90m"}, 5400, True),
        ({"ttl": "1h", "explicit_max_ttl": "90m"}, 3600, False),
        ({"period": "10m", "ttl": "1h"}, 600, False),
        ({"ttl": "0"}, 0, False),
        ({"policies": ["default"]}, 768 * 3600, False),
    ],
    ids=["max", "explicit", "under-explicit", "period", "root-no-ttl", "default"],
)
def test_create_ttls(harness: Harness, body: dict[str, Any], lease: int, warns: bool) -> None:
    response = harness.call(UPDATE, "create", body)
    assert response is not None
    assert response.auth is not None
    assert response.auth.lease_duration == lease
    assert response.auth.renewable is (lease > 0)
    assert bool(response.warnings) is warns


def test_renew_paths(harness: Harness) -> None:
    token, accessor = harness.create(ttl="1h", explicit_max_ttl="90m")
    response = harness.call(UPDATE, "renew", {"token": token, "increment": "2h"})
    assert response is not None
    assert response.auth is not None
    assert response.auth.lease_duration == 5400
    assert response.warnings
    response = harness.call(UPDATE, "renew-self", {"increment": "30m"}, token=token)
    assert response is not None
    assert response.auth is not None
    assert (response.auth.client_token, response.auth.lease_duration) == (token, 1800)
    response = harness.call(UPDATE, "renew-accessor", {"accessor": accessor})
    assert response is not None
    assert response.auth is not None
    assert (response.auth.client_token, response.auth.lease_duration) == ("", 1800)
    data = _data(harness, UPDATE, "lookup", {"token": token})
    assert {"last_renewal", "last_renewal_time"} <= set(data)


def test_renew_of_non_renewable_token(harness: Harness) -> None:
    token, _ = harness.create(renewable=False, ttl="1h")
    with pytest.raises(InvalidRequest, match="lease is not renewable"):
        harness.call(UPDATE, "renew", {"token": token})


def test_revoke_paths(harness: Harness) -> None:
    parent = _limited(harness, ["tok"])
    child, _ = harness.create(token=parent)
    assert harness.call(UPDATE, "revoke-orphan", {"token": parent}) is None
    assert _data(harness, UPDATE, "lookup", {"token": child})["orphan"] is True
    with pytest.raises(PermissionDenied, match="bad token"):
        harness.call(UPDATE, "lookup", {"token": parent})
    grandchild, accessor = harness.create(token=child)
    assert harness.call(UPDATE, "revoke-self", token=child) is None
    assert run(harness.store.lookup(grandchild)) is None
    assert harness.call(UPDATE, "revoke", {"token": "bogus"}) is None
    response = harness.call(UPDATE, "revoke-accessor", {"accessor": accessor})
    assert response is not None
    assert response.warnings == ["No token found with this accessor"]
    other, other_accessor = harness.create()
    assert harness.call(UPDATE, "revoke-accessor", {"accessor": other_accessor}) is None
    assert run(harness.store.lookup(other)) is None


def test_revoke_orphan_needs_sudo(harness: Harness) -> None:
    caller = _limited(harness, ["tok"])
    victim, _ = harness.create()
    with pytest.raises(InvalidRequest, match="root or sudo privileges required"):
        harness.call(UPDATE, "revoke-orphan", {"token": victim}, token=caller)


def test_accessors_listing_is_a_root_path(harness: Harness) -> None:
    assert "accessors*" in harness.backend.root_paths
    _, accessor = harness.create()
    keys = _data(harness, LIST, "accessors/")["keys"]
    assert accessor in keys
    assert len(keys) == 2


def test_roles_crud_and_wire_shape(harness: Harness) -> None:
    with pytest.raises(NotFound):
        harness.call(LIST, "roles")
    body = {"allowed_policies": "x,y", "orphan": True, "period": "1h"}
    assert harness.call(UPDATE, "roles/r1", body) is None
    data = _data(harness, READ, "roles/r1")
    assert data["allowed_policies"] == ["x", "y"]
    assert (data["period"], data["token_period"], data["orphan"]) == (3600, 3600, True)
    assert data["token_type"] == "default-service"
    assert data["allowed_entity_aliases"] is None
    assert harness.call(UPDATE, "roles/r1", {"renewable": False}) is None
    assert _data(harness, READ, "roles/r1")["allowed_policies"] == ["x", "y"]
    assert _data(harness, LIST, "roles/")["keys"] == ["r1"]
    assert harness.call(DELETE, "roles/r1") is None
    with pytest.raises(NotFound):
        harness.call(READ, "roles/r1")


def test_role_existence_check(harness: Harness) -> None:
    async def exists() -> bool | None:
        from sealbox.logical import Request

        return await harness.backend.exists(Request(UPDATE, "roles/r1", {}, storage=None))

    assert run(exists()) is False
    harness.call(UPDATE, "roles/r1", {})
    assert run(exists()) is True


@pytest.mark.parametrize(
    ("role", "body", "expected"),
    [
        ({"allowed_policies": "x,y", "orphan": True}, {"policies": ["x"]}, ["default", "x"]),
        ({"allowed_policies": "x,y"}, {}, ["default", "x", "y"]),
        ({"allowed_policies": "x,y"}, {"policies": ["z"]}, "must be subset of the role's"),
        ({"disallowed_policies": "c"}, {"policies": ["q"]}, ["default", "q"]),
        ({"disallowed_policies": "c"}, {"policies": ["c"]}, 'token policy "c" is disallowed'),
        ({"allowed_policies_glob": "team-*"}, {"policies": ["team-a"]}, ["default", "team-a"]),
        ({"allowed_policies": "x", "token_no_default_policy": True}, {}, ["x"]),
        ({"allowed_policies": "root"}, {}, ["root"]),
    ],
    ids=["allowed", "allowed-default", "not-allowed", "disallowed-ok", "disallowed",
         "glob", "no-default", "root-role"],
)  # fmt: skip
def test_create_with_role(
    harness: Harness, role: dict[str, Any], body: dict[str, Any], expected: list[str] | str
) -> None:
    harness.call(UPDATE, "roles/r", role)
    if isinstance(expected, str):
        with pytest.raises(InvalidRequest, match=expected):
            harness.call(UPDATE, "create/r", body)
        return
    response = harness.call(UPDATE, "create/r", body)
    assert response is not None
    assert response.auth is not None
    assert response.auth.policies == expected
    assert response.auth.orphan is bool(role.get("orphan"))


def test_role_token_path_period_and_renewable(harness: Harness) -> None:
    harness.call(
        UPDATE, "roles/r", {"path_suffix": "sfx", "token_period": "10m", "renewable": False}
    )
    response = harness.call(UPDATE, "create/r", {})
    assert response is not None
    assert response.auth is not None
    assert (response.auth.lease_duration, response.auth.renewable) == (600, False)
    data = _data(harness, UPDATE, "lookup", {"token": response.auth.client_token})
    assert (data["path"], data["role"], data["period"]) == ("auth/token/create/r/sfx", "r", 600)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"path_suffix": "a/../b"}, "path suffix contains invalid characters"),
        ({"token_type": "batch"}, "not supported"),
        ({"token_type": "weird"}, "invalid 'token_type' value"),
    ],
    ids=["suffix", "batch", "weird"],
)
def test_role_validation(harness: Harness, body: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        harness.call(UPDATE, "roles/bad", body)


def test_tidy_answers_202(harness: Harness) -> None:
    response = harness.call(UPDATE, "tidy")
    assert response is not None
    assert response.accepted
    assert response.warnings


def test_num_uses_as_the_core_spends_them(harness: Harness) -> None:
    token, _ = harness.create(num_uses=2, policies=["tok"])
    for expected in (2, 1):
        data = _data(harness, READ, "lookup-self", token=token)
        assert data["num_uses"] == expected
        entry = run(harness.store.lookup(token))
        assert entry is not None
        run(harness.store.use(token, entry))
    assert run(harness.store.lookup(token)) is None
