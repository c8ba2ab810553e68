"""The canary: a unique secret pushed through every request type never leaks.

A private ``sealbox server -dev`` gets a file audit device in a temporary directory; a unique
value then travels through kv v1/v2 writes, patch and reads, custom metadata, cubbyhole,
wrapping (wrap, unwrap, X-Vault-Wrap-TTL), token create ``meta`` and lookup, a policy whose
comment holds it, and failing requests whose bodies, JSON or token header hold it. The value
must never appear in the server's own output, and never unhashed in the audit log, where its
HMAC from ``sys/audit-hash`` must appear instead.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import requests
from tests.compat.conftest import (
    ROOT_TOKEN,
    VENV_BIN,
    ServerProcess,
    free_port,
    start_process,
    stop,
)

pytestmark = pytest.mark.compat

CANARY = f"canary-{uuid.uuid4().hex}"
# Token metadata gets its own value: OpenBao logs it in clear, sealbox HMACs it.
META_CANARY = f"meta-canary-{uuid.uuid4().hex}"
MERGE = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture(scope="module")
def private_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A dev server of our own: the audit device must not affect the shared one."""
    workdir = tmp_path_factory.mktemp("sealbox-canary")
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    args = [
        str(VENV_BIN / "sealbox"),
        "server",
        "-dev",
        f"-dev-root-token-id={ROOT_TOKEN}",
        f"-dev-listen-address=127.0.0.1:{port}",
    ]
    process, log = start_process(args, address, workdir)
    yield ServerProcess(address, ROOT_TOKEN, log, process, workdir=workdir)
    stop(process)


class Api:
    """A tiny raw client that never raises on HTTP errors."""

    def __init__(self, server: ServerProcess) -> None:
        self.base = f"{server.address}/v1/"
        self.session = requests.Session()
        self.session.headers["X-Vault-Token"] = server.token

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: Mapping[str, str | None] | None = None,
    ) -> requests.Response:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        # A None value drops that session header (documented requests behaviour, see
        # "Remove a Value From a Dict Parameter"), which requests' annotations leave out.
        return self.session.request(
            method,
            self.base + path,
            data=data,
            headers=headers or {},  # type: ignore[arg-type]
            timeout=30,
        )


def push_canary(api: Api) -> None:
    """Every request type, each carrying the canary somewhere."""
    c = CANARY
    ok = [
        api.call("POST", "sys/mounts/canary-kv1", {"type": "kv", "options": {"version": "1"}}),
        api.call("POST", "canary-kv1/s", {"v": c}),
        api.call("GET", "canary-kv1/s"),
        api.call("POST", "secret/data/canary", {"data": {"v": c, "nested": {"deep": [c]}}}),
        api.call("GET", "secret/data/canary"),
        api.call("PATCH", "secret/data/canary", {"data": {"w": c}}, headers=MERGE),
        api.call("GET", "secret/data/canary", headers={"X-Vault-Wrap-TTL": "5m"}),
        api.call("POST", "secret/metadata/canary", {"custom_metadata": {"k": c}}),
        api.call("GET", "secret/metadata/canary"),
        api.call("GET", "secret/subkeys/canary"),
        api.call("POST", "cubbyhole/canary", {"v": c}),
        api.call("GET", "cubbyhole/canary"),
        api.call("POST", "sys/wrapping/wrap", {"v": c}, headers={"X-Vault-Wrap-TTL": "5m"}),
        api.call(
            "POST", "auth/token/create", {"meta": {"m": META_CANARY}, "policies": ["default"]}
        ),
        api.call(
            "PUT",
            "sys/policies/acl/canary",
            {"policy": f'# {c}\npath "secret/*" {{ capabilities = ["read"] }}\n'},
        ),
        api.call("GET", "sys/policies/acl/canary"),
        api.call("GET", "sys/policy/canary"),
    ]
    refused = [(r.request.url, r.status_code, r.text[:200]) for r in ok if r.status_code >= 300]
    assert not refused

    wrapped = ok[6].json()["wrap_info"]["token"]
    assert api.call("POST", "sys/wrapping/unwrap", {"token": wrapped}).status_code == 200
    wrapped = ok[12].json()["wrap_info"]["token"]
    assert api.call("POST", "sys/wrapping/lookup", {"token": wrapped}).status_code == 200
    assert api.call("POST", "sys/wrapping/unwrap", {"token": wrapped}).status_code == 200
    token = ok[13].json()["auth"]["client_token"]
    assert api.call("POST", "auth/token/lookup", {"token": token}).status_code == 200
    assert api.call("GET", "auth/token/lookup-self", headers={"X-Vault-Token": token}).ok

    failing = [
        api.call("POST", "secret/data/canary", {"data": {"v": c}, "options": {"cas": 99}}),
        api.call("POST", "secret/data/canary", {"data": c}),
        api.call("POST", "secret/metadata/canary", {"max_versions": c}),
        api.call("POST", "secret/data/canary", raw=f'{{"data": {{"v": "{c}"'.encode()),
        api.call("POST", "secret/data/canary", raw=f'["{c}"]'.encode()),
        api.call("POST", "secret/data/canary", raw=b"\xff" + c.encode()),
        api.call("POST", "nosuchmount/canary", {"v": c}),
        api.call("POST", "auth/token/create", {"ttl": c}),
        api.call("POST", "auth/token/create", {"policies": [{"p": c}]}),
        api.call("POST", "auth/token/create", {"meta": {"m": [c]}}),
        api.call("POST", "auth/token/lookup", {"token": c}),
        api.call("GET", "secret/data/canary", headers={"X-Vault-Token": c}),
        api.call(
            "GET",
            "secret/data/canary",
            headers={"Authorization": f"Bearer {c}", "X-Vault-Token": None},
        ),
        api.call("GET", "secret/data/canary", headers={"X-Vault-Wrap-TTL": c}),
        api.call("POST", "sys/wrapping/unwrap", {"token": c}),
        api.call("PATCH", "secret/data/canary", {"data": {"v": c}}),
        api.call("PATCH", "secret/data/missing-canary", {"data": {"v": c}}, headers=MERGE),
        api.call("PUT", "sys/policies/acl/canary-bad", {"policy": f"# {c}\npath {{"}),
        api.call(
            "PUT",
            "sys/policies/acl/canary-bad",
            {"policy": f'# {c}\npath "x" {{ capabilities = ["bogus"] }}'},
        ),
        api.call("POST", "sys/mounts/canary-bad", {"type": "kv", "config": {"max_lease_ttl": c}}),
        api.call("POST", "sys/mounts/canary-bad", {"type": "kv", "options": {"version": c}}),
        api.call("POST", "secret/config", {"max_versions": c}),
        api.call("POST", "cubbyhole/canary", raw=f'{{"v": "{c}"}} trailing {c}'.encode()),
    ]
    unexpected = [
        (r.request.method, r.request.url, r.status_code, r.text[:200])
        for r in failing
        if not 400 <= r.status_code < 500
    ]
    assert not unexpected


@pytest.fixture(scope="module")
def canary_run(
    private_server: ServerProcess, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str, str]:
    """Enable the audit device, push the canaries; (audit text, server log, canary HMAC)."""
    api = Api(private_server)
    audit_log = tmp_path_factory.mktemp("canary-audit") / "audit.log"
    options = {"file_path": str(audit_log)}
    enable = api.call("PUT", "sys/audit/file", {"type": "file", "options": options})
    assert enable.status_code == 204, enable.text

    push_canary(api)

    hashed = api.call("POST", "sys/audit-hash/file", {"input": CANARY})
    assert hashed.status_code == 200, hashed.text
    canary_hash = str(hashed.json()["data"]["hash"])
    assert canary_hash.startswith("hmac-sha256:")
    return audit_log.read_text(), private_server.log_text(), canary_hash


def test_canary_never_in_server_log(canary_run: tuple[str, str, str]) -> None:
    _, server_log, _ = canary_run
    assert CANARY not in server_log
    assert META_CANARY not in server_log


def test_canary_only_hashed_in_audit_log(canary_run: tuple[str, str, str]) -> None:
    audit_text, _, canary_hash = canary_run
    assert audit_text.count("\n") > 60  # requests reaching the core are all recorded
    assert CANARY not in audit_text
    assert canary_hash in audit_text


def test_token_meta_hashed_in_audit_log(canary_run: tuple[str, str, str]) -> None:
    audit_text, _, _ = canary_run
    assert META_CANARY not in audit_text
