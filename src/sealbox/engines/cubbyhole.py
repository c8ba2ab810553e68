"""Cubbyhole: a private key/value store per token.

Mirrors openbao internal/builtin/logical/cubbyhole (cubbyhole.go): KV v1 semantics (a write
replaces the whole map, LIST lists children) scoped to the calling token; no lease hint is
given for a ``ttl`` key. The core sets ``req.token_entry``, whose ``cubbyhole_id`` names the
token's private prefix; a request without one is refused. The core calls
``token_revoked(entry)`` when the token is revoked.

Storage layout: ``<cubbyhole_id>/<path>`` holds the JSON map written at ``<path>``.
"""

from __future__ import annotations

from typing import Any

import orjson

from sealbox.engines.kv.v1 import check_writable, list_prefix
from sealbox.errors import PermissionDenied
from sealbox.framework import Backend, BackendConfig, FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.logical import Operation, Request, Response, Storage, TxOp
from sealbox.logical.storage import list_recursive
from sealbox.logical.tokens import TokenEntry

_PATH_FIELD = {"path": FieldSchema(FieldType.STRING, "Location of the secret.")}


class CubbyholeEngine(Backend):
    """Per-token private secrets."""

    backend_type = "cubbyhole"

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        self.paths = [
            Path(
                match_all("path"),
                fields=_PATH_FIELD,
                operations={
                    Operation.READ: self.read_secret,
                    Operation.CREATE: self.write_secret,
                    Operation.UPDATE: self.write_secret,
                    Operation.DELETE: self.delete_secret,
                    Operation.LIST: self.list_secrets,
                },
                existence_check=self.secret_exists,
                takes_arbitrary_input=True,
                synopsis="Pass-through secret storage to a token-specific cubbyhole.",
                description="Only the token that wrote a secret can read, list or delete it.",
            )
        ]

    def _prefix(self, req: Request) -> str:
        cubbyhole_id = getattr(req.token_entry, "cubbyhole_id", "")
        if not isinstance(cubbyhole_id, str) or not cubbyhole_id or "/" in cubbyhole_id:
            raise PermissionDenied()
        return cubbyhole_id + "/"

    def _storage(self, req: Request) -> Storage:
        return req.storage or self.config.storage

    async def secret_exists(self, req: Request, d: FieldData) -> bool:
        path: str = d.get("path")
        return bool(path) and await self._storage(req).get(self._prefix(req) + path) is not None

    async def read_secret(self, req: Request, d: FieldData) -> Response | None:
        """GET /cubbyhole/:path."""
        prefix = self._prefix(req)
        path: str = d.get("path")
        if not path or path.endswith("/"):
            return None
        raw = await self._storage(req).get(prefix + path)
        if raw is None:
            return None
        data: dict[str, Any] = orjson.loads(raw)
        return Response(data=data)

    async def write_secret(self, req: Request, d: FieldData) -> None:
        """POST /cubbyhole/:path. Replace the whole map.

        compat: OpenBao answers an empty body with 500 "missing data fields"; we answer 400,
        since bad input must never be a server error.
        """
        prefix = self._prefix(req)
        path: str = d.get("path")
        check_writable(path, req.data)
        await self._storage(req).put(prefix + path, orjson.dumps(req.data))

    async def delete_secret(self, req: Request, d: FieldData) -> None:
        """DELETE /cubbyhole/:path."""
        prefix = self._prefix(req)
        path: str = d.get("path")
        if path and not path.endswith("/"):
            await self._storage(req).delete(prefix + path)

    async def list_secrets(self, req: Request, d: FieldData) -> Response | None:
        """LIST /cubbyhole/:path/."""
        prefix = self._prefix(req)
        keys = await self._storage(req).list(prefix + list_prefix(d.get("path")))
        return Response(data={"keys": keys}) if keys else None

    async def token_revoked(self, entry: TokenEntry) -> None:
        """The token is gone: delete everything it stored."""
        await self.destroy(entry.cubbyhole_id)

    async def destroy(self, cubbyhole_id: str) -> None:
        """Delete everything the token with ``cubbyhole_id`` stored."""
        if not cubbyhole_id or "/" in cubbyhole_id:
            return
        prefix = cubbyhole_id + "/"
        storage = self.config.storage
        keys = await list_recursive(storage, prefix)
        if keys:
            await storage.transaction([TxOp(prefix + key, None) for key in keys])


def cubbyhole_factory(config: BackendConfig) -> Backend:
    """The cubbyhole backend for one mount."""
    return CubbyholeEngine(config)
