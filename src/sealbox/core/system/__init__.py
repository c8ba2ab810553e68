"""The ``sys/`` backend: mounts, policies, capabilities, audit, keys, wrapping, internals.

Each ``paths_*.py`` module contributes the Paths for one resource; ``SystemBackend`` strings
them together over a ``SystemView`` of the core's stores. The unauthenticated seal endpoints
(init, unseal, seal-status, health, leader) must answer while sealed, so the Vault door
serves those directly from the Core instead.
"""

from __future__ import annotations

from sealbox.core.system import (
    paths_audit,
    paths_capabilities,
    paths_generate_root,
    paths_internal,
    paths_keys,
    paths_leases,
    paths_mounts,
    paths_password_policies,
    paths_policies,
    paths_rekey,
    paths_wrapping,
)
from sealbox.core.system.views import SystemView
from sealbox.framework import Backend, BackendConfig


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

    def __init__(self, config: BackendConfig, system: SystemView) -> None:
        super().__init__(config)
        self.paths = [
            *paths_mounts.paths(system.mounts),
            *paths_password_policies.paths(system.password_policies),
            *paths_policies.paths(system),
            *paths_capabilities.paths(system),
            *paths_audit.paths(system),
            *paths_keys.paths(system),
            *paths_rekey.paths(system),
            *paths_generate_root.paths(system),
            *paths_wrapping.paths(system),
            *paths_leases.paths(system.leases),
            *paths_internal.paths(system),
        ]


__all__ = ["SystemBackend", "SystemView"]
