"""A real ``sealbox server -dev`` with its GCP door, and the real gcloud CLI and Python client.

The dev banner gives the door's endpoint override, access token (the root token) and project,
exactly what a user copies into a shell. ``gcloud`` runs the real CLI with the reference's
isolation settings (throwaway CLOUDSDK_CONFIG, no metadata server, no usage reporting, no
update checks or surveys), so no request leaves the machine. ``client`` builds a
google-cloud-secret-manager client with ``transport="rest"`` against the door.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from tests.compat.conftest import VENV_BIN, free_port, start_process, stop

ROOT_TOKEN = "gcp-door-root-token"
PROJECT = "sealbox"

GCLOUD = shutil.which("gcloud")


@dataclass(frozen=True)
class Door:
    """The running server: Vault address and token, the GCP endpoint and the project."""

    vault_addr: str
    token: str
    endpoint: str
    project: str
    log: Path
    config_dir: Path
    grpc_address: str = ""

    def env(self, token: str | None = None) -> dict[str, str]:
        """What a shell needs for gcloud (nothing from the developer's own config)."""
        return {
            "PATH": os.environ["PATH"],
            "HOME": str(self.config_dir),
            "CLOUDSDK_CONFIG": str(self.config_dir / "gcloud"),
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER": self.endpoint + "/",
            "CLOUDSDK_AUTH_ACCESS_TOKEN": token or self.token,
            "CLOUDSDK_CORE_PROJECT": self.project,
            "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "true",
            "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
            "CLOUDSDK_SURVEY_DISABLE_PROMPTS": "true",
            "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
            "GCE_METADATA_ROOT": "127.0.0.1:9",
            "GCE_METADATA_IP": "127.0.0.1:9",
            "NO_GCE_CHECK": "True",
        }

    def vault(self, method: str, path: str, body: Any = None, token: str = "") -> requests.Response:
        return requests.request(
            method,
            f"{self.vault_addr}/v1/{path}",
            json=body,
            headers={"X-Vault-Token": token or self.token},
            timeout=30,
        )

    def token_with(self, name: str, policy: str) -> str:
        """A sealbox token holding only ``policy`` (HCL)."""
        assert self.vault("PUT", f"sys/policies/acl/{name}", {"policy": policy}).ok
        created = self.vault("POST", "auth/token/create", {"policies": [name]})
        return str(created.json()["auth"]["client_token"])


@pytest.fixture(scope="session")
def door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Door]:
    workdir = tmp_path_factory.mktemp("sealbox-gcp")
    port, gcp_port = free_port(), free_port()
    args = [
        str(VENV_BIN / "sealbox"),
        "server",
        "-dev",
        f"-dev-root-token-id={ROOT_TOKEN}",
        f"-dev-listen-address=127.0.0.1:{port}",
        "-dev-aws-listen-address=off",
        f"-dev-gcp-listen-address=127.0.0.1:{gcp_port}",
    ]
    process, log = start_process(args, f"http://127.0.0.1:{port}", workdir)
    banner = log.read_text()
    for _ in range(100):
        if "CLOUDSDK_CORE_PROJECT" in banner:
            break
        time.sleep(0.1)
        banner = log.read_text()
    found = dict(re.findall(r"export (CLOUDSDK_[A-Z_]+)='([^']*)'", banner))
    yield Door(
        vault_addr=f"http://127.0.0.1:{port}",
        token=found["CLOUDSDK_AUTH_ACCESS_TOKEN"],
        endpoint=found["CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER"].rstrip("/"),
        project=found["CLOUDSDK_CORE_PROJECT"],
        log=log,
        config_dir=workdir,
        grpc_address=_grpc_address(banner),
    )
    stop(process)


def _grpc_address(banner: str) -> str:
    found = re.search(r"gRPC \(SecretManagerService\) on (\S+),", banner)
    return found.group(1) if found else ""


Gcloud = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def gcloud(door: Door) -> Gcloud:
    """Run ``gcloud <args>`` (the real CLI); returns the completed process."""
    if GCLOUD is None:
        pytest.skip("gcloud is not installed (make system-deps installs google-cloud-cli)")

    def run(
        *args: str, stdin: str | None = None, token: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(GCLOUD), *args],
            input=stdin,
            env=door.env(token),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


@pytest.fixture
def client(door: Door) -> Callable[..., Any]:
    """``client(token=...)`` -> a SecretManagerServiceClient over REST against the door."""
    import google.oauth2.credentials
    from google.api_core.client_options import ClientOptions
    from google.cloud import secretmanager

    def make(token: str | None = None) -> Any:
        return secretmanager.SecretManagerServiceClient(
            transport="rest",
            credentials=google.oauth2.credentials.Credentials(  # type: ignore[no-untyped-call]
                token=token or door.token
            ),
            client_options=ClientOptions(api_endpoint=door.endpoint),
        )

    return make


@pytest.fixture
def name() -> str:
    """A unique secret ID for one test."""
    return f"t-{uuid.uuid4().hex[:10]}"
