"""sys/generate-root/{attempt,update}: a new root token from a quorum of shares (OTP flow).

Unauthenticated like Vault's; the token is only returned XORed with the caller's OTP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.api.sys_raw import decode_key
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

if TYPE_CHECKING:
    from sealbox.core.core import Core

_ATTEMPT = {
    "otp": FieldSchema(FieldType.STRING, "One-time password, as long as a root token."),
    "pgp_key": FieldSchema(FieldType.STRING, "Not supported."),
}
_UPDATE = {
    "key": FieldSchema(FieldType.STRING, "One unseal key share (hex or base64)."),
    "nonce": FieldSchema(FieldType.STRING, "Nonce of the attempt."),
}


def paths(core: Core) -> list[Path]:
    """Generate-root paths."""
    ops = core.seal_ops

    async def status(req: Request, d: FieldData) -> Response:
        del req, d
        return Response(data=await ops.root_status(), raw=True)

    async def start(req: Request, d: FieldData) -> Response:
        del req
        return Response(data=await ops.root_start(d.get("otp"), d.get("pgp_key")), raw=True)

    async def cancel(req: Request, d: FieldData) -> Response | None:
        del req, d
        ops.root_cancel()
        return None

    async def update(req: Request, d: FieldData) -> Response:
        del req
        key = d.get("key")
        if not key:
            raise InvalidRequest("'key' must be specified in request body as JSON")
        return Response(data=await ops.root_update(decode_key(key), d.get("nonce")), raw=True)

    return [
        Path(
            "generate-root/attempt",
            _ATTEMPT,
            {Operation.READ: status, Operation.UPDATE: start, Operation.DELETE: cancel},
            synopsis="Start, read or cancel a root generation attempt.",
        ),
        Path(
            "generate-root/update",
            _UPDATE,
            {Operation.UPDATE: update},
            synopsis="Provide an unseal key share for root generation.",
        ),
    ]
