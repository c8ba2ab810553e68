"""IAM on the GCP door, in process on a real Core: members derived from sealbox identities
(entity name, group, service-account key), project and secret bindings as a union with the
token's ACL, denials that do not tell missing from forbidden, testIamPermissions, the project
policy's etag, and service-account JWTs (self-signed bearer and the token endpoint)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import orjson
import pytest

from sealbox.api.app import HTTPRequest
from sealbox.api.facades.gcp import server as gcp
from sealbox.api.facades.gcp.app import GcpAPI
from sealbox.api.facades.gcp.errors import (
    Aborted,
    GcpError,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from sealbox.core.config import CoreConfig
from sealbox.core.core import Core
from sealbox.core.mounts import MountEntry
from sealbox.logical import Operation, Request, Response
from sealbox.server.run import _setup_dev
from sealbox.storage.inmem import InMemoryStorage

BASE = "/v1/projects/sealbox"
SA = "app@sealbox.iam.gserviceaccount.com"


@dataclass
class Door:
    api: GcpAPI
    root: str

    async def vault(
        self, op: Operation, path: str, data: dict[str, Any] | None = None, token: str = ""
    ) -> Response:
        req = Request(operation=op, path=path, data=data or {}, client_token=token or self.root)
        return await self.api.core.handle(req)

    async def call(self, token: str, method: str, path: str, body: Any = None, **query: str) -> Any:
        return await self.api.call(method, BASE + path, dict(query), body or {}, token, "10.0.0.1")

    async def secret(self, name: str, value: bytes = b"v1") -> None:
        body: dict[str, Any] = {"replication": {"automatic": {}}}
        await self.call(self.root, "POST", "/secrets", body, secretId=name)
        payload = {"payload": {"data": base64.b64encode(value).decode()}}
        await self.call(self.root, "POST", f"/secrets/{name}:addVersion", payload)

    async def bind(self, name: str, role: str, member: str) -> None:
        policy = {"policy": {"bindings": [{"role": role, "members": [member]}]}}
        await self.call(self.root, "POST", f"/secrets/{name}:setIamPolicy", policy)

    async def user(self, email: str, groups: tuple[str, ...] = ()) -> str:
        """A userpass login whose entity is named ``email``; returns its token."""
        await self.vault(Operation.UPDATE, f"auth/userpass/users/{email}", {"password": "pw"})
        login = await self.vault(
            Operation.UPDATE, f"auth/userpass/login/{email}", {"password": "pw"}, token="-"
        )
        assert login.auth is not None
        entity = login.auth.entity_id
        await self.vault(Operation.UPDATE, f"identity/entity/id/{entity}", {"name": email})
        for group in groups:
            await self.vault(
                Operation.UPDATE, "identity/group", {"name": group, "member_entity_ids": [entity]}
            )
        return login.auth.client_token


async def _door(audit_dir: str = "") -> Door:
    config = CoreConfig(audit_dirs=(audit_dir,)) if audit_dir else CoreConfig()
    core = Core(InMemoryStorage(), config)
    _, root = await _setup_dev(core, "root")
    await core.add_mount(MountEntry(path="userpass/", type="userpass", table="auth"))
    api = GcpAPI(core, gcp.door_config({}, token=root))
    await gcp.setup_dev(core, root, api.config, "http://door.test")
    return Door(api, root)


def _run(scenario: Callable[[Door], Awaitable[None]], audit_dir: str = "") -> None:
    async def main() -> None:
        await scenario(await _door(audit_dir))

    asyncio.run(main())


def _value(answer: dict[str, Any]) -> bytes:
    return base64.b64decode(answer["payload"]["data"])


async def _denied(coro: Any) -> str:
    with pytest.raises(PermissionDenied) as caught:
        await coro
    return caught.value.message


def test_gcp_iam_user_without_bindings_is_denied_alike_for_missing_secrets() -> None:
    _run(_gcp_iam_user_without_bindings_is_denied_alike_for_missing_secrets)


async def _gcp_iam_user_without_bindings_is_denied_alike_for_missing_secrets(door: Door) -> None:
    await door.secret("real")
    alice = await door.user("alice@example.com")
    real = await _denied(door.call(alice, "GET", "/secrets/real/versions/latest:access"))
    missing = await _denied(door.call(alice, "GET", "/secrets/nope/versions/latest:access"))
    assert real.replace("real", "X") == missing.replace("nope", "X")
    assert "(or it may not exist)" in real
    await _denied(door.call(alice, "GET", "/secrets/real"))
    await _denied(door.call(alice, "GET", "/secrets"))


def test_gcp_iam_secret_accessor_reads_that_secret_and_nothing_else() -> None:
    _run(_gcp_iam_secret_accessor_reads_that_secret_and_nothing_else)


async def _gcp_iam_secret_accessor_reads_that_secret_and_nothing_else(door: Door) -> None:
    await door.secret("mine", b"s3cr3t")
    await door.secret("other")
    alice = await door.user("alice@example.com")
    await door.bind("mine", "roles/secretmanager.secretAccessor", "user:alice@example.com")
    answer = await door.call(alice, "GET", "/secrets/mine/versions/latest:access")
    assert _value(answer) == b"s3cr3t"
    await _denied(door.call(alice, "GET", "/secrets/mine"))  # metadata needs viewer
    await _denied(door.call(alice, "GET", "/secrets/other/versions/1:access"))
    payload = {"payload": {"data": base64.b64encode(b"x").decode()}}
    await _denied(door.call(alice, "POST", "/secrets/mine:addVersion", payload))
    # the Vault door: alice's token holds no policy on the mount
    with pytest.raises(Exception, match="permission denied"):
        await door.vault(Operation.READ, "secret/data/mine", token=alice)


def test_gcp_iam_group_viewer_on_the_project() -> None:
    _run(_gcp_iam_group_viewer_on_the_project)


async def _gcp_iam_group_viewer_on_the_project(door: Door) -> None:
    await door.secret("listed")
    bob = await door.user("bob@example.com", groups=("devs",))
    policy = {"bindings": [{"role": "roles/secretmanager.viewer", "members": ["group:devs"]}]}
    await door.call(door.root, "POST", ":setIamPolicy", {"policy": policy})
    listed = await door.call(bob, "GET", "/secrets")
    assert [s["name"].rsplit("/", 1)[1] for s in listed["secrets"]] == ["listed"]
    assert (await door.call(bob, "GET", "/secrets/listed"))["name"].endswith("/listed")
    with pytest.raises(NotFound):  # allowed to look: a missing secret is NOT_FOUND
        await door.call(bob, "GET", "/secrets/absent")
    await _denied(door.call(bob, "GET", "/secrets/listed/versions/1:access"))
    await door.bind("listed", "roles/secretmanager.secretAccessor", "domain:example.com")
    assert _value(await door.call(bob, "GET", "/secrets/listed/versions/1:access")) == b"v1"
    new: dict[str, Any] = {"replication": {"automatic": {}}}
    await _denied(door.call(bob, "POST", "/secrets", new, secretId="new"))


def test_gcp_iam_acl_alone_still_grants() -> None:
    _run(_gcp_iam_acl_alone_still_grants)


async def _gcp_iam_acl_alone_still_grants(door: Door) -> None:
    await door.secret("acl")
    policy = 'path "secret/extra/acl" { capabilities = ["read"] }'
    await door.vault(Operation.UPDATE, "sys/policies/acl/acl-reader", {"policy": policy})
    made = await door.vault(Operation.UPDATE, "auth/token/create", {"policies": ["acl-reader"]})
    assert made.auth is not None
    token = made.auth.client_token
    assert _value(await door.call(token, "GET", "/secrets/acl/versions/1:access")) == b"v1"
    await _denied(door.call(token, "GET", "/secrets/other"))


def test_gcp_iam_test_permissions_answers_the_subset_held() -> None:
    _run(_gcp_iam_test_permissions_answers_the_subset_held)


async def _gcp_iam_test_permissions_answers_the_subset_held(door: Door) -> None:
    await door.secret("t")
    alice = await door.user("alice@example.com")
    await door.bind("t", "roles/secretmanager.secretVersionManager", "user:alice@example.com")
    asked = [
        "secretmanager.versions.access",
        "secretmanager.versions.add",
        "secretmanager.versions.disable",
        "secretmanager.secrets.delete",
    ]
    held = await door.call(alice, "POST", "/secrets/t:testIamPermissions", {"permissions": asked})
    assert held == {"permissions": ["secretmanager.versions.add", "secretmanager.versions.disable"]}
    root = await door.call(
        door.root, "POST", "/secrets/t:testIamPermissions", {"permissions": asked}
    )
    assert root == {"permissions": asked}
    project = await door.call(
        alice, "POST", ":testIamPermissions", {"permissions": ["secretmanager.secrets.list"]}
    )
    assert project == {}


def test_gcp_iam_revoked_token_is_unauthenticated_despite_bindings() -> None:
    _run(_gcp_iam_revoked_token_is_unauthenticated_despite_bindings)


async def _gcp_iam_revoked_token_is_unauthenticated_despite_bindings(door: Door) -> None:
    await door.secret("rev")
    alice = await door.user("alice@example.com")
    await door.bind("rev", "roles/secretmanager.secretAccessor", "allAuthenticatedUsers")
    assert _value(await door.call(alice, "GET", "/secrets/rev/versions/1:access")) == b"v1"
    await door.vault(Operation.UPDATE, "auth/token/revoke", {"token": alice})
    with pytest.raises(Unauthenticated):
        await door.call(alice, "GET", "/secrets/rev/versions/1:access")


def test_gcp_iam_project_policy_etag_and_owner() -> None:
    _run(_gcp_iam_project_policy_etag_and_owner)


async def _gcp_iam_project_policy_etag_and_owner(door: Door) -> None:
    first = await door.call(door.root, "POST", ":getIamPolicy", {})
    assert first == {"etag": "ACAB"}
    owner = {"role": "roles/owner", "members": ["user:carol@example.com"]}
    policy = {"bindings": [owner], "etag": first["etag"], "version": 3}
    done = await door.call(door.root, "POST", ":setIamPolicy", {"policy": policy})
    assert done["bindings"] == [owner]
    assert done["etag"] != "ACAB"
    with pytest.raises(Aborted):  # stale etag: nothing written
        await door.call(door.root, "POST", ":setIamPolicy", {"policy": {**policy, "bindings": []}})
    carol = await door.user("carol@example.com")
    again = await door.call(carol, "POST", ":getIamPolicy", {})  # an owner reads and writes it
    assert again["bindings"] == [owner]
    await door.call(carol, "POST", "/secrets", {"replication": {"automatic": {}}}, secretId="c")
    locations = await door.call(carol, "GET", "/locations")
    assert any(loc["locationId"] == "us-central1" for loc in locations["locations"])
    with pytest.raises(NotFound):
        await door.call(carol, "GET", "/locations/mars-north1")


def test_gcp_iam_conditional_binding() -> None:
    _run(_gcp_iam_conditional_binding)


async def _gcp_iam_conditional_binding(door: Door) -> None:
    await door.secret("prod-db")
    await door.secret("dev-db")
    dave = await door.user("dave@example.com")
    condition = {
        "title": "prod only",
        "expression": 'resource.name.startsWith("projects/123456789012/secrets/prod-")',
    }
    binding = {
        "role": "roles/secretmanager.secretAccessor",
        "members": ["user:dave@example.com"],
        "condition": condition,
    }
    policy = {"version": 3, "bindings": [binding]}
    await door.call(door.root, "POST", ":setIamPolicy", {"policy": policy})
    assert _value(await door.call(dave, "GET", "/secrets/prod-db/versions/1:access")) == b"v1"
    await _denied(door.call(dave, "GET", "/secrets/dev-db/versions/1:access"))


async def _key(door: Door) -> dict[str, Any]:
    made = await door.vault(Operation.UPDATE, f"auth/gcpsa/service-accounts/{SA}/keys")
    key_file: dict[str, Any] = (made.data or {})["key_file"]
    return key_file


def _signed(key_file: dict[str, Any], **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": SA, "sub": SA, "iat": now, "exp": now + 3600, **claims}
    headers = {"kid": key_file["private_key_id"]}
    return jwt.encode(payload, key_file["private_key"], algorithm="RS256", headers=headers)


def test_gcp_iam_service_account_self_signed_jwt() -> None:
    _run(_gcp_iam_service_account_self_signed_jwt)


async def _gcp_iam_service_account_self_signed_jwt(door: Door) -> None:
    await door.secret("app-key", b"for-app")
    key_file = await _key(door)
    assert key_file["type"] == "service_account"
    assert key_file["client_email"] == SA
    assert key_file["token_uri"] == "http://door.test/token"
    stored = await door.vault(
        Operation.READ, f"auth/gcpsa/service-accounts/{SA}/keys/{key_file['private_key_id']}"
    )
    assert "PRIVATE" not in orjson.dumps(stored.data).decode()  # only the public part is kept
    bearer = _signed(key_file, scope="https://www.googleapis.com/auth/cloud-platform")
    await _denied(door.call(bearer, "GET", "/secrets/app-key/versions/1:access"))
    await door.bind("app-key", "roles/secretmanager.secretAccessor", f"serviceAccount:{SA}")
    assert (
        _value(await door.call(bearer, "GET", "/secrets/app-key/versions/1:access")) == b"for-app"
    )
    # the token the JWT was exchanged for is revoked: refused once, then a fresh login
    looked = await door.vault(Operation.LIST, "auth/token/accessors")
    for accessor in (looked.data or {})["keys"]:
        found = await door.vault(
            Operation.UPDATE, "auth/token/lookup-accessor", {"accessor": accessor}
        )
        if (found.data or {}).get("display_name") == f"gcpsa-{SA}":
            await door.vault(Operation.UPDATE, "auth/token/revoke-accessor", {"accessor": accessor})
    with pytest.raises(Unauthenticated):
        await door.call(bearer, "GET", "/secrets/app-key/versions/1:access")
    assert (
        _value(await door.call(bearer, "GET", "/secrets/app-key/versions/1:access")) == b"for-app"
    )
    other = dict(key_file, private_key_id="0" * 40)
    with pytest.raises(Unauthenticated):
        await door.call(_signed(other), "GET", "/secrets/app-key/versions/1:access")
    forged = _signed(key_file, iss="someone@else.iam.gserviceaccount.com")
    with pytest.raises(Unauthenticated):
        await door.call(forged, "GET", "/secrets/app-key/versions/1:access")


async def _token_request(door: Door, body: bytes) -> tuple[int, dict[str, Any]]:
    http = HTTPRequest("POST", "/token", "/token", b"", {}, body, "10.0.0.1")
    status, _, raw = await door.api.respond(http)
    return status, orjson.loads(raw)


def test_gcp_iam_token_endpoint_jwt_bearer_grant() -> None:
    _run(_gcp_iam_token_endpoint_jwt_bearer_grant)


async def _gcp_iam_token_endpoint_jwt_bearer_grant(door: Door) -> None:
    await door.secret("granted", b"ok")
    key_file = await _key(door)
    await door.bind("granted", "roles/secretmanager.secretAccessor", f"serviceAccount:{SA}")
    assertion = _signed(key_file, aud="http://door.test/token")
    grant = b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="
    status, answer = await _token_request(door, grant + assertion.encode())
    assert status == 200
    assert answer["token_type"] == "Bearer"
    assert 0 < answer["expires_in"] <= 3600
    token = answer["access_token"]
    assert _value(await door.call(token, "GET", "/secrets/granted/versions/1:access")) == b"ok"
    status, answer = await _token_request(door, grant + b"eyJ.bad.jwt")
    assert (status, answer["error"]) == (400, "invalid_grant")
    status, answer = await _token_request(door, b"grant_type=password&assertion=x")
    assert (status, answer["error"]) == (400, "unsupported_grant_type")
    # a deleted key no longer logs in
    await door.vault(
        Operation.DELETE, f"auth/gcpsa/service-accounts/{SA}/keys/{key_file['private_key_id']}"
    )
    status, answer = await _token_request(door, grant + _signed(key_file).encode())
    assert (status, answer["error"]) == (400, "invalid_grant")


def test_gcp_iam_unknown_bearer_is_unauthenticated() -> None:
    _run(_gcp_iam_unknown_bearer_is_unauthenticated)


async def _gcp_iam_unknown_bearer_is_unauthenticated(door: Door) -> None:
    with pytest.raises(GcpError) as caught:
        await door.call("not-a-token", "GET", "/secrets/x/versions/1:access")
    assert isinstance(caught.value, Unauthenticated)


def test_gcp_iam_disabled_entity_gets_no_grants() -> None:
    async def scenario(door: Door) -> None:
        await door.secret("pub")
        await door.bind("pub", "roles/secretmanager.secretAccessor", "allAuthenticatedUsers")
        erin = await door.user("erin@example.com")
        looked = await door.vault(Operation.READ, "auth/token/lookup-self", token=erin)
        entity = (looked.data or {})["entity_id"]
        await door.vault(Operation.UPDATE, f"identity/entity/id/{entity}", {"disabled": True})
        await _denied(door.call(erin, "GET", "/secrets/pub/versions/1:access"))

    _run(scenario)


def test_gcp_iam_grant_is_audited_as_the_caller(tmp_path: Path) -> None:
    log = tmp_path / "audit.log"

    async def scenario(door: Door) -> None:
        enable = {"type": "file", "options": {"file_path": str(log)}}
        await door.vault(Operation.UPDATE, "sys/audit/file", enable)
        await door.secret("audited", b"canary-s3cr3t")
        alice = await door.user("alice@example.com")
        await door.bind("audited", "roles/secretmanager.secretAccessor", "user:alice@example.com")
        answer = await door.call(alice, "GET", "/secrets/audited/versions/1:access")
        assert _value(answer) == b"canary-s3cr3t"
        key_file = await _key(door)  # the private key and a JWT made with it stay out of it
        secrets.append(key_file["private_key"].splitlines()[1])
        assertion = _signed(key_file)
        secrets.append(assertion.rsplit(".", 1)[1])
        await _denied(door.call(assertion, "GET", "/secrets"))  # a login, then a denial

    secrets: list[str] = []
    _run(scenario, str(tmp_path))
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    asked = [
        e
        for e in entries
        if e["type"] == "request"
        and e["request"]["path"] == "auth/token/lookup-self"
        and e["auth"].get("display_name") == "userpass-alice@example.com"
    ]
    assert asked, "the caller's own check is in the log"
    assert asked[-1]["request"]["remote_address"] == "10.0.0.1"
    later = entries[entries.index(asked[-1]) :]
    assert any(e["request"]["path"] == "secret/extra/audited" for e in later)
    text = log.read_text()
    assert "canary-s3cr3t" not in text
    assert base64.b64encode(b"canary-s3cr3t").decode() not in text
    assert len(secrets) == 2
    for secret in secrets:
        assert secret not in text
