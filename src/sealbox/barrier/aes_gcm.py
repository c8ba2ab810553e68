"""The AES-256-GCM record format of OpenBao's barrier (vault/barrier_aes_gcm.go).

A record is::

    term (4 bytes, big-endian) | version (1 byte) | nonce (12 bytes) | ciphertext + tag (16)

Version 2 binds the storage path as associated data, so a record copied to another path no
longer authenticates. Version 1 (no associated data) is what very old Vault wrote; we never
write it and refuse to read it, because accepting it would let anyone with storage access
move values between paths. Any failure is an ``IntegrityError`` whose message says nothing
about the key or the data; the cryptography library's ``InvalidTag`` is kept as the cause.

Nonces are 96 random bits from ``secrets``; at 2^32 encryptions per key the collision risk
reaches NIST's bound, which is why the barrier counts encryptions per term (key-status) and
why operators rotate.
"""

from __future__ import annotations

import secrets
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sealbox.errors import IntegrityError

KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
VERSION_PATH_AAD = 2
_HEADER = struct.Struct(">IB")
HEADER_SIZE = _HEADER.size
MIN_RECORD_SIZE = HEADER_SIZE + NONCE_SIZE + TAG_SIZE


def new_key() -> bytes:
    """A fresh random AES-256 key."""
    return secrets.token_bytes(KEY_SIZE)


def new_aead(key: bytes) -> AESGCM:
    """An AES-256-GCM cipher for ``key``; anything but 32 bytes is refused."""
    if len(key) != KEY_SIZE:
        raise ValueError("an AES-256 key must be 32 bytes")
    return AESGCM(key)


def encrypt(aead: AESGCM, term: int, path: str, plaintext: bytes) -> bytes:
    """Seal ``plaintext`` for ``path`` as a version-2 record of ``term``."""
    nonce = secrets.token_bytes(NONCE_SIZE)
    header = _HEADER.pack(term, VERSION_PATH_AAD)
    return header + nonce + aead.encrypt(nonce, plaintext, path.encode("utf-8"))


def record_term(record: bytes) -> int:
    """The key term a record was written with; malformed records are refused."""
    if len(record) < MIN_RECORD_SIZE:
        raise IntegrityError
    term, version = _HEADER.unpack_from(record)
    if version != VERSION_PATH_AAD:
        raise IntegrityError
    return int(term)


def decrypt(aead: AESGCM, record: bytes, path: str) -> bytes:
    """Open a record written for ``path`` (call ``record_term`` first to pick ``aead``)."""
    record_term(record)
    nonce = record[HEADER_SIZE : HEADER_SIZE + NONCE_SIZE]
    try:
        return aead.decrypt(nonce, record[HEADER_SIZE + NONCE_SIZE :], path.encode("utf-8"))
    except InvalidTag as err:
        raise IntegrityError from err
