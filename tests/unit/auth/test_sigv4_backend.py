"""auth/sigv4: keys, verification against botocore signatures, sessions and their sweep."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from typing import Any

from tests.unit.engines.harness import call, make_config

from sealbox.auth.sigv4 import SigV4AuthMethod
from sealbox.auth.sigv4.keys import signing_key
from sealbox.logical import Operation

W, R = Operation.UPDATE, Operation.READ


def _verify_body(key: dict[str, Any], sts: str = "AWS4-HMAC-SHA256\nx") -> dict[str, Any]:
    k = signing_key(key["secret_access_key"], "20261203", "us-east-1", "secretsmanager")
    signature = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    return {
        "access_key_id": key["access_key_id"],
        "date": "20261203",
        "region": "us-east-1",
        "string_to_sign": sts,
        "signature": signature,
    }


def test_key_lifecycle_and_verification() -> None:
    backend = SigV4AuthMethod(make_config(mount_type="sigv4"))
    created = call(backend, W, "keys/app", {"token": "tok", "iam_policy": '{"Statement": []}'})
    key = created.data
    assert key["access_key_id"].startswith("AKIA")
    assert len(key["secret_access_key"]) == 40
    again = call(backend, W, "keys/app", {"iam_policy": [{"Statement": []}]})
    assert "secret_access_key" not in again.data  # shown once
    assert again.data["access_key_id"] == key["access_key_id"]
    read = call(backend, R, "keys/app").data
    assert "secret_access_key" not in read
    assert read["iam_policy"] == [{"Statement": []}]
    verified = call(backend, W, "verify", _verify_body(key)).data
    assert (verified["client_token"], verified["name"]) == ("tok", "app")
    bad = {**_verify_body(key), "signature": "0" * 64}
    assert call(backend, W, "verify", bad).status == 400
    unknown = {**_verify_body(key), "access_key_id": "AKIANOPE"}
    assert call(backend, W, "verify", unknown).status == 404
    assert call(backend, W, "keys/x", {"token": "t", "iam_policy": "not json"}).status == 400
    call(backend, Operation.DELETE, "keys/app")
    assert call(backend, W, "verify", _verify_body(key)).status == 404


def test_identity_bound_keys_answer_a_login() -> None:
    """A key without a token logs in as its entity alias when the door asks it to."""
    backend = SigV4AuthMethod(make_config(mount_type="sigv4"))
    key = call(backend, W, "keys/ci", {"alias": "alice", "token_policies": "kv,ops"}).data
    plain = backend_handle(backend, _verify_body(key))
    assert plain.auth is None
    assert (plain.data["identity_bound"], plain.data["client_token"]) == (True, "")
    login = backend_handle(backend, {**_verify_body(key), "login": True})
    assert login.auth is not None
    assert login.auth.alias is not None
    assert login.auth.alias.name == "alice"
    assert (login.auth.policies, login.auth.ttl) == (["kv", "ops"], 3600)
    assert not login.auth.client_token  # the core issues it
    bound = call(backend, W, "keys/old", {"token": "tok"}).data
    legacy = backend_handle(backend, {**_verify_body(bound), "login": True})
    assert legacy.auth is None
    assert legacy.data["client_token"] == "tok"
    assert call(backend, W, "keys/ci", {"token_ttl": "1m"}).status == 400
    read = call(backend, R, "keys/ci").data
    assert (read["alias"], read["identity_bound"]) == ("alice", True)


def test_named_iam_policies() -> None:
    backend = SigV4AuthMethod(make_config(mount_type="sigv4"))
    doc = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assert call(backend, W, "iam-policy/all", {"document": doc}).status in (200, 204)
    assert call(backend, R, "iam-policy/all").data == {"name": "all", "document": doc}
    assert call(backend, Operation.LIST, "iam-policy/").data == {"keys": ["all"]}
    assert call(backend, W, "iam-policy/bad", {"document": '{"no": 1}'}).status == 400
    assert call(backend, W, "iam-policy/none", {}).status == 400
    call(backend, Operation.DELETE, "iam-policy/all")
    assert call(backend, R, "iam-policy/all").status == 404


def backend_handle(backend: SigV4AuthMethod, body: dict[str, Any]) -> Any:
    """The raw Response of verify (the harness renders only data)."""
    from sealbox.logical import Request

    req = Request(operation=W, path="verify", data=body, storage=backend.config.storage)
    return asyncio.run(backend.handle(req))


def test_expired_sessions_are_swept() -> None:
    backend = SigV4AuthMethod(make_config(mount_type="sigv4"))
    storage = backend.config.storage
    import orjson

    from sealbox.auth.sigv4.keys import AccessKey

    old = AccessKey("ASIAOLD", "t", "s", "tok", kind="session", session_token="x", expires=1.0)
    live = AccessKey("ASIALIVE", "t", "s", "tok", kind="session", session_token="y", expires=4e9)
    for k in (old, live):
        asyncio.run(storage.put("access/" + k.access_key_id, orjson.dumps(k.to_json())))
    asyncio.run(backend.periodic())
    assert asyncio.run(storage.list("access/")) == ["ASIALIVE"]
