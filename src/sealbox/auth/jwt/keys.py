"""Signing keys for JWT logins: static PEM keys, a JWKS URL, or an OIDC provider's discovery.

A JWKS (or discovery document) is fetched over HTTPS trusting the configured CA PEM, cached
for a few minutes, and fetched again when a token names a ``kid`` the cache does not know (a
provider's key rotation). Signatures are checked with PyJWT for the RS, PS, ES and EdDSA
algorithms; ``none`` and HMAC algorithms are never accepted.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import jwt
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from sealbox.errors import InvalidRequest

if TYPE_CHECKING:
    from jwt.types import Options

ALGORITHMS = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
]  # fmt: skip
_CACHE_SECONDS = 300


def parse_pem_keys(pems: list[str]) -> list[Any]:
    """Public keys from PEM keys or certificates; 400 when one does not parse."""
    keys: list[Any] = []
    for pem in pems:
        data = pem.strip().encode()
        try:
            if b"CERTIFICATE" in data:
                keys.append(x509.load_pem_x509_certificate(data).public_key())
            else:
                keys.append(load_pem_public_key(data))
        except ValueError as err:
            raise InvalidRequest(
                "error parsing public key: data does not contain any valid public keys"
            ) from err
    return keys


def tls_context(ca_pem: str) -> ssl.SSLContext:
    """A client TLS context trusting ``ca_pem`` (or the system store when empty)."""
    if ca_pem.strip():
        return ssl.create_default_context(cadata=ca_pem)
    return ssl.create_default_context()


async def fetch_json(url: str, ca_pem: str) -> dict[str, Any]:
    """GET ``url`` and decode a JSON object; raises InvalidRequest with the reason."""
    try:
        async with httpx.AsyncClient(verify=tls_context(ca_pem), timeout=10) as client:
            answer = await client.get(url)
        answer.raise_for_status()
        body = answer.json()
    except (httpx.HTTPError, ssl.SSLError, ValueError) as err:
        raise InvalidRequest(f"Get {url!r}: {type(err).__name__}") from err
    if not isinstance(body, dict):
        raise InvalidRequest(f"Get {url!r}: not a JSON object")
    return body


@dataclass
class KeySource:
    """One config's keys, with the JWKS cache."""

    static: list[Any] = field(default_factory=list)
    jwks_url: str = ""
    discovery_url: str = ""
    ca_pem: str = ""
    _keys: dict[str, Any] = field(default_factory=dict)
    _fetched: float = 0.0
    _discovery: dict[str, Any] | None = None
    _refreshing: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def discovery(self) -> dict[str, Any]:
        """The provider's ``.well-known/openid-configuration``."""
        if self._discovery is None:
            url = self.discovery_url.rstrip("/") + "/.well-known/openid-configuration"
            self._discovery = await fetch_json(url, self.ca_pem)
        return self._discovery

    async def check(self, label: str) -> None:
        """Fetch once now, so a bad URL fails the config write."""
        try:
            await self._refresh()
        except InvalidRequest as err:
            raise InvalidRequest(f"{label}: {err.public_message}") from err

    async def _refresh(self) -> None:
        url = self.jwks_url
        if not url:
            url = str((await self.discovery()).get("jwks_uri", ""))
        jwks = await fetch_json(url, self.ca_pem)
        try:
            keyset = jwt.PyJWKSet.from_dict(jwks)
        except jwt.PyJWTError as err:
            raise InvalidRequest("error parsing JWKS") from err
        self._keys = {k.key_id or str(i): k.key for i, k in enumerate(keyset.keys)}
        self._fetched = time.monotonic()

    async def candidates(self, kid: str) -> list[Any]:
        """Keys that may have signed a token with header ``kid``."""
        if self.static:
            return self.static
        stale = time.monotonic() - self._fetched > _CACHE_SECONDS
        if stale or (kid and kid not in self._keys):
            # compat: like go-oidc's RemoteKeySet, an unknown kid refetches the keys; logins
            # arriving meanwhile wait for that one fetch instead of starting their own.
            fetched = self._fetched
            async with self._refreshing:
                if self._fetched == fetched:
                    await self._refresh()
        if kid and kid in self._keys:
            return [self._keys[kid]]
        return list(self._keys.values())

    async def verify(self, token: str, algorithms: list[str]) -> dict[str, Any]:
        """The claims of ``token`` once its signature verifies; raises ``InvalidRequest``."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as err:
            raise InvalidRequest(
                "error validating token: error verifying token signature: "
                # compat: OpenBao's text names its JOSE library
                "go-jose/go-jose: compact JWS format must have three parts"
            ) from err
        allowed = [a for a in (algorithms or ALGORITHMS) if a in ALGORITHMS]
        if header.get("alg") not in allowed:
            raise InvalidRequest("error validating token: unsupported signing algorithm")
        options: Options = {
            "verify_aud": False,
            "verify_exp": False,
            "verify_nbf": False,
            "verify_iat": False,
            "verify_iss": False,
        }
        for key in await self.candidates(str(header.get("kid", ""))):
            try:
                claims: dict[str, Any] = jwt.decode(token, key, algorithms=allowed, options=options)
            except (jwt.InvalidSignatureError, jwt.InvalidKeyError, jwt.InvalidAlgorithmError):
                continue
            except jwt.PyJWTError as err:
                raise InvalidRequest("error validating token: malformed token") from err
            return claims
        raise InvalidRequest(
            "error validating token: error verifying token signature: "
            "no known key successfully validated the token signature"
        )
