"""Service-account keys: RSA key pairs, the JSON key file, and the RS256 JWTs signed with them.

A key is made here, its private half returned once inside a key file shaped like the one
``gcloud iam service-accounts keys create`` writes (``type``, ``project_id``,
``private_key_id``, ``private_key``, ``client_email``, ``client_id``, ``token_uri``, ...), and
only its public half kept. google-auth signs with the private half, either an assertion for
the JWT bearer grant (RFC 7523, posted to ``token_uri``) or a self-signed JWT sent as the
bearer token; both are RS256 JWTs whose header names the key (``kid`` = ``private_key_id``)
and whose issuer is the service account's email, which ``verify`` checks.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sealbox.errors import InvalidCredentials

#: Google issues assertions and self-signed JWTs for at most an hour.
MAX_JWT_LIFETIME = 3600
CLOCK_SKEW = 60


@dataclass(slots=True)
class ServiceAccountKey:
    """One stored key: its id, its service account and the public key (PEM)."""

    key_id: str
    email: str
    public_pem: str
    created: float
    disabled: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ServiceAccountKey:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in raw.items() if k in known})

    def public_info(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "service_account": self.email,
            "created": int(self.created),
            "disabled": self.disabled,
            "public_key": self.public_pem,
        }


def new_key_pair(email: str) -> tuple[ServiceAccountKey, str]:
    """A fresh RSA-2048 key: the record to store and the private key (PKCS#8 PEM) to hand out."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    record = ServiceAccountKey(secrets.token_hex(20), email, public_pem, time.time())
    return record, private_pem


def key_file(
    record: ServiceAccountKey, private_pem: str, project_id: str, client_id: str, token_uri: str
) -> dict[str, Any]:
    """The JSON key file (the fields and order of gcloud's)."""
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": record.key_id,
        "private_key": private_pem,
        "client_email": record.email,
        "client_id": client_id,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
        + quote(record.email, safe=""),
        "universe_domain": "googleapis.com",
    }


def key_id_of(assertion: str) -> str:
    """The ``kid`` of a JWT's header (unverified); InvalidCredentials when there is none."""
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError as err:
        raise InvalidCredentials("invalid JWT") from err
    kid = header.get("kid")
    if header.get("alg") != "RS256" or not isinstance(kid, str) or not kid:
        raise InvalidCredentials("invalid JWT")
    return kid


def verify(assertion: str, record: ServiceAccountKey) -> dict[str, Any]:
    """The claims of an RS256 JWT signed by ``record``'s key and issued by its account.

    ``aud`` is not checked: it is the token endpoint for a grant and the API (or absent, with a
    ``scope``) for a self-signed JWT, and the key signs only for sealbox anyway.
    """
    public = serialization.load_pem_public_key(record.public_pem.encode())
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            public,  # type: ignore[arg-type]
            algorithms=["RS256"],
            options={"require": ["iss", "iat", "exp"], "verify_aud": False},
            leeway=CLOCK_SKEW,
        )
    except jwt.PyJWTError as err:
        raise InvalidCredentials("invalid JWT") from err
    if claims.get("iss") != record.email or claims.get("sub", record.email) != record.email:
        raise InvalidCredentials("invalid JWT")
    if int(claims["exp"]) - int(claims["iat"]) > MAX_JWT_LIFETIME + CLOCK_SKEW:
        raise InvalidCredentials("invalid JWT: it may live at most an hour")
    return claims
