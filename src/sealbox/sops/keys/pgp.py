"""PGP master keys: the data key encrypted to a fingerprint through the ``gpg`` binary.

Mirrors getsops/sops ``pgp/keysource.go`` (its GnuPG path): the entry is ``{created_at, enc,
fp}``, ``enc`` is an ASCII-armored OpenPGP message of the raw data key or Shamir share.
Encryption runs ``gpg --no-default-recipient --yes --encrypt -a -r FP --trusted-key <last 16>
--no-encrypt-to`` and decryption ``gpg -d``, with ``SOPS_GPG_EXEC`` naming another binary and
``GNUPGHOME`` inherited. Key material only ever travels over stdin/stdout pipes, never in the
arguments of the process.
"""

from __future__ import annotations

import os
import subprocess
from typing import Any, ClassVar, Self

from sealbox.sops.keys.base import (
    CouldNotDecryptKeyError,
    CouldNotEncryptKeyError,
    created_at,
    now_rfc3339,
    require_str,
)
from sealbox.sops.record import Record

_ENCRYPT_TIMEOUT_SECONDS = 120


def gpg_binary() -> str:
    """``$SOPS_GPG_EXEC`` or ``gpg``, as Go sops picks it."""
    return os.environ.get("SOPS_GPG_EXEC") or "gpg"


def _gpg_reason(stderr: bytes) -> str:
    """The last non-empty line gpg printed: its diagnosis, which never holds the plaintext."""
    lines = [line.strip() for line in stderr.decode("utf-8", errors="replace").splitlines()]
    meaningful = [line for line in lines if line]
    return meaningful[-1] if meaningful else "no diagnostic"


def _run_gpg(
    args: list[str], data: bytes, timeout: float | None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [gpg_binary(), *args], input=data, capture_output=True, check=False, timeout=timeout
    )


class PgpKey(Record):
    """One PGP key by fingerprint and, once encrypted, the armored data key.

    A plain class rather than a dataclass: see ``sealbox.sops.record``.
    """

    metadata_key: ClassVar[str] = "pgp"
    _fields = ("fp", "created_at", "enc")
    _hidden = frozenset({"enc"})

    def __init__(self, fp: str, created_at: str | None = None, enc: str = "") -> None:
        self.fp = fp
        self.created_at = now_rfc3339() if created_at is None else created_at
        self.enc = enc

    @classmethod
    def from_fingerprint(cls, fingerprint: str) -> Self:
        """A new key; spaces are removed from the fingerprint like Go sops does."""
        return cls(fp=fingerprint.replace(" ", "").strip())

    @classmethod
    def from_metadata(cls, entry: dict[str, Any]) -> Self:
        """Load ``{created_at, enc, fp}`` from the ``sops`` section."""
        return cls(
            fp=require_str(entry, "fp", "pgp"),
            created_at=created_at(entry, "pgp"),
            enc=require_str(entry, "enc", "pgp"),
        )

    @property
    def identifier(self) -> str:
        """The fingerprint, as Go sops's ``ToString``."""
        return self.fp

    def encrypt(self, data_key: bytes) -> None:
        """Encrypt ``data_key`` to the fingerprint with gpg (data key on stdin)."""
        args = ["--batch", "--no-default-recipient", "--yes", "--encrypt", "-a", "-r", self.fp]
        args += ["--trusted-key", self.fp[-16:], "--no-encrypt-to"]
        try:
            result = _run_gpg(args, data_key, _ENCRYPT_TIMEOUT_SECONDS)
        except (OSError, subprocess.SubprocessError) as err:
            raise CouldNotEncryptKeyError(
                f"could not encrypt data key with PGP key {self.fp}: cannot run {gpg_binary()}"
            ) from err
        if result.returncode != 0 or not result.stdout:
            raise CouldNotEncryptKeyError(
                f"could not encrypt data key with PGP key {self.fp}: {_gpg_reason(result.stderr)}"
            )
        # compat: Go sops trims gpg's output, so its files carry no trailing newline (`|-`).
        self.enc = result.stdout.decode("ascii", errors="replace").strip()

    def decrypt(self) -> bytes:
        """Decrypt ``enc`` with gpg; the secret key must be in the keyring (or the agent)."""
        try:
            # No timeout: gpg-agent may be waiting for the user to type a passphrase.
            result = _run_gpg(["--batch", "--quiet", "--decrypt"], self.enc.encode(), None)
        except (OSError, subprocess.SubprocessError) as err:
            raise CouldNotDecryptKeyError(
                f"could not decrypt data key with PGP key {self.fp}: cannot run {gpg_binary()}"
            ) from err
        if result.returncode != 0:
            raise CouldNotDecryptKeyError(
                f"could not decrypt data key with PGP key {self.fp}: {_gpg_reason(result.stderr)}"
            )
        return result.stdout

    def to_metadata(self) -> dict[str, Any]:
        """``{created_at, enc, fp}`` in the order Go sops writes them."""
        return {"created_at": self.created_at, "enc": self.enc, "fp": self.fp}
