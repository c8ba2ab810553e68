"""New key versions: random material of the policy's type (keysutil ``RotateInMemory``).

Every version also gets a random 32-byte HMAC key (for ``hmac/``), except HMAC-type keys,
whose HMAC key is the key itself, as in Vault.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from sealbox.engines.transit.gojson import format_time
from sealbox.engines.transit.keytypes import KeyType
from sealbox.engines.transit.policy import (
    CURRENT_CONVERGENT_VERSION,
    KeyEntry,
    Policy,
    RSAKeyData,
)
from sealbox.errors import InvalidRequest

HMAC_MIN_KEY_SIZE = 32
HMAC_MAX_KEY_SIZE = 512
_CURVES: dict[KeyType, type[ec.EllipticCurve]] = {
    KeyType.ECDSA_P256: ec.SECP256R1,
    KeyType.ECDSA_P384: ec.SECP384R1,
    KeyType.ECDSA_P521: ec.SECP521R1,
}


def curve_for(kind: KeyType) -> ec.EllipticCurve:
    return _CURVES[kind]()


def public_pem(key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey) -> str:
    """PKIX "PUBLIC KEY" PEM, as Go's pem.EncodeToMemory writes it (trailing newline)."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def rsa_data(private: rsa.RSAPrivateKey) -> RSAKeyData:
    numbers = private.private_numbers()
    public = numbers.public_numbers
    return RSAKeyData(
        n=public.n,
        e=public.e,
        d=numbers.d,
        primes=(numbers.p, numbers.q),
        dp=numbers.dmp1,
        dq=numbers.dmq1,
        qinv=numbers.iqmp,
    )


def new_entry(policy: Policy, now: datetime | None = None) -> KeyEntry:
    """A fresh version for ``policy``; raises InvalidRequest for an impossible key size."""
    moment = now or datetime.now(UTC)
    hmac_key = secrets.token_bytes(32)
    kind = policy.type
    fields: dict[str, object] = {}
    if kind.symmetric:
        fields["key"] = secrets.token_bytes(kind.aead_key_size)
    elif kind is KeyType.HMAC:
        size = policy.key_size
        if not HMAC_MIN_KEY_SIZE <= size <= HMAC_MAX_KEY_SIZE:
            raise InvalidRequest(
                "invalid key size for HMAC key, must be between "
                f"{HMAC_MIN_KEY_SIZE} and {HMAC_MAX_KEY_SIZE} bytes"
            )
        hmac_key = secrets.token_bytes(size)
        fields["key"] = hmac_key
    elif kind.ecdsa:
        private = ec.generate_private_key(curve_for(kind))
        numbers = private.private_numbers()
        fields.update(
            ec_d=numbers.private_value,
            ec_x=numbers.public_numbers.x,
            ec_y=numbers.public_numbers.y,
            public_key=public_pem(private.public_key()),
        )
    elif kind is KeyType.ED25519:
        signer = ed25519.Ed25519PrivateKey.generate()
        seed = signer.private_bytes_raw()
        public = signer.public_key().public_bytes_raw()
        # compat: Go's ed25519.PrivateKey is seed || public key (64 bytes).
        fields.update(key=seed + public, public_key=base64.b64encode(public).decode("ascii"))
    elif kind.rsa:
        fields["rsa_key"] = rsa_data(rsa.generate_private_key(65537, kind.rsa_bits))
    else:
        raise InvalidRequest(f"key type {kind.wire_name} is not supported by sealbox")
    convergent = 0
    if policy.convergent_encryption and (
        policy.convergent_version == -1 or policy.convergent_version > 1
    ):
        convergent = CURRENT_CONVERGENT_VERSION
    return KeyEntry(
        hmac_key=hmac_key,
        time=format_time(moment),
        creation_time=int(moment.timestamp()),
        convergent_version=convergent,
        **fields,  # type: ignore[arg-type]
    )


def rotated(policy: Policy, now: datetime | None = None) -> Policy:
    """``policy`` with one more version, which becomes the latest."""
    version = policy.latest_version + 1
    keys = {**policy.keys, version: new_entry(policy, now)}
    return policy.evolve(
        keys=keys,
        latest_version=version,
        min_decryption_version=policy.min_decryption_version or 1,
        imported=False,
    )
