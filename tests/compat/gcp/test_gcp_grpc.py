"""The Python client's default transport, gRPC, against the door (dev mode: loopback creds).

Same methods, same secrets as REST: a secret made over gRPC reads over REST and through the
Vault API; errors arrive as the gRPC status codes google-api-core maps to its exceptions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc  # type: ignore[import-untyped]
import pytest
from google.api_core import exceptions
from google.cloud import secretmanager
from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
    SecretManagerServiceGrpcTransport,
)
from tests.compat.gcp.conftest import Door

pytestmark = [pytest.mark.compat, pytest.mark.slow]


@pytest.fixture
def grpc_client(door: Door) -> Callable[..., Any]:
    assert door.grpc_address, "dev mode prints the gRPC address"

    def make(token: str | None = None) -> Any:
        credentials = grpc.composite_channel_credentials(
            grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP),
            grpc.access_token_call_credentials(token or door.token),
        )
        channel = grpc.secure_channel(door.grpc_address, credentials)
        transport = SecretManagerServiceGrpcTransport(channel=channel)
        return secretmanager.SecretManagerServiceClient(transport=transport)

    return make


def test_grpc_round_trip(door: Door, grpc_client: Any, client: Any, name: str) -> None:
    sm = grpc_client()
    parent = f"projects/{door.project}"
    made = sm.create_secret(
        request={
            "parent": parent,
            "secret_id": name,
            "secret": {"replication": {"automatic": {}}, "labels": {"via": "grpc"}},
        }
    )
    assert made.name == f"projects/123456789012/secrets/{name}"
    path = f"{parent}/secrets/{name}"
    version = sm.add_secret_version(request={"parent": path, "payload": {"data": b"over-grpc"}})
    assert version.state == secretmanager.SecretVersion.State.ENABLED
    name_v = f"{path}/versions/latest"
    response = sm.access_secret_version(request={"name": name_v})
    assert response.payload.data.decode("UTF-8") == "over-grpc"
    assert client().access_secret_version(request={"name": name_v}).payload.data == b"over-grpc"
    kv = door.vault("GET", f"secret/data/{name}").json()["data"]["data"]
    assert kv == {"SecretString": "over-grpc"}
    assert [
        s.name for s in sm.list_secrets(request={"parent": parent, "filter": f"name:{name}"})
    ] == [made.name]
    sm.disable_secret_version(request={"name": f"{path}/versions/1"})
    with pytest.raises(exceptions.FailedPrecondition):
        sm.access_secret_version(request={"name": name_v})
    with pytest.raises(exceptions.NotFound):
        sm.get_secret(request={"name": f"{parent}/secrets/{name}-nope"})
    with pytest.raises(exceptions.AlreadyExists):
        sm.create_secret(
            request={
                "parent": parent,
                "secret_id": name,
                "secret": {"replication": {"automatic": {}}},
            }
        )
    policy = sm.set_iam_policy(
        request={
            "resource": path,
            "policy": {
                "bindings": [
                    {
                        "role": "roles/secretmanager.secretAccessor",
                        "members": ["serviceAccount:app@p.iam.gserviceaccount.com"],
                    }
                ]
            },
        }
    )
    assert sm.get_iam_policy(request={"resource": path}).bindings == policy.bindings
    with pytest.raises(exceptions.Unauthenticated):
        grpc_client("not-a-token").get_secret(request={"name": path})
    sm.delete_secret(request={"name": path})
    assert door.vault("GET", f"secret/metadata/{name}").status_code == 404


def test_grpc_calls_are_audited_with_the_callers_address(
    door: Door, grpc_client: Any, name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import json
    import uuid

    log = tmp_path_factory.mktemp("gcp-audit") / "audit.log"
    device = f"gcp{uuid.uuid4().hex[:6]}"
    enabled = door.vault(
        "PUT", f"sys/audit/{device}", {"type": "file", "options": {"file_path": str(log)}}
    )
    assert enabled.status_code == 204, enabled.text
    canary = f"canary-{uuid.uuid4().hex}"
    try:
        sm = grpc_client()
        path = f"projects/{door.project}/secrets/{name}"
        sm.create_secret(
            request={
                "parent": f"projects/{door.project}",
                "secret_id": name,
                "secret": {"replication": {"automatic": {}}},
            }
        )
        sm.add_secret_version(request={"parent": path, "payload": {"data": canary.encode()}})
        got = sm.access_secret_version(request={"name": f"{path}/versions/1"})
        assert got.payload.data == canary.encode()
    finally:
        door.vault("DELETE", f"sys/audit/{device}")
    text = log.read_text()
    entries = [json.loads(line) for line in text.splitlines()]
    ours = [e for e in entries if e["request"]["path"] == f"secret/extra/{name}"]
    assert {e["type"] for e in ours} == {"request", "response"}
    assert all(e["request"]["remote_address"] == "127.0.0.1" for e in ours)
    assert canary not in text


def test_grpc_access_by_number_alias_and_state(door: Door, grpc_client: Any, name: str) -> None:
    """AccessSecretVersion has its own path over gRPC (payload as bytes): numbers, aliases,
    the checksum, and the states and names that refuse access, as over REST."""
    sm = grpc_client()
    parent = f"projects/{door.project}"
    path = f"{parent}/secrets/{name}"
    sm.create_secret(
        request={"parent": parent, "secret_id": name, "secret": {"replication": {"automatic": {}}}}
    )
    for value in (b"one", b"\x00\xffbinary", b'{"k":"v"}'):
        sm.add_secret_version(request={"parent": path, "payload": {"data": value}})
    sm.update_secret(
        request={
            "secret": {"name": path, "version_aliases": {"stable": 2}},
            "update_mask": {"paths": ["version_aliases"]},
        }
    )
    answer = sm.access_secret_version(request={"name": f"{path}/versions/stable"})
    assert answer.name == f"projects/123456789012/secrets/{name}/versions/2"
    assert answer.payload.data == b"\x00\xffbinary"
    assert answer.payload.data_crc32c == 740188487  # their CRC-32C (crc32c.py, RFC 3720-checked)
    latest = sm.access_secret_version(request={"name": f"{path}/versions/latest"})
    assert (latest.name.rsplit("/", 1)[1], latest.payload.data) == ("3", b'{"k":"v"}')
    assert sm.access_secret_version(request={"name": f"{path}/versions/1"}).payload.data == b"one"
    sm.destroy_secret_version(request={"name": f"{path}/versions/1"})
    with pytest.raises(exceptions.FailedPrecondition):
        sm.access_secret_version(request={"name": f"{path}/versions/1"})
    for missing in ("4", "unknown-alias"):
        with pytest.raises(exceptions.NotFound):
            sm.access_secret_version(request={"name": f"{path}/versions/{missing}"})
    with pytest.raises(exceptions.NotFound):
        sm.access_secret_version(request={"name": f"{parent}/secrets/{name}-nope/versions/1"})
    with pytest.raises(exceptions.InvalidArgument):
        sm.access_secret_version(request={"name": f"{path}/versions/0"})
    with pytest.raises(exceptions.Unauthenticated):
        grpc_client("not-a-token").access_secret_version(
            request={"name": f"{path}/versions/latest"}
        )
