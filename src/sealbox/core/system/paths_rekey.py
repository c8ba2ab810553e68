"""sys/rekey/{init,update,verify,backup}: replace the unseal key shares (rekey.mdx).

Unauthenticated like Vault's: the shares themselves are the authorisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response
from sealbox.shamir import decode_share

if TYPE_CHECKING:
    from sealbox.core.system.views import SystemView

_INIT = {
    "secret_shares": FieldSchema(FieldType.INT, "Number of new shares."),
    "secret_threshold": FieldSchema(FieldType.INT, "Shares needed to unseal."),
    "pgp_keys": FieldSchema(FieldType.COMMA_STRING_LIST, "Not supported."),
    "backup": FieldSchema(FieldType.BOOL, "Store PGP-encrypted backups (not supported)."),
    "require_verification": FieldSchema(FieldType.BOOL, "Verify new shares before use."),
}
_UPDATE = {
    "key": FieldSchema(FieldType.STRING, "One unseal key share (hex or base64)."),
    "nonce": FieldSchema(FieldType.STRING, "Nonce of the rekey operation."),
}


def paths(system: SystemView) -> list[Path]:
    """Rekey paths."""
    ops = system.quorum

    async def status(req: Request, d: FieldData) -> Response:
        del req, d
        return Response(data=await ops.rekey_status())

    async def start(req: Request, d: FieldData) -> Response:
        del req
        if d.get("pgp_keys"):
            raise InvalidRequest("PGP-encrypted key shares are not supported")
        data = await ops.rekey_start(
            d.get("secret_shares"),
            d.get("secret_threshold"),
            d.get("backup"),
            d.get("require_verification"),
        )
        return Response(data=data)

    async def cancel(req: Request, d: FieldData) -> Response | None:
        del req, d
        ops.rekey_cancel()
        return None

    async def update(req: Request, d: FieldData) -> Response:
        del req
        result = await ops.rekey_update(_key(d), d.get("nonce"))
        return Response(data=result)

    async def verify_status(req: Request, d: FieldData) -> Response:
        del req, d
        return Response(data=await ops.rekey_verify_status())

    async def verify_cancel(req: Request, d: FieldData) -> Response:
        del req, d
        ops.rekey_verify_cancel()
        return Response(data=await ops.rekey_verify_status())

    async def verify(req: Request, d: FieldData) -> Response:
        del req
        return Response(data=await ops.rekey_verify(_key(d), d.get("nonce")))

    async def backup(req: Request, d: FieldData) -> Response:
        del req, d
        raise InvalidRequest("no backed-up keys found")

    return [
        Path(
            "rekey/init",
            _INIT,
            {Operation.READ: status, Operation.UPDATE: start, Operation.DELETE: cancel},
            synopsis="Start or cancel a rekey.",
        ),
        Path(
            "rekey/update",
            _UPDATE,
            {Operation.UPDATE: update},
            synopsis="Provide an unseal key share for the rekey.",
        ),
        Path(
            "rekey/verify",
            _UPDATE,
            {
                Operation.READ: verify_status,
                Operation.UPDATE: verify,
                Operation.DELETE: verify_cancel,
            },
            synopsis="Verify the new shares.",
        ),
        Path(
            "rekey/backup",
            {},
            {Operation.READ: backup, Operation.DELETE: backup},
            synopsis="PGP backups of rekeyed shares (not supported).",
        ),
    ]


def _key(d: FieldData) -> bytes:
    key = d.get("key")
    if not key:
        raise InvalidRequest("'key' must be specified in request body as JSON")
    return decode_share(key)
