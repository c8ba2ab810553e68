"""Key export encodings (``export/:type/:name``) and the public keys shown on key reads.

Mirrors openbao transit path_export.go ``getExportKey``: AEAD and HMAC keys are base64; with
the default format an ECDSA private key is SEC1 "EC PRIVATE KEY" PEM, an RSA one PKCS#1 "RSA
PRIVATE KEY" PEM, and Ed25519 the base64 of Go's 64-byte private key; ``der``/``pem`` give
PKCS#8 (and PKIX for public keys). PEMs are trimmed of their final newline except RSA's, as in
OpenBao.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from sealbox.engines.transit import asymmetric
from sealbox.engines.transit.keytypes import KeyType
from sealbox.engines.transit.policy import KeyEntry, Policy
from sealbox.errors import InvalidRequest

EXPORT_TYPES = ("encryption-key", "signing-key", "hmac-key", "public-key", "certificate-chain")
FORMATS = ("", "raw", "der", "pem")
_PEM = serialization.Encoding.PEM
_DER = serialization.Encoding.DER
_NONE = serialization.NoEncryption()


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _rsa_private(entry: KeyEntry, fmt: str) -> str:
    if fmt == "raw":
        raise InvalidRequest(
            "unknown key format for rsa key; supported values are ``, `der`, or `pem`"
        )
    private = asymmetric.rsa_private(entry)
    if private is None:
        return ""
    if fmt == "":
        return private.private_bytes(
            _PEM, serialization.PrivateFormat.TraditionalOpenSSL, _NONE
        ).decode()
    der = private.private_bytes(_DER, serialization.PrivateFormat.PKCS8, _NONE)
    if fmt == "der":
        return _b64(der)
    return private.private_bytes(_PEM, serialization.PrivateFormat.PKCS8, _NONE).decode()


def rsa_public_pem(entry: KeyEntry, fmt: str = "") -> str:
    if fmt == "raw":
        raise InvalidRequest(
            "unknown key format for rsa key; supported values are ``, `der`, or `pem`"
        )
    public = asymmetric.rsa_public(entry)
    if fmt == "der":
        return _b64(public.public_bytes(_DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    return public.public_bytes(_PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _ec_private(policy: Policy, entry: KeyEntry, fmt: str) -> str:
    if fmt == "raw":
        raise InvalidRequest(
            "unknown key format for ec key; supported values are ``, `der`, or `pem`"
        )
    private = asymmetric.ec_private(policy, entry)
    if private is None:
        return ""
    if fmt == "":
        text = private.private_bytes(_PEM, serialization.PrivateFormat.TraditionalOpenSSL, _NONE)
        return text.decode().strip()
    if fmt == "der":
        return _b64(private.private_bytes(_DER, serialization.PrivateFormat.PKCS8, _NONE))
    return private.private_bytes(_PEM, serialization.PrivateFormat.PKCS8, _NONE).decode().strip()


def _ec_public(policy: Policy, entry: KeyEntry, fmt: str) -> str:
    if fmt == "raw":
        raise InvalidRequest(
            "unknown key format for ec key; supported values are ``, `der`, or `pem`"
        )
    public = asymmetric.ec_public(policy, entry)
    if fmt == "der":
        return _b64(public.public_bytes(_DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    return (
        public.public_bytes(_PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode().strip()
    )


def _ed25519_private(entry: KeyEntry, fmt: str) -> str:
    if not entry.key:
        return ""
    if fmt in ("", "raw"):
        return _b64(entry.key)
    private = ed25519.Ed25519PrivateKey.from_private_bytes(entry.key[:32])
    if fmt == "der":
        return _b64(private.private_bytes(_DER, serialization.PrivateFormat.PKCS8, _NONE))
    return private.private_bytes(_PEM, serialization.PrivateFormat.PKCS8, _NONE).decode().strip()


def _ed25519_public(entry: KeyEntry, fmt: str) -> str:
    text = entry.public_key.strip()
    if fmt in ("", "raw"):
        return text
    public = ed25519.Ed25519PublicKey.from_public_bytes(base64.b64decode(text))
    if fmt == "der":
        return _b64(public.public_bytes(_DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    return (
        public.public_bytes(_PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode().strip()
    )


def _symmetric(value: bytes | None, fmt: str) -> str:
    if fmt in ("der", "pem"):
        raise InvalidRequest("unknown format for HMAC key; supported values are `` or `raw`")
    return _b64(value or b"")


def export_key(policy: Policy, entry: KeyEntry, export_type: str, fmt: str) -> str:
    """One version's material in the requested export type and format."""
    kind = policy.type
    if export_type == "hmac-key":
        return _symmetric(entry.key if kind is KeyType.HMAC else entry.hmac_key, fmt)
    if export_type == "encryption-key":
        if kind.symmetric:
            return _symmetric(entry.key, fmt)
        if kind.rsa:
            return _rsa_private(entry, fmt)
    if export_type == "signing-key":
        if kind.ecdsa:
            return _ec_private(policy, entry, fmt)
        if kind is KeyType.ED25519:
            return _ed25519_private(entry, fmt)
        if kind.rsa:
            return _rsa_private(entry, fmt)
    if export_type == "public-key":
        if kind.ecdsa:
            return _ec_public(policy, entry, fmt)
        if kind is KeyType.ED25519:
            return _ed25519_public(entry, fmt)
        if kind.rsa:
            return rsa_public_pem(entry, fmt)
    if export_type == "certificate-chain":
        raise InvalidRequest("selected key version does not have a certificate chain imported")
    raise InvalidRequest(f"unknown key type {kind.wire_name} for export type {export_type}")
