"""Wire HA into a server whose storage can elect a leader (PostgreSQL with ha_enabled).

Kept out of run.py: it finds the PostgreSQL backend under the read cache, gives the Core an
``HACoordinator`` (core/ha.py) and returns the forwarding API (forwarding.py) to serve. The
node's lock identity is its api_addr plus a random suffix, so two processes advertising the
same address (a misconfiguration) still never share a lock.
"""

from __future__ import annotations

import secrets

from sealbox.api.app import VaultAPI
from sealbox.core.core import Core
from sealbox.storage.cache import CachedStorage
from sealbox.storage.read_lease import ActiveSlot


def ha_api(
    core: Core,
    *,
    redirect: bool = False,
    serve_reads: bool = True,
    forward_addr: str = "",
    active_slot: ActiveSlot | None = None,
) -> VaultAPI | None:
    """The HA-aware API for ``core``, or None when its storage has no HA. With ``redirect``
    its standbys answer 307 to the active's api_addr instead of forwarding; ``serve_reads``
    makes them performance standbys; ``forward_addr`` is where other nodes forward to this
    one when it is active (a worker's own address; default: the api_addr); ``active_slot`` is
    the memory a node's workers share (storage/read_lease.py)."""
    physical = core.physical
    cache = physical if isinstance(physical, CachedStorage) else None
    inner = cache.inner if cache is not None else physical
    from sealbox.storage.postgresql import PostgreSQLStorage

    if not isinstance(inner, PostgreSQLStorage) or not inner.ha_enabled:
        return None
    from sealbox.core.ha import HACoordinator
    from sealbox.server.forwarding import HAVaultAPI

    api_addr = core.config.api_addr
    core.ha = HACoordinator(
        core,
        inner,
        cache,
        identity=f"{api_addr}#{secrets.token_hex(4)}",
        api_addr=api_addr,
        serve_reads=serve_reads,
        forward_addr=forward_addr,
        active_slot=active_slot,
    )
    return HAVaultAPI(core, core.ha, redirect=redirect)
