"""Signatures and RSA encryption with transit keys (ECDSA, Ed25519, RSA).

Mirrors keysutil ``SignWithOptions``, ``VerifySignatureWithOptions`` and the RSA branches of
``EncryptWithFactory``/``DecryptWithFactory``: ECDSA and RSA sign a digest the handler
computed (or the caller's, with ``prehashed``); Ed25519 signs the message; a derived Ed25519
key's seed is HKDF-SHA256(64-byte private key, info=context) as in ``DeriveKey``; RSA
encryption is OAEP with SHA-256 and no label. ``asn1`` marshaling is DER for ECDSA and
standard base64; ``jws`` is r||s (fixed width) and unpadded URL-safe base64.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

from sealbox.engines.transit import symmetric
from sealbox.engines.transit.keygen import curve_for
from sealbox.engines.transit.keytypes import KeyType
from sealbox.engines.transit.policy import KeyEntry, Policy
from sealbox.errors import InvalidRequest

HASHES: dict[str, type[hashes.HashAlgorithm] | None] = {
    "none": None,
    "sha1": hashes.SHA1,
    "sha2-224": hashes.SHA224,
    "sha2-256": hashes.SHA256,
    "sha2-384": hashes.SHA384,
    "sha2-512": hashes.SHA512,
    "sha3-224": hashes.SHA3_224,
    "sha3-256": hashes.SHA3_256,
    "sha3-384": hashes.SHA3_384,
    "sha3-512": hashes.SHA3_512,
}
_BY_DIGEST_SIZE: dict[int, type[hashes.HashAlgorithm]] = {
    20: hashes.SHA1,
    28: hashes.SHA224,
    32: hashes.SHA256,
    48: hashes.SHA384,
    64: hashes.SHA512,
}
_OAEP = padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)
SALT_AUTO = 0
SALT_EQUALS_HASH = -1


@dataclass(frozen=True, slots=True)
class SignOptions:
    """How to sign or verify (the handler has already validated the names)."""

    hash_name: str = "sha2-256"
    marshaling: str = "asn1"
    signature_algorithm: str = ""
    salt_length: int = SALT_AUTO


def rsa_private(entry: KeyEntry) -> rsa.RSAPrivateKey | None:
    data = entry.rsa_key
    if data is None or data.d is None or len(data.primes) < 2:
        return None
    p, q = data.primes[0], data.primes[1]
    numbers = rsa.RSAPrivateNumbers(
        p,
        q,
        data.d,
        data.dp if data.dp is not None else rsa.rsa_crt_dmp1(data.d, p),
        data.dq if data.dq is not None else rsa.rsa_crt_dmq1(data.d, q),
        data.qinv if data.qinv is not None else rsa.rsa_crt_iqmp(p, q),
        rsa.RSAPublicNumbers(data.e, data.n),
    )
    return numbers.private_key()


def rsa_public(entry: KeyEntry) -> rsa.RSAPublicKey:
    data = entry.rsa_key or entry.rsa_public_key
    if data is None:
        raise InvalidRequest("requested to encode an RSA public key with no RSA key present")
    return rsa.RSAPublicNumbers(data.e, data.n).public_key()


def ec_private(policy: Policy, entry: KeyEntry) -> ec.EllipticCurvePrivateKey | None:
    if entry.ec_d is None:
        return None
    return ec.EllipticCurvePrivateNumbers(
        entry.ec_d, _ec_public_numbers(policy, entry)
    ).private_key()


def ec_public(policy: Policy, entry: KeyEntry) -> ec.EllipticCurvePublicKey:
    return _ec_public_numbers(policy, entry).public_key()


def _ec_public_numbers(policy: Policy, entry: KeyEntry) -> ec.EllipticCurvePublicNumbers:
    if entry.ec_x is None or entry.ec_y is None:
        raise InvalidRequest("key version has no public key")
    return ec.EllipticCurvePublicNumbers(entry.ec_x, entry.ec_y, curve_for(policy.type))


def ed25519_signer(
    policy: Policy, entry: KeyEntry, version: int, context: bytes
) -> ed25519.Ed25519PrivateKey:
    """The version's Ed25519 key, or the one derived for ``context``."""
    if policy.derived:
        seed = symmetric.derive(policy, context, version, 32)
        return ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    if not entry.key:
        raise InvalidRequest("requested version for signing does not contain a private part")
    return ed25519.Ed25519PrivateKey.from_private_bytes(entry.key[:32])


def _prehashed(digest: bytes) -> utils.Prehashed:
    algorithm = _BY_DIGEST_SIZE.get(len(digest))
    if algorithm is None:
        raise InvalidRequest("input length does not match any supported hash algorithm")
    return utils.Prehashed(algorithm())


def _rsa_prehashed(opts: SignOptions, digest: bytes) -> utils.Prehashed:
    algorithm = HASHES.get(opts.hash_name)
    if algorithm is None:
        raise InvalidRequest("hash_algorithm=none is not supported by sealbox")
    if len(digest) != algorithm().digest_size:
        raise InvalidRequest(f"input must be a {opts.hash_name} digest when prehashed")
    return utils.Prehashed(algorithm())


def _pss(opts: SignOptions, bits: int, hash_size: int, *, signing: bool) -> padding.PSS:
    # compat: keysutil validRSAPSSSaltLength: EqualsHash (-1) .. (bits-1+7)/8 - 2 - hash size
    largest = (bits - 1 + 7) // 8 - 2 - hash_size
    if not SALT_EQUALS_HASH <= opts.salt_length <= largest:
        raise InvalidRequest(f"requested salt length {opts.salt_length} is invalid")
    if opts.salt_length == SALT_AUTO:
        salt: int | padding._MaxLength | padding._Auto | padding._DigestLength = (
            padding.PSS.MAX_LENGTH if signing else padding.PSS.AUTO
        )
    elif opts.salt_length == SALT_EQUALS_HASH:
        salt = padding.PSS.DIGEST_LENGTH
    else:
        salt = opts.salt_length
    return padding.PSS(padding.MGF1(_mgf_hash(opts)), salt)


def _mgf_hash(opts: SignOptions) -> hashes.HashAlgorithm:
    algorithm = HASHES.get(opts.hash_name) or hashes.SHA256
    return algorithm()


def _rsa_padding(opts: SignOptions, bits: int, *, signing: bool) -> padding.AsymmetricPadding:
    name = opts.signature_algorithm or "pss"
    if name == "pkcs1v15":
        return padding.PKCS1v15()
    if name != "pss":
        raise InvalidRequest(f"unsupported rsa signature algorithm {name}")
    return _pss(opts, bits, _mgf_hash(opts).digest_size, signing=signing)


def sign(
    policy: Policy, version: int, data: bytes, context: bytes, opts: SignOptions
) -> tuple[bytes, bytes]:
    """(signature bytes, derived public key or b"") over ``data`` (a digest for ECDSA/RSA)."""
    entry = policy.entry(version)
    if entry is None:
        raise InvalidRequest("no such key version")
    if entry.private_key_missing:
        raise InvalidRequest("requested version for signing does not contain a private part")
    kind = policy.type
    if kind.ecdsa:
        private = ec_private(policy, entry)
        assert private is not None  # noqa: S101 - private_key_missing checked above
        der = private.sign(data, ec.ECDSA(_prehashed(data)))
        if opts.marshaling == "jws":
            r, s = utils.decode_dss_signature(der)
            width = (private.curve.key_size + 7) // 8
            return r.to_bytes(width, "big") + s.to_bytes(width, "big"), b""
        return der, b""
    if kind is KeyType.ED25519:
        signer = ed25519_signer(policy, entry, version, context)
        public = signer.public_key().public_bytes_raw() if policy.derived else b""
        return signer.sign(data), public
    rsa_key = rsa_private(entry)
    if rsa_key is None:
        raise InvalidRequest("requested version for signing does not contain a private part")
    pad = _rsa_padding(opts, rsa_key.key_size, signing=True)
    return rsa_key.sign(data, pad, _rsa_prehashed(opts, data)), b""


def verify(
    policy: Policy, version: int, data: bytes, signature: bytes, context: bytes, opts: SignOptions
) -> bool:
    """Whether ``signature`` is valid over ``data`` for ``version``."""
    entry = policy.entry(version)
    if entry is None:
        raise InvalidRequest("no such key version")
    kind = policy.type
    try:
        if kind.ecdsa:
            public = ec_public(policy, entry)
            if opts.marshaling == "jws":
                half = len(signature) // 2
                r = int.from_bytes(signature[:half], "big")
                s = int.from_bytes(signature[half:], "big")
                signature = utils.encode_dss_signature(r, s)
            public.verify(signature, data, ec.ECDSA(_prehashed(data)))
        elif kind is KeyType.ED25519:
            if policy.derived:
                pub = ed25519_signer(policy, entry, version, context).public_key()
            else:
                pub = ed25519.Ed25519PublicKey.from_public_bytes(base64.b64decode(entry.public_key))
            pub.verify(signature, data)
        else:
            public_rsa = rsa_public(entry)
            pad = _rsa_padding(opts, public_rsa.key_size, signing=False)
            public_rsa.verify(signature, data, pad, _rsa_prehashed(opts, data))
    except InvalidSignature:
        return False
    except (ValueError, binascii.Error) as err:
        raise InvalidRequest("supplied signature is invalid") from err
    return True


def rsa_encrypt(entry: KeyEntry, plaintext: bytes) -> bytes:
    return rsa_public(entry).encrypt(plaintext, _OAEP)


def rsa_decrypt(entry: KeyEntry, raw: bytes) -> bytes:
    private = rsa_private(entry)
    if private is None:
        raise InvalidRequest(
            "cannot decrypt ciphertext, key version does not have a private counterpart"
        )
    try:
        return private.decrypt(raw, _OAEP)
    except ValueError as err:
        # compat: Vault answers 500 here; a bad ciphertext is the caller's error (issue 9)
        raise InvalidRequest(
            "failed to RSA decrypt the ciphertext: crypto/rsa: decryption error"
        ) from err
