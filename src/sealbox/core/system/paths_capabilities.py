"""sys/capabilities, capabilities-self and capabilities-accessor.

Mirrors OpenBao's capabilities.go: the answer maps each path to its sorted capabilities and,
when exactly one path was asked, repeats it under ``capabilities``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

if TYPE_CHECKING:
    from sealbox.core.system.views import SystemView

_FIELDS = {
    "token": FieldSchema(FieldType.STRING, "Token to check."),
    "accessor": FieldSchema(FieldType.STRING, "Accessor of the token to check."),
    "path": FieldSchema(FieldType.COMMA_STRING_LIST, "Deprecated: single path."),
    "paths": FieldSchema(FieldType.COMMA_STRING_LIST, "Paths to check."),
}


def paths(system: SystemView) -> list[Path]:
    """The three capabilities endpoints."""

    async def answer(entry: Any, d: FieldData) -> Response:
        wanted = d.get("paths") or d.get("path")
        if not wanted:
            raise InvalidRequest("missing paths")
        if entry is None:
            raise InvalidRequest("invalid token")
        acl = await system.policies.acl(entry.policies)
        data: dict[str, Any] = {p: acl.capabilities(p.lstrip("/")) for p in wanted}
        if len(wanted) == 1:
            data["capabilities"] = data[wanted[0]]
        return Response(data=data)

    async def by_token(req: Request, d: FieldData) -> Response:
        del req
        return await answer(await system.tokens.lookup(d.get("token")), d)

    async def by_self(req: Request, d: FieldData) -> Response:
        token = d.get("token") or req.client_token
        return await answer(await system.tokens.lookup(token), d)

    async def by_accessor(req: Request, d: FieldData) -> Response:
        del req
        return await answer(await system.tokens.lookup_accessor(d.get("accessor")), d)

    return [
        Path(
            "capabilities",
            _FIELDS,
            {Operation.UPDATE: by_token},
            synopsis="Capabilities of a token on paths.",
        ),
        Path(
            "capabilities-self",
            _FIELDS,
            {Operation.UPDATE: by_self},
            synopsis="Capabilities of the calling token.",
        ),
        Path(
            "capabilities-accessor",
            _FIELDS,
            {Operation.UPDATE: by_accessor},
            synopsis="Capabilities of the token with an accessor.",
        ),
    ]
