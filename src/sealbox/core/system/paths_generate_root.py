"""sys/generate-root/{attempt,update}: a new root token from a quorum of shares (OTP flow).

Unauthenticated like Vault's; the token is only returned XORed with the caller's OTP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response
from sealbox.shamir import decode_share

if TYPE_CHECKING:
    from sealbox.core.system.views import SystemView

_ATTEMPT = {
    "otp": FieldSchema(FieldType.STRING, "One-time password, as long as a root token."),
    "pgp_key": FieldSchema(FieldType.STRING, "Not supported."),
}
_UPDATE = {
    "key": FieldSchema(FieldType.STRING, "One unseal key share (hex or base64)."),
    "nonce": FieldSchema(FieldType.STRING, "Nonce of the attempt."),
}


def paths(system: SystemView) -> list[Path]:
    """Generate-root paths."""
    ops = system.quorum

    async def status(req: Request, d: FieldData) -> Response:
        del req, d
        return Response(data=await ops.root_status())

    async def start(req: Request, d: FieldData) -> Response:
        del req
        return Response(data=await ops.root_start(d.get("otp"), d.get("pgp_key")))

    async def cancel(req: Request, d: FieldData) -> Response | None:
        del req, d
        ops.root_cancel()
        return None

    async def update(req: Request, d: FieldData) -> Response:
        del req
        key = d.get("key")
        if not key:
            raise InvalidRequest("'key' must be specified in request body as JSON")
        return Response(data=await ops.root_update(decode_share(key), d.get("nonce")))

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
