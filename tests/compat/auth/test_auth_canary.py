"""Login secrets never leak: passwords, secret IDs and issued tokens stay out of logs.

A private dev server with a file audit device takes userpass and AppRole logins (good and bad)
and a Kubernetes config whose reviewer JWT is the canary. The canary and every issued token
must never appear in the server's output or unhashed in the audit log; failed logins must be
audited with their error.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from tests.compat.conftest import ROOT_TOKEN, ServerProcess, start_dev_server

pytestmark = pytest.mark.compat

CANARY = f"pw-canary-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def private_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from start_dev_server(tmp_path_factory)


def _call(
    server: ServerProcess,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = ROOT_TOKEN,
) -> requests.Response:
    headers = {"X-Vault-Token": token} if token else {}
    return requests.request(
        method, f"{server.address}/v1/{path}", json=body, headers=headers, timeout=30
    )


@pytest.fixture(scope="module")
def logs(
    private_server: ServerProcess, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str, list[str]]:
    s = private_server
    audit = tmp_path_factory.mktemp("auth-audit") / "audit.log"
    assert (
        _call(
            s, "PUT", "sys/audit/file", {"type": "file", "options": {"file_path": str(audit)}}
        ).status_code
        == 204
    )
    assert _call(s, "POST", "sys/auth/userpass", {"type": "userpass"}).status_code == 204
    assert _call(s, "POST", "auth/userpass/users/alice", {"password": CANARY}).status_code == 204
    tokens = [
        _call(s, "POST", "auth/userpass/login/alice", {"password": CANARY}, token=None).json()[
            "auth"
        ]["client_token"]
    ]
    assert (
        _call(
            s, "POST", "auth/userpass/login/alice", {"password": CANARY + "x"}, token=None
        ).status_code
        == 400
    )
    assert (
        _call(
            s, "POST", "auth/userpass/users/alice/password", {"password": CANARY + "2"}
        ).status_code
        == 204
    )
    assert _call(s, "POST", "sys/auth/approle", {"type": "approle"}).status_code == 204
    assert _call(s, "POST", "auth/approle/role/r", {"role_id": "rid"}).status_code == 204
    assert (
        _call(s, "POST", "auth/approle/role/r/custom-secret-id", {"secret_id": CANARY}).status_code
        == 200
    )
    tokens.append(
        _call(
            s, "POST", "auth/approle/login", {"role_id": "rid", "secret_id": CANARY}, token=None
        ).json()["auth"]["client_token"]
    )
    assert (
        _call(
            s,
            "POST",
            "auth/approle/login",
            {"role_id": "rid", "secret_id": CANARY + "x"},
            token=None,
        ).status_code
        == 400
    )
    assert _call(s, "POST", "sys/auth/kubernetes", {"type": "kubernetes"}).status_code == 204
    config = {
        "kubernetes_host": "https://127.0.0.1:1",
        "kubernetes_ca_cert": "x",
        "token_reviewer_jwt": CANARY,
    }
    assert _call(s, "POST", "auth/kubernetes/config", config).status_code == 204
    assert CANARY not in _call(s, "GET", "auth/kubernetes/config").text
    for token in tokens:
        assert _call(s, "GET", "auth/token/lookup-self", token=token).status_code == 200
    return audit.read_text(), Path(s.log).read_text(errors="replace"), tokens


def test_secrets_never_in_server_output(logs: tuple[str, str, list[str]]) -> None:
    _, server_log, tokens = logs
    assert CANARY not in server_log
    for token in tokens:
        assert token not in server_log


def test_secrets_only_hashed_in_audit_log(logs: tuple[str, str, list[str]]) -> None:
    audit_text, _, tokens = logs
    assert CANARY not in audit_text
    for token in tokens:
        assert token not in audit_text
    assert "hmac-sha256:" in audit_text


def test_failed_logins_are_audited(logs: tuple[str, str, list[str]]) -> None:
    audit_text, _, _ = logs
    entries = [json.loads(line) for line in audit_text.splitlines() if line.strip()]
    errors = [e.get("error") for e in entries if e.get("type") == "response"]
    assert "invalid username or password" in errors
    assert "invalid role or secret ID" in errors
    issued = [
        e for e in entries if e.get("type") == "response" and (e.get("response") or {}).get("auth")
    ]
    assert len(issued) >= 2
    assert all(e["response"]["auth"]["client_token"].startswith("hmac-sha256:") for e in issued)
