"""PKI state on durable storage: a SQLite-backed server restarted (and re-unsealed) keeps its
CA, roles, issued and revoked certificates, CRL numbering and OCSP answers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import hvac
import pytest
import requests
from cryptography import x509
from tests.compat.conftest import VENV_BIN, free_port, start_process, stop
from tests.compat.server.conftest import write_config

pytestmark = pytest.mark.compat


def _start(config: Path, port: int, workdir: Path) -> subprocess.Popen[bytes]:
    args = [str(VENV_BIN / "sealbox"), "server", f"-config={config}"]
    process, _ = start_process(args, f"http://127.0.0.1:{port}", workdir)
    return process


def _crl_number(address: str) -> int:
    der = requests.get(f"{address}/v1/pki/crl", timeout=10).content
    return (
        x509.load_der_x509_crl(der)
        .extensions.get_extension_for_class(x509.CRLNumber)
        .value.crl_number
    )


def test_pki_survives_restart(tmp_path: Path) -> None:
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    storage = f'storage "sqlite" {{\n  path = "{tmp_path}/sealbox.db"\n}}'
    config = write_config(tmp_path, port, storage)
    process = _start(config, port, tmp_path)
    try:
        client = hvac.Client(url=address)
        init = client.sys.initialize(secret_shares=1, secret_threshold=1)
        client.sys.submit_unseal_key(init["keys"][0])
        client.token = init["root_token"]
        client.sys.enable_secrets_engine("pki", path="pki", config={"max_lease_ttl": "8760h"})
        ca = client.secrets.pki.generate_root(
            "internal", "Durable CA", {"key_type": "ec", "ttl": "8000h"}, mount_point="pki"
        )["data"]
        client.secrets.pki.create_or_update_role(
            "web",
            {"allowed_domains": "example.test", "allow_subdomains": True},
            mount_point="pki",
        )
        kept = client.secrets.pki.generate_certificate("web", "kept.example.test")["data"]
        gone = client.secrets.pki.generate_certificate("web", "gone.example.test")["data"]
        client.secrets.pki.revoke_certificate(gone["serial_number"])
        number = _crl_number(address)
    finally:
        stop(process)

    process = _start(config, port, tmp_path)
    try:
        client = hvac.Client(url=address, token=init["root_token"])
        client.sys.submit_unseal_key(init["keys"][0])
        assert client.secrets.pki.read_ca_certificate().strip() == ca["certificate"]
        serials = client.secrets.pki.list_certificates()["data"]["keys"]
        assert {kept["serial_number"], gone["serial_number"], ca["serial_number"]} <= set(serials)
        assert _crl_number(address) == number
        client.secrets.pki.rotate_crl()
        assert _crl_number(address) == number + 1
        crl = x509.load_der_x509_crl(requests.get(f"{address}/v1/pki/crl", timeout=10).content)
        assert [r.serial_number for r in crl] == [
            x509.load_pem_x509_certificate(gone["certificate"].encode()).serial_number
        ]
        fresh = client.secrets.pki.generate_certificate("web", "new.example.test")["data"]
        ca_file, leaf_file = tmp_path / "ca.pem", tmp_path / "new.pem"
        ca_file.write_text(ca["certificate"] + "\n")
        leaf_file.write_text(fresh["certificate"] + "\n")
        verified = subprocess.run(
            ["openssl", "verify", "-CAfile", str(ca_file), str(leaf_file)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert verified.stdout.strip() == f"{leaf_file}: OK", verified.stderr
        gone_file = tmp_path / "gone.pem"
        gone_file.write_text(gone["certificate"] + "\n")
        status = subprocess.run(
            [
                "openssl",
                "ocsp",
                "-issuer",
                str(ca_file),
                "-CAfile",
                str(ca_file),
                "-cert",
                str(gone_file),
                "-url",
                f"{address}/v1/pki/ocsp",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert f"{gone_file}: revoked" in status.stdout
    finally:
        stop(process)
