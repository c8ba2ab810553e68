"""AEAD encryption with transit keys: plain, derived (HKDF-SHA256) and convergent.

Mirrors keysutil ``EncryptWithFactory``, ``DecryptWithFactory``, ``DeriveKey`` and
``Symmetric{Encrypt,Decrypt}Raw`` byte for byte, so ciphertexts made by OpenBao with the same
key decrypt here and the other way round:

- ciphertext = nonce || AEAD-seal(plaintext, associated_data); 12-byte nonces;
- a derived key is HKDF-SHA256(key, salt=nil, info=context) read to the key length (plus 32
  bytes for the HMAC key in convergent mode);
- convergent (version 3): nonce = HMAC-SHA256(derived hmac key, plaintext)[:12], so the same
  plaintext and context give the same ciphertext.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sealbox.engines.transit.keytypes import KeyType
from sealbox.engines.transit.policy import (
    CURRENT_CONVERGENT_VERSION,
    KDF_HKDF_SHA256,
    Policy,
)
from sealbox.errors import InternalError, InvalidRequest

NONCE_SIZE = 12
_MISSING_CONTEXT = (
    "missing 'context' for key derivation; the key was created using a derived key, which "
    "means additional, per-request information must be included in order to perform "
    "operations with the key"
)
AEAD = AESGCM | ChaCha20Poly1305


def derive(policy: Policy, context: bytes, version: int, size: int) -> bytes:
    """keysutil ``DeriveKey`` for HKDF policies (the only KDF new keys use)."""
    if not policy.type.supports_derivation:
        raise InvalidRequest(f"derivation not supported for key type {policy.type.wire_name}")
    if version <= 0 or version > policy.latest_version:
        raise InvalidRequest("invalid key version")
    if not context:
        raise InvalidRequest(_MISSING_CONTEXT)
    entry = policy.entry(version)
    if entry is None or entry.key is None:
        raise InvalidRequest("no such key version")
    if policy.kdf != KDF_HKDF_SHA256:
        raise InvalidRequest("unsupported key derivation mode")
    return HKDF(hashes.SHA256(), size, None, context).derive(entry.key)


def _aead(kind: KeyType, key: bytes) -> AEAD:
    if kind is KeyType.CHACHA20_POLY1305:
        return ChaCha20Poly1305(key)
    return AESGCM(key)


def plain_aead(policy: Policy, version: int) -> AEAD:
    """The cached cipher of a non-derived version."""
    cached = policy.cache.get(("aead", version))
    if cached is None:
        entry = policy.entry(version)
        if entry is None or entry.key is None:
            raise InvalidRequest("no such key version")
        cached = _aead(policy.type, entry.key)
        policy.cache[("aead", version)] = cached
    return cached


def check_symmetric(policy: Policy) -> None:
    if policy.soft_deleted:
        raise InvalidRequest("refusing to use soft-deleted key")


def encrypt(
    policy: Policy,
    version: int,
    plaintext: bytes,
    context: bytes,
    associated_data: bytes | None,
    nonce: bytes | None = None,
) -> bytes:
    """Raw ciphertext (nonce || sealed) of ``plaintext`` under ``version``.

    ``nonce`` is fresh randomness the caller drew for this one value (a batch draws all of
    its nonces in one ``os.urandom`` call); convergent encryption derives its own instead.
    """
    size = policy.type.aead_key_size
    scheme = policy.entry_convergent_version(version)
    convergent = policy.convergent_encryption
    if convergent and 0 < scheme < CURRENT_CONVERGENT_VERSION:
        raise InvalidRequest(
            f"refusing to support decryption with old convergent encryption key: version {scheme}"
        )
    if not policy.derived:
        if convergent:
            raise InternalError("could not derive key, length too small")
        aead = plain_aead(policy, version)
        nonce = nonce or os.urandom(NONCE_SIZE)
        return nonce + aead.encrypt(nonce, plaintext, associated_data)
    material = derive(policy, context, version, size + (32 if convergent else 0))
    aead = _aead(policy.type, material[:size])
    if convergent:
        digest = hmac.new(material[size:], plaintext, hashlib.sha256).digest()
        nonce = digest[:NONCE_SIZE]
    else:
        nonce = nonce or os.urandom(NONCE_SIZE)
    return nonce + aead.encrypt(nonce, plaintext, associated_data)


def decrypt(
    policy: Policy, version: int, raw: bytes, context: bytes, associated_data: bytes | None
) -> bytes:
    """Open ``raw`` (nonce || sealed) made with ``version``; a bad tag is a 400."""
    if policy.convergent_encryption:
        scheme = policy.convergent_version
        if 0 < scheme < CURRENT_CONVERGENT_VERSION:
            raise InvalidRequest(
                "refusing to support decryption with old convergent encryption key: "
                f"version {scheme}"
            )
    if policy.derived:
        aead = _aead(policy.type, derive(policy, context, version, policy.type.aead_key_size))
    else:
        aead = plain_aead(policy, version)
    return open_sealed(policy, aead, raw, associated_data)


def open_sealed(policy: Policy, aead: AEAD, raw: bytes, associated_data: bytes | None) -> bytes:
    """Open ``raw`` (nonce || sealed) with ``aead``; too short or a bad tag is a 400."""
    if len(raw) < NONCE_SIZE:
        raise InvalidRequest("invalid ciphertext length")
    try:
        return aead.decrypt(raw[:NONCE_SIZE], raw[NONCE_SIZE:], associated_data)
    except InvalidTag as err:
        # compat: Go's cipher error texts, which Vault returns as user errors
        prefix = "chacha20poly1305" if policy.type is KeyType.CHACHA20_POLY1305 else "cipher"
        raise InvalidRequest(f"{prefix}: message authentication failed") from err
