"""sys/leases: lookup, renew and revoke.

No engine issues leases yet (dynamic credentials arrive with the database and PKI engines),
so every lease id is unknown: Vault answers those with 400 ``invalid lease``. The paths exist
so clients get Vault's answers instead of a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.logical import Operation, Request, Response

if TYPE_CHECKING:
    from sealbox.core.system.views import SystemView

_FIELDS = {
    "lease_id": FieldSchema(FieldType.STRING, "Lease id."),
    "url_lease_id": FieldSchema(FieldType.STRING, "Lease id from the URL."),
    "increment": FieldSchema(FieldType.DURATION, "Requested extension."),
    "sync": FieldSchema(FieldType.BOOL, "Revoke synchronously.", default=True),
    "prefix": FieldSchema(FieldType.STRING, "Lease id prefix."),
}


def paths(system: SystemView) -> list[Path]:
    """Lease management paths."""
    del system

    async def unknown_lease(req: Request, d: FieldData) -> Response:
        del req
        if not (d.get("lease_id") or d.get("url_lease_id")):
            raise InvalidRequest("lease id is required")
        raise InvalidRequest("invalid lease")

    async def revoke(req: Request, d: FieldData) -> Response | None:
        del req
        if not (d.get("lease_id") or d.get("url_lease_id")):
            raise InvalidRequest("lease id is required")
        return None

    async def revoke_prefix(req: Request, d: FieldData) -> Response | None:
        del req, d
        return None

    async def tidy(req: Request, d: FieldData) -> Response:
        del req, d
        return Response(
            accepted=True,
            warnings=[
                "Tidy operation successfully started. Any "
                "information from the operation will be printed "
                "to OpenBao's server logs."
            ],
        )

    return [
        Path(
            "leases/lookup", _FIELDS, {Operation.UPDATE: unknown_lease}, synopsis="Look up a lease."
        ),
        Path(
            "leases/renew(/(?P<url_lease_id>.+))?",
            _FIELDS,
            {Operation.UPDATE: unknown_lease},
            synopsis="Renew a lease.",
        ),
        Path(
            "leases/revoke(/(?P<url_lease_id>.+))?",
            _FIELDS,
            {Operation.UPDATE: revoke},
            synopsis="Revoke a lease.",
        ),
        Path(
            f"leases/revoke-(prefix|force)/{match_all('prefix')}",
            _FIELDS,
            {Operation.UPDATE: revoke_prefix},
            synopsis="Revoke every lease under a prefix.",
        ),
        Path("leases/tidy", {}, {Operation.UPDATE: tidy}, synopsis="Tidy the lease store."),
    ]
