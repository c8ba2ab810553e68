"""google-cloud-secret-manager (REST transport) against the door: methods, states, bad input.

Every failure is checked for the exception class google-api-core raises for its HTTP status
and for nothing written (the KV v2 key behind the secret is read back through the Vault API).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from google.api_core import exceptions
from google.auth.exceptions import RefreshError
from google.cloud import secretmanager
from tests.compat.gcp.conftest import Door

pytestmark = [pytest.mark.compat, pytest.mark.slow]

SecretVersion = secretmanager.SecretVersion


def _make(sm: Any, door: Door, name: str, **fields: Any) -> str:
    parent = f"projects/{door.project}"
    secret = {"replication": {"automatic": {}}, **fields}
    sm.create_secret(request={"parent": parent, "secret_id": name, "secret": secret})
    return f"{parent}/secrets/{name}"


def test_binary_payload_and_checksums(door: Door, client: Any, name: str) -> None:
    sm = client()
    path = _make(sm, door, name)
    raw, crc = b"v2-value", 3247991447  # the CRC32C gcloud sent for these bytes (reference)
    added = sm.add_secret_version(
        request={"parent": path, "payload": {"data": raw, "data_crc32c": crc}}
    )
    assert added.client_specified_payload_checksum is True
    got = sm.access_secret_version(request={"name": f"{path}/versions/latest"})
    assert got.payload.data == raw
    assert got.payload.data_crc32c == crc
    with pytest.raises(exceptions.BadRequest):
        sm.add_secret_version(
            request={"parent": path, "payload": {"data": b"other", "data_crc32c": crc}}
        )
    versions = list(sm.list_secret_versions(request={"parent": path}))
    assert [v.name.rsplit("/", 1)[1] for v in versions] == ["1"]
    binary = b"\x00\xff\xfebinary\n"
    sm.add_secret_version(request={"parent": path, "payload": {"data": binary}})
    assert sm.access_secret_version(request={"name": f"{path}/versions/2"}).payload.data == binary
    kv = door.vault("GET", f"secret/data/{name}").json()["data"]["data"]
    assert kv == {"SecretBinary": "AP/+YmluYXJ5Cg=="}


def test_version_states(door: Door, client: Any, name: str) -> None:
    sm = client()
    path = _make(sm, door, name)
    for value in (b"one", b"two"):
        sm.add_secret_version(request={"parent": path, "payload": {"data": value}})
    v1 = f"{path}/versions/1"
    assert sm.disable_secret_version(request={"name": v1}).state == SecretVersion.State.DISABLED
    with pytest.raises(exceptions.BadRequest):
        sm.access_secret_version(request={"name": v1})
    assert sm.enable_secret_version(request={"name": v1}).state == SecretVersion.State.ENABLED
    assert sm.access_secret_version(request={"name": v1}).payload.data == b"one"
    destroyed = sm.destroy_secret_version(request={"name": v1})
    assert destroyed.state == SecretVersion.State.DESTROYED
    assert destroyed.destroy_time is not None
    with pytest.raises(exceptions.BadRequest):
        sm.access_secret_version(request={"name": v1})
    with pytest.raises(exceptions.BadRequest):
        sm.enable_secret_version(request={"name": v1})
    # The data is gone for good in KV too; the metadata stays.
    kv = door.vault("GET", f"secret/metadata/{name}").json()["data"]
    assert kv["versions"]["1"]["destroyed"] is True
    assert door.vault("GET", f"secret/data/{name}?version=1").status_code == 404
    got = sm.get_secret_version(request={"name": v1})
    assert got.state == SecretVersion.State.DESTROYED
    assert sm.access_secret_version(request={"name": f"{path}/versions/2"}).payload.data == b"two"


def test_patch_labels_and_etag(door: Door, client: Any, name: str) -> None:
    sm = client()
    path = _make(sm, door, name, labels={"env": "dev"})
    secret = sm.get_secret(request={"name": path})
    stale = secret.etag
    updated = sm.update_secret(
        request={
            "secret": {"name": path, "labels": {"env": "prod"}, "etag": secret.etag},
            "update_mask": {"paths": ["labels"]},
        }
    )
    assert dict(updated.labels) == {"env": "prod"}
    assert updated.etag != stale
    with pytest.raises(exceptions.BadRequest):
        sm.update_secret(
            request={
                "secret": {"name": path, "labels": {"env": "x"}, "etag": stale},
                "update_mask": {"paths": ["labels"]},
            }
        )
    with pytest.raises(exceptions.BadRequest):
        sm.update_secret(
            request={
                "secret": {"name": path, "labels": {"Bad Key": "x"}},
                "update_mask": {"paths": ["labels"]},
            }
        )
    assert dict(sm.get_secret(request={"name": path}).labels) == {"env": "prod"}
    with pytest.raises(exceptions.BadRequest):
        sm.delete_secret(request={"name": path, "etag": stale})
    sm.delete_secret(request={"name": path, "etag": updated.etag})
    with pytest.raises(exceptions.NotFound):
        sm.get_secret(request={"name": path})
    assert door.vault("GET", f"secret/metadata/{name}").status_code == 404


def test_create_twice_is_conflict(door: Door, client: Any, name: str) -> None:
    sm = client()
    _make(sm, door, name, labels={"a": "1"})
    with pytest.raises(exceptions.Conflict):
        _make(sm, door, name, labels={"a": "2"})
    got = sm.get_secret(request={"name": f"projects/{door.project}/secrets/{name}"})
    assert dict(got.labels) == {"a": "1"}


def test_list_filter_and_pages(door: Door, client: Any, name: str) -> None:
    sm = client()
    for i in range(3):
        _make(sm, door, f"{name}-{i}", labels={"team": "blue" if i < 2 else "red"})
    parent = f"projects/{door.project}"
    blue = sm.list_secrets(
        request={"parent": parent, "filter": f"name:{name} AND labels.team=blue"}
    )
    assert sorted(s.name.rsplit("/", 1)[1] for s in blue) == [f"{name}-0", f"{name}-1"]
    first = sm.list_secrets(request={"parent": parent, "filter": f"name:{name}", "page_size": 2})
    page = next(iter(first.pages))
    assert len(page.secrets) == 2
    assert page.next_page_token
    every = [s.name for s in sm.list_secrets(request={"parent": parent, "page_size": 1})]
    assert every == sorted(every)
    assert {f"{parent}/secrets/{name}-{i}" for i in range(3)} <= {
        e.replace("123456789012", door.project) for e in every
    }


def test_iam_policy_etag_and_test_permissions(door: Door, client: Any, name: str) -> None:
    sm = client()
    path = _make(sm, door, name)
    first = sm.get_iam_policy(request={"resource": path})
    binding = {"role": "roles/secretmanager.viewer", "members": ["user:ana@example.com"]}
    policy = sm.set_iam_policy(
        request={"resource": path, "policy": {"bindings": [binding], "etag": first.etag}}
    )
    assert [b.role for b in policy.bindings] == ["roles/secretmanager.viewer"]
    with pytest.raises(exceptions.Conflict):
        sm.set_iam_policy(
            request={"resource": path, "policy": {"bindings": [], "etag": first.etag}}
        )
    wanted = ["secretmanager.versions.access", "secretmanager.secrets.delete"]
    reader = door.token_with(
        f"reader-{name}", f'path "secret/extra/{name}" {{ capabilities = ["read"] }}'
    )
    held = sm.test_iam_permissions(request={"resource": path, "permissions": wanted})
    assert sorted(held.permissions) == sorted(wanted)
    limited = client(reader).test_iam_permissions(request={"resource": path, "permissions": wanted})
    assert list(limited.permissions) == ["secretmanager.versions.access"]


def test_access_rules_do_not_leak_existence(door: Door, client: Any, name: str) -> None:
    sm = client()
    path = _make(sm, door, name)
    sm.add_secret_version(request={"parent": path, "payload": {"data": b"v"}})
    reader = door.token_with(
        f"only-{name}", f'path "secret/extra/{name}" {{ capabilities = ["read"] }}'
    )
    limited = client(reader)
    assert (
        limited.access_secret_version(request={"name": f"{path}/versions/1"}).payload.data == b"v"
    )
    with pytest.raises(exceptions.Forbidden) as existing:
        limited.add_secret_version(request={"parent": path, "payload": {"data": b"w"}})
    other = f"projects/{door.project}/secrets/{name}-absent"
    with pytest.raises(exceptions.Forbidden) as absent:
        limited.access_secret_version(request={"name": f"{other}/versions/1"})
    assert "or it may not exist" in str(existing.value)
    assert "or it may not exist" in str(absent.value)
    # A token sealbox does not know is 401: google-auth then tries to refresh it, as with GCP.
    with pytest.raises(RefreshError):
        client("not-a-sealbox-token").get_secret(request={"name": path})
    assert [v.name for v in sm.list_secret_versions(request={"parent": path})] == [
        f"projects/123456789012/secrets/{name}/versions/1"
    ]


def test_raw_http_errors(door: Door, name: str) -> None:
    """Status JSON for what no client library lets through: bad names, verbs, JSON, no token."""
    auth = {"Authorization": f"Bearer {door.token}"}
    base = f"{door.endpoint}/v1/projects/{door.project}"

    def call(method: str, url: str, **kw: Any) -> tuple[int, dict[str, Any]]:
        response = requests.request(method, url, timeout=30, **kw)
        return response.status_code, response.json()["error"]

    code, err = call("POST", f"{base}/secrets?secretId=bad%20id", headers=auth, json={})
    assert (code, err["status"]) == (400, "INVALID_ARGUMENT")
    code, err = call("POST", f"{base}/secrets/{name}:explode", headers=auth, json={})
    assert (code, err["status"]) == (501, "UNIMPLEMENTED")
    code, err = call("GET", f"{door.endpoint}/v1/projects/{door.project}/topics", headers=auth)
    assert (code, err["status"]) == (404, "NOT_FOUND")
    code, err = call("POST", f"{base}/secrets?secretId={name}", headers=auth, data=b"{nope")
    assert (code, err["status"]) == (400, "INVALID_ARGUMENT")
    code, err = call("POST", f"{base}/secrets?secretId={name}", headers=auth, json={})
    assert (code, err["status"]) == (400, "INVALID_ARGUMENT")  # replication is required
    code, err = call("GET", f"{base}/secrets")
    assert (code, err["status"]) == (401, "UNAUTHENTICATED")
    bogus = {"Authorization": "Bearer ya29.not-ours"}
    code, err = call("GET", f"{base}/secrets/{name}", headers=bogus)
    assert (code, err["status"]) == (401, "UNAUTHENTICATED")
    code, err = call("GET", f"{door.endpoint}/v1/projects/someone-else/secrets", headers=auth)
    assert (code, err["status"]) == (403, "PERMISSION_DENIED")
    assert door.vault("GET", f"secret/metadata/{name}").status_code == 404


def test_version_aliases(door: Door, client: Any, name: str) -> None:
    sm = client()
    path = _make(sm, door, name)
    for value in (b"old", b"new"):
        sm.add_secret_version(request={"parent": path, "payload": {"data": value}})
    sm.update_secret(
        request={
            "secret": {"name": path, "version_aliases": {"stable": 1}},
            "update_mask": {"paths": ["version_aliases"]},
        }
    )
    assert sm.access_secret_version(request={"name": f"{path}/versions/stable"}).payload.data == (
        b"old"
    )
    assert dict(sm.get_secret(request={"name": path}).version_aliases) == {"stable": 1}
    with pytest.raises(exceptions.BadRequest):  # an alias must name an existing version
        sm.update_secret(
            request={
                "secret": {"name": path, "version_aliases": {"stable": 9}},
                "update_mask": {"paths": ["version_aliases"]},
            }
        )
    with pytest.raises(exceptions.NotFound):
        sm.access_secret_version(request={"name": f"{path}/versions/unknown-alias"})
