"""KV version 1: one unversioned JSON map per path.

Mirrors openbao internal/builtin/logical/kv/passthrough.go: a write replaces the whole map
(an empty one is refused, as is a path ending in "/"), a read returns it, DELETE removes it and
LIST lists the children. A ``ttl`` (or legacy ``lease``) key in the stored map is a lease
duration hint only: reads carry ``Response.secret = Secret(ttl=<seconds>)`` with no lease id, so
the envelope shows ``lease_duration`` but nothing is registered for revocation. Without the
key (or when it does not parse) ``Secret.ttl`` is the mount's default lease TTL, and 0 asks the
core to apply the system default, as Vault does (2764800 s).

Storage layout: the map is stored as JSON at the request path itself.
"""

from __future__ import annotations

from typing import Any

import orjson

from sealbox.errors import InvalidRequest
from sealbox.framework import Backend, BackendConfig, FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.goformat import parse_duration
from sealbox.logical import Operation, Request, Response, Secret, Storage

_PATH_FIELD = {"path": FieldSchema(FieldType.STRING, "Location of the secret.")}


def list_prefix(path: str) -> str:
    """A LIST's storage prefix: the path as a folder ("" is the root)."""
    return path if not path or path.endswith("/") else path + "/"


def check_writable(path: str, data: dict[str, Any]) -> None:
    """Vault's refusals for a v1-style write."""
    if not path or path.endswith("/"):
        raise InvalidRequest("cannot write to a path ending in '/'")
    if not data:
        raise InvalidRequest("missing data fields")


def lease_hint(data: dict[str, Any], default: int) -> int:
    """compat: seconds from the stored ``ttl`` (else ``lease``) key; unparsable -> default."""
    for name in ("ttl", "lease"):
        if name in data:
            try:
                return parse_duration(data[name])
            except ValueError:
                return default
    return default


class KVv1Engine(Backend):
    """The unversioned key/value secrets engine."""

    backend_type = "kv"

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
                synopsis="Pass-through secret storage to the storage backend.",
                description="Any key/value pairs written here are stored as one JSON map.",
            )
        ]

    def _storage(self, req: Request) -> Storage:
        return req.storage or self.config.storage

    async def secret_exists(self, req: Request, d: FieldData) -> bool:
        path: str = d.get("path")
        return bool(path) and await self._storage(req).get(path) is not None

    async def read_secret(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/:path."""
        path: str = d.get("path")
        if not path or path.endswith("/"):
            return None
        raw = await self._storage(req).get(path)
        if raw is None:
            return None
        data: dict[str, Any] = orjson.loads(raw)
        ttl = lease_hint(data, self.config.default_lease_ttl)
        return Response(data=data, secret=Secret(ttl=ttl))

    async def write_secret(self, req: Request, d: FieldData) -> None:
        """POST /:mount/:path. Replace the whole map with the request body."""
        path: str = d.get("path")
        check_writable(path, req.data)
        await self._storage(req).put(path, orjson.dumps(req.data))

    async def delete_secret(self, req: Request, d: FieldData) -> None:
        """DELETE /:mount/:path."""
        path: str = d.get("path")
        if path and not path.endswith("/"):
            await self._storage(req).delete(path)

    async def list_secrets(self, req: Request, d: FieldData) -> Response | None:
        """LIST /:mount/:path/."""
        keys = await self._storage(req).list(list_prefix(d.get("path")))
        return Response(data={"keys": keys}) if keys else None
