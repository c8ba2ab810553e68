"""``listener "gcp"`` over TLS from the HCL: gcloud over https and the guide's Python function
on the client's default gRPC transport, with only the endpoint, credentials and CA changed.

The smallest change the client allows: ``client_options={"api_endpoint": "host:port"}``, a
credentials object carrying the sealbox token, and the CA in ``GRPC_DEFAULT_SSL_ROOTS_FILE_PATH``
(gRPC's own setting; no code change for the CA). The function runs in a fresh interpreter so
that gRPC reads that setting at start, as it would in the user's program.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from tests.compat.conftest import VENV_BIN, free_port, make_tls_material, start_process, stop
from tests.compat.gcp.conftest import GCLOUD, Door

pytestmark = [pytest.mark.compat, pytest.mark.slow]

GUIDE = """
import sys
import google.oauth2.credentials
from google.cloud import secretmanager

def access_secret_version(project_id, secret_id, version):
    client = secretmanager.SecretManagerServiceClient(
        client_options={"api_endpoint": sys.argv[1]},
        credentials=google.oauth2.credentials.Credentials(token=sys.stdin.readline().strip()),
    )
    name = f"projects/{project_id}/secrets/{secret_id}/versions/{version}"
    response = client.access_secret_version(request={"name": name})
    return response.payload.data.decode("UTF-8")

print(access_secret_version(sys.argv[2], sys.argv[3], sys.argv[4]), end="")
"""
# The guide's function as written, only the endpoint changed: credentials come from
# GOOGLE_APPLICATION_CREDENTIALS, a service-account key file sealbox issued.
GUIDE_SA = """
import sys
from google.cloud import secretmanager

def access_secret_version(project_id, secret_id, version):
    client = secretmanager.SecretManagerServiceClient(client_options={"api_endpoint": sys.argv[1]})
    name = f"projects/{project_id}/secrets/{secret_id}/versions/{version}"
    response = client.access_secret_version(request={"name": name})
    return response.payload.data.decode("UTF-8")

print(access_secret_version(sys.argv[2], sys.argv[3], sys.argv[4]), end="")
"""


@pytest.fixture
def tls_door(tmp_path: Path) -> Iterator[tuple[Door, str, Path]]:
    ca, cert, key = make_tls_material(tmp_path)
    port, rest_port, grpc_port = free_port(), free_port(), free_port()
    config = tmp_path / "sealbox.hcl"
    config.write_text(
        'storage "inmem" {}\n'
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n  tls_disable = true\n}}\n'
        f'listener "gcp" {{\n  address = "127.0.0.1:{rest_port}"\n'
        f'  tls_cert_file = "{cert}"\n  tls_key_file = "{key}"\n'
        f'  grpc_address = "127.0.0.1:{grpc_port}"\n  project_id = "tls-project"\n'
        f'  token_file = "{tmp_path / "door-token"}"\n}}\n'
    )
    address = f"http://127.0.0.1:{port}"
    process, log = start_process(
        [str(VENV_BIN / "sealbox"), "server", f"-config={config}"], address, tmp_path
    )
    try:
        init = requests.put(
            f"{address}/v1/sys/init", json={"secret_shares": 1, "secret_threshold": 1}, timeout=30
        ).json()
        requests.put(f"{address}/v1/sys/unseal", json={"key": init["keys"][0]}, timeout=30)
        root = init["root_token"]
        (tmp_path / "door-token").write_text(root)  # the door reads it when it needs it
        mounted = requests.post(
            f"{address}/v1/sys/mounts/secret",
            json={"type": "kv", "options": {"version": "2"}},
            headers={"X-Vault-Token": root},
            timeout=30,
        )
        assert mounted.ok, mounted.text
        door = Door(address, root, f"https://127.0.0.1:{rest_port}", "tls-project", log, tmp_path)
        yield door, f"127.0.0.1:{grpc_port}", ca
    finally:
        stop(process)


def test_gcloud_https_and_guide_function_over_grpc(tls_door: tuple[Door, str, Path]) -> None:
    door, grpc_address, ca = tls_door
    if GCLOUD is None:
        pytest.skip("gcloud is not installed (make system-deps installs google-cloud-cli)")
    name = f"tls-{uuid.uuid4().hex[:8]}"
    env: dict[str, Any] = {**door.env(), "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE": str(ca)}
    made = subprocess.run(
        [GCLOUD, "secrets", "create", name, "--data-file=-"],
        input="over-tls",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    guide = subprocess.run(
        [sys.executable, "-c", GUIDE, grpc_address, door.project, name, "latest"],
        input=door.token + "\n",
        env={**os.environ, "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": str(ca)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (guide.returncode, guide.stdout) == (0, "over-tls"), guide.stderr
    # Without the CA the TLS handshake fails: the server is not trusted by default.
    refused = subprocess.run(
        [sys.executable, "-c", GUIDE, grpc_address, door.project, name, "latest"],
        input=door.token + "\n",
        env={k: v for k, v in os.environ.items() if k != "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode != 0
    assert "over-tls" not in refused.stdout


def test_guide_function_with_a_service_account_key_file(
    tls_door: tuple[Door, str, Path], tmp_path: Path
) -> None:
    """A configured server: enable auth/gcpsa, issue a key file, bind its account on one
    secret; the guide's function (GOOGLE_APPLICATION_CREDENTIALS) reads it and only it."""
    door, grpc_address, ca = tls_door
    vault = {"X-Vault-Token": door.token}
    enabled = requests.post(
        f"{door.vault_addr}/v1/sys/auth/gcpsa", json={"type": "gcpsa"}, headers=vault, timeout=30
    )
    assert enabled.ok, enabled.text
    email = "app@tls-project.iam.gserviceaccount.com"
    made = requests.post(
        f"{door.vault_addr}/v1/auth/gcpsa/service-accounts/{email}/keys", headers=vault, timeout=30
    )
    assert made.ok, made.text
    key_path = tmp_path / "key.json"
    key_path.write_text(json.dumps(made.json()["data"]["key_file"]))
    rest = f"{door.endpoint}/v1/projects/{door.project}/secrets"
    bearer = {"Authorization": f"Bearer {door.token}"}
    for secret in ("app-secret", "not-for-app"):
        created = requests.post(
            f"{rest}?secretId={secret}",
            json={"replication": {"automatic": {}}},
            headers=bearer,
            verify=str(ca),
            timeout=30,
        )
        assert created.ok, created.text
        payload = {"payload": {"data": base64.b64encode(secret.encode()).decode()}}
        added = requests.post(
            f"{rest}/{secret}:addVersion", json=payload, headers=bearer, verify=str(ca), timeout=30
        )
        assert added.ok, added.text
    binding = {"role": "roles/secretmanager.secretAccessor", "members": [f"serviceAccount:{email}"]}
    bound = requests.post(
        f"{rest}/app-secret:setIamPolicy",
        json={"policy": {"bindings": [binding]}},
        headers=bearer,
        verify=str(ca),
        timeout=30,
    )
    assert bound.ok, bound.text
    env = {
        **os.environ,
        "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": str(ca),
        "GOOGLE_APPLICATION_CREDENTIALS": str(key_path),
    }

    def guide(secret: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", GUIDE_SA, grpc_address, door.project, secret, "latest"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    allowed = guide("app-secret")
    assert (allowed.returncode, allowed.stdout) == (0, "app-secret"), allowed.stderr
    refused = guide("not-for-app")
    assert refused.returncode != 0
    assert "PermissionDenied" in refused.stderr
    assert "not-for-app" not in refused.stdout
