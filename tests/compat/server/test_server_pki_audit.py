"""Private keys issued by PKI never appear in clear in the audit log or the server's output.

A private dev server with a file audit device issues certificates (issue, root/generate/
exported, intermediate/generate/exported), serves raw DER/PEM bodies (ca, crl, ocsp) and
refuses bad CSRs; the audit log must hold each private key only as its HMAC.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from tests.compat.conftest import ServerProcess, start_dev_server

pytestmark = pytest.mark.compat


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Path]]:
    for server in start_dev_server(tmp_path_factory):
        log = tmp_path_factory.mktemp("pki-audit") / "audit.log"
        answer = requests.put(
            f"{server.address}/v1/sys/audit/file",
            json={"type": "file", "options": {"file_path": str(log)}},
            headers={"X-Vault-Token": server.token},
            timeout=10,
        )
        assert answer.status_code == 204, answer.text
        yield server, log


def _key_body(pem: str) -> str:
    """The base64 payload of a PEM key (what must not leak, whatever the framing)."""
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


def test_private_keys_only_hashed_in_audit(audited: tuple[ServerProcess, Path]) -> None:
    server, log = audited
    session = requests.Session()
    session.headers["X-Vault-Token"] = server.token
    base = f"{server.address}/v1"

    def post(path: str, body: dict[str, Any]) -> requests.Response:
        return session.post(f"{base}/{path}", json=body, timeout=30)

    def data(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = post(path, body)
        assert answer.status_code == 200, (path, answer.status_code, answer.text)
        return dict(answer.json()["data"])

    assert post("sys/mounts/pki-audit", {"type": "pki"}).status_code == 204
    root = data("pki-audit/root/generate/exported", {"common_name": "Audit Root", "key_type": "ec"})
    inter = data("pki-audit/intermediate/generate/exported", {"common_name": "Int"})
    post("pki-audit/roles/web", {"allow_any_name": True, "key_type": "ec"})
    # A leaf shorter-lived than the root: both would otherwise default to the mount's
    # max TTL, and a leaf issued a second later would outlive its CA (refused, as Vault does).
    issued = data("pki-audit/issue/web", {"common_name": "a.test", "ttl": "1h"})
    assert post("pki-audit/sign/web", {"csr": "garbage"}).status_code == 400
    assert session.get(f"{base}/pki-audit/ca", timeout=10).status_code == 200
    assert session.get(f"{base}/pki-audit/crl", timeout=10).status_code == 200
    leaf = x509.load_pem_x509_certificate(issued["certificate"].encode())
    issuer = x509.load_pem_x509_certificate(root["certificate"].encode())
    der = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(leaf, issuer, hashes.SHA256())
        .build()
        .public_bytes(serialization.Encoding.DER)
    )
    answer = session.post(
        f"{base}/pki-audit/ocsp",
        data=der,
        timeout=10,
        headers={"Content-Type": "application/ocsp-request"},
    )
    assert (
        ocsp.load_der_ocsp_response(answer.content).certificate_status is ocsp.OCSPCertStatus.GOOD
    )

    audit_text = log.read_text()
    server_text = server.log_text()
    keys = [root["private_key"], inter["private_key"], issued["private_key"]]
    for key in keys:
        body = _key_body(key)
        for line in key.splitlines()[1:-1]:
            assert line not in audit_text
            assert line not in server_text
        assert body not in audit_text.replace("\\n", "")
        hashed = session.post(f"{base}/sys/audit-hash/file", json={"input": key}, timeout=10)
        assert hashed.status_code == 200, hashed.text
        assert hashed.json()["data"]["hash"] in audit_text
    # the requests really were recorded (raw-body answers included)
    assert audit_text.count("pki-audit/issue/web") >= 2
    assert "pki-audit/ocsp" in audit_text
    assert base64.b64encode(der).decode() not in server_text
