"""The catalog of backend types: which factory builds a mount of a given type.

The registries live beside the backends (``sealbox.engines.ENGINE_FACTORIES``, the auth
methods below); the core never imports a concrete engine. The two built-in backends that see
core services, ``system`` and ``token``, are added by ``core.py`` with their views bound, so a
backend never has to find a core service for itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sealbox.errors import InvalidRequest
from sealbox.framework import Backend, BackendConfig

Factory = Callable[[BackendConfig], Backend]

# Types mounted by the core itself, never offered to ``secrets enable`` / ``auth enable``.
_BUILT_IN = frozenset({"system", "token", "cubbyhole", "identity"})
# compat: OpenBao still mounts the old name of KV v1.
_ALIASES = {"generic": "kv"}


def _secret_factories() -> dict[str, Factory]:
    from sealbox.engines import ENGINE_FACTORIES

    return dict(ENGINE_FACTORIES)


def _auth_factories() -> dict[str, Factory]:
    """Auth methods besides the built-in token method (userpass, approle, ... register here)."""
    from sealbox.auth.approle import approle_factory
    from sealbox.auth.cert import cert_factory
    from sealbox.auth.gcpsa import gcpsa_factory
    from sealbox.auth.jwt import jwt_factory
    from sealbox.auth.kubernetes import kubernetes_factory
    from sealbox.auth.ldap import ldap_factory
    from sealbox.auth.sigv4 import sigv4_factory
    from sealbox.auth.userpass import userpass_factory

    return {
        "userpass": userpass_factory,
        "approle": approle_factory,
        "kubernetes": kubernetes_factory,
        "jwt": jwt_factory,
        "oidc": jwt_factory,
        "cert": cert_factory,
        "ldap": ldap_factory,
        "sigv4": sigv4_factory,
        "gcpsa": gcpsa_factory,
    }


@dataclass(frozen=True, slots=True)
class Catalog:
    """Factories by mount table ("mounts" or "auth") and type."""

    secrets: Mapping[str, Factory]
    auth: Mapping[str, Factory]

    @classmethod
    def with_builtins(cls, system: Factory, token: Factory, identity: Factory) -> Catalog:
        """The registered types plus the core's own ``system``, ``token`` and ``identity``."""
        return cls(
            secrets={**_secret_factories(), "system": system, "identity": identity},
            auth={**_auth_factories(), "token": token},
        )

    def factory(self, kind: str, table: str) -> Factory:
        """The factory for a mount ``kind`` in ``table``."""
        factories = self.auth if table == "auth" else self.secrets
        factory = factories.get(_ALIASES.get(kind, kind) if table != "auth" else kind)
        if factory is None:
            raise InvalidRequest(f"plugin not found in the catalog: {kind}")
        return factory

    def known_types(self, table: str) -> list[str]:
        """Types that can be mounted in ``table``."""
        factories = self.auth if table == "auth" else self.secrets
        return sorted(k for k in factories if k not in _BUILT_IN)
