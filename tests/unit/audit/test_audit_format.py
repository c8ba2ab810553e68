"""The entry formatter: Vault's wire shape and HMAC of every string (audit/hashstructure.go)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sealbox.audit.format import EntryFormatter, Salt
from sealbox.logical import Auth, Operation, Request, Response, Secret, WrapInfo

SALT = "5f4dcc3b-5aa7-4d8a-9c1e-0123456789ab"
CANARY = "canary-s3cr3t-p@ssw0rd"
TIME = "2026-11-28T00:44:57.87006Z"


def expected(value: str) -> str:
    digest = hmac.new(SALT.encode(), value.encode(), hashlib.sha256).hexdigest()
    return "hmac-sha256:" + digest


def caller() -> dict[str, Any]:
    return {
        "client_token": "hvs.callertoken",
        "accessor": "calleraccessor",
        "display_name": "userpass-bob",
        "policies": ["default", "dev"],
        "token_policies": ["default", "dev"],
        "metadata": {"username": "bob"},
        "entity_id": "",
        "token_type": "service",
        "token_ttl": 0,
        "token_issue_time": "2026-11-28T00:44:57Z",
    }


def request() -> Request:
    return Request(
        operation=Operation.UPDATE,
        path="secret/data/app",
        data={"data": {"password": CANARY, "n": 3, "ok": True, "l": ["x", 1, None]}},
        client_token="hvs.callertoken",
        client_address="127.0.0.1",
        request_id="req-1",
        mount_point="secret/",
        mount_type="kv",
        mount_accessor="kv_0202e0ee",
    )


def test_salt_is_hmac_sha256_of_the_value() -> None:
    assert Salt(SALT).hmac(CANARY) == expected(CANARY)
    assert "***" in repr(Salt(SALT))


def test_request_entry_has_vaults_keys_in_vaults_order() -> None:
    fmt = EntryFormatter(Salt(SALT))
    entry = fmt.request_entry(TIME, request(), caller(), None)
    assert list(entry) == ["time", "type", "auth", "request"]
    assert entry["type"] == "request"
    assert list(entry["auth"]) == [
        "client_token",
        "accessor",
        "display_name",
        "policies",
        "token_policies",
        "metadata",
        "token_type",
        "token_issue_time",
    ]
    assert list(entry["request"]) == [
        "id",
        "operation",
        "mount_point",
        "mount_type",
        "mount_accessor",
        "client_token",
        "client_token_accessor",
        "namespace",
        "path",
        "data",
        "remote_address",
    ]
    req = entry["request"]
    assert req["namespace"] == {"id": "root"}
    assert req["path"] == "secret/data/app"
    assert req["operation"] == "update"
    assert req["client_token"] == expected("hvs.callertoken")
    assert req["client_token_accessor"] == expected("calleraccessor")
    assert entry["auth"]["client_token"] == expected("hvs.callertoken")
    # compat: identity fields stay readable, as OpenBao's HashAuth leaves them.
    assert entry["auth"]["display_name"] == "userpass-bob"
    assert entry["auth"]["policies"] == ["default", "dev"]


def test_request_data_strings_hashed_recursively_other_leaves_kept() -> None:
    entry = EntryFormatter(Salt(SALT)).request_entry(TIME, request(), caller(), None)
    assert entry["request"]["data"] == {
        "data": {"password": expected(CANARY), "n": 3, "ok": True, "l": [expected("x"), 1, None]}
    }


def test_unauthenticated_request_and_error_and_optional_fields() -> None:
    req = Request(
        operation=Operation.UPDATE,
        path="sys/wrapping/lookup",
        data={"token": CANARY},
        wrap_ttl=60,
        headers={"X-Custom": "v"},
    )
    entry = EntryFormatter(Salt(SALT)).request_entry(TIME, req, None, "permission denied")
    assert entry["auth"] == {"token_type": "default"}
    assert entry["error"] == "permission denied"
    assert list(entry)[-1] == "error"
    assert "client_token" not in entry["request"]
    assert entry["request"]["wrap_ttl"] == 60
    assert entry["request"]["headers"] == {"x-custom": [expected("v")]}


def test_response_entry_shape_and_hashing() -> None:
    resp = Response(
        data={"data": {"password": CANARY}, "metadata": {"version": 2}},
        secret=Secret(lease_id="database/creds/app/abc", ttl=60),
        auth=Auth(client_token="hvs.newtoken", accessor="newacc", policies=["default"]),
        wrap_info=WrapInfo(token="hvs.wraptoken", accessor="wrapacc", ttl=60),
        warnings=["a warning"],
    )
    entry = EntryFormatter(Salt(SALT)).response_entry(TIME, request(), caller(), resp, None)
    assert list(entry) == ["time", "type", "auth", "request", "response"]
    assert entry["type"] == "response"
    out = entry["response"]
    assert list(out) == [
        "auth",
        "mount_point",
        "mount_type",
        "mount_accessor",
        "secret",
        "data",
        "warnings",
        "wrap_info",
    ]
    assert out["data"] == {"data": {"password": expected(CANARY)}, "metadata": {"version": 2}}
    assert out["secret"] == {"lease_id": expected("database/creds/app/abc")}
    assert out["auth"]["client_token"] == expected("hvs.newtoken")
    assert out["auth"]["accessor"] == expected("newacc")
    assert out["auth"]["token_type"] == "service"
    assert out["wrap_info"] == {
        "ttl": 60,
        "token": expected("hvs.wraptoken"),
        "accessor": expected("wrapacc"),
    }
    assert out["warnings"] == ["a warning"]


def test_response_none_keeps_mount_fields_only() -> None:
    entry = EntryFormatter(Salt(SALT)).response_entry(TIME, request(), caller(), None, "boom")
    assert entry["response"] == {
        "mount_point": "secret/",
        "mount_type": "kv",
        "mount_accessor": "kv_0202e0ee",
    }
    assert entry["error"] == "boom"


def test_log_raw_leaves_everything_raw() -> None:
    fmt = EntryFormatter(Salt(SALT), log_raw=True)
    entry = fmt.request_entry(TIME, request(), caller(), None)
    assert entry["request"]["data"]["data"]["password"] == CANARY
    assert entry["request"]["client_token"] == "hvs.callertoken"
    assert entry["auth"]["accessor"] == "calleraccessor"


def test_hmac_accessor_false_leaves_accessors_raw_but_tokens_hashed() -> None:
    fmt = EntryFormatter(Salt(SALT), hmac_accessor=False)
    resp = Response(wrap_info=WrapInfo(token="hvs.w", accessor="wacc", wrapped_accessor="inner"))
    entry = fmt.response_entry(TIME, request(), caller(), resp, None)
    assert entry["auth"]["accessor"] == "calleraccessor"
    assert entry["request"]["client_token_accessor"] == "calleraccessor"
    assert entry["request"]["client_token"] == expected("hvs.callertoken")
    assert entry["response"]["wrap_info"]["accessor"] == "wacc"
    assert entry["response"]["wrap_info"]["wrapped_accessor"] == "inner"
    assert entry["response"]["wrap_info"]["token"] == expected("hvs.w")


def test_bytes_and_foreign_types_are_hashed_not_leaked() -> None:
    class Opaque:
        def __str__(self) -> str:
            return CANARY

    req = Request(operation=Operation.UPDATE, path="x", data={"b": CANARY.encode(), "o": Opaque()})
    data = EntryFormatter(Salt(SALT)).request_entry(TIME, req, None, None)["request"]["data"]
    assert data["o"] == expected(CANARY)
    assert data["b"].startswith("hmac-sha256:")


json_leaves = st.none() | st.booleans() | st.integers() | st.text()
json_values = st.recursive(
    json_leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


@given(st.dictionaries(st.text(), json_values, max_size=5))
def test_every_string_leaf_is_hashed_and_structure_kept(data: dict[str, Any]) -> None:
    fmt = EntryFormatter(Salt(SALT))
    hashed = fmt.hash_value(data)
    before, after = _leaves(data), _leaves(hashed)
    assert len(before) == len(after)
    for raw, out in zip(before, after, strict=True):
        if isinstance(raw, str):
            assert out == expected(raw)
        else:
            assert out == raw
    assert list(hashed) == list(data)
