"""Transit key types: Vault's names, its stored integer codes, and what each type can do.

Mirrors openbao sdk/helper/keysutil/policy.go (``KeyType`` and its ``*Supported`` methods).
The integer codes are the ``type`` values of Vault's stored policy JSON, so a backup taken
from OpenBao restores here and the other way round; never renumber them.
"""

from __future__ import annotations

from enum import IntEnum


class KeyType(IntEnum):
    """One transit key type; the value is Vault's ``KeyType`` constant."""

    AES256_GCM96 = 0
    ECDSA_P256 = 1
    ED25519 = 2
    RSA2048 = 3
    RSA4096 = 4
    CHACHA20_POLY1305 = 5
    ECDSA_P384 = 6
    ECDSA_P521 = 7
    AES128_GCM96 = 8
    RSA3072 = 9
    HMAC = 10
    XCHACHA20_POLY1305 = 11

    @property
    def wire_name(self) -> str:
        """The name clients send and read back ("aes256-gcm96")."""
        return _NAMES[self]

    @classmethod
    def from_name(cls, name: str) -> KeyType | None:
        """The type called ``name``, or None."""
        return _BY_NAME.get(name)

    @property
    def symmetric(self) -> bool:
        """AEAD types, whose key bytes encrypt directly."""
        return self in _AEAD

    @property
    def rsa(self) -> bool:
        return self in _RSA_BITS

    @property
    def ecdsa(self) -> bool:
        return self in _CURVE_NAMES

    @property
    def supports_encryption(self) -> bool:
        return self in _AEAD or self in _RSA_BITS

    @property
    def supports_decryption(self) -> bool:
        return self.supports_encryption

    @property
    def supports_signing(self) -> bool:
        return self in _CURVE_NAMES or self is KeyType.ED25519 or self in _RSA_BITS

    @property
    def supports_derivation(self) -> bool:
        return self in _AEAD or self is KeyType.ED25519

    @property
    def hashes_signature_input(self) -> bool:
        """ECDSA and RSA sign a digest; ed25519 signs the message itself."""
        return self in _CURVE_NAMES or self in _RSA_BITS

    @property
    def associated_data_supported(self) -> bool:
        return self in _AEAD

    @property
    def aead_key_size(self) -> int:
        """Key bytes of an AEAD type (16 for AES-128, else 32)."""
        return 16 if self is KeyType.AES128_GCM96 else 32

    @property
    def rsa_bits(self) -> int:
        return _RSA_BITS[self]

    @property
    def curve_name(self) -> str:
        """Go's curve name as Vault reports it in a key read ("P-256")."""
        return _CURVE_NAMES[self]


_NAMES = {
    KeyType.AES128_GCM96: "aes128-gcm96",
    KeyType.AES256_GCM96: "aes256-gcm96",
    KeyType.CHACHA20_POLY1305: "chacha20-poly1305",
    KeyType.XCHACHA20_POLY1305: "xchacha20-poly1305",
    KeyType.ECDSA_P256: "ecdsa-p256",
    KeyType.ECDSA_P384: "ecdsa-p384",
    KeyType.ECDSA_P521: "ecdsa-p521",
    KeyType.ED25519: "ed25519",
    KeyType.RSA2048: "rsa-2048",
    KeyType.RSA3072: "rsa-3072",
    KeyType.RSA4096: "rsa-4096",
    KeyType.HMAC: "hmac",
}
_BY_NAME = {name: kind for kind, name in _NAMES.items()}
_AEAD = frozenset(
    {
        KeyType.AES128_GCM96,
        KeyType.AES256_GCM96,
        KeyType.CHACHA20_POLY1305,
        KeyType.XCHACHA20_POLY1305,
    }
)
_RSA_BITS = {KeyType.RSA2048: 2048, KeyType.RSA3072: 3072, KeyType.RSA4096: 4096}
_CURVE_NAMES = {
    KeyType.ECDSA_P256: "P-256",
    KeyType.ECDSA_P384: "P-384",
    KeyType.ECDSA_P521: "P-521",
}
