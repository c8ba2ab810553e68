"""Private keys of issuers and leaves: generation, type/size rules, PEM and signature hashes.

Mirrors OpenBao's sdk/helper/certutil key handling: ``key_type`` is rsa (2048, 3072, 4096;
0 picks 2048), ec (224, 256, 384, 521; 0 picks 256) or ed25519 (bits ignored); RSA under
2048 bits is refused. The signature hash follows the signing key as OpenBao chooses it:
SHA-256 for RSA, the curve's size for ECDSA (P-384 signs with SHA-384), none for Ed25519.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from sealbox.errors import InvalidRequest

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey

_CURVES: dict[int, ec.EllipticCurve] = {
    224: ec.SECP224R1(),
    256: ec.SECP256R1(),
    384: ec.SECP384R1(),
    521: ec.SECP521R1(),
}
_RSA_BITS = (2048, 3072, 4096, 8192)


@dataclass(frozen=True, slots=True)
class KeySpec:
    """A validated (key_type, key_bits) pair."""

    key_type: str
    key_bits: int


def key_spec(key_type: str, key_bits: int, *, allow_any: bool = False) -> KeySpec:
    """Validate and fill in defaults; ``allow_any`` accepts Vault's role key_type "any"."""
    if key_type == "any" and allow_any:
        return KeySpec("any", 0)
    if key_type == "rsa":
        bits = key_bits or 2048
        if bits < 2048:
            raise InvalidRequest(f"RSA keys < 2048 bits are unsafe and not supported: got {bits}")
        if bits not in _RSA_BITS:
            raise InvalidRequest(f"unsupported bit length for RSA key: {bits}")
        return KeySpec("rsa", bits)
    if key_type == "ec":
        bits = key_bits or 256
        if bits not in _CURVES:
            raise InvalidRequest(f"unsupported bit length for EC key: {bits}")
        return KeySpec("ec", bits)
    if key_type == "ed25519":
        return KeySpec("ed25519", 0)
    raise InvalidRequest(f"unknown key type {key_type}")


def generate(spec: KeySpec) -> PrivateKey:
    """A fresh private key of ``spec``."""
    if spec.key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=spec.key_bits)
    if spec.key_type == "ec":
        return ec.generate_private_key(_CURVES[spec.key_bits])
    return ed25519.Ed25519PrivateKey.generate()


def describe(key: PrivateKey | PublicKey) -> KeySpec:
    """The (type, bits) of a key, private or public."""
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return KeySpec("rsa", key.key_size)
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return KeySpec("ec", key.curve.key_size)
    return KeySpec("ed25519", 0)


def private_pem(key: PrivateKey) -> str:
    """PEM as OpenBao exports it: PKCS#1 for RSA, SEC1 for EC, PKCS#8 for Ed25519."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        fmt = serialization.PrivateFormat.PKCS8
    else:
        fmt = serialization.PrivateFormat.TraditionalOpenSSL
    return (
        key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
        .decode("ascii")
        .rstrip("\n")
    )


def load_private_pem(pem: str) -> PrivateKey:
    """Parse a stored key; only the three supported types are accepted."""
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(
        key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    ):
        raise InvalidRequest("unsupported private key type")
    return key


def signature_hash(
    key: PrivateKey, signature_bits: int = 0
) -> hashes.SHA256 | hashes.SHA384 | hashes.SHA512 | None:
    """The hash to sign with ``key`` (None for Ed25519)."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    bits = signature_bits
    if not bits:
        bits = (
            {384: 384, 521: 512}.get(key.key_size, 256)
            if isinstance(key, ec.EllipticCurvePrivateKey)
            else 256
        )
    if bits == 384:
        return hashes.SHA384()
    if bits == 512:
        return hashes.SHA512()
    return hashes.SHA256()


def signature_algorithm_name(key: PrivateKey) -> str:
    """Go's x509.SignatureAlgorithm name, as issuer reads report it."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "PureEd25519"
    digest = signature_hash(key)
    size = 256 if digest is None else digest.digest_size * 8
    prefix = "ECDSAWithSHA" if isinstance(key, ec.EllipticCurvePrivateKey) else "SHA"
    suffix = "" if prefix == "ECDSAWithSHA" else "WithRSA"
    return f"{prefix}{size}{suffix}"
