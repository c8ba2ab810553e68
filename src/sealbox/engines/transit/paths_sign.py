"""``sign/``, ``verify/`` and ``hmac/``: signatures and HMACs with transit keys.

Mirrors openbao transit path_sign_verify.go and path_hmac.go. The hash algorithm comes from
the URL (``sign/:name/sha2-512``), else ``hash_algorithm``, else ``algorithm``; ECDSA and RSA
sign the digest of the base64 ``input`` (the input itself with ``prehashed``). ``verify`` with
``hmac`` instead of ``signature`` checks an HMAC. Results are ``vault:v<N>:<base64>``.
"""

from __future__ import annotations

import hashlib
import hmac as std_hmac
from collections.abc import Callable
from typing import Any

from sealbox.engines.transit import asymmetric, ciphertext
from sealbox.engines.transit.asymmetric import HASHES, SALT_AUTO, SALT_EQUALS_HASH, SignOptions
from sealbox.engines.transit.common import (
    NAME,
    b64decode,
    b64encode,
    batch_items,
    optional,
)
from sealbox.engines.transit.keyring import Keyring
from sealbox.engines.transit.keytypes import KeyType
from sealbox.engines.transit.operations import TOO_OLD
from sealbox.engines.transit.policy import Policy
from sealbox.errors import InvalidRequest, SealboxError
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

_S, _B, _I, _R = FieldType.STRING, FieldType.BOOL, FieldType.INT, FieldType.RAW
_HMAC_HASHES: dict[str, Callable[..., Any]] = {
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
_SIGN_FIELDS = {
    "name": FieldSchema(_S, "Name of the key"),
    "input": FieldSchema(_S, "Base64 input to sign or verify."),
    "context": FieldSchema(_S, "Base64 context for derived ed25519 keys."),
    "hash_algorithm": FieldSchema(_S, "Hash algorithm (sha2-256 default).", "sha2-256"),
    "algorithm": FieldSchema(_S, "Deprecated alias of hash_algorithm.", "sha2-256"),
    "urlalgorithm": FieldSchema(_S, "Hash algorithm in the URL."),
    "key_version": FieldSchema(_I, "Key version to sign with; 0 = latest."),
    "prehashed": FieldSchema(_B, "The input is already a digest."),
    "signature_algorithm": FieldSchema(_S, "RSA padding: pss (default) or pkcs1v15."),
    "marshaling_algorithm": FieldSchema(_S, "asn1 (default) or jws.", "asn1"),
    "salt_length": FieldSchema(_S, "RSA-PSS salt length: auto, hash or a number.", "auto"),
    "batch_input": FieldSchema(_R, "A list of items to process in one request."),
    "signature": FieldSchema(_S, "The signature to verify."),
    "hmac": FieldSchema(_S, "The HMAC to verify."),
}
_HMAC_FIELDS = {
    "name": FieldSchema(_S, "Name of the key"),
    "input": FieldSchema(_S, "Base64 input to HMAC."),
    "algorithm": FieldSchema(_S, "Hash algorithm (sha2-256 default).", "sha2-256"),
    "urlalgorithm": FieldSchema(_S, "Hash algorithm in the URL."),
    "key_version": FieldSchema(_I, "Key version; 0 = latest."),
    "batch_input": FieldSchema(_R, "A list of items to process in one request."),
}


def _hash_name(d: FieldData) -> str:
    for key in ("urlalgorithm", "hash_algorithm", "algorithm"):
        if key in d.schema and d.get(key):
            return str(d.get(key))
    return "sha2-256"


def _salt_length(d: FieldData) -> int:
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


def _sign_options(d: FieldData) -> tuple[SignOptions, bool]:
    name = _hash_name(d)
    if name not in HASHES:
        raise InvalidRequest(f'invalid hash algorithm "{name}"')
    marshaling = d.get("marshaling_algorithm")
    if marshaling not in ("asn1", "jws"):
        raise InvalidRequest(f'invalid marshaling type "{marshaling}"')
    prehashed = bool(d.get("prehashed"))
    opts = SignOptions(name, marshaling, d.get("signature_algorithm"), _salt_length(d))
    if name == "none" and (not prehashed or opts.signature_algorithm != "pkcs1v15"):
        raise InvalidRequest(
            "hash_algorithm=none requires both prehashed=true and signature_algorithm=pkcs1v15"
        )
    return opts, prehashed


def _digest(policy: Policy, data: bytes, opts: SignOptions, prehashed: bool) -> bytes:
    if not policy.type.hashes_signature_input or prehashed:
        return data
    algorithm = _HMAC_HASHES.get(opts.hash_name)
    return data if algorithm is None else bytes(algorithm(data).digest())


def _items(d: FieldData, single: dict[str, str]) -> tuple[list[dict[str, Any]], bool]:
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


def _input(item: dict[str, Any]) -> bytes:
    if "input" not in item:
        raise InvalidRequest("missing input")
    try:
        return b64decode(item.get("input") or "")
    except ValueError as err:
        raise InvalidRequest(f"unable to decode input as base64: {err}") from err


def _context(item: dict[str, Any]) -> bytes:
    text = item.get("context") or ""
    if not text:
        return b""
    try:
        return b64decode(text)
    except ValueError as err:
        raise InvalidRequest("failed to base64-decode context") from err


def _encode_signature(policy: Policy, version: int, raw: bytes, marshaling: str) -> str:
    import base64

    body = (
        base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if marshaling == "jws"
        else b64encode(raw)
    )
    return policy.version_prefix(version) + body


def _decode_signature(text: str, marshaling: str) -> bytes:
    import base64
    import binascii

    try:
        if marshaling == "jws":
            if "=" in text:
                raise ValueError("padding")
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return b64decode(text)
    except (ValueError, binascii.Error) as err:
        raise InvalidRequest("invalid base64 signature value") from err


def _finish(
    results: list[dict[str, Any]], errors: list[SealboxError | None], batch: bool
) -> Response:
    if not batch:
        if errors[0] is not None:
            raise errors[0]
        return Response(data={k: v for k, v in results[0].items() if k != "reference"})
    # compat: per-item errors do not change the status of sign/verify/hmac batches
    return Response(data={"batch_results": results})


class SignPaths:
    """Handlers of sign, verify and hmac."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def paths(self) -> list[Path]:
        return [
            Path(
                f"hmac/{NAME}{optional('urlalgorithm')}",
                fields=_HMAC_FIELDS,
                operations={Operation.UPDATE: self.hmac},
                synopsis="Generate an HMAC for input data using the named key",
            ),
            Path(
                f"sign/{NAME}{optional('urlalgorithm')}",
                fields=_SIGN_FIELDS,
                operations={Operation.UPDATE: self.sign},
                synopsis="Generate a signature for input data using the named key",
            ),
            Path(
                f"verify/{NAME}{optional('urlalgorithm')}",
                fields=_SIGN_FIELDS,
                operations={Operation.UPDATE: self.verify},
                synopsis="Verify a signature or HMAC for input data created using the named key",
            ),
        ]

    async def sign(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/sign/:name(/:hash_algorithm)."""
        opts, prehashed = _sign_options(d)
        policy = await self.keyring.require(req.view, d.get("name"), "signing key not found")
        _usable(policy)
        if not policy.type.supports_signing:
            raise InvalidRequest(f"key type {policy.type.wire_name} does not support signing")
        items, batch = _items(d, {"input": d.get("input"), "context": d.get("context")})
        version = _sign_version(policy, d.get("key_version"))
        results: list[dict[str, Any]] = []
        errors: list[SealboxError | None] = []
        for item in items:
            entry: dict[str, Any] = {}
            error: SealboxError | None = None
            try:
                data = _digest(policy, _input(item), opts, prehashed)
                raw, public = asymmetric.sign(policy, version, data, _context(item), opts)
                entry["signature"] = _encode_signature(policy, version, raw, opts.marshaling)
                if public:
                    entry["public_key" if not batch else "publickey"] = b64encode(public)
            except SealboxError as err:
                error = err
                entry["error"] = err.public_message
            entry["key_version"] = version if error is None else 0
            entry["reference"] = item.get("reference") or ""
            results.append(entry)
            errors.append(error)
        return _finish(results, errors, batch)

    async def verify(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/verify/:name(/:hash_algorithm): a signature or an HMAC."""
        single: dict[str, str] = {"input": d.get("input"), "context": d.get("context")}
        for key in ("signature", "hmac"):
            if d.supplied(key):
                single[key] = d.get(key)
        items, batch = _items(d, single)
        kind = _verify_kind(items, batch)
        if kind == "hmac":
            return await self.hmac_verify(req, d, items, batch)
        opts, prehashed = _sign_options(d)
        policy = await self.keyring.require(
            req.view, d.get("name"), "signature verification key not found"
        )
        _usable(policy)
        if not policy.type.supports_signing:
            raise InvalidRequest(f"key type {policy.type.wire_name} does not support verification")
        results: list[dict[str, Any]] = []
        errors: list[SealboxError | None] = []
        for item in items:
            entry: dict[str, Any] = {"valid": False}
            error: SealboxError | None = None
            try:
                data = _digest(policy, _input(item), opts, prehashed)
                version, payload = _signature_version(policy, item.get("signature") or "")
                raw = _decode_signature(payload, opts.marshaling)
                entry["valid"] = asymmetric.verify(policy, version, data, raw, _context(item), opts)
            except SealboxError as err:
                error = err
                entry["error"] = err.public_message
            entry["reference"] = item.get("reference") or ""
            results.append(entry)
            errors.append(error)
        return _finish(results, errors, batch)

    async def hmac(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/hmac/:name(/:algorithm)."""
        policy = await self.keyring.require(req.view, d.get("name"))
        version = d.get("key_version")
        if version == 0:
            version = policy.latest_version
        elif version != policy.latest_version and 0 < policy.min_encryption_version > version:
            raise InvalidRequest("cannot generate HMAC: version is too old (disallowed by policy)")
        key = _hmac_key(policy, version)
        algorithm = _hash_name(d)
        digest = _HMAC_HASHES.get(algorithm)
        if digest is None:
            raise InvalidRequest(f'unsupported algorithm "{algorithm}"')
        if d.raw.get("batch_input") is None and not d.supplied("input"):
            raise InvalidRequest("missing input for HMAC")
        items, batch = _items(d, {"input": d.get("input")})
        results: list[dict[str, Any]] = []
        errors: list[SealboxError | None] = []
        for item in items:
            entry: dict[str, Any] = {}
            error: SealboxError | None = None
            if "input" not in item:
                error = InvalidRequest("missing input for HMAC")
            else:
                try:
                    mac = std_hmac.new(key, _input(item), digest).digest()
                    entry["hmac"] = f"vault:v{version}:{b64encode(mac)}"
                except SealboxError as err:
                    error = err
            if error is not None:
                entry["error"] = error.public_message
            entry["reference"] = item.get("reference") or ""
            results.append(entry)
            errors.append(error)
        return _finish(results, errors, batch)

    async def hmac_verify(
        self, req: Request, d: FieldData, items: list[dict[str, Any]], batch: bool
    ) -> Response:
        """POST /:mount/verify/:name with ``hmac``."""
        policy = await self.keyring.require(req.view, d.get("name"))
        algorithm = _hash_name(d)
        digest = _HMAC_HASHES.get(algorithm)
        if digest is None:
            raise InvalidRequest(f'invalid hash algorithm "{algorithm}"')
        results: list[dict[str, Any]] = []
        errors: list[SealboxError | None] = []
        for item in items:
            entry: dict[str, Any] = {}
            error: SealboxError | None = None
            try:
                data = _input(item)
                version, expected = _hmac_value(policy, item.get("hmac") or "")
                mac = std_hmac.new(_hmac_key(policy, version), data, digest).digest()
                if std_hmac.compare_digest(mac, expected):
                    entry["valid"] = True
            except SealboxError as err:
                error = err
                entry["error"] = err.public_message
            entry["reference"] = item.get("reference") or ""
            results.append(entry)
            errors.append(error)
        if not batch and errors[0] is None:
            return Response(data={"valid": bool(results[0].get("valid"))})
        return _finish(results, errors, batch)


def _verify_kind(items: list[dict[str, Any]], batch: bool) -> str:
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


def _usable(policy: Policy) -> None:
    if policy.soft_deleted:
        raise InvalidRequest("refusing to use soft-deleted key")


def _sign_version(policy: Policy, version: int) -> int:
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


def _signature_version(policy: Policy, signature: str) -> tuple[int, str]:
    version, payload = ciphertext.split(policy, signature, "signature")
    if version > policy.latest_version:
        raise InvalidRequest("invalid signature: version is too new")
    if policy.min_decryption_version > 0 and version < policy.min_decryption_version:
        raise InvalidRequest(TOO_OLD)
    return version, payload


def _hmac_key(policy: Policy, version: int) -> bytes:
    _usable(policy)
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


def _hmac_value(policy: Policy, value: str) -> tuple[int, bytes]:
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
