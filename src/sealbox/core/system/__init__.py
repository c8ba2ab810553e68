"""The ``sys/`` backend: mounts, policies, capabilities, audit, keys, wrapping, internals.

Each ``paths_*.py`` module contributes the Paths for one resource; ``SystemBackend`` strings
them together. The unauthenticated seal endpoints (init, unseal, seal-status, health, leader)
must answer while sealed, so the API layer serves those directly from the Core instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.framework import Backend, BackendConfig

if TYPE_CHECKING:
    from sealbox.core.core import Core


class SystemBackend(Backend):
    """Vault's system backend (OpenBao logical_system.go), split by resource."""

    backend_type = "system"
    unauthenticated_paths = (
        "wrapping/lookup",
        "wrapping/unwrap",
        "internal/specs/openapi",
        "internal/ui/mounts",
        "internal/ui/mounts/*",
        "rekey/*",
        "generate-root/*",
    )
    # compat: OpenBao's PathsSpecial.Root (logical_system.go); sys/mounts/* needs no sudo
    root_paths = (
        "audit",
        "audit/*",
        "auth/*",
        "remount",
        "rotate",
        "rotate/keyring",
        "seal",
        "raw/*",
        "leases/revoke-prefix/*",
        "leases/revoke-force/*",
        "leases/lookup/*",
    )

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        from sealbox.core.system import (
            paths_audit,
            paths_capabilities,
            paths_internal,
            paths_keys,
            paths_leases,
            paths_mounts,
            paths_policies,
            paths_wrapping,
        )

        core: Core = config.system
        self.core = core
        self.paths = [
            *paths_mounts.paths(core),
            *paths_policies.paths(core),
            *paths_capabilities.paths(core),
            *paths_audit.paths(core),
            *paths_keys.paths(core),
            *paths_wrapping.paths(core),
            *paths_leases.paths(core),
            *paths_internal.paths(core),
        ]


def system_factory(config: BackendConfig) -> Backend:
    """Build the sys/ backend for a Core."""
    return SystemBackend(config)
