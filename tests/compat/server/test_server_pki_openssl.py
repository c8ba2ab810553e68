"""PKI against a real ``sealbox server`` process, checked with the real ``openssl`` CLI, a real
TLS handshake and hvac's PKI client.

openssl verifies root -> intermediate -> leaf chains, reads the CRL the server publishes (and
checks its signature), and queries the server's OCSP responder over HTTP; Python's ssl module
completes a TLS handshake with an issued certificate, the client trusting only the root.
"""

from __future__ import annotations

import base64
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import hvac
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from tests.compat.conftest import ServerProcess
from tests.compat.server.conftest import TokenFor, unique

pytestmark = pytest.mark.compat


def openssl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], check=check, capture_output=True, text=True)


@pytest.fixture
def pki(root: hvac.Client, sealbox_server: ServerProcess) -> Iterator[str]:
    """A fresh pki mount with max lease TTL 87600h and URLs pointing at the server."""
    mount = unique("pki")
    root.sys.enable_secrets_engine("pki", path=mount, config={"max_lease_ttl": "87600h"})
    base = f"{sealbox_server.address}/v1/{mount}"
    root.secrets.pki.set_urls(
        {
            "issuing_certificates": [f"{base}/ca"],
            "crl_distribution_points": [f"{base}/crl"],
            "ocsp_servers": [f"{base}/ocsp"],
        },
        mount_point=mount,
    )
    yield mount
    root.sys.disable_secrets_engine(mount)


def write(path: Path, text: str) -> Path:
    path.write_text(text.rstrip("\n") + "\n")
    return path


def make_root(root: hvac.Client, mount: str, **extra: Any) -> dict[str, Any]:
    params = {"ttl": "87600h", "key_type": "ec", "key_bits": 384, **extra}
    answer = root.secrets.pki.generate_root("internal", "Test Root CA", params, mount_point=mount)
    return dict(answer["data"])


def issue(root: hvac.Client, mount: str, name: str, **extra: Any) -> dict[str, Any]:
    answer = root.secrets.pki.generate_certificate("web", name, extra or None, mount_point=mount)
    return dict(answer["data"])


def test_root_intermediate_leaf_chain_verifies_with_openssl(
    root: hvac.Client, pki: str, sealbox_server: ServerProcess, tmp_path: Path
) -> None:
    ca = make_root(root, pki)
    inter_mount = unique("pki-int")
    root.sys.enable_secrets_engine("pki", path=inter_mount, config={"max_lease_ttl": "43800h"})
    try:
        csr = root.secrets.pki.generate_intermediate(
            "internal",
            "Test Intermediate",
            {"key_type": "rsa", "key_bits": 2048},
            mount_point=inter_mount,
        )["data"]["csr"]
        signed = root.secrets.pki.sign_intermediate(
            csr, "Test Intermediate", {"ttl": "43800h"}, mount_point=pki
        )["data"]
        bundle = signed["certificate"] + "\n" + signed["issuing_ca"]
        root.secrets.pki.set_signed_intermediate(bundle, mount_point=inter_mount)
        root.secrets.pki.create_or_update_role(
            "web",
            {"allowed_domains": "example.test", "allow_subdomains": True},
            mount_point=inter_mount,
        )
        leaf = issue(root, inter_mount, "www.example.test", alt_names="api.example.test")
        assert leaf["ca_chain"][0] == signed["certificate"]
        root_pem = write(tmp_path / "root.pem", ca["certificate"])
        inter_pem = write(tmp_path / "inter.pem", signed["certificate"])
        leaf_pem = write(tmp_path / "leaf.pem", leaf["certificate"])
        verified = openssl(
            "verify", "-CAfile", str(root_pem), "-untrusted", str(inter_pem), str(leaf_pem)
        )
        assert verified.stdout.strip() == f"{leaf_pem}: OK"
        # without the intermediate the chain does not verify
        broken = openssl("verify", "-CAfile", str(root_pem), str(leaf_pem), check=False)
        assert broken.returncode != 0
        # the intermediate carries the root mount's AIA/CDP URLs, as openssl prints them
        text = openssl("x509", "-in", str(inter_pem), "-noout", "-text").stdout
        base = f"{sealbox_server.address}/v1/{pki}"
        assert f"CA Issuers - URI:{base}/ca" in text
        assert f"OCSP - URI:{base}/ocsp" in text
        assert f"URI:{base}/crl" in text
        assert "CA:TRUE" in text
        # ca_chain over HTTP (unauthenticated) is the intermediate then the root
        chain = requests.get(f"{sealbox_server.address}/v1/{inter_mount}/ca_chain", timeout=10)
        assert chain.status_code == 200
        certs = x509.load_pem_x509_certificates(chain.content)
        assert [c.subject.rfc4514_string() for c in certs] == [
            "CN=Test Intermediate",
            "CN=Test Root CA",
        ]
    finally:
        root.sys.disable_secrets_engine(inter_mount)


@pytest.mark.parametrize(
    ("key_type", "key_bits"),
    [("ec", 384), ("rsa", 2048), ("ed25519", 0)],
    ids=["p384", "rsa2048", "ed25519"],
)
def test_revocation_shows_in_crl_and_ocsp(
    root: hvac.Client,
    pki: str,
    sealbox_server: ServerProcess,
    tmp_path: Path,
    key_type: str,
    key_bits: int,
) -> None:
    ca = make_root(root, pki, key_type=key_type, key_bits=key_bits)
    root.secrets.pki.create_or_update_role(
        "web", {"allowed_domains": "example.test", "allow_subdomains": True}, mount_point=pki
    )
    leaf = issue(root, pki, "svc.example.test")
    other = issue(root, pki, "other.example.test")
    ca_pem = write(tmp_path / "ca.pem", ca["certificate"])
    leaf_pem = write(tmp_path / "leaf.pem", leaf["certificate"])
    other_pem = write(tmp_path / "other.pem", other["certificate"])
    url = f"{sealbox_server.address}/v1/{pki}/ocsp"
    text = openssl("x509", "-in", str(leaf_pem), "-noout", "-text").stdout
    base = f"{sealbox_server.address}/v1/{pki}"
    assert f"OCSP - URI:{url}" in text
    assert f"CA Issuers - URI:{base}/ca" in text
    assert f"URI:{base}/crl" in text
    assert "DNS:svc.example.test" in text
    assert "TLS Web Server Authentication, TLS Web Client Authentication" in text

    def ocsp_status(cert: Path) -> str:
        out = openssl(
            "ocsp", "-issuer", str(ca_pem), "-CAfile", str(ca_pem), "-cert", str(cert), "-url", url
        )
        assert "Response verify OK" in out.stderr + out.stdout
        return out.stdout

    assert f"{leaf_pem}: good" in ocsp_status(leaf_pem)
    root.secrets.pki.revoke_certificate(leaf["serial_number"], mount_point=pki)
    revoked = ocsp_status(leaf_pem)
    assert f"{leaf_pem}: revoked" in revoked
    assert "Revocation Time:" in revoked
    assert f"{other_pem}: good" in ocsp_status(other_pem)

    crl = requests.get(f"{sealbox_server.address}/v1/{pki}/crl", timeout=10)
    assert crl.headers["content-type"] == "application/pkix-crl"
    crl_der = tmp_path / "crl.der"
    crl_der.write_bytes(crl.content)
    listed = openssl(
        "crl", "-inform", "DER", "-in", str(crl_der), "-CAfile", str(ca_pem), "-noout", "-text"
    )
    assert "verify OK" in listed.stderr + listed.stdout
    serial_hex = leaf["serial_number"].replace(":", "").upper()
    assert f"Serial Number: {serial_hex}" in listed.stdout
    assert other["serial_number"].replace(":", "").upper() not in listed.stdout
    crl_pem = requests.get(f"{sealbox_server.address}/v1/{pki}/crl/pem", timeout=10)
    bundle = write(tmp_path / "ca+crl.pem", ca["certificate"] + "\n" + crl_pem.text)
    refused = openssl("verify", "-crl_check", "-CAfile", str(bundle), str(leaf_pem), check=False)
    assert refused.returncode != 0
    assert "certificate revoked" in refused.stdout + refused.stderr
    accepted = openssl("verify", "-crl_check", "-CAfile", str(bundle), str(other_pem))
    assert accepted.stdout.strip() == f"{other_pem}: OK"


def test_ocsp_get_form_and_unauthenticated_fetches(
    root: hvac.Client, pki: str, sealbox_server: ServerProcess
) -> None:
    ca = make_root(root, pki)
    root.secrets.pki.create_or_update_role("web", {"allow_any_name": True}, mount_point=pki)
    leaf = x509.load_pem_x509_certificate(issue(root, pki, "x.test")["certificate"].encode())
    issuer = x509.load_pem_x509_certificate(ca["certificate"].encode())
    request = ocsp.OCSPRequestBuilder().add_certificate(leaf, issuer, hashes.SHA256()).build()
    der = request.public_bytes(serialization.Encoding.DER)
    base = f"{sealbox_server.address}/v1/{pki}"
    encoded = quote(base64.b64encode(der).decode(), safe="")
    got = requests.get(f"{base}/ocsp/{encoded}", timeout=10)
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/ocsp-response"
    answer = ocsp.load_der_ocsp_response(got.content)
    assert answer.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert answer.serial_number == leaf.serial_number
    bad = requests.post(
        f"{base}/ocsp",
        data=b"junk",
        headers={"Content-Type": "application/ocsp-request"},
        timeout=10,
    )
    # the outcome is in the OCSP body; like bao server -dev, HTTP says 400 too
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/ocsp-response"
    assert ocsp.load_der_ocsp_response(bad.content).response_status is (
        ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    )
    # no token needed for the CA, the CRL and a certificate by serial; listing needs one
    ca_der = requests.get(f"{base}/ca", timeout=10)
    assert ca_der.headers["content-type"] == "application/pkix-cert"
    assert x509.load_der_x509_certificate(ca_der.content) == issuer
    assert requests.get(f"{base}/crl/pem", timeout=10).status_code == 200
    assert (
        requests.get(f"{base}/cert/ca", timeout=10).json()["data"]["certificate"]
        == (ca["certificate"])
    )
    assert requests.request("LIST", f"{base}/certs", timeout=10).status_code == 403


def test_tls_handshake_with_issued_certificate(root: hvac.Client, pki: str, tmp_path: Path) -> None:
    ca = make_root(root, pki)
    root.secrets.pki.create_or_update_role(
        "web",
        {
            "allowed_domains": "localhost",
            "allow_bare_domains": True,
            "key_type": "ec",
            "key_bits": 256,
        },
        mount_point=pki,
    )
    leaf = issue(root, pki, "localhost", ip_sans="127.0.0.1")
    cert_file = write(tmp_path / "server.pem", leaf["certificate"] + "\n" + leaf["issuing_ca"])
    key_file = write(tmp_path / "server.key", leaf["private_key"])
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(str(cert_file), str(key_file))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            tls.sendall(tls.recv(5).upper())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client_ctx = ssl.create_default_context(cadata=ca["certificate"])
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        client_ctx.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        tls.sendall(b"hello")
        assert tls.recv(5) == b"HELLO"
        peer = tls.getpeercert()
        assert peer is not None
        assert peer["subject"] == ((("commonName", "localhost"),),)
    thread.join(timeout=10)
    listener.close()
    # a client checking another host name refuses the same certificate
    other = socket.create_server(("127.0.0.1", 0))
    port = other.getsockname()[1]
    thread = threading.Thread(target=lambda: _accept_quietly(other, server_ctx), daemon=True)
    thread.start()
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        client_ctx.wrap_socket(raw, server_hostname="wrong.example")
    thread.join(timeout=10)
    other.close()


def _accept_quietly(listener: socket.socket, ctx: ssl.SSLContext) -> None:
    conn, _ = listener.accept()
    try:
        ctx.wrap_socket(conn, server_side=True).close()
    except (ssl.SSLError, OSError):
        conn.close()


def test_hvac_pki_calls_unchanged(root: hvac.Client, pki: str) -> None:
    ca = make_root(root, pki)
    assert root.secrets.pki.read_ca_certificate(mount_point=pki).strip() == ca["certificate"]
    root.secrets.pki.create_or_update_role(
        "web",
        {"allowed_domains": "example.test", "allow_subdomains": True, "max_ttl": "1h"},
        mount_point=pki,
    )
    assert root.secrets.pki.read_role("web", mount_point=pki)["data"]["max_ttl"] == 3600
    assert root.secrets.pki.list_roles(mount_point=pki)["data"]["keys"] == ["web"]
    issued = root.secrets.pki.generate_certificate("web", "a.example.test", mount_point=pki)
    serial = issued["data"]["serial_number"]
    listed = root.secrets.pki.list_certificates(mount_point=pki)["data"]["keys"]
    assert serial in listed
    read = root.secrets.pki.read_certificate(serial, mount_point=pki)["data"]
    assert read["certificate"] == issued["data"]["certificate"]
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(65537, 2048)
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "b.example.test")]))
        .sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.PEM)
        .decode()
    )
    signed = root.secrets.pki.sign_certificate("web", csr, "b.example.test", mount_point=pki)
    cert = x509.load_pem_x509_certificate(signed["data"]["certificate"].encode())
    assert cert.public_key() == key.public_key()
    verbatim = root.secrets.pki.sign_verbatim(csr, mount_point=pki)
    assert "certificate" in verbatim["data"]
    root.secrets.pki.revoke_certificate(serial, mount_point=pki)
    crl = x509.load_pem_x509_crl(root.secrets.pki.read_crl(mount_point=pki).encode())
    assert [r.serial_number for r in crl] == [
        x509.load_pem_x509_certificate(issued["data"]["certificate"].encode()).serial_number
    ]
    assert root.secrets.pki.rotate_crl(mount_point=pki)["data"] == {"success": True}
    issuers = root.secrets.pki.list_issuers(mount_point=pki)["data"]["keys"]
    assert issuers == [ca["issuer_id"]]
    assert (
        root.secrets.pki.read_issuer(ca["issuer_id"], mount_point=pki)["data"]["issuer_id"]
        == (ca["issuer_id"])
    )
    tidy = root.secrets.pki.tidy({"tidy_cert_store": True}, mount_point=pki)
    assert tidy.status_code == 202
    root.secrets.pki.set_crl_configuration(expiry="48h", mount_point=pki)
    assert root.secrets.pki.read_crl_configuration(mount_point=pki)["data"]["expiry"] == "48h"
    assert root.secrets.pki.read_urls(mount_point=pki)["data"]["ocsp_servers"]
    chain = root.secrets.pki.read_ca_certificate_chain(mount_point=pki)
    assert chain.strip() == ca["certificate"]
    root.secrets.pki.update_issuer(ca["issuer_id"], {"issuer_name": "hvac-root"}, mount_point=pki)
    assert root.secrets.pki.read_issuer("hvac-root", mount_point=pki)["data"]["issuer_name"] == (
        "hvac-root"
    )
    other = unique("pki-other")
    root.sys.enable_secrets_engine("pki", path=other)
    try:
        foreign = root.secrets.pki.generate_root("internal", "Other Root", mount_point=other)
        crossed = root.secrets.pki.sign_self_issued(foreign["data"]["certificate"], mount_point=pki)
        cross = x509.load_pem_x509_certificate(crossed["data"]["certificate"].encode())
        cross.verify_directly_issued_by(x509.load_pem_x509_certificate(ca["certificate"].encode()))
        bundle = foreign["data"]["certificate"]
        imported = root.secrets.pki.submit_ca_information(bundle, mount_point=pki)
        assert len(imported["data"]["imported_issuers"]) == 1
        revoked = root.secrets.pki.revoke_issuer(
            imported["data"]["imported_issuers"][0], mount_point=pki
        )
        assert revoked["data"]["revoked"] is True
    finally:
        root.sys.disable_secrets_engine(other)
    root.secrets.pki.delete_role("web", mount_point=pki)
    with pytest.raises(hvac.exceptions.InvalidPath):
        root.secrets.pki.read_role("web", mount_point=pki)
    root.secrets.pki.create_or_update_role(
        "web", {"allowed_domains": "example.test", "allow_subdomains": True}, mount_point=pki
    )
    with pytest.raises(hvac.exceptions.InvalidRequest, match="not allowed by this role"):
        root.secrets.pki.generate_certificate("web", "evil.org", mount_point=pki)
    with pytest.raises(hvac.exceptions.InvalidRequest, match="unknown role: nope"):
        root.secrets.pki.generate_certificate("nope", "a.example.test", mount_point=pki)


def test_sudo_paths_and_policies(root: hvac.Client, pki: str, token_for: TokenFor) -> None:
    ca = make_root(root, pki)
    plain = token_for(
        f'path "{pki}/root/sign-self-issued" {{ capabilities = ["update"] }}\n'
        f'path "{pki}/root" {{ capabilities = ["delete"] }}'
    )
    with pytest.raises(hvac.exceptions.Forbidden):
        plain.secrets.pki.sign_self_issued(ca["certificate"], mount_point=pki)
    with pytest.raises(hvac.exceptions.Forbidden):
        plain.secrets.pki.delete_root(mount_point=pki)
    issuer_only = token_for(f'path "{pki}/issue/web" {{ capabilities = ["update"] }}')
    root.secrets.pki.create_or_update_role("web", {"allow_any_name": True}, mount_point=pki)
    issued = issuer_only.secrets.pki.generate_certificate("web", "x.test", mount_point=pki)
    assert issued["data"]["serial_number"]
    with pytest.raises(hvac.exceptions.Forbidden):
        issuer_only.secrets.pki.revoke_certificate(issued["data"]["serial_number"], mount_point=pki)
    assert root.secrets.pki.list_issuers(mount_point=pki)["data"]["keys"] == [ca["issuer_id"]]
