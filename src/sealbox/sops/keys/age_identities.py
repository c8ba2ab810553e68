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

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from sealbox.sops.keys.base import CouldNotDecryptKeyError

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pyrage.ssh
    import pyrage.x25519

    Identity: TypeAlias = pyrage.x25519.Identity | pyrage.ssh.Identity

_SECRET_KEY_PREFIX = "AGE-SECRET-KEY-"


def default_keys_file() -> Path:
    """``$XDG_CONFIG_HOME/sops/age/keys.txt``, or ``~/.config/sops/age/keys.txt``."""
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "sops" / "age" / "keys.txt"


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


def _read(path: Path, source: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise CouldNotDecryptKeyError(
            f"failed to open age identity file {source} ({err.strerror})"
        ) from err


def _from_command(command: str, recipient: str) -> str:
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
        candidates: Iterable[Path] = [Path(explicit)]
    else:
        ssh_dir = Path.home() / ".ssh"
        candidates = [ssh_dir / "id_ed25519", ssh_dir / "id_rsa"]
    identities: list[Identity] = []
    for path in candidates:
        if not path.is_file():
            if explicit:
                raise CouldNotDecryptKeyError(f"SSH key file {path} does not exist")
            continue
        try:
            identities.append(pyrage.ssh.Identity.from_buffer(path.read_bytes()))
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
        identities += parse_identities(_read(Path(key_file), key_file), key_file)
    key_command = os.environ.get("SOPS_AGE_KEY_CMD")
    if key_command:
        identities += parse_identities(_from_command(key_command, recipient), "SOPS_AGE_KEY_CMD")
    default = default_keys_file()
    if default.is_file():
        identities += parse_identities(_read(default, str(default)), str(default))
    identities += _ssh_identities()
    if not identities:
        raise CouldNotDecryptKeyError(
            f"no age identity found: set SOPS_AGE_KEY or SOPS_AGE_KEY_FILE, or create {default}"
        )
    return identities
