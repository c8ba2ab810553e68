"""Render SealboxError as Vault's ``{"errors": [...]}`` JSON: the only place errors become bytes.

Errors that Vault answers with a full envelope instead (a deleted KV v2 version: 404 with
its metadata in ``data``) are rendered by the caller through ``envelope.render``.
"""

from __future__ import annotations

import orjson

from sealbox.errors import SealboxError


def error_bytes(err: SealboxError) -> bytes:
    """The body of an error response."""
    return orjson.dumps({"errors": err.messages})
