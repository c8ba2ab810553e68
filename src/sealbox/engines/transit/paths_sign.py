"""``sign/``, ``verify/`` and ``hmac/``: signatures and HMACs with transit keys.

Mirrors openbao transit path_sign_verify.go and path_hmac.go. The hash algorithm comes from
the URL (``sign/:name/sha2-512``), else ``hash_algorithm``, else ``algorithm``; ECDSA and RSA
sign the digest of the base64 ``input`` (the input itself with ``prehashed``). ``verify`` with
``hmac`` instead of ``signature`` checks an HMAC. Results are ``vault:v<N>:<base64>``.
"""

from __future__ import annotations

import hmac as std_hmac
from typing import Any

from sealbox.engines.transit import asymmetric
from sealbox.engines.transit.common import (
    NAME,
    b64encode,
    optional,
)
from sealbox.engines.transit.keyring import Keyring
from sealbox.engines.transit.sign_inputs import (
    HMAC_HASHES,
    batch_or_single,
    decode_signature,
    encode_signature,
    finish,
    hash_name,
    hmac_key,
    hmac_value,
    item_context,
    item_input,
    sign_options,
    sign_version,
    signature_version,
    signing_digest,
    usable,
    verify_kind,
)
from sealbox.errors import InvalidRequest, SealboxError
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

_S, _B, _I, _R = FieldType.STRING, FieldType.BOOL, FieldType.INT, FieldType.RAW
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
        opts, prehashed = sign_options(d)
        policy = await self.keyring.require(req.view, d.get("name"), "signing key not found")
        usable(policy)
        if not policy.type.supports_signing:
            raise InvalidRequest(f"key type {policy.type.wire_name} does not support signing")
        items, batch = batch_or_single(d, {"input": d.get("input"), "context": d.get("context")})
        version = sign_version(policy, d.get("key_version"))
        results: list[dict[str, Any]] = []
        errors: list[SealboxError | None] = []
        for item in items:
            entry: dict[str, Any] = {}
            error: SealboxError | None = None
            try:
                data = signing_digest(policy, item_input(item), opts, prehashed)
                raw, public = asymmetric.sign(policy, version, data, item_context(item), opts)
                entry["signature"] = encode_signature(policy, version, raw, opts.marshaling)
                if public:
                    entry["public_key" if not batch else "publickey"] = b64encode(public)
            except SealboxError as err:
                error = err
                entry["error"] = err.public_message
            entry["key_version"] = version if error is None else 0
            entry["reference"] = item.get("reference") or ""
            results.append(entry)
            errors.append(error)
        return finish(results, errors, batch)

    async def verify(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/verify/:name(/:hash_algorithm): a signature or an HMAC."""
        single: dict[str, str] = {"input": d.get("input"), "context": d.get("context")}
        for key in ("signature", "hmac"):
            if d.supplied(key):
                single[key] = d.get(key)
        items, batch = batch_or_single(d, single)
        kind = verify_kind(items, batch)
        if kind == "hmac":
            return await self.hmac_verify(req, d, items, batch)
        opts, prehashed = sign_options(d)
        policy = await self.keyring.require(
            req.view, d.get("name"), "signature verification key not found"
        )
        usable(policy)
        if not policy.type.supports_signing:
            raise InvalidRequest(f"key type {policy.type.wire_name} does not support verification")
        results: list[dict[str, Any]] = []
        errors: list[SealboxError | None] = []
        for item in items:
            entry: dict[str, Any] = {"valid": False}
            error: SealboxError | None = None
            try:
                data = signing_digest(policy, item_input(item), opts, prehashed)
                version, payload = signature_version(policy, item.get("signature") or "")
                raw = decode_signature(payload, opts.marshaling)
                entry["valid"] = asymmetric.verify(
                    policy, version, data, raw, item_context(item), opts
                )
            except SealboxError as err:
                error = err
                entry["error"] = err.public_message
            entry["reference"] = item.get("reference") or ""
            results.append(entry)
            errors.append(error)
        return finish(results, errors, batch)

    async def hmac(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/hmac/:name(/:algorithm)."""
        policy = await self.keyring.require(req.view, d.get("name"))
        version = d.get("key_version")
        if version == 0:
            version = policy.latest_version
        elif version != policy.latest_version and 0 < policy.min_encryption_version > version:
            raise InvalidRequest("cannot generate HMAC: version is too old (disallowed by policy)")
        key = hmac_key(policy, version)
        algorithm = hash_name(d)
        digest = HMAC_HASHES.get(algorithm)
        if digest is None:
            raise InvalidRequest(f'unsupported algorithm "{algorithm}"')
        if d.raw.get("batch_input") is None and not d.supplied("input"):
            raise InvalidRequest("missing input for HMAC")
        items, batch = batch_or_single(d, {"input": d.get("input")})
        results: list[dict[str, Any]] = []
        errors: list[SealboxError | None] = []
        for item in items:
            entry: dict[str, Any] = {}
            error: SealboxError | None = None
            if "input" not in item:
                error = InvalidRequest("missing input for HMAC")
            else:
                try:
                    mac = std_hmac.new(key, item_input(item), digest).digest()
                    entry["hmac"] = f"vault:v{version}:{b64encode(mac)}"
                except SealboxError as err:
                    error = err
            if error is not None:
                entry["error"] = error.public_message
            entry["reference"] = item.get("reference") or ""
            results.append(entry)
            errors.append(error)
        return finish(results, errors, batch)

    async def hmac_verify(
        self, req: Request, d: FieldData, items: list[dict[str, Any]], batch: bool
    ) -> Response:
        """POST /:mount/verify/:name with ``hmac``."""
        policy = await self.keyring.require(req.view, d.get("name"))
        algorithm = hash_name(d)
        digest = HMAC_HASHES.get(algorithm)
        if digest is None:
            raise InvalidRequest(f'invalid hash algorithm "{algorithm}"')
        results: list[dict[str, Any]] = []
        errors: list[SealboxError | None] = []
        for item in items:
            entry: dict[str, Any] = {}
            error: SealboxError | None = None
            try:
                data = item_input(item)
                version, expected = hmac_value(policy, item.get("hmac") or "")
                mac = std_hmac.new(hmac_key(policy, version), data, digest).digest()
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
        return finish(results, errors, batch)
