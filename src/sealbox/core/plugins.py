"""The one registry of backend types: which factory builds a mount of a given type.

The core never imports a concrete engine elsewhere; later engines (transit, pki, database)
and auth methods (userpass, approle, ...) register here.
"""

from __future__ import annotations

from collections.abc import Callable

from sealbox.errors import InvalidRequest
from sealbox.framework import Backend, BackendConfig

Factory = Callable[[BackendConfig], Backend]


def _secret_factories() -> dict[str, Factory]:
    from sealbox.core.system import system_factory
    from sealbox.engines import ENGINE_FACTORIES

    return {**ENGINE_FACTORIES, "system": system_factory}


def _auth_factories() -> dict[str, Factory]:
    from sealbox.auth.token import token_factory

    return {"token": token_factory}


def backend_factory(kind: str, table: str) -> Factory:
    """The factory for a mount ``kind`` in ``table`` ("mounts" or "auth")."""
    factories = _auth_factories() if table == "auth" else _secret_factories()
    factory = factories.get(kind)
    if factory is None:
        raise InvalidRequest(f"plugin not found in the catalog: {kind}")
    return factory


def known_types(table: str) -> list[str]:
    """Types that can be mounted in ``table``."""
    factories = _auth_factories() if table == "auth" else _secret_factories()
    return sorted(k for k in factories if k not in ("system", "token", "cubbyhole"))
