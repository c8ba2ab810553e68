"""Where age identities (private keys) come from, in the order Go sops reads them.

Mirrors getsops/sops ``age/keysource.go``: identities are gathered from ``SOPS_AGE_KEY``
(whitespace-separated keys), ``SOPS_AGE_KEY_FILE``, the output of ``SOPS_AGE_KEY_CMD`` (run with
``SOPS_AGE_RECIPIENT`` in its environment), ``$XDG_CONFIG_HOME/sops/age/keys.txt`` (falling back
to ``~/.config`` like Go's ``os.UserConfigDir`` on Linux) and SSH private keys
(``SOPS_AGE_SSH_PRIVATE_KEY_FILE``, else ``~/.ssh/id_ed25519`` and ``~/.ssh/id_rsa``).
All sources are combined. Lines starting with ``#`` are comments, as in age key files.

Identities are secret: they are kept only in memory and never shown in errors or reprs.
Passphrase-protected identity files and age plugins are not supported.
"""

# ruff: noqa: PTH111, PTH113, PTH118
# (os.path on purpose: importing pathlib costs start-up time, see _default_keys_path)

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TypeAlias

from sealbox.sops.keys.base import CouldNotDecryptKeyError

if TYPE_CHECKING:
    from pathlib import Path

    import pyrage.ssh
    import pyrage.x25519

    Identity: TypeAlias = pyrage.x25519.Identity | pyrage.ssh.Identity

_SECRET_KEY_PREFIX = "AGE-SECRET-KEY-"


def default_keys_file() -> Path:
    """``$XDG_CONFIG_HOME/sops/age/keys.txt``, or ``~/.config/sops/age/keys.txt``."""
    from pathlib import Path

    return Path(_default_keys_path())


def _default_keys_path() -> str:
    """``default_keys_file`` as a string: decrypting looks it up every time, and importing
    ``pathlib`` (with ``urllib.parse``, ``fnmatch``, ...) would cost about 3 ms of start-up."""
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(
        os.path.expanduser("~"), ".config"
    )
    return os.path.join(config_home, "sops", "age", "keys.txt")


def parse_identities(text: str, source: str) -> list[Identity]:
    """Parse age secret keys, one per line (or whitespace separated), ignoring comments."""
    import pyrage.x25519

    identities: list[Identity] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for word in stripped.split():
            if not word.upper().startswith(_SECRET_KEY_PREFIX):
                raise CouldNotDecryptKeyError(f"{source}: unsupported age identity format")
            try:
                identities.append(pyrage.x25519.Identity.from_str(word))
            except pyrage.IdentityError as err:
                # The message of the underlying error may echo the key: keep it out.
                raise CouldNotDecryptKeyError(f"{source}: malformed age secret key") from err
    return identities


def _read(path: str, source: str) -> str:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except OSError as err:
        raise CouldNotDecryptKeyError(
            f"failed to open age identity file {source} ({err.strerror})"
        ) from err


def _from_command(command: str, recipient: str) -> str:
    import shlex
    import subprocess

    env = {**os.environ, "SOPS_AGE_RECIPIENT": recipient}
    try:
        result = subprocess.run(
            shlex.split(command), env=env, capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.SubprocessError) as err:
        raise CouldNotDecryptKeyError(f"failed to run SOPS_AGE_KEY_CMD ({err})") from err
    if result.returncode != 0:
        raise CouldNotDecryptKeyError(f"SOPS_AGE_KEY_CMD exited with code {result.returncode}")
    return result.stdout.decode("utf-8", errors="replace")


def _ssh_identities() -> list[Identity]:
    import pyrage.ssh

    explicit = os.environ.get("SOPS_AGE_SSH_PRIVATE_KEY_FILE")
    if explicit:
        candidates = [explicit]
    else:
        ssh_dir = os.path.join(os.path.expanduser("~"), ".ssh")
        candidates = [os.path.join(ssh_dir, "id_ed25519"), os.path.join(ssh_dir, "id_rsa")]
    identities: list[Identity] = []
    for path in candidates:
        if not os.path.isfile(path):
            if explicit:
                raise CouldNotDecryptKeyError(f"SSH key file {path} does not exist")
            continue
        try:
            with open(path, "rb") as file:
                identities.append(pyrage.ssh.Identity.from_buffer(file.read()))
        except (OSError, pyrage.IdentityError) as err:
            if explicit:
                raise CouldNotDecryptKeyError(f"could not load SSH key {path}") from err
            # compat: Go sops skips default SSH keys it cannot use (e.g. passphrase-protected).
    return identities


def load_identities(recipient: str = "") -> list[Identity]:
    """Gather every configured age identity; raise CouldNotDecryptKeyError if there is none."""
    identities: list[Identity] = []
    key = os.environ.get("SOPS_AGE_KEY")
    if key:
        identities += parse_identities(key, "SOPS_AGE_KEY")
    key_file = os.environ.get("SOPS_AGE_KEY_FILE")
    if key_file:
        identities += parse_identities(_read(key_file, key_file), key_file)
    key_command = os.environ.get("SOPS_AGE_KEY_CMD")
    if key_command:
        identities += parse_identities(_from_command(key_command, recipient), "SOPS_AGE_KEY_CMD")
    default = _default_keys_path()
    if os.path.isfile(default):
        identities += parse_identities(_read(default, default), default)
    identities += _ssh_identities()
    if not identities:
        raise CouldNotDecryptKeyError(
            f"no age identity found: set SOPS_AGE_KEY or SOPS_AGE_KEY_FILE, or create {default}"
        )
    return identities
