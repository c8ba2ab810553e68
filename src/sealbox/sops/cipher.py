"""The AES256_GCM value cipher: ``ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]``.

Mirrors aes/cipher.go: AES-256-GCM with a 32-byte random IV, the key path as associated data,
standard base64 with padding, and the value's type in the envelope. Empty strings are not
encrypted. Like Go sops, the cipher remembers the IV of every value it decrypted (keyed by
associated data and plaintext) and reuses it when the same value is encrypted again at the same
place, so ``edit``/``set`` leave unchanged values byte-identical and diffs stay small.
"""

from __future__ import annotations

import binascii
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sealbox.sops.errors import ValueDecryptError
from sealbox.sops.tree import Value
from sealbox.sops.values import from_bytes, to_bytes, type_name

_ENC = re.compile(r"^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]")
_IV_SIZE = 32
_TAG_SIZE = 16


def is_encrypted(value: object) -> bool:
    """Whether ``value`` looks like an ``ENC[AES256_GCM,…]`` envelope."""
    return isinstance(value, str) and value.startswith("ENC[AES256_GCM,")


class ValueCipher:
    """Encrypts and decrypts single values with one data key."""

    __slots__ = ("_aead", "_stash")

    def __init__(self, data_key: bytes, stash: dict[tuple[str, bytes], bytes] | None = None):
        self._aead = AESGCM(data_key)
        self._stash: dict[tuple[str, bytes], bytes] = {} if stash is None else stash

    def __repr__(self) -> str:
        return "ValueCipher(***)"

    @property
    def stash(self) -> dict[tuple[str, bytes], bytes]:
        """IVs seen while decrypting, for reuse by a cipher with another key (rotate)."""
        return self._stash

    def encrypt(self, value: Value, aad: str) -> str:
        """Encrypt one value; empty strings stay empty (as in Go sops)."""
        if isinstance(value, str | bytes) and not value:
            return ""
        return self.seal(to_bytes(value), type_name(value), aad)

    def seal(self, plaintext: bytes, type_tag: str, aad: str) -> str:
        """Encrypt canonical plaintext bytes (see ``values.to_bytes``) into an envelope."""
        if not plaintext and type_tag == "str":
            return ""
        iv = self._stash.get((aad, plaintext))
        if iv is None:
            iv = os.urandom(_IV_SIZE)
        sealed = self._aead.encrypt(iv, plaintext, aad.encode("utf-8", "surrogateescape"))
        b64 = binascii.b2a_base64
        return (
            f"ENC[AES256_GCM,data:{b64(sealed[:-_TAG_SIZE], newline=False).decode()},"
            f"iv:{b64(iv, newline=False).decode()},"
            f"tag:{b64(sealed[-_TAG_SIZE:], newline=False).decode()},type:{type_tag}]"
        )

    def decrypt(self, envelope: str, aad: str) -> Value:
        """Decrypt one envelope; raises ``ValueDecryptError`` (exit 25) when it cannot."""
        if envelope == "":
            return ""
        match = _ENC.match(envelope)
        if match is None:
            raise ValueDecryptError("Input string does not match sops' data format")
        try:
            data = binascii.a2b_base64(match.group(1), strict_mode=True)
            iv = binascii.a2b_base64(match.group(2), strict_mode=True)
            tag = binascii.a2b_base64(match.group(3), strict_mode=True)
        except (binascii.Error, ValueError) as err:
            raise ValueDecryptError("Error base64-decoding an encrypted value") from err
        if len(tag) != _TAG_SIZE or not 8 <= len(iv) <= 128:
            raise ValueDecryptError("Encrypted value has an invalid IV or tag length")
        associated = aad.encode("utf-8", "surrogateescape")
        try:
            plaintext = self._aead.decrypt(iv, data + tag, associated)
        except InvalidTag as err:
            raise ValueDecryptError("Could not decrypt value: authentication failed") from err
        self._stash[(aad, plaintext)] = iv
        try:
            return from_bytes(plaintext, match.group(4))
        except ValueError as err:
            raise ValueDecryptError("Decrypted value does not match its type") from err
