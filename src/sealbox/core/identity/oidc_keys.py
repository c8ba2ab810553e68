"""Named signing keys, roles and the issuer of identity tokens (``identity/oidc/*`` storage).

Mirrors OpenBao's identity_store_oidc.go: a named key has an algorithm (RS256 or ES256 here), a
``rotation_period`` and a ``verification_ttl``; rotating makes a new key current and keeps the
old public key published until its verification TTL has passed, so tokens it signed still
verify. Rotation happens when a token is signed with a key older than its period (OpenBao
rotates from a periodic function; sealbox checks on use, which gives the same guarantees to
anyone who verifies). Private keys live only in the identity mount's (encrypted) storage.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import jwt
import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from sealbox.errors import InvalidRequest
from sealbox.logical import Storage

_KEY, _ROLE, _CONFIG = "oidc/key/", "oidc/role/", "oidc/config"
ALGORITHMS = ("RS256", "ES256")
DAY = 24 * 3600


def _new_private_pem(algorithm: str) -> str:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if algorithm == "ES256":
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@dataclass(slots=True)
class KeyVersion:
    """One generation of a named key."""

    kid: str
    private_pem: str = field(repr=False)
    created: float
    retired: float = 0.0  # when it stopped signing (0: current)


@dataclass(slots=True)
class NamedKey:
    """A named signing key with its current and still-published versions."""

    name: str
    algorithm: str = "RS256"
    rotation_period: int = DAY
    verification_ttl: int = DAY
    allowed_client_ids: list[str] = field(default_factory=list)
    versions: list[KeyVersion] = field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        """``GET identity/oidc/key/:name``."""
        return {
            "algorithm": self.algorithm,
            "allowed_client_ids": list(self.allowed_client_ids),
            "rotation_period": self.rotation_period,
            "verification_ttl": self.verification_ttl,
        }

    def rotate(self, now: float) -> None:
        """Make a new version current; drop versions past their verification TTL."""
        for version in self.versions:
            if not version.retired:
                version.retired = now
        self.versions = [
            v for v in self.versions if not v.retired or now - v.retired < self.verification_ttl
        ]
        self.versions.append(KeyVersion(str(uuid.uuid4()), _new_private_pem(self.algorithm), now))

    def current(self) -> KeyVersion:
        """The version that signs now."""
        return next(v for v in self.versions if not v.retired)

    def public_jwks(self, now: float) -> list[dict[str, Any]]:
        """Public JWKs of every version that may still be used to verify."""
        keys = []
        for version in self.versions:
            if version.retired and now - version.retired >= self.verification_ttl:
                continue
            pem = version.private_pem.encode()
            public = serialization.load_pem_private_key(pem, None).public_key()
            jwk: dict[str, Any]
            if isinstance(public, rsa.RSAPublicKey):
                jwk = jwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True)
            elif isinstance(public, ec.EllipticCurvePublicKey):
                jwk = jwt.algorithms.ECAlgorithm.to_jwk(public, as_dict=True)
            else:
                continue
            jwk.pop("key_ops", None)  # compat: bao publishes use/kty/kid/alg and the key only
            keys.append({**jwk, "use": "sig", "kid": version.kid, "alg": self.algorithm})
        return keys

    def allows(self, client_id: str) -> bool:
        """Whether tokens for ``client_id`` may be signed with this key."""
        return "*" in self.allowed_client_ids or client_id in self.allowed_client_ids


@dataclass(slots=True)
class TokenRole:
    """``identity/oidc/role/:name``: which key signs, for how long, with which claims."""

    name: str
    key: str
    template: str = ""
    ttl: int = DAY
    client_id: str = ""


class OIDCStore:
    """The identity token settings in the identity mount's storage."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def issuer(self) -> str:
        """The configured issuer ("" = the server's api_addr)."""
        blob = await self._storage.get(_CONFIG)
        return "" if blob is None else str(orjson.loads(blob).get("issuer", ""))

    async def set_issuer(self, issuer: str) -> None:
        """Store the issuer."""
        await self._storage.put(_CONFIG, orjson.dumps({"issuer": issuer}))

    async def key(self, name: str) -> NamedKey | None:
        """The named key (``default`` is created on first use, as in OpenBao)."""
        blob = await self._storage.get(_KEY + name)
        if blob is None:
            if name != "default":
                return None
            key = NamedKey(name="default", allowed_client_ids=["*"])
            key.rotate(time.time())
            await self.save_key(key)
            return key
        raw = orjson.loads(blob)
        raw["versions"] = [KeyVersion(**v) for v in raw["versions"]]
        return NamedKey(**raw)

    async def save_key(self, key: NamedKey) -> None:
        """Store ``key``."""
        await self._storage.put(_KEY + key.name, orjson.dumps(asdict(key)))

    async def delete_key(self, name: str) -> None:
        """Delete a key no role uses."""
        users = [r.name for r in await self.roles() if r.key == name]
        if users:
            raise InvalidRequest(
                f'unable to delete key "{name}" because it is currently referenced by these '
                f"roles: {', '.join(users)}"
            )
        await self._storage.delete(_KEY + name)

    async def key_names(self) -> list[str]:
        """Every key name (``default`` included)."""
        await self.key("default")
        return sorted(await self._storage.list(_KEY))

    async def role(self, name: str) -> TokenRole | None:
        """The role ``name``."""
        blob = await self._storage.get(_ROLE + name)
        return None if blob is None else TokenRole(**orjson.loads(blob))

    async def save_role(self, role: TokenRole) -> None:
        """Store ``role``."""
        await self._storage.put(_ROLE + role.name, orjson.dumps(asdict(role)))

    async def delete_role(self, name: str) -> None:
        """Delete the role ``name``."""
        await self._storage.delete(_ROLE + name)

    async def roles(self) -> list[TokenRole]:
        """Every role."""
        out = []
        for name in await self._storage.list(_ROLE):
            role = await self.role(name)
            if role is not None:
                out.append(role)
        return out
