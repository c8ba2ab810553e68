"""What every PKI path group shares: the mount config, the clock, caches and locks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sealbox.engines.pki.issuers import SignerCache
from sealbox.engines.pki.store import PKIStore
from sealbox.framework import BackendConfig
from sealbox.logical import Request

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


@dataclass(slots=True)
class PKIContext:
    """Shared state of one PKI mount."""

    config: BackendConfig
    clock: Clock = utc_now
    signers: SignerCache = field(default_factory=SignerCache)
    # Serialises CRL rebuilds and issuer-set changes (default issuer, chains) in this process.
    crl_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    issuers_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    index_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def store(self, req: Request | None = None) -> PKIStore:
        """Records on the request's storage view (the mount's own by default)."""
        storage = req.storage if req is not None and req.storage is not None else None
        return PKIStore(storage or self.config.storage, self.index_lock)
