"""The guide's PKI and Kubernetes-auth commands (skipped while the server lacks the engine)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tests.compat.cli.cli_helpers import Runner, unique

from sealbox.client import Client

pytestmark = pytest.mark.compat


def test_guide_pki_commands(sealbox: Runner, api: Client, tmp_path: Path) -> None:
    pki = unique("pki")
    if sealbox("secrets", "enable", f"-path={pki}", "pki").returncode != 0:
        pytest.skip("server has no pki engine yet")
    try:
        tuned = sealbox("secrets", "tune", "-max-lease-ttl=87600h", pki)
        assert tuned.returncode == 0, tuned.stderr
        root = sealbox(
            "write",
            "-field=certificate",
            f"{pki}/root/generate/internal",
            "common_name=Example Internal CA",
            "ttl=87600h",
            "key_type=ec",
            "key_bits=384",
        )
        assert root.returncode == 0, root.stderr
        assert root.stdout.startswith("-----BEGIN CERTIFICATE-----")
        (tmp_path / "ca.crt").write_text(root.stdout)
        urls = sealbox(
            "write",
            f"{pki}/config/urls",
            "issuing_certificates=https://vault.internal:8200/v1/pki/ca",
            "crl_distribution_points=https://vault.internal:8200/v1/pki/crl",
        )
        assert urls.returncode == 0, urls.stderr
        role = sealbox(
            "write",
            f"{pki}/roles/internal-services",
            "allowed_domains=internal,svc.cluster.local",
            "allow_subdomains=true",
            "max_ttl=8760h",
            "key_type=ec",
            "key_bits=256",
        )
        assert role.returncode == 0, role.stderr
        issued = sealbox(
            "write",
            f"{pki}/issue/internal-services",
            "common_name=myapp.internal",
            "alt_names=myapp.svc.cluster.local",
            "ttl=2160h",
        )
        assert issued.returncode == 0, issued.stderr
        fields = {line.split()[0] for line in issued.stdout.splitlines()[2:] if line.strip()}
        assert {"certificate", "private_key", "serial_number", "issuing_ca"} <= fields
    finally:
        api.delete(f"sys/mounts/{pki}")


def self_signed_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_guide_kubernetes_auth_commands(sealbox: Runner, api: Client, tmp_path: Path) -> None:
    path = unique("k8s")
    if sealbox("auth", "enable", f"-path={path}", "kubernetes").returncode != 0:
        pytest.skip("server has no kubernetes auth method yet")
    try:
        jwt = tmp_path / "token"
        jwt.write_text("reviewer-jwt")
        ca = tmp_path / "ca.crt"
        ca.write_text(self_signed_pem())
        config = sealbox(
            "write",
            f"auth/{path}/config",
            "kubernetes_host=https://kubernetes.default.svc:443",
            f"kubernetes_ca_cert=@{ca}",
            f"token_reviewer_jwt=@{jwt}",
            "issuer=https://kubernetes.default.svc.cluster.local",
        )
        assert config.returncode == 0, config.stderr
        stored = (api.read(f"auth/{path}/config") or {})["data"]
        assert stored["kubernetes_host"] == "https://kubernetes.default.svc:443"
        assert stored["token_reviewer_jwt_set"] is True
        assert stored["kubernetes_ca_cert"] == ca.read_text()
        role = sealbox(
            "write",
            f"auth/{path}/role/myapp",
            "bound_service_account_names=myapp-sa",
            "bound_service_account_namespaces=production",
            "policies=myapp-policy",
            "ttl=1h",
        )
        assert role.returncode == 0, role.stderr
        read = sealbox("read", "-format=json", f"auth/{path}/role/myapp")
        assert '"myapp-sa"' in read.stdout
    finally:
        api.delete(f"sys/auth/{path}")
