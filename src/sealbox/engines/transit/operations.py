"""Encrypt and decrypt one value with a policy: version checks, envelope, key-type dispatch.

Mirrors keysutil ``EncryptWithFactory`` and ``DecryptWithFactory`` (their checks, order and
messages). Input and output are the wire strings: base64 plaintext in, ``vault:v<N>:...`` out.
Every failure raises ``InvalidRequest`` (the caller's fault) or ``InternalError``.
"""

from __future__ import annotations

from collections.abc import Callable

from sealbox.engines.transit import asymmetric, ciphertext, symmetric
from sealbox.engines.transit.common import b64decode, b64encode
from sealbox.engines.transit.policy import Policy
from sealbox.errors import InvalidRequest, SealboxError

TOO_OLD = "ciphertext or signature version is disallowed by policy (too old)"


def resolve_encrypt_version(policy: Policy, version: int) -> int:
    if version == 0:
        return policy.latest_version
    if version < 0:
        raise InvalidRequest("requested version for encryption is negative")
    if version > policy.latest_version:
        raise InvalidRequest(
            "requested version for encryption is higher than the latest key version"
        )
    if version < policy.min_encryption_version:
        raise InvalidRequest(
            "requested version for encryption is less than the minimum encryption key version"
        )
    return version


def encrypt_value(
    policy: Policy,
    version: int,
    context: bytes,
    plaintext_b64: str,
    associated_data: bytes | None = None,
    nonce: bytes | None = None,
) -> tuple[str, int]:
    """(``vault:v<N>:...``, N) for one base64 plaintext (``nonce``: see symmetric.encrypt)."""
    if policy.soft_deleted:
        raise InvalidRequest("refusing to use soft-deleted key")
    if not policy.type.supports_encryption:
        raise InvalidRequest(
            f"message encryption not supported for key type {policy.type.wire_name}"
        )
    try:
        plaintext = b64decode(plaintext_b64)
    except ValueError as err:
        raise InvalidRequest(str(err)) from err
    version = resolve_encrypt_version(policy, version)
    if policy.type.symmetric:
        raw = symmetric.encrypt(policy, version, plaintext, context, associated_data, nonce)
    else:
        entry = policy.entry(version)
        if entry is None:
            raise InvalidRequest("no such key version")
        raw = asymmetric.rsa_encrypt(entry, plaintext)
    return policy.version_prefix(version) + b64encode(raw), version


def latest_plain_encryptor(policy: Policy) -> tuple[Callable[[str, bytes], str], int] | None:
    """(encrypt, version) for batch items that name no version, context or associated data,
    when the key is a plain (not derived, not convergent) symmetric one: the checks
    ``encrypt_value`` makes for every item are made here once, so each item costs only its
    base64 and its AEAD call. None when the key needs ``encrypt_value``'s general path.
    ``encrypt(plaintext_b64, nonce)`` raises InvalidRequest on bad base64, as that path does."""
    kind = policy.type
    if policy.soft_deleted or not kind.supports_encryption or not kind.symmetric:
        return None
    if policy.derived or policy.convergent_encryption:
        return None
    try:
        version = resolve_encrypt_version(policy, 0)
        aead = symmetric.plain_aead(policy, version)
    except SealboxError:
        return None
    prefix = policy.version_prefix(version)

    def encrypt(plaintext_b64: str, nonce: bytes) -> str:
        try:
            plaintext = b64decode(plaintext_b64)
        except ValueError as err:
            raise InvalidRequest(str(err)) from err
        return prefix + b64encode(nonce + aead.encrypt(nonce, plaintext, None))

    return encrypt, version


def decrypt_value(
    policy: Policy, context: bytes, value: str, associated_data: bytes | None = None
) -> str:
    """The base64 plaintext of one ``vault:v<N>:...`` ciphertext."""
    if policy.soft_deleted:
        raise InvalidRequest("refusing to use soft-deleted key")
    if not policy.type.supports_decryption:
        raise InvalidRequest(
            f"message decryption not supported for key type {policy.type.wire_name}"
        )
    version, raw = _sealed(policy, value)
    if policy.type.symmetric:
        plain = symmetric.decrypt(policy, version, raw, context, associated_data)
    else:
        entry = policy.entry(version)
        if entry is None:
            raise InvalidRequest("no such key version")
        plain = asymmetric.rsa_decrypt(entry, raw)
    return b64encode(plain)


def plain_decryptor(policy: Policy) -> Callable[[str], str] | None:
    """``decrypt_value`` for batch items without context or associated data under a plain
    (not derived, not convergent) symmetric key, its per-key checks made once; else None."""
    kind = policy.type
    if policy.soft_deleted or not kind.supports_decryption or not kind.symmetric:
        return None
    if policy.derived or policy.convergent_encryption:
        return None

    def decrypt(value: str) -> str:
        version, raw = _sealed(policy, value)
        aead = symmetric.plain_aead(policy, version)
        return b64encode(symmetric.open_sealed(policy, aead, raw, None))

    return decrypt


def _sealed(policy: Policy, value: str) -> tuple[int, bytes]:
    """(version, nonce || sealed bytes) of a ciphertext, after decrypt's version checks."""
    version, payload = ciphertext.split(policy, value)
    version = version or 1  # compat: version 0 is the pre-0.3 numbering of version 1
    if version > policy.latest_version:
        raise InvalidRequest("invalid ciphertext: version is too new")
    if policy.min_decryption_version > 0 and version < policy.min_decryption_version:
        raise InvalidRequest(TOO_OLD)
    try:
        return version, b64decode(payload)
    except ValueError as err:
        raise InvalidRequest("invalid ciphertext: could not decode base64") from err
