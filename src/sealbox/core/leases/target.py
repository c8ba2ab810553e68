"""What the expiration manager needs from the rest of the core, as narrow types.

A lease path is routed to the backend that issued it (``LeaseTarget``, found through the
mount router by the lease's path, as OpenBao routes revocations); tokens are seen only
through their hash and expiry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sealbox.core.router import Route, Router
from sealbox.framework import Backend
from sealbox.logical import Operation, Request, Storage


@dataclass(frozen=True, slots=True)
class LeaseTarget:
    """The backend that issued a lease, with its storage and the mount-relative path."""

    backend: Backend
    storage: Storage
    mount_point: str
    relative: str


LeaseRouter = Callable[[str], LeaseTarget | None]


def router_lookup(router: Router, view_for: Callable[[Route], Storage]) -> LeaseRouter:
    """A LeaseRouter over the core's mount router (longest-prefix match of the lease path)."""

    def route(path: str) -> LeaseTarget | None:
        matched = router.match(path)
        if matched is None:
            return None
        found, relative = matched
        return LeaseTarget(found.backend, view_for(found), found.mount_path, relative)

    return route


class TokenRecord(Protocol):
    """What the manager reads of a token entry."""

    @property
    def id_hash(self) -> str: ...

    @property
    def expire_time(self) -> datetime | None: ...


class TokenLookup(Protocol):
    """The token store, as far as leases need it."""

    async def hash_token(self, token: str) -> str: ...

    async def lookup_hash(self, id_hash: str) -> Any: ...


def lease_request(target: LeaseTarget, operation: Operation) -> Request:
    """The request a backend's lease hook receives: its storage and the relative path."""
    return Request(
        operation=operation,
        path=target.relative,
        mount_point=target.mount_point,
        storage=target.storage,
    )
