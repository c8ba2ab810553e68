"""Where the client finds its address, token and TLS settings.

Resolution order follows Vault's CLI so that scripts written for Vault keep working:
``SEALBOX_*`` variables first, then the ``VAULT_*`` ones, then the token file
``~/.sealbox-token`` (written by ``sealbox login``). The default address is
``https://127.0.0.1:8200`` like Vault's; the dev server prints an ``export`` line with http.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sealbox.goformat import GO_TRUE

DEFAULT_ADDRESS = "https://127.0.0.1:8200"
TOKEN_FILE_NAME = ".sealbox-token"


def env_value(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """Return ``SEALBOX_<name>`` or, failing that, ``VAULT_<name>`` (empty counts as unset)."""
    source = os.environ if env is None else env
    for prefix in ("SEALBOX_", "VAULT_"):
        value = source.get(prefix + name)
        if value:
            return value
    return None


def parse_bool(value: str | None) -> bool:
    """A boolean environment value as Vault's CLI reads it (Go's strconv.ParseBool)."""
    return value is not None and value.strip() in GO_TRUE


def token_file_path() -> Path:
    """The token file ``sealbox login`` writes: ``~/.sealbox-token``."""
    return Path.home() / TOKEN_FILE_NAME


def read_token_file(path: Path | None = None) -> str | None:
    """The stored token, or None when there is no (non-empty) token file."""
    target = token_file_path() if path is None else path
    try:
        text = target.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return None
    return text or None


def write_token_file(token: str, path: Path | None = None) -> Path:
    """Store ``token`` with mode 0600, replacing any earlier token atomically."""
    target = token_file_path() if path is None else path
    tmp = target.with_name(target.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, token.encode("utf-8"))
    finally:
        os.close(fd)
    tmp.chmod(0o600)
    tmp.replace(target)
    return target


def erase_token_file(path: Path | None = None) -> None:
    """Remove the stored token if there is one."""
    target = token_file_path() if path is None else path
    target.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Connection settings resolved from the environment (explicit flags override them)."""

    address: str = DEFAULT_ADDRESS
    token: str | None = None
    namespace: str | None = None
    ca_cert: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    skip_verify: bool = False
    timeout: float = 60.0

    def __repr__(self) -> str:
        token = "***" if self.token else None
        return f"ClientConfig(address={self.address!r}, token={token!r})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ClientConfig:
        """Resolve every setting from ``env`` (default: the process environment)."""
        token = env_value("TOKEN", env)
        if token is None:
            token = read_token_file()
        timeout_raw = env_value("CLIENT_TIMEOUT", env)
        timeout = 60.0
        if timeout_raw:
            try:
                timeout = float(timeout_raw.rstrip("s"))
            except ValueError:
                timeout = 60.0
        return cls(
            address=env_value("ADDR", env) or DEFAULT_ADDRESS,
            token=token,
            namespace=env_value("NAMESPACE", env),
            ca_cert=env_value("CACERT", env),
            client_cert=env_value("CLIENT_CERT", env),
            client_key=env_value("CLIENT_KEY", env),
            skip_verify=parse_bool(env_value("SKIP_VERIFY", env)),
            timeout=timeout,
        )
