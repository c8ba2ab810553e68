"""The contract of an auto-unseal seal: something outside this server that wraps the root key.

A seal encrypts the root key at ``sys/init`` (and on migration) and decrypts it at every
start, so the server unseals itself with no operator. Two implementations exist: ``static``
(a 32-byte key from the configuration, a file or the environment, as OpenBao's static seal)
and ``transit`` (another sealbox's or Vault's Transit key). The wrapped form is a small JSON
document of strings whose layout each seal chooses; it is stored outside the barrier.

Failures raise ``SealUnavailable`` when the seal could not be asked (network, TLS, upstream
5xx) and ``SealDecryptError`` when it answered but refused the blob (wrong or deleted key):
the server stays sealed and keeps retrying in the first case and says so in both.
"""

from __future__ import annotations

from typing import Protocol

from sealbox.errors import SealboxError


class SealUnavailable(SealboxError):
    """The seal could not be reached or did not answer properly."""

    status = 503
    default_message = "the auto-unseal seal is unavailable"


class SealDecryptError(SealboxError):
    """The seal refused to decrypt (wrong key, key deleted, blob tampered)."""

    status = 500
    default_message = "the auto-unseal seal could not decrypt the root key"


Blob = dict[str, str]


class AutoSeal(Protocol):
    """A key service that wraps and unwraps the root key."""

    #: The seal type as ``seal-status`` reports it ("transit", "static").
    seal_type: str

    async def encrypt(self, plaintext: bytes, aad: bytes) -> Blob:
        """Wrap ``plaintext``; ``aad`` binds it to its purpose (e.g. the storage path)."""
        ...

    async def decrypt(self, blob: Blob, aad: bytes) -> bytes:
        """Unwrap what ``encrypt`` returned for the same ``aad``."""
        ...

    async def renew(self) -> bool:
        """Periodic upkeep while the server runs (the Transit seal renews its token);
        whether there was anything to renew."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
