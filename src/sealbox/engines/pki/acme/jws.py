"""Verify the flattened JWS that carries every ACME POST (RFC 8555 6.2, RFC 7515, RFC 7638).

Accepted algorithms: ES256 (P-256) and RS256, the two every ACME client offers. The header
names the key either inline (``jwk``, only for new-account and revoke by certificate key) or
by account URL (``kid``); ``nonce`` and ``url`` are mandatory.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from sealbox.engines.pki.acme.problems import AcmeProblem, malformed

PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey


def b64decode(text: str) -> bytes:
    """base64url without padding, strictly (RFC 7515 2)."""
    if "=" in text:
        raise malformed("invalid base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as err:
        raise malformed("invalid base64url") from err


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _int(text: Any) -> int:
    if not isinstance(text, str):
        raise malformed("jwk members must be base64url strings")
    return int.from_bytes(b64decode(text), "big")


def public_key(jwk: Any) -> PublicKey:
    """The public key a JWK describes (EC P-256 or RSA)."""
    if not isinstance(jwk, dict):
        raise malformed("jwk must be an object")
    kty = jwk.get("kty")
    if kty == "EC" and jwk.get("crv") == "P-256":
        try:
            return ec.EllipticCurvePublicNumbers(
                _int(jwk.get("x")), _int(jwk.get("y")), ec.SECP256R1()
            ).public_key()
        except ValueError as err:
            raise malformed("jwk is not a P-256 point") from err
    if kty == "RSA":
        n, e = _int(jwk.get("n")), _int(jwk.get("e"))
        if n.bit_length() < 2048:
            raise AcmeProblem("badPublicKey", "RSA account keys must have at least 2048 bits")
        try:
            return rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError as err:
            raise malformed("jwk is not a valid RSA key") from err
    raise AcmeProblem("badPublicKey", f"unsupported key type {kty!r}")


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url): the account key's stable identity."""
    members = ("crv", "kty", "x", "y") if jwk.get("kty") == "EC" else ("e", "kty", "n")
    if not all(isinstance(jwk.get(m), str) for m in members):
        raise malformed("jwk lacks the members of its key type")
    canonical = orjson.dumps({m: jwk[m] for m in members}, option=orjson.OPT_SORT_KEYS)
    return b64encode(hashlib.sha256(canonical).digest())


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """A verified JWS: its protected header and decoded payload (None for POST-as-GET)."""

    header: dict[str, Any]
    payload: Any
    jwk: dict[str, Any] | None
    kid: str


def parse(body: Mapping[str, Any]) -> tuple[dict[str, Any], bytes, bytes, bytes]:
    """Header, signing input, signature and raw payload of a flattened JWS, unverified."""
    protected, payload, signature = (body.get(k) for k in ("protected", "payload", "signature"))
    if not isinstance(protected, str) or not isinstance(payload, str):
        raise malformed("request is not a flattened JWS")
    if not isinstance(signature, str):
        raise malformed("request is not a flattened JWS")
    try:
        header = orjson.loads(b64decode(protected))
    except orjson.JSONDecodeError as err:
        raise malformed("protected header is not JSON") from err
    if not isinstance(header, dict):
        raise malformed("protected header is not an object")
    signing_input = f"{protected}.{payload}".encode("ascii")
    return header, signing_input, b64decode(signature), b64decode(payload)


def verify_signature(key: PublicKey, alg: str, signing_input: bytes, signature: bytes) -> None:
    """Check ``signature`` over ``signing_input`` with ``alg``; a mismatch is ``malformed``."""
    try:
        if alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey):
            if len(signature) != 64:
                raise malformed("ES256 signature must be 64 bytes")
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
        elif alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise AcmeProblem("badSignatureAlgorithm", f"unsupported alg {alg!r} for this key")
    except InvalidSignature as err:
        raise malformed("JWS signature is invalid") from err


def check_header(header: dict[str, Any], url: str) -> tuple[str, str]:
    """The alg and nonce of a header addressed to ``url``; exactly one of jwk and kid."""
    alg = header.get("alg")
    if alg not in ("ES256", "RS256"):
        raise AcmeProblem("badSignatureAlgorithm", f"unsupported alg {alg!r}")
    if header.get("url") != url:
        raise unauthorized_url(url)
    if ("jwk" in header) == ("kid" in header):
        raise malformed("the protected header needs exactly one of jwk and kid")
    nonce = header.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise AcmeProblem("badNonce", "the protected header has no nonce")
    return alg, nonce


def unauthorized_url(url: str) -> AcmeProblem:
    return AcmeProblem("unauthorized", f"the JWS url does not match the request URL {url}", 401)
