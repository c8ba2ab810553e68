"""``cert`` auth over sealbox's own TLS listener with openssl-made certificates.

The server runs from a config file with a TLS listener whose ``tls_client_ca_file`` is the test
CA (Python's TLS stack cannot ask for a client certificate without verifying it, so the
listener needs the CA; see the cert method's docstring). Logins go through requests with a
client certificate, through hvac, and through ``sealbox login -method=cert``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import hvac
import pytest
import requests
from tests.compat.conftest import (
    VENV_BIN,
    free_port,
    make_tls_material,
    sign_certificate,
    start_process,
    stop,
)

pytestmark = pytest.mark.compat


@dataclass(frozen=True)
class MTLSServer:
    """A TLS sealbox server, initialised and unsealed, and the certificates around it."""

    address: str
    token: str
    ca: Path
    workdir: Path

    def client_cert(self, name: str, extra: str = "") -> tuple[str, str]:
        cert, key = sign_certificate(
            self.workdir,
            self.ca,
            self.workdir / "ca.key",
            name,
            "extendedKeyUsage=clientAuth\n" + extra,
        )
        return str(cert), str(key)


@pytest.fixture(scope="module")
def mtls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MTLSServer]:
    workdir = tmp_path_factory.mktemp("sealbox-cert-auth")
    ca, cert, key = make_tls_material(workdir)
    port = free_port()
    config = workdir / "sealbox.hcl"
    config.write_text(
        'storage "inmem" {}\n'
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n  tls_cert_file = "{cert}"\n'
        f'  tls_key_file = "{key}"\n  tls_client_ca_file = "{ca}"\n}}\n'
    )
    address = f"https://127.0.0.1:{port}"
    process, _ = start_process(
        [str(VENV_BIN / "sealbox"), "server", f"-config={config}"], address, workdir, verify=str(ca)
    )
    try:
        init = requests.put(
            f"{address}/v1/sys/init",
            json={"secret_shares": 1, "secret_threshold": 1},
            verify=str(ca),
            timeout=30,
        ).json()
        requests.put(
            f"{address}/v1/sys/unseal", json={"key": init["keys"][0]}, verify=str(ca), timeout=30
        ).raise_for_status()
        yield MTLSServer(address, init["root_token"], ca, workdir)
    finally:
        stop(process)


@pytest.fixture(scope="module")
def configured(mtls: MTLSServer) -> MTLSServer:
    root = hvac.Client(url=mtls.address, token=mtls.token, verify=str(mtls.ca))
    root.sys.enable_auth_method("cert")
    root.sys.create_or_update_policy(
        "web", 'path "auth/token/lookup-self" { capabilities = ["read"] }'
    )
    root.write(
        "auth/cert/certs/web",
        certificate=mtls.ca.read_text(),
        allowed_common_names="app-*",
        token_policies="web",
        token_ttl="30m",
    )
    return mtls


def _login(server: MTLSServer, cert: tuple[str, str] | None, name: str = "") -> requests.Response:
    return requests.post(
        f"{server.address}/v1/auth/cert/login",
        json={"name": name} if name else {},
        cert=cert,
        verify=str(server.ca),
        timeout=10,
    )


def test_client_certificate_from_the_trusted_ca_logs_in(configured: MTLSServer) -> None:
    answer = _login(configured, configured.client_cert("app-one"))
    assert answer.status_code == 200, answer.text
    auth = answer.json()["auth"]
    assert auth["policies"] == ["default", "web"]
    assert auth["lease_duration"] == 1800
    assert auth["metadata"]["cert_name"] == "web"
    assert auth["metadata"]["common_name"] == "app-one"
    assert auth["metadata"]["authority_key_id"]
    lookup = requests.get(
        f"{configured.address}/v1/auth/token/lookup-self",
        headers={"X-Vault-Token": auth["client_token"]},
        verify=str(configured.ca),
        timeout=10,
    )
    assert lookup.json()["data"]["display_name"] == "cert-web"


def test_wrong_name_no_certificate_and_pinning(configured: MTLSServer) -> None:
    refused = _login(configured, configured.client_cert("intruder"))
    assert refused.status_code == 400
    assert refused.json()["errors"] == ["invalid certificate or no client certificate supplied"]
    bare = _login(configured, None)
    assert bare.status_code == 400
    assert bare.json()["errors"] == ["no client certificate found"]
    root = hvac.Client(url=configured.address, token=configured.token, verify=str(configured.ca))
    pinned_cert = configured.client_cert("pinned-leaf")
    root.write(
        "auth/cert/certs/pinned", certificate=Path(pinned_cert[0]).read_text(), token_policies="web"
    )
    assert _login(configured, pinned_cert, name="pinned").status_code == 200
    # another certificate from the same CA does not match a pinned leaf
    assert _login(configured, configured.client_cert("app-two"), name="pinned").status_code == 400
    assert root.read("auth/cert/certs/pinned")["data"]["token_policies"] == ["web"]
    assert root.list("auth/cert/certs")["data"]["keys"] == ["pinned", "web"]


def test_sealbox_login_method_cert(configured: MTLSServer, tmp_path: Path) -> None:
    cert, key = configured.client_cert("app-cli")
    env = {**os.environ, "VAULT_ADDR": configured.address, "HOME": str(tmp_path)}
    env.pop("VAULT_TOKEN", None)
    done = subprocess.run(
        [
            str(VENV_BIN / "sealbox"),
            "login",
            "-method=cert",
            f"-ca-cert={configured.ca}",
            f"-client-cert={cert}",
            f"-client-key={key}",
            "name=web",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    token = (tmp_path / ".sealbox-token").read_text().strip()
    assert token.startswith("hvs.")
