"""The ``identity/`` mount: the HTTP face of the identity store.

Like ``sys/``, it is a core backend (OpenBao's identity store is a logical backend built into
the core); the core hands it an ``IdentityServices`` view (how to name an auth mount by its
accessor, and the server's API address for identity-token issuers), never the core itself.
Its data lives in the mount's own storage view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sealbox.core.identity.oidc_keys import OIDCStore
from sealbox.core.identity.paths_entity import entity_paths
from sealbox.core.identity.paths_group import group_paths
from sealbox.core.identity.paths_oidc import OIDCHandlers, oidc_paths
from sealbox.core.identity.store import IdentityStore, MountResolver
from sealbox.framework import Backend, BackendConfig


@dataclass(frozen=True, slots=True)
class IdentityServices:
    """What the identity backend needs from the core."""

    resolve_mount: MountResolver
    api_addr: Callable[[], str]


class IdentityBackend(Backend):
    """Entities, entity aliases, groups, group aliases, lookups and identity tokens."""

    backend_type = "identity"
    # compat: OpenBao's identity store PathsSpecial.Unauthenticated
    unauthenticated_paths = ("oidc/.well-known/*",)

    def __init__(self, config: BackendConfig, services: IdentityServices) -> None:
        super().__init__(config)
        self.store = IdentityStore(config.storage, services.resolve_mount)
        oidc = OIDCHandlers(self.store, OIDCStore(config.storage), services.api_addr)
        self.paths = [*entity_paths(self.store), *group_paths(self.store), *oidc_paths(oidc)]

    async def initialize(self) -> None:
        """Load every entity and group into the in-memory indexes."""
        await self.store.load()
