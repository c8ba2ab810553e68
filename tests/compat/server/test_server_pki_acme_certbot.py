"""ACME end to end with the real certbot CLI against a real ``sealbox server -dev``.

certbot registers, orders ``localhost``, answers the http-01 challenge with its own standalone
web server on a free port (the mount's ``config/acme`` ``http_01_port`` points sealbox's
validator there, since tests cannot bind 80), finalizes and downloads the chain. openssl then
verifies the certificate against the mount's CA. ``certbot revoke`` revokes it, and the
serial must then be on the mount's CRL (checked with openssl, signature included). A second
run goes through a role's directory with ``eab_policy=always-required`` and certbot's
``--eab-kid``/``--eab-hmac-key``; the used key then refuses another registration.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import hvac
import pytest
import requests
from cryptography import x509
from tests.compat.conftest import VENV_BIN, ServerProcess, free_port
from tests.compat.server.conftest import unique


@dataclass(frozen=True)
class AcmeMount:
    mount: str
    url: str  # the mount's URL
    ca_pem: Path
    port: int  # where certbot answers http-01


@pytest.fixture
def acme_mount(
    root: hvac.Client, sealbox_server: ServerProcess, tmp_path: Path
) -> Iterator[AcmeMount]:
    mount = unique("pki")
    root.sys.enable_secrets_engine("pki", path=mount, config={"max_lease_ttl": "87600h"})
    ca = root.write_data(
        f"{mount}/root/generate/internal",
        data={"common_name": "ACME Test CA", "ttl": "87600h", "key_type": "ec", "key_bits": 256},
    )["data"]["certificate"]
    ca_pem = tmp_path / "ca.pem"
    ca_pem.write_text(ca + "\n")
    url = f"{sealbox_server.address}/v1/{mount}"
    port = free_port()
    root.write_data(f"{mount}/config/cluster", data={"path": url})
    root.write_data(f"{mount}/config/acme", data={"enabled": True, "http_01_port": port})
    yield AcmeMount(mount, url, ca_pem, port)
    root.sys.disable_secrets_engine(mount)


def _certbot(tmp: Path, server: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(VENV_BIN / "certbot"),
        *args,
        "--server",
        server,
        "--config-dir",
        str(tmp / "config"),
        "--work-dir",
        str(tmp / "work"),
        "--logs-dir",
        str(tmp / "logs"),
        "--non-interactive",
        "--no-verify-ssl",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    if done.returncode != 0:
        log = (tmp / "logs" / "letsencrypt.log").read_text(errors="replace")[-6000:]
        pytest.fail(f"certbot {args[0]} failed:\n{done.stdout}\n{done.stderr}\n{log}")
    return done


def _certonly(port: int) -> tuple[str, ...]:
    """certbot's arguments for a certificate for localhost, its http-01 answer on ``port``."""
    return (
        "certonly",
        "--standalone",
        "-d",
        "localhost",
        "--http-01-port",
        str(port),
        "--http-01-address",
        "127.0.0.1",
        "--register-unsafely-without-email",
        "--agree-tos",
    )


def _openssl(*args: str) -> str:
    done = subprocess.run(["openssl", *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_certbot_obtains_verifies_and_revokes(acme_mount: AcmeMount, tmp_path: Path) -> None:
    directory = f"{acme_mount.url}/acme/directory"
    _certbot(tmp_path, directory, *_certonly(acme_mount.port))
    live = tmp_path / "config" / "live" / "localhost"
    cert_path = live / "cert.pem"
    leaf = x509.load_pem_x509_certificate(cert_path.read_bytes())
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
    ekus = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(ekus) == [x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]
    lifetime = leaf.not_valid_after_utc - leaf.not_valid_before_utc
    assert lifetime.days <= 90
    out = _openssl(
        "verify", "-CAfile", str(acme_mount.ca_pem), "-purpose", "sslserver", str(cert_path)
    )
    assert f"{cert_path}: OK" in out
    # the chain certbot saved is the one sealbox served: leaf, then the CA
    chain = (live / "fullchain.pem").read_text()
    assert chain.count("BEGIN CERTIFICATE") == 2
    assert acme_mount.ca_pem.read_text().strip() in chain

    serial = f"{leaf.serial_number:X}"
    serial = f"Serial Number: {'0' * (len(serial) % 2)}{serial}"  # as openssl prints it
    crl_before = requests.get(f"{acme_mount.url}/crl/pem", timeout=10).text
    assert serial not in _crl_text(tmp_path, crl_before, acme_mount.ca_pem)

    _certbot(
        tmp_path, directory, "revoke", "--cert-path", str(cert_path), "--no-delete-after-revoke"
    )
    crl_after = requests.get(f"{acme_mount.url}/crl/pem", timeout=10).text
    assert serial in _crl_text(tmp_path, crl_after, acme_mount.ca_pem)


def _crl_text(tmp: Path, pem: str, ca: Path) -> str:
    path = tmp / "crl.pem"
    path.write_text(pem)
    text = _openssl("crl", "-in", str(path), "-CAfile", str(ca), "-noout", "-text")
    assert "verify OK" in text
    return text


def test_certbot_with_eab_under_a_role(
    acme_mount: AcmeMount, root: hvac.Client, tmp_path: Path
) -> None:
    mount = acme_mount.mount
    root.write_data(
        f"{mount}/roles/local",
        data={"allowed_domains": "localhost", "allow_bare_domains": True, "key_type": "any"},
    )
    root.write_data(f"{mount}/config/acme", data={"eab_policy": "always-required"})
    directory = f"{acme_mount.url}/roles/local/acme/directory"
    eab = root.write_data(f"{mount}/roles/local/acme/new-eab")["data"]
    assert eab["acme_directory"] == "roles/local/acme/directory"
    common = _certonly(acme_mount.port)
    _certbot(tmp_path, directory, *common, "--eab-kid", eab["id"], "--eab-hmac-key", eab["key"])
    cert_path = tmp_path / "config" / "live" / "localhost" / "cert.pem"
    out = _openssl("verify", "-CAfile", str(acme_mount.ca_pem), str(cert_path))
    assert f"{cert_path}: OK" in out
    # the key is used up: a fresh certbot (new account key) cannot register with it
    other = tmp_path / "other"
    command = [str(VENV_BIN / "certbot"), "register", "--server", directory]
    command += ["--config-dir", str(other / "c"), "--work-dir", str(other / "w")]
    command += ["--logs-dir", str(other / "l"), "--non-interactive", "--agree-tos"]
    command += ["--register-unsafely-without-email", "--eab-kid", eab["id"]]
    command += ["--eab-hmac-key", eab["key"]]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert refused.returncode != 0
    assert "unknown or used external account binding key" in refused.stderr
