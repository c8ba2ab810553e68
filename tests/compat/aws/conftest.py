"""A real ``sealbox server -dev`` with its AWS door, and real AWS clients pointed at it.

The dev banner gives the door's endpoint and the root token's access key pair, exactly what a
user copies into a shell. ``aws_cli`` runs the real aws CLI (from the test venv: pip ``awscli``),
``boto`` makes boto3 clients; both see only that environment (no ~/.aws, no instance metadata).
Each test uses its own secret names, so tests share the one server.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from tests.compat.conftest import VENV_BIN, free_port, start_process, stop

ROOT_TOKEN = "aws-door-root-token"
REGION = "us-east-1"


@dataclass(frozen=True)
class Door:
    """The running server: Vault address and token, the AWS endpoint and the dev key pair."""

    vault_addr: str
    token: str
    endpoint: str
    access_key_id: str
    secret_access_key: str
    log: Path

    def env(self, **overrides: str) -> dict[str, str]:
        """What a shell needs for the aws CLI (nothing from the developer's own config)."""
        base = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/tmp"),
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_MAX_ATTEMPTS": "1",
        }
        return {**base, **overrides}

    def vault(self, method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(
            method,
            f"{self.vault_addr}/v1/{path}",
            json=body,
            headers={"X-Vault-Token": self.token},
            timeout=30,
        )

    def new_key(
        self,
        name: str,
        policies: list[dict[str, Any]] | None = None,
        vault_policy: str | None = None,
    ) -> tuple[str, str]:
        """A principal with its own token (root, or one with ``vault_policy``) and IAM policies."""
        token = self.token
        if vault_policy is not None:
            self.vault("PUT", f"sys/policies/acl/{name}", {"policy": vault_policy})
            created = self.vault("POST", "auth/token/create", {"policies": [name]})
            token = created.json()["auth"]["client_token"]
        body: dict[str, Any] = {"token": token}
        if policies is not None:
            body["iam_policy"] = [json.dumps(p) for p in policies]
        out = self.vault("POST", f"auth/sigv4/keys/{name}", body)
        assert out.status_code == 200, out.text
        data = out.json()["data"]
        return data["access_key_id"], data["secret_access_key"]


@pytest.fixture(scope="session")
def door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Door]:
    workdir = tmp_path_factory.mktemp("sealbox-aws")
    port, aws_port = free_port(), free_port()
    args = [
        str(VENV_BIN / "sealbox"),
        "server",
        "-dev",
        f"-dev-root-token-id={ROOT_TOKEN}",
        f"-dev-listen-address=127.0.0.1:{port}",
        f"-dev-aws-listen-address=127.0.0.1:{aws_port}",
    ]
    process, log = start_process(args, f"http://127.0.0.1:{port}", workdir)
    banner = log.read_text()
    for _ in range(100):
        if "AWS_SECRET_ACCESS_KEY" in banner:
            break
        import time

        time.sleep(0.1)
        banner = log.read_text()
    found = dict(re.findall(r"export (AWS_[A-Z_]+)='([^']*)'", banner))
    yield Door(
        vault_addr=f"http://127.0.0.1:{port}",
        token=ROOT_TOKEN,
        endpoint=found["AWS_ENDPOINT_URL_SECRETS_MANAGER"],
        access_key_id=found["AWS_ACCESS_KEY_ID"],
        secret_access_key=found["AWS_SECRET_ACCESS_KEY"],
        log=log,
    )
    stop(process)


AwsCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def aws_cli(door: Door) -> AwsCli:
    """Run ``aws secretsmanager <args>`` (the real CLI); returns the completed process."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(VENV_BIN / "aws"), "secretsmanager", *args],
            env=env or door.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


Boto = Callable[..., Any]


@pytest.fixture
def boto(door: Door) -> Boto:
    """``boto()`` -> a secretsmanager client with the dev key; keys/region can be overridden."""

    def make(key: tuple[str, str] | None = None, region: str = REGION, **extra: Any) -> Any:
        access, secret = key or (door.access_key_id, door.secret_access_key)
        return boto3.client(
            "secretsmanager",
            endpoint_url=door.endpoint,
            region_name=region,
            aws_access_key_id=access,
            aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
            **extra,
        )

    return make


@pytest.fixture
def name() -> str:
    """A unique secret name for one test."""
    return f"test/{uuid.uuid4().hex[:10]}"
