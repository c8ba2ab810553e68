"""The identity store: entities, entity aliases, groups and group aliases (``identity/``).

Mirrors OpenBao's internal/vault/identity_store*.go. The store lives in the ``identity/``
mount's storage view; the core reaches it through ``identity_store`` (by the mount's route)
for logins (alias -> entity) and for the identity policies added to a token's own at request
time.
"""

from __future__ import annotations

from sealbox.core.identity.store import IdentityStore
from sealbox.core.router import Router

IDENTITY_MOUNT = "identity/"


def identity_store(router: Router) -> IdentityStore | None:
    """The mounted identity store, or None before unseal / when it is not mounted."""
    route = router.get(IDENTITY_MOUNT)
    store = getattr(route.backend, "store", None) if route is not None else None
    return store if isinstance(store, IdentityStore) else None


__all__ = ["IDENTITY_MOUNT", "IdentityStore", "identity_store"]
