"""Real signed JWTs for the tests, made with ``cryptography`` alone (RS256 and ES256).

Independent of the JWT library the server uses, so a test cannot pass because one library
agrees with itself.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(raw: bytes) -> str:
    """Base64url without padding (RFC 7515)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_rsa_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit RSA key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    """The PEM SubjectPublicKeyInfo of ``key``."""
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign_jwt(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, claims: dict[str, Any], kid: str = ""
) -> str:
    """A compact JWS of ``claims``: RS256 for RSA keys, ES256 for P-256 keys."""
    alg = "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"
    header: dict[str, str] = {"alg": alg, "typ": "JWT", **({"kid": kid} if kid else {})}
    signing_input = (
        b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    ).encode()
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        der = key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return signing_input.decode() + "." + b64url(signature)


def jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, str]:
    """The public JWK (RFC 7517) of an RSA key."""
    numbers = key.public_key().public_numbers()

    def encode(value: int) -> str:
        return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))

    return {
        "kty": "RSA",
        "kid": kid,
        "use": "sig",
        "alg": "RS256",
        "n": encode(numbers.n),
        "e": encode(numbers.e),
    }
