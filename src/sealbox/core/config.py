"""Settings the core needs from the server configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

from sealbox.barrier.seals import SealSetup

# compat: Vault's system default and maximum lease TTL, 768h (32 days).
DEFAULT_LEASE_TTL = 768 * 3600


@dataclass(frozen=True, slots=True)
class CoreConfig:
    """What the core is told by ``server/config.py`` (or dev mode)."""

    default_lease_ttl: int = DEFAULT_LEASE_TTL
    max_lease_ttl: int = DEFAULT_LEASE_TTL
    api_addr: str = ""
    cluster_name: str = "sealbox-cluster"
    storage_type: str = "inmem"
    # Directories where audit file devices enabled through the API may write.
    audit_dirs: tuple[str, ...] = field(default_factory=tuple)
    # The auto-unseal seal (and one being migrated from); none means Shamir.
    seals: SealSetup = field(default_factory=SealSetup)
