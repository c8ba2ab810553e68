"""generate_lease on a real server: the expiration manager registers the certificate's lease,
and revoking the lease (by id, by prefix, or by its expiry) revokes the certificate: it shows
on the CRL and ``openssl ocsp`` reports it revoked. The expiry case waits for the manager (up
to a minute) rather than timing it."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import hvac
import pytest
import requests
from cryptography import x509
from tests.compat.conftest import ServerProcess
from tests.compat.server.conftest import unique

pytestmark = pytest.mark.compat


def _crl_serials(address: str, mount: str) -> set[int]:
    der = requests.get(f"{address}/v1/{mount}/crl", timeout=10).content
    return {r.serial_number for r in x509.load_der_x509_crl(der)}


def _serial(pem: str) -> int:
    return x509.load_pem_x509_certificate(pem.encode()).serial_number


def test_certificate_lease_revocation(
    root: hvac.Client, sealbox_server: ServerProcess, tmp_path: Path
) -> None:
    mount = unique("pki-lease")
    root.sys.enable_secrets_engine("pki", path=mount, config={"max_lease_ttl": "24h"})
    try:
        ca = root.secrets.pki.generate_root(
            "internal", "Lease CA", {"key_type": "ec"}, mount_point=mount
        )["data"]
        root.secrets.pki.create_or_update_role(
            "web",
            {"allow_any_name": True, "generate_lease": True, "key_type": "ec"},
            mount_point=mount,
        )
        first = root.secrets.pki.generate_certificate(
            "web", "a.test", {"ttl": "2h"}, mount_point=mount
        )
        assert first["lease_id"].startswith(f"{mount}/issue/web/")
        assert 7100 <= first["lease_duration"] <= 7200
        assert first["renewable"] is False
        lookup = root.sys.read_lease(first["lease_id"])["data"]
        assert lookup["renewable"] is False
        with pytest.raises(hvac.exceptions.InvalidRequest):
            root.sys.renew_lease(first["lease_id"])
        assert _serial(first["data"]["certificate"]) not in _crl_serials(
            sealbox_server.address, mount
        )
        root.sys.revoke_lease(first["lease_id"])
        assert _serial(first["data"]["certificate"]) in _crl_serials(sealbox_server.address, mount)
        cert_file, ca_file = tmp_path / "leaf.pem", tmp_path / "ca.pem"
        cert_file.write_text(first["data"]["certificate"] + "\n")
        ca_file.write_text(ca["certificate"] + "\n")
        status = subprocess.run(
            [
                "openssl",
                "ocsp",
                "-issuer",
                str(ca_file),
                "-CAfile",
                str(ca_file),
                "-cert",
                str(cert_file),
                "-url",
                f"{sealbox_server.address}/v1/{mount}/ocsp",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert f"{cert_file}: revoked" in status.stdout

        # by prefix: every certificate issued through the role
        others = [
            root.secrets.pki.generate_certificate("web", f"{n}.test", mount_point=mount)
            for n in ("b", "c")
        ]
        root.sys.revoke_prefix(f"{mount}/issue/web")
        revoked = _crl_serials(sealbox_server.address, mount)
        assert {_serial(o["data"]["certificate"]) for o in others} <= revoked

        # by expiry: the mount caps leases at 3 s while the certificate is valid for an hour,
        # so the lease ends first and takes the (still valid) certificate with it
        root.sys.tune_mount_configuration(mount, max_lease_ttl="3s")
        root.secrets.pki.create_or_update_role(
            "short",
            {"allow_any_name": True, "generate_lease": True, "key_type": "ec", "max_ttl": "1h"},
            mount_point=mount,
        )
        short = root.secrets.pki.generate_certificate(
            "short", "d.test", {"ttl": "1h"}, mount_point=mount
        )
        assert short["lease_duration"] <= 3
        target = _serial(short["data"]["certificate"])
        deadline = time.monotonic() + 60
        while target not in _crl_serials(sealbox_server.address, mount):
            assert time.monotonic() < deadline, "the expired lease was not revoked"
            time.sleep(0.5)
    finally:
        root.sys.disable_secrets_engine(mount)
