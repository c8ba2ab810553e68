"""auth/gcpsa: service-account key files, JWT logins, and the project IAM policy's etag."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

import jwt
from tests.unit.engines.harness import call, make_config

from sealbox.auth.gcpsa import GcpServiceAccountAuthMethod
from sealbox.auth.gcpsa.etags import fresh_etag
from sealbox.errors import InvalidRequest
from sealbox.logical import Operation, Request, Response

W, R, L, D = Operation.UPDATE, Operation.READ, Operation.LIST, Operation.DELETE
SA = "ci@proj.iam.gserviceaccount.com"


def _backend() -> GcpServiceAccountAuthMethod:
    return GcpServiceAccountAuthMethod(make_config(mount_type="gcpsa"))


def _jwt(key_file: dict[str, Any], **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": SA, "iat": now, "exp": now + 3600, **claims}
    headers = {"kid": key_file["private_key_id"]}
    return jwt.encode(payload, key_file["private_key"], algorithm="RS256", headers=headers)


def _login(backend: GcpServiceAccountAuthMethod, assertion: str) -> Response:
    req = Request(
        operation=W, path="login", data={"assertion": assertion}, storage=backend.config.storage
    )
    response = asyncio.run(backend.handle(req))
    assert response is not None
    return response


def _refused(backend: GcpServiceAccountAuthMethod, assertion: str) -> bool:
    try:
        _login(backend, assertion)
    except InvalidRequest:
        return True
    return False


def test_gcpsa_key_file_and_login() -> None:
    backend = _backend()
    call(backend, W, "config", {"token_uri": "https://door:8230/token", "project_id": "proj"})
    call(backend, W, f"service-accounts/{SA}", {"token_policies": "ci", "token_ttl": "20m"})
    made = call(backend, W, f"service-accounts/{SA}/keys").data
    key_file = made["key_file"]
    assert list(key_file)[:5] == [
        "type",
        "project_id",
        "private_key_id",
        "private_key",
        "client_email",
    ]
    assert key_file["token_uri"] == "https://door:8230/token"
    assert key_file["project_id"] == "proj"
    assert key_file["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert len(key_file["client_id"]) == 21
    kid = key_file["private_key_id"]
    assert call(backend, L, f"service-accounts/{SA}/keys").data == {"keys": [kid]}
    public = call(backend, R, f"service-accounts/{SA}/keys/{kid}").data
    assert "PRIVATE" not in public["public_key"]
    response = _login(backend, _jwt(key_file, scope="https://www.googleapis.com/auth/x"))
    assert response.auth is not None
    assert response.auth.alias is not None
    assert response.auth.alias.name == SA
    assert response.auth.policies == ["ci"]
    assert response.auth.ttl == 1200


def test_gcpsa_login_refusals() -> None:
    backend = _backend()
    key_file = call(backend, W, f"service-accounts/{SA}/keys").data["key_file"]
    other = call(backend, W, "service-accounts/x@proj.iam.gserviceaccount.com/keys").data
    now = int(time.time())
    assert not _refused(backend, _jwt(key_file))
    assert _refused(backend, _jwt(key_file, iss="x@proj.iam.gserviceaccount.com"))
    assert _refused(backend, _jwt(key_file, sub="someone@else"))
    assert _refused(backend, _jwt(key_file, iat=now - 7200, exp=now - 3600))  # expired
    assert _refused(backend, _jwt(key_file, exp=now + 86400))  # longer than an hour
    # signed by another account's key, naming this key
    forged = jwt.encode(
        {"iss": SA, "iat": now, "exp": now + 600},
        other["key_file"]["private_key"],
        algorithm="RS256",
        headers={"kid": key_file["private_key_id"]},
    )
    assert _refused(backend, forged)
    hmac_signed = jwt.encode(
        {"iss": SA, "iat": now, "exp": now + 600},
        "an-hmac-key-of-at-least-thirty-two-bytes",
        algorithm="HS256",
        headers={"kid": key_file["private_key_id"]},
    )
    assert _refused(backend, hmac_signed)
    assert _refused(backend, "not.a.jwt")
    call(backend, W, f"service-accounts/{SA}", {"disabled": True})
    assert _refused(backend, _jwt(key_file))
    call(backend, W, f"service-accounts/{SA}", {"disabled": False})
    call(backend, D, f"service-accounts/{SA}/keys/{key_file['private_key_id']}")
    assert _refused(backend, _jwt(key_file))


def test_gcpsa_project_iam_policy_etag() -> None:
    backend = _backend()
    assert call(backend, R, "iam-policy/proj").data == {"policy": {"etag": "ACAB"}}
    binding = {"role": "roles/owner", "members": ["user:a@example.com"]}
    first = call(backend, W, "iam-policy/proj", {"policy": {"bindings": [binding], "etag": "ACAB"}})
    etag = first.data["policy"]["etag"]
    assert etag != "ACAB"
    stale = call(backend, W, "iam-policy/proj", {"policy": {"bindings": [], "etag": "ACAB"}})
    assert stale.status == 400
    assert call(backend, R, "iam-policy/proj").data["policy"]["bindings"] == [binding]
    bad = call(backend, W, "iam-policy/proj", {"policy": {"bindings": "nope"}})
    assert bad.status == 400


def test_iam_etags_read_the_same_in_every_base64_alphabet() -> None:
    """gcloud decodes a policy's etag (a bytes field) and encodes it again on write; an etag
    with "+" or "/" could come back URL-safe and fail the read-modify-write as ABORTED."""
    etags = {fresh_etag() for _ in range(2000)}
    assert len(etags) == 2000
    for etag in etags:
        raw = base64.b64decode(etag)
        assert len(raw) == 9
        assert base64.urlsafe_b64encode(raw).decode() == etag == base64.b64encode(raw).decode()
        assert "=" not in etag
