"""sys/leases: lookup, list, renew, revoke, revoke-prefix, revoke-force, tidy (leases.mdx).

Thin handlers over the expiration manager (``core/expiration.py``); the answers and messages
are OpenBao's: an unknown lease is 400 ``invalid lease`` on lookup and ``lease not found`` on
renew, revoking an unknown lease is a 204, ``sync=false`` queues the revocation (202), and a
synchronous revocation that fails is a 400 naming the backend's error. The legacy
``sys/renew`` and ``sys/revoke`` paths answer the same way (the legacy prefix forms are not
served: they would need their own sudo entries).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sealbox.core.leases.entry import rfc3339
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.logical import Operation, Request, Response

if TYPE_CHECKING:
    from sealbox.core.expiration import ExpirationManager

log = logging.getLogger("sealbox.expiration")

_FIELDS = {
    "lease_id": FieldSchema(FieldType.STRING, "Lease id."),
    "url_lease_id": FieldSchema(FieldType.STRING, "Lease id from the URL."),
    "increment": FieldSchema(FieldType.DURATION, "Requested extension."),
    "sync": FieldSchema(FieldType.BOOL, "Revoke synchronously.", default=True),
    "prefix": FieldSchema(FieldType.STRING, "Lease id prefix."),
}
_QUERY = {
    "type": FieldSchema(
        FieldType.STRING, "Which leases: only irrevocable is supported.", query=True
    ),
    "include_child_namespaces": FieldSchema(FieldType.BOOL, "Accepted; no namespaces.", query=True),
    "limit": FieldSchema(FieldType.STRING, "Most leases to list (or none).", query=True),
}

_TIDY_WARNING = (
    "Tidy operation successfully started. Any information from the operation will be "
    "printed to OpenBao's server logs."
)


def _lease_id(d: FieldData) -> str:
    lease_id: str = d.get("url_lease_id") or d.get("lease_id")
    if not lease_id:
        raise InvalidRequest("lease_id must be specified")
    return lease_id


class _LeaseHandlers:
    """The handlers, bound to one manager."""

    def __init__(self, manager: ExpirationManager) -> None:
        self.manager = manager
        self._tidy: asyncio.Task[None] | None = None

    async def lookup(self, req: Request, d: FieldData) -> Response:
        """POST sys/leases/lookup {lease_id}."""
        del req
        return Response(data=await self.manager.lookup(_lease_id(d)))

    async def list(self, req: Request, d: FieldData) -> Response:
        """LIST sys/leases/lookup/:prefix (sudo)."""
        del req
        return Response(data={"keys": await self.manager.list_ids(d.get("prefix"))})

    async def renew(self, req: Request, d: FieldData) -> Response:
        """POST sys/leases/renew {lease_id, increment}."""
        del req
        return await self.manager.renew(_lease_id(d), d.get("increment"))

    async def revoke(self, req: Request, d: FieldData) -> Response | None:
        """POST sys/leases/revoke {lease_id, sync}: 204, or 202 when queued."""
        del req
        sync: bool = d.get("sync")
        await self.manager.revoke(_lease_id(d), sync=sync)
        return None if sync else Response(accepted=True)

    async def revoke_prefix(self, req: Request, d: FieldData) -> Response | None:
        """POST sys/leases/revoke-prefix/:prefix {sync} (sudo)."""
        sync: bool = d.get("sync")
        await self.manager.revoke_prefix(d.get("prefix"), sync=sync)
        del req
        return None if sync else Response(accepted=True)

    async def revoke_force(self, req: Request, d: FieldData) -> Response | None:
        """POST sys/leases/revoke-force/:prefix (sudo): revoke, deleting even on errors."""
        del req
        await self.manager.revoke_prefix(d.get("prefix"), force=True)
        return None

    async def irrevocable(self, req: Request, d: FieldData) -> Response | None:
        """GET sys/leases?type=irrevocable: leases whose revocation keeps failing.

        compat: OpenBao lists the leases it stopped retrying; sealbox never stops, so it lists
        every lease with a failed revocation, with the last error. Other types are a 404.
        """
        del req
        if d.get("type") != "irrevocable":
            return None
        failing = await self.manager.failing()
        return Response(
            data={
                "lease_count": len(failing),
                "leases": [
                    {
                        "lease_id": e.lease_id,
                        "path": e.path,
                        "namespace_id": "root",
                        "error": e.last_error,
                        "expire_time": rfc3339(e.expire_time),
                    }
                    for e in failing
                ],
            }
        )

    async def count(self, req: Request, d: FieldData) -> Response | None:
        """GET sys/leases/count?type=irrevocable: failing leases per mount."""
        del req
        if d.get("type") != "irrevocable":
            return None
        counts: dict[str, int] = {}
        for entry in await self.manager.failing():
            counts[entry.mount_point] = counts.get(entry.mount_point, 0) + 1
        return Response(data={"counts": counts, "lease_count": sum(counts.values())})

    async def tidy(self, req: Request, d: FieldData) -> Response:
        """POST sys/leases/tidy: 202; the work runs in the background."""
        del req, d
        if self._tidy is None or self._tidy.done():
            self._tidy = asyncio.create_task(self._run_tidy())
        return Response(accepted=True, warnings=[_TIDY_WARNING])

    async def _run_tidy(self) -> None:
        try:
            revoked = await self.manager.tidy()
        except Exception as err:  # noqa: BLE001 - a background worker reports, never raises
            log.warning("lease tidy failed: %s", type(err).__name__)
        else:
            log.info("lease tidy finished: %d lease(s) of revoked tokens revoked", revoked)


def paths(manager: ExpirationManager) -> list[Path]:
    """Lease management paths."""
    h = _LeaseHandlers(manager)
    return [
        Path(
            f"leases/lookup/{match_all('prefix')}",
            _FIELDS,
            {Operation.LIST: h.list},
            synopsis="List lease ids under a prefix.",
        ),
        Path(
            "leases/lookup",
            _FIELDS,
            {Operation.UPDATE: h.lookup, Operation.LIST: h.list},
            synopsis="Look up a lease.",
        ),
        Path(
            "(leases/)?renew(/(?P<url_lease_id>.+))?",
            _FIELDS,
            {Operation.UPDATE: h.renew},
            synopsis="Renew a lease.",
        ),
        Path(
            f"leases/revoke-prefix/{match_all('prefix')}",
            _FIELDS,
            {Operation.UPDATE: h.revoke_prefix},
            synopsis="Revoke every lease under a prefix.",
        ),
        Path(
            f"leases/revoke-force/{match_all('prefix')}",
            _FIELDS,
            {Operation.UPDATE: h.revoke_force},
            synopsis="Revoke every lease under a prefix, removing those that fail.",
        ),
        Path(
            "(leases/)?revoke(/(?P<url_lease_id>.+))?",
            _FIELDS,
            {Operation.UPDATE: h.revoke},
            synopsis="Revoke a lease.",
        ),
        Path("leases/tidy", {}, {Operation.UPDATE: h.tidy}, synopsis="Tidy the lease store."),
        Path("leases", _QUERY, {Operation.READ: h.irrevocable}, synopsis="List failing leases."),
        Path("leases/count", _QUERY, {Operation.READ: h.count}, synopsis="Count failing leases."),
    ]
