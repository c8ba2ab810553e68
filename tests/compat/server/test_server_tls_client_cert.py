"""A TLS listener with ``tls_client_ca_file``: client certificates are verified when given.

Vault's listener with a client CA and without ``tls_require_and_verify_client_cert`` uses
Go's VerifyClientCertIfGiven: no certificate is fine (token auth), a certificate from the
configured CA is accepted (the cert auth method builds on it), any other is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from tests.compat.conftest import (
    VENV_BIN,
    ServerProcess,
    free_port,
    make_tls_material,
    sign_certificate,
    start_process,
    stop,
)

pytestmark = pytest.mark.compat


def _client_cert(directory: Path, ca_cert: Path, ca_key: Path, name: str) -> tuple[str, str]:
    cert, key = sign_certificate(directory, ca_cert, ca_key, name, "extendedKeyUsage=clientAuth\n")
    return str(cert), str(key)


@pytest.fixture(scope="module")
def mtls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Path]]:
    workdir = tmp_path_factory.mktemp("sealbox-mtls")
    ca_cert, cert, key = make_tls_material(workdir)
    port = free_port()
    config = workdir / "sealbox.hcl"
    config.write_text(
        'storage "inmem" {}\n'
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n  tls_cert_file = "{cert}"\n'
        f'  tls_key_file = "{key}"\n  tls_client_ca_file = "{ca_cert}"\n}}\n'
    )
    address = f"https://127.0.0.1:{port}"
    process, log = start_process(
        [str(VENV_BIN / "sealbox"), "server", f"-config={config}"],
        address,
        workdir,
        verify=str(ca_cert),
    )
    yield ServerProcess(address, "", log, process, str(ca_cert), workdir), workdir
    stop(process)


def test_client_certificate_from_the_configured_ca_is_accepted(
    mtls: tuple[ServerProcess, Path],
) -> None:
    server, workdir = mtls
    cert = _client_cert(workdir, workdir / "ca.pem", workdir / "ca.key", "app")
    answer = requests.get(
        f"{server.address}/v1/sys/seal-status", cert=cert, verify=server.ca_cert, timeout=10
    )
    assert answer.status_code == 200
    assert answer.json()["initialized"] is False


def test_no_client_certificate_is_still_accepted(mtls: tuple[ServerProcess, Path]) -> None:
    server, _ = mtls
    answer = requests.get(f"{server.address}/v1/sys/health", verify=server.ca_cert, timeout=10)
    assert answer.status_code == 501  # uninitialised, but the TLS handshake succeeded


def test_client_certificate_from_another_ca_is_refused(
    mtls: tuple[ServerProcess, Path], tmp_path: Path
) -> None:
    server, _ = mtls
    rogue_ca, _, _ = make_tls_material(tmp_path)
    cert = _client_cert(tmp_path, rogue_ca, tmp_path / "ca.key", "intruder")
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(
            f"{server.address}/v1/sys/health", cert=cert, verify=server.ca_cert, timeout=10
        )
