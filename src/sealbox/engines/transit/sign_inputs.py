"""Parameters and checks shared by ``sign/``, ``verify/`` and ``hmac/``.

Mirrors the input handling of openbao transit path_sign_verify.go and path_hmac.go: the hash
algorithm's three spellings, RSA-PSS salt lengths, batch items, base64 inputs and the
``vault:v<N>:`` signature and HMAC envelopes, with OpenBao's messages.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Any

from sealbox.engines.transit import ciphertext
from sealbox.engines.transit.asymmetric import HASHES, SALT_AUTO, SALT_EQUALS_HASH, SignOptions
from sealbox.engines.transit.common import b64decode, b64encode, batch_items
from sealbox.engines.transit.keytypes import KeyType
from sealbox.engines.transit.operations import TOO_OLD
from sealbox.engines.transit.policy import Policy
from sealbox.errors import InvalidRequest, SealboxError
from sealbox.framework import FieldData
from sealbox.logical import Response

HMAC_HASHES: dict[str, Callable[..., Any]] = {
    "sha1": hashlib.sha1,
    "sha2-224": hashlib.sha224,
    "sha2-256": hashlib.sha256,
    "sha2-384": hashlib.sha384,
    "sha2-512": hashlib.sha512,
    "sha3-224": hashlib.sha3_224,
    "sha3-256": hashlib.sha3_256,
    "sha3-384": hashlib.sha3_384,
    "sha3-512": hashlib.sha3_512,
}


def hash_name(d: FieldData) -> str:
    """The hash from the URL, else ``hash_algorithm``, else ``algorithm`` (sha2-256)."""
    for key in ("urlalgorithm", "hash_algorithm", "algorithm"):
        if key in d.schema and d.get(key):
            return str(d.get(key))
    return "sha2-256"


def salt_length(d: FieldData) -> int:
    """RSA-PSS salt length: Go's PSSSaltLengthAuto (0), EqualsHash (-1) or a number."""
    text = str(d.get("salt_length")).lower()
    if text == "auto":
        return SALT_AUTO
    if text == "hash":
        return SALT_EQUALS_HASH
    try:
        value = int(text)
    except ValueError as err:
        raise InvalidRequest(
            f"salt length neither 'auto', 'hash', nor an int: {d.get('salt_length')}"
        ) from err
    if value < SALT_EQUALS_HASH:
        raise InvalidRequest(f"salt length is invalid: {value}")
    return value


def sign_options(d: FieldData) -> tuple[SignOptions, bool]:
    """(options, prehashed) of a sign or verify request, validated in OpenBao's order."""
    name = hash_name(d)
    if name not in HASHES:
        raise InvalidRequest(f'invalid hash algorithm "{name}"')
    marshaling = d.get("marshaling_algorithm")
    if marshaling not in ("asn1", "jws"):
        raise InvalidRequest(f'invalid marshaling type "{marshaling}"')
    prehashed = bool(d.get("prehashed"))
    opts = SignOptions(name, marshaling, d.get("signature_algorithm"), salt_length(d))
    if name == "none" and (not prehashed or opts.signature_algorithm != "pkcs1v15"):
        raise InvalidRequest(
            "hash_algorithm=none requires both prehashed=true and signature_algorithm=pkcs1v15"
        )
    return opts, prehashed


def signing_digest(policy: Policy, data: bytes, opts: SignOptions, prehashed: bool) -> bytes:
    """What the key signs: the digest for ECDSA/RSA (unless prehashed), else the input."""
    if not policy.type.hashes_signature_input or prehashed:
        return data
    algorithm = HMAC_HASHES.get(opts.hash_name)
    return data if algorithm is None else bytes(algorithm(data).digest())


def batch_or_single(d: FieldData, single: dict[str, str]) -> tuple[list[dict[str, Any]], bool]:
    """(items, batch?) from ``batch_input`` (string members only) or the top level."""
    raw = d.raw.get("batch_input")
    if raw is None:
        return [single], False
    items = batch_items(raw)
    for index, item in enumerate(items):
        for key, value in item.items():
            if value is not None and not isinstance(value, str):
                raise InvalidRequest(
                    f"failed to parse batch input: '[{index}].{key}' expected type 'string'"
                )
    return items, True


def item_input(item: dict[str, Any]) -> bytes:
    """The base64-decoded ``input`` of one item."""
    if "input" not in item:
        raise InvalidRequest("missing input")
    try:
        return b64decode(item.get("input") or "")
    except ValueError as err:
        raise InvalidRequest(f"unable to decode input as base64: {err}") from err


def item_context(item: dict[str, Any]) -> bytes:
    """The base64-decoded ``context`` of one item (b"" when absent)."""
    text = item.get("context") or ""
    if not text:
        return b""
    try:
        return b64decode(text)
    except ValueError as err:
        raise InvalidRequest("failed to base64-decode context") from err


def encode_signature(policy: Policy, version: int, raw: bytes, marshaling: str) -> str:
    """``vault:v<N>:`` plus standard base64 (asn1) or unpadded URL-safe base64 (jws)."""

    body = (
        base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if marshaling == "jws"
        else b64encode(raw)
    )
    return policy.version_prefix(version) + body


def decode_signature(text: str, marshaling: str) -> bytes:
    """The signature bytes of a payload in the given marshaling."""

    try:
        if marshaling == "jws":
            if "=" in text:
                raise ValueError("padding")
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return b64decode(text)
    except (ValueError, binascii.Error) as err:
        raise InvalidRequest("invalid base64 signature value") from err


def finish(
    results: list[dict[str, Any]], errors: list[SealboxError | None], batch: bool
) -> Response:
    """The single answer (its error raised) or ``batch_results`` with per-item errors."""
    if not batch:
        if errors[0] is not None:
            raise errors[0]
        return Response(data={k: v for k, v in results[0].items() if k != "reference"})
    # compat: per-item errors do not change the status of sign/verify/hmac batches
    return Response(data={"batch_results": results})


def verify_kind(items: list[dict[str, Any]], batch: bool) -> str:
    """keysutil's choice between signature and HMAC verification, quirks included."""
    sig = mac = missing = False
    for item in items:
        # compat: an item with a signature is a signature item even if it also has an hmac
        if "signature" in item:
            sig = True
        elif "hmac" in item:
            mac = True
        else:
            missing = True
    if not batch and not sig and not mac:
        raise InvalidRequest("neither a 'signature' nor an 'hmac' were given to verify")
    if sig and mac:
        raise InvalidRequest(
            "elements of batch_input must all provide 'signature' or all provide 'hmac'"
        )
    if missing and sig:
        raise InvalidRequest("some elements of batch_input are missing 'signature'")
    if missing and mac:
        raise InvalidRequest("some elements of batch_input are missing 'hmac'")
    if missing:
        raise InvalidRequest("no batch_input elements have 'signature' or 'hmac'")
    return "hmac" if mac else "signature"


def usable(policy: Policy) -> None:
    """A soft-deleted key refuses every operation."""
    if policy.soft_deleted:
        raise InvalidRequest("refusing to use soft-deleted key")


def sign_version(policy: Policy, version: int) -> int:
    """keysutil ``SignWithOptions`` version rules (0 is the latest)."""
    if version == 0:
        return policy.latest_version
    if version < 0:
        raise InvalidRequest("requested version for signing is negative")
    if version > policy.latest_version:
        raise InvalidRequest("requested version for signing is higher than the latest key version")
    if policy.min_encryption_version > 0 and version < policy.min_encryption_version:
        raise InvalidRequest(
            "requested version for signing is less than the minimum encryption key version"
        )
    return version


def signature_version(policy: Policy, signature: str) -> tuple[int, str]:
    """(version, payload) of a signature, checked against the policy."""
    version, payload = ciphertext.split(policy, signature, "signature")
    if version > policy.latest_version:
        raise InvalidRequest("invalid signature: version is too new")
    if policy.min_decryption_version > 0 and version < policy.min_decryption_version:
        raise InvalidRequest(TOO_OLD)
    return version, payload


def hmac_key(policy: Policy, version: int) -> bytes:
    """keysutil ``HMACKey``: the key itself for HMAC keys, else the version's HMAC key."""
    usable(policy)
    if version < 0:
        raise InvalidRequest("key version does not exist (cannot be negative)")
    if version > policy.latest_version:
        raise InvalidRequest(
            f"key version does not exist; latest key version is {policy.latest_version}"
        )
    entry = policy.entry(version)
    if entry is None:
        raise InvalidRequest("no such key version")
    key = entry.key if policy.type is KeyType.HMAC else entry.hmac_key
    if not key:
        raise InvalidRequest("no HMAC key exists for that key version")
    return key


def hmac_value(policy: Policy, value: str) -> tuple[int, bytes]:
    """(version, bytes) of a ``vault:v<N>:`` HMAC to verify."""
    if not value.startswith("vault:v"):
        raise InvalidRequest("invalid HMAC to verify: no prefix")
    version_text, sep, payload = value[len("vault:v") :].partition(":")
    if not sep:
        raise InvalidRequest("invalid HMAC: wrong number of fields")
    try:
        version = int(version_text)
    except ValueError as err:
        raise InvalidRequest("invalid HMAC: version number could not be decoded") from err
    try:
        expected = b64decode(payload)
    except ValueError as err:
        raise InvalidRequest(f"unable to decode verification HMAC as base64: {err}") from err
    if version > policy.latest_version:
        raise InvalidRequest("invalid HMAC: version is too new")
    if policy.min_decryption_version > 0 and version < policy.min_decryption_version:
        raise InvalidRequest("cannot verify HMAC: version is too old (disallowed by policy)")
    return version, expected
