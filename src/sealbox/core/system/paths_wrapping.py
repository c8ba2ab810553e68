"""sys/wrapping/{wrap,lookup,unwrap,rewrap}: response wrapping endpoints (wrapping-*.mdx)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.errors import InvalidRequest, PermissionDenied
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

if TYPE_CHECKING:
    from sealbox.core.system.views import SystemView

_TOKEN = {"token": FieldSchema(FieldType.STRING, "Wrapping token.")}


def _wrapping_token(req: Request, d: FieldData) -> str:
    token: str = d.get("token") or req.client_token
    if not token:
        # compat: OpenBao refuses an absent wrapping token with 403 (wrapping.go ValidateWrappingToken).
        raise PermissionDenied("error validating wrapping token: token is empty")
    return token


def paths(system: SystemView) -> list[Path]:
    """Wrapping paths; wrap itself happens in the pipeline through X-Vault-Wrap-TTL."""

    async def wrap(req: Request, d: FieldData) -> Response:
        del d
        if not req.wrap_ttl:
            raise InvalidRequest("endpoint requires response wrapping to be used")
        return Response(data=dict(req.data))

    async def lookup(req: Request, d: FieldData) -> Response:
        token = _wrapping_token(req, d)
        return Response(data=await system.wrapper.lookup(token))

    async def unwrap(req: Request, d: FieldData) -> Response:
        token = _wrapping_token(req, d)
        return await system.wrapper.unwrap(token)

    async def rewrap(req: Request, d: FieldData) -> Response:
        return await system.wrapper.rewrap(req, d.get("token") or req.client_token)

    return [
        Path(
            "wrapping/wrap",
            {},
            {Operation.UPDATE: wrap},
            takes_arbitrary_input=True,
            synopsis="Wrap arbitrary data in a wrapping token.",
        ),
        Path(
            "wrapping/lookup",
            _TOKEN,
            {Operation.UPDATE: lookup, Operation.READ: lookup},
            synopsis="Look up a wrapping token's properties.",
        ),
        Path(
            "wrapping/unwrap",
            _TOKEN,
            {Operation.UPDATE: unwrap},
            synopsis="Unwrap a wrapping token.",
        ),
        Path(
            "wrapping/rewrap",
            _TOKEN,
            {Operation.UPDATE: rewrap},
            synopsis="Rewrap a wrapping token's response under a new token.",
        ),
    ]
