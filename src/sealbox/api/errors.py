"""Render SealboxError as Vault's ``{"errors": [...]}`` JSON: the only place errors become bytes."""

from __future__ import annotations

import orjson

from sealbox.errors import SealboxError
from sealbox.logical import Response


def error_body(err: SealboxError) -> tuple[int, bytes]:
    """Status and body for an error; some carry a full envelope (kv v2 deleted versions)."""
    if err.data is not None:
        return err.status, b""
    return err.status, orjson.dumps({"errors": err.messages})


def error_response(err: SealboxError) -> Response | None:
    """A Response carrying ``err.data`` when Vault answers the error with an envelope."""
    if err.data is None:
        return None
    return Response(data=err.data, status=err.status)
