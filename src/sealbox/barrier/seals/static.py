"""The static-key seal: AES-256-GCM under a 32-byte key given in the server configuration.

Mirrors OpenBao's ``seal "static"`` (docs: configuration/seal/static): ``current_key_id`` and
``current_key`` (plus optional ``previous_key_id``/``previous_key`` for rotation). A key is
given as ``env://NAME`` (the variable holds base64 or hex), ``file:///path`` (32 raw bytes, or
base64/hex text) or inline base64/hex. The wrapped blob names the key id it was made with, so
after a rotation the previous key still opens old blobs. Key material never appears in errors.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sealbox.barrier.seals.base import Blob, SealDecryptError
from sealbox.errors import InvalidRequest

SEAL_TYPE = "static"
_KEY_SIZE = 32
_NONCE_SIZE = 12


class StaticKeyError(InvalidRequest):
    """A static seal key that cannot be loaded (the message names the source, never the key)."""


def _decode_text(text: str, where: str) -> bytes:
    text = text.strip()
    candidates: list[bytes] = []
    with contextlib.suppress(ValueError):
        candidates.append(bytes.fromhex(text))
    with contextlib.suppress(binascii.Error, ValueError):
        candidates.append(base64.b64decode(text, validate=True))
    for candidate in candidates:
        if len(candidate) == _KEY_SIZE:
            return candidate
    raise StaticKeyError(f"static seal key from {where} is not 32 bytes of base64 or hex")


def load_key(spec: str) -> bytes:
    """The 32 key bytes ``spec`` points at (env://, file:// or inline)."""
    if spec.startswith("env://"):
        name = spec.removeprefix("env://")
        value = os.environ.get(name)
        if not value:
            raise StaticKeyError(f"static seal key: environment variable {name} is not set")
        return _decode_text(value, f"environment variable {name}")
    if spec.startswith("file://"):
        path = Path(spec.removeprefix("file://"))
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise StaticKeyError(f"static seal key file {path} cannot be read") from err
        if len(raw) == _KEY_SIZE:
            return raw
        return _decode_text(raw.decode("ascii", errors="replace"), f"file {path}")
    return _decode_text(spec, "the configuration")


class StaticSeal:
    """Wraps with the current key; unwraps with the current or the previous one."""

    seal_type = SEAL_TYPE

    def __init__(
        self,
        current_key_id: str,
        current_key: bytes,
        previous_key_id: str = "",
        previous_key: bytes | None = None,
    ) -> None:
        if not current_key_id:
            raise StaticKeyError("static seal: current_key_id is required")
        if len(current_key) != _KEY_SIZE or (
            previous_key is not None and len(previous_key) != _KEY_SIZE
        ):
            raise StaticKeyError("static seal keys must be 32 bytes")
        self.key_id = current_key_id
        self._keys = {current_key_id: AESGCM(current_key)}
        if previous_key_id and previous_key is not None:
            self._keys[previous_key_id] = AESGCM(previous_key)

    def __repr__(self) -> str:
        return f"StaticSeal(key_id={self.key_id!r})"

    async def encrypt(self, plaintext: bytes, aad: bytes) -> Blob:
        nonce = secrets.token_bytes(_NONCE_SIZE)
        sealed = self._keys[self.key_id].encrypt(nonce, plaintext, aad)
        return {
            "key_id": self.key_id,
            "ciphertext": base64.b64encode(nonce + sealed).decode("ascii"),
        }

    async def decrypt(self, blob: Blob, aad: bytes) -> bytes:
        key = self._keys.get(blob.get("key_id", ""))
        if key is None:
            raise SealDecryptError("the root key was wrapped with a static key id not configured")
        try:
            raw = base64.b64decode(blob.get("ciphertext", ""), validate=True)
            return key.decrypt(raw[:_NONCE_SIZE], raw[_NONCE_SIZE:], aad)
        except (InvalidTag, ValueError, binascii.Error) as err:
            raise SealDecryptError("the static seal key does not open the root key") from err

    async def renew(self) -> bool:
        """Nothing to renew."""
        return False

    async def aclose(self) -> None:
        """Nothing to release."""
