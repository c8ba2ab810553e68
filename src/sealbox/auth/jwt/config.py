"""``auth/jwt/config``: where signing keys come from (static PEMs, a JWKS URL, OIDC discovery).

Mirrors vault-plugin-auth-jwt path_config.go (messages observed on ``bao`` 2.x): exactly one of
``jwt_validation_pubkeys``, ``jwks_url`` and ``oidc_discovery_url`` must be set; PEM keys must
parse; a JWKS or discovery URL is fetched once at write time and must answer, trusting the given
CA PEM (or the system's). ``oidc_client_secret`` is stored but never read back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from sealbox.auth.jwt.keys import KeySource, parse_pem_keys
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType
from sealbox.logical import Storage

_KEY = "config"
_S, _L = FieldType.STRING, FieldType.COMMA_STRING_LIST
CONFIG_FIELDS = {
    "oidc_discovery_url": FieldSchema(_S, "Issuer URL whose discovery document lists the keys."),
    "oidc_discovery_ca_pem": FieldSchema(_S, "CA to trust for the discovery URL."),
    "oidc_client_id": FieldSchema(_S, "OAuth client ID (OIDC logins)."),
    "oidc_client_secret": FieldSchema(_S, "OAuth client secret (OIDC logins)."),
    "oidc_response_mode": FieldSchema(_S, "query or form_post."),
    "oidc_response_types": FieldSchema(_L, "code (the only one supported)."),
    "jwks_url": FieldSchema(_S, "URL of a JWKS with the signing keys."),
    "jwks_ca_pem": FieldSchema(_S, "CA to trust for the JWKS URL."),
    "jwt_validation_pubkeys": FieldSchema(_L, "PEM public keys that sign the JWTs."),
    "jwt_supported_algs": FieldSchema(_L, "Accepted signing algorithms."),
    "bound_issuer": FieldSchema(_S, "Value the iss claim must have."),
    "default_role": FieldSchema(_S, "Role used when a login names none."),
    "namespace_in_state": FieldSchema(FieldType.BOOL, "Unused (no namespaces).", default=True),
    "provider_config": FieldSchema(FieldType.MAP, "Unsupported provider-specific settings."),
}


@dataclass(slots=True)
class JWTConfig:
    """One mount's key source and OIDC client settings."""

    oidc_discovery_url: str = ""
    oidc_discovery_ca_pem: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = field(default="", repr=False)
    oidc_response_mode: str = ""
    oidc_response_types: list[str] = field(default_factory=list)
    jwks_url: str = ""
    jwks_ca_pem: str = ""
    jwt_validation_pubkeys: list[str] = field(default_factory=list)
    jwt_supported_algs: list[str] = field(default_factory=list)
    bound_issuer: str = ""
    default_role: str = ""
    namespace_in_state: bool = True

    def to_wire(self) -> dict[str, Any]:
        """``GET auth/jwt/config`` (without the client secret)."""
        data = asdict(self)
        del data["oidc_client_secret"]
        # compat: bao 2.x also shows these three
        data["provider_config"] = {}
        data["override_allowed_server_names"] = []
        data["status"] = "valid"
        return data

    def key_source(self) -> KeySource:
        """Where this config's signing keys come from."""
        if self.jwt_validation_pubkeys:
            return KeySource(static=parse_pem_keys(self.jwt_validation_pubkeys))
        if self.jwks_url:
            return KeySource(jwks_url=self.jwks_url, ca_pem=self.jwks_ca_pem)
        return KeySource(discovery_url=self.oidc_discovery_url, ca_pem=self.oidc_discovery_ca_pem)


async def config_from(d: FieldData) -> JWTConfig:
    """A validated config from a write (fetching the JWKS or discovery document once)."""
    config = JWTConfig(
        **{name: d.get(name) for name in JWTConfig.__dataclass_fields__ if name in d.schema}
    )
    sources = [config.jwt_validation_pubkeys, config.jwks_url, config.oidc_discovery_url]
    if sum(1 for s in sources if s) != 1:
        raise InvalidRequest(
            "exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs', "
            "'oidc_discovery_url', or 'provider_config' must be set"
        )
    if d.get("provider_config"):
        raise InvalidRequest("provider_config is not supported")
    source = config.key_source()
    if config.jwks_url:
        await source.check("error checking jwks URL")
    elif config.oidc_discovery_url:
        await source.check("error checking oidc discovery URL")
    return config


async def load_config(storage: Storage) -> JWTConfig | None:
    """The stored config, if any."""
    blob = await storage.get(_KEY)
    return None if blob is None else JWTConfig(**orjson.loads(blob))


async def save_config(storage: Storage, config: JWTConfig) -> None:
    """Store ``config``."""
    await storage.put(_KEY, orjson.dumps(asdict(config)))
