"""The guide's PKI section, command for command, with ``sealbox`` in place of ``vault``.

Runs on a private dev server so the mount can be called ``pki`` exactly as in the guide; the
``ca.crt`` written by ``write -field=certificate`` must be the CA that ``openssl verify``
accepts for the certificate the last command issues, with the guide's names and TTLs.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from tests.compat.cli.cli_helpers import Server, make_runner

pytestmark = pytest.mark.compat


def test_guide_pki_section_exactly(fresh_server: Server, home: Path, tmp_path: Path) -> None:
    run = make_runner("sealbox", fresh_server.address, fresh_server.token, home)

    def ok(*args: str) -> str:
        done = run(*args)
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout

    ok("secrets", "enable", "pki")
    ok("secrets", "tune", "-max-lease-ttl=87600h", "pki")
    ca_text = ok(
        "write",
        "-field=certificate",
        "pki/root/generate/internal",
        "common_name=Example Internal CA",
        "ttl=87600h",
        "key_type=ec",
        "key_bits=384",
    )
    (tmp_path / "ca.crt").write_text(ca_text)
    ca = x509.load_pem_x509_certificate(ca_text.encode())
    assert ca.subject.rfc4514_string() == "CN=Example Internal CA"
    ca_key = ca.public_key()
    assert isinstance(ca_key, ec.EllipticCurvePublicKey)
    assert ca_key.curve.key_size == 384
    assert (ca.not_valid_after_utc - ca.not_valid_before_utc).total_seconds() == 87600 * 3600 + 30
    ok(
        "write",
        "pki/config/urls",
        "issuing_certificates=https://vault.internal:8200/v1/pki/ca",
        "crl_distribution_points=https://vault.internal:8200/v1/pki/crl",
    )
    ok(
        "write",
        "pki/roles/internal-services",
        "allowed_domains=internal,svc.cluster.local",
        "allow_subdomains=true",
        "max_ttl=8760h",
        "key_type=ec",
        "key_bits=256",
    )
    issued = json.loads(
        ok(
            "write",
            "-format=json",
            "pki/issue/internal-services",
            "common_name=myapp.internal",
            "alt_names=myapp.svc.cluster.local",
            "ttl=2160h",
        )
    )["data"]
    leaf_file = tmp_path / "leaf.pem"
    leaf_file.write_text(issued["certificate"] + "\n")
    verified = subprocess.run(
        ["openssl", "verify", "-CAfile", str(tmp_path / "ca.crt"), str(leaf_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.stdout.strip() == f"{leaf_file}: OK", verified.stderr
    leaf = x509.load_pem_x509_certificate(issued["certificate"].encode())
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).total_seconds() == (
        2160 * 3600 + 30
    )
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["myapp.internal", "myapp.svc.cluster.local"]
    aia = leaf.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert [d.access_location.value for d in aia] == ["https://vault.internal:8200/v1/pki/ca"]
    assert issued["private_key_type"] == "ec"
    # the table output of the same command names the guide's fields
    table = ok("write", "pki/issue/internal-services", "common_name=other.internal", "ttl=1h")
    names = {line.split()[0] for line in table.splitlines()[2:] if line.strip()}
    assert {
        "certificate",
        "issuing_ca",
        "ca_chain",
        "private_key",
        "private_key_type",
        "serial_number",
        "expiration",
    } <= names
    refused = run("write", "pki/issue/internal-services", "common_name=myapp.example.com")
    assert refused.returncode == 2
    assert "common name myapp.example.com not allowed by this role" in refused.stderr
