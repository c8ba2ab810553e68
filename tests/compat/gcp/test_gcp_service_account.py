"""Service-account key files against the real door: google-auth's service-account credentials
(the self-signed JWT the client library prefers, and the JWT bearer grant to the key file's
``token_uri``) with google-cloud-secret-manager over REST and gRPC, and ``gcloud auth
activate-service-account``. The account is bound as secretAccessor on one secret: it reads
that one and nothing else, through this door or the Vault door."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc  # type: ignore[import-untyped]
import pytest
import requests
from google.api_core import exceptions
from google.api_core.client_options import ClientOptions
from google.auth.transport.grpc import AuthMetadataPlugin
from google.auth.transport.requests import Request as AuthRequest
from google.cloud import secretmanager
from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
    SecretManagerServiceGrpcTransport,
    SecretManagerServiceRestTransport,
)
from google.oauth2 import service_account
from tests.compat.conftest import VENV_BIN
from tests.compat.gcp.conftest import GCLOUD, Door

pytestmark = [pytest.mark.compat]

SA = "reader@sealbox.iam.gserviceaccount.com"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
#: google-auth's loader (untyped)
_from_file: Any = service_account.Credentials.from_service_account_file


@pytest.fixture(scope="module")
def bound(door: Door, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A key file for SA, and the one secret SA may access (value = its name reversed)."""
    made = subprocess.run(  # the README's command
        [str(VENV_BIN / "sealbox"), "write", "-force", "-format=json", "-field=key_file",
         f"auth/gcpsa/service-accounts/{SA}/keys"],
        env={"PATH": os.environ["PATH"], "SEALBOX_ADDR": door.vault_addr,
             "SEALBOX_TOKEN": door.token},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    key_file = json.loads(made.stdout)
    assert key_file["type"] == "service_account"
    assert key_file["token_uri"] == door.endpoint + "/token"
    path = tmp_path_factory.mktemp("sa") / "key.json"
    path.write_text(made.stdout)
    path.chmod(0o600)
    name = f"sa-{os.urandom(4).hex()}"
    for secret in (name, name + "-other"):
        base = f"{door.endpoint}/v1/projects/{door.project}/secrets"
        _root_post(door, f"{base}?secretId={secret}", {"replication": {"automatic": {}}})
        data = {"payload": {"data": _b64(secret[::-1])}}
        _root_post(door, f"{base}/{secret}:addVersion", data)
    policy = {
        "policy": {
            "bindings": [
                {"role": "roles/secretmanager.secretAccessor", "members": [f"serviceAccount:{SA}"]}
            ]
        }
    }
    base = f"{door.endpoint}/v1/projects/{door.project}/secrets"
    _root_post(door, f"{base}/{name}:setIamPolicy", policy)
    yield path, name
    door.vault("DELETE", f"auth/gcpsa/service-accounts/{SA}")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _root_post(door: Door, url: str, body: dict[str, Any]) -> None:
    answer = requests.post(
        url, json=body, headers={"authorization": f"Bearer {door.token}"}, timeout=30
    )
    assert answer.ok, answer.text


def _version(door: Door, secret: str) -> str:
    return f"projects/{door.project}/secrets/{secret}/versions/latest"


def _reads_only_its_secret(door: Door, sm: Any, name: str) -> None:
    parent = f"projects/{door.project}"
    listed = sm.list_locations(request={"name": parent})  # any authenticated caller
    assert "asia-southeast1" in [loc.location_id for loc in listed.locations]
    one = sm.get_location(request={"name": f"{parent}/locations/us-central1"})
    assert one.display_name == "Iowa"
    answer = sm.access_secret_version(request={"name": _version(door, name)})
    assert answer.payload.data.decode("UTF-8") == name[::-1]
    with pytest.raises(exceptions.Forbidden):
        sm.access_secret_version(request={"name": _version(door, name + "-other")})
    with pytest.raises(exceptions.Forbidden):  # missing reads the same as forbidden (403;
        # gRPC: PermissionDenied, a Forbidden)
        sm.access_secret_version(request={"name": _version(door, name + "-missing")})
    with pytest.raises(exceptions.Forbidden):
        sm.get_secret(request={"name": f"projects/{door.project}/secrets/{name}"})


def test_sa_key_file_self_signed_jwt_over_rest(door: Door, bound: tuple[Path, str]) -> None:
    path, name = bound
    credentials = _from_file(str(path))
    sm = secretmanager.SecretManagerServiceClient(
        transport="rest",
        credentials=credentials,
        client_options=ClientOptions(api_endpoint=door.endpoint),
    )
    _reads_only_its_secret(door, sm, name)
    used: Any = sm._transport._credentials  # the client works on a copy (always_use_jwt_access)
    assert used.token.startswith("eyJ")  # it sent a self-signed JWT


def test_sa_key_file_token_grant_over_rest(door: Door, bound: tuple[Path, str]) -> None:
    path, name = bound
    credentials = _from_file(str(path), scopes=[SCOPE])
    transport = SecretManagerServiceRestTransport(
        host=door.endpoint, credentials=credentials, always_use_jwt_access=False
    )
    sm = secretmanager.SecretManagerServiceClient(transport=transport)
    _reads_only_its_secret(door, sm, name)
    token = credentials.token
    assert not token.startswith("eyJ")  # an access token from the door's /token
    # ... which is a sealbox token of the account's entity, with no policy on the KV mount
    looked = door.vault("GET", "auth/token/lookup-self", token=token).json()["data"]
    assert looked["display_name"].endswith(SA)
    assert looked["entity_id"]
    assert door.vault("GET", f"secret/data/{name}", token=token).status_code == 403


def test_sa_key_file_over_grpc(door: Door, bound: tuple[Path, str]) -> None:
    path, name = bound
    assert door.grpc_address, "dev mode prints the gRPC address"
    credentials = _from_file(str(path))
    plugin = AuthMetadataPlugin(credentials, AuthRequest())  # type: ignore[no-untyped-call]
    channel = grpc.secure_channel(
        door.grpc_address,
        grpc.composite_channel_credentials(
            grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP),
            grpc.metadata_call_credentials(plugin),
        ),
    )
    sm = secretmanager.SecretManagerServiceClient(
        transport=SecretManagerServiceGrpcTransport(channel=channel)
    )
    _reads_only_its_secret(door, sm, name)


def test_sa_key_file_with_gcloud(door: Door, bound: tuple[Path, str]) -> None:
    if GCLOUD is None:
        pytest.skip("gcloud is not installed (make system-deps installs google-cloud-cli)")
    path, name = bound
    env = door.env()
    del env["CLOUDSDK_AUTH_ACCESS_TOKEN"]
    env["CLOUDSDK_CONFIG"] = str(path.parent / "gcloud")

    def gcloud(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [GCLOUD, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    activated = gcloud("auth", "activate-service-account", f"--key-file={path}")
    assert activated.returncode == 0, activated.stderr
    read = gcloud("secrets", "versions", "access", "latest", f"--secret={name}")
    assert read.returncode == 0, read.stderr
    assert read.stdout == name[::-1]
    other = gcloud("secrets", "versions", "access", "latest", f"--secret={name}-other")
    assert other.returncode == 1
    assert "PERMISSION_DENIED" in other.stderr or "permission" in other.stderr.lower()


def test_project_binding_with_gcloud_projects(door: Door, bound: tuple[Path, str]) -> None:
    """``gcloud projects add-iam-policy-binding`` (Resource Manager, pointed at the door) gives
    the account viewer on the project: it lists secrets, and still reads only its own."""
    if GCLOUD is None:
        pytest.skip("gcloud is not installed (make system-deps installs google-cloud-cli)")
    path, name = bound
    env = door.env()
    env["CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER"] = door.endpoint + "/"
    member = f"--member=serviceAccount:{SA}"
    added = subprocess.run(
        [GCLOUD, "projects", "add-iam-policy-binding", door.project, member,
         "--role=roles/secretmanager.viewer", "--condition=None", "--format=json"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert f"serviceAccount:{SA}" in json.loads(added.stdout)["bindings"][0]["members"]
    credentials = _from_file(str(path))
    sm = secretmanager.SecretManagerServiceClient(
        transport="rest",
        credentials=credentials,
        client_options=ClientOptions(api_endpoint=door.endpoint),
    )
    names = [s.name for s in sm.list_secrets(request={"parent": f"projects/{door.project}"})]
    assert f"projects/123456789012/secrets/{name}-other" in names
    with pytest.raises(exceptions.Forbidden):
        sm.access_secret_version(request={"name": _version(door, name + "-other")})
    removed = subprocess.run(
        [GCLOUD, "projects", "remove-iam-policy-binding", door.project, member,
         "--role=roles/secretmanager.viewer", "--condition=None", "--format=json"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert removed.returncode == 0, removed.stderr
    with pytest.raises(exceptions.Forbidden):
        sm.list_secrets(request={"parent": f"projects/{door.project}"})
