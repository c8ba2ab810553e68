"""KV v2 ``data/<path>``: read a version, write a new one, patch the latest, soft-delete it.

Mirrors openbao internal/builtin/logical/kv/path_data.go: reads answer
``{"data": ..., "metadata": {...}}``; a never-written key or version is a plain 404; a deleted or
destroyed version is a 404 that still carries the envelope (``data: null`` plus its metadata).
Writes honour ``options.cas`` and cas_required; PATCH applies a JSON merge patch; DELETE
soft-deletes the current version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sealbox.engines.kv.jsonmerge import merge_patch
from sealbox.engines.kv.store import KVStore, parse_cas
from sealbox.errors import InvalidRequest, NotFound
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.logical import Operation, Request, Response

StoreFor = Callable[[Request], KVStore]

_FIELDS = {
    "path": FieldSchema(FieldType.STRING, "Location of the secret."),
    "version": FieldSchema(FieldType.INT, "Version to read; 0 means the latest.", query=True),
    "data": FieldSchema(FieldType.MAP, "The contents of the data map to store."),
    "options": FieldSchema(FieldType.MAP, "Write options, such as cas."),
}


def _cas_option(d: FieldData) -> int | None:
    options: dict[str, Any] = d.get("options")
    return parse_cas(options["cas"]) if "cas" in options else None


class DataPaths:
    """Handlers of ``data/<path>``."""

    def __init__(self, store_for: StoreFor) -> None:
        self._store_for = store_for

    def paths(self) -> list[Path]:
        return [
            Path(
                "data/" + match_all("path"),
                fields=_FIELDS,
                operations={
                    Operation.READ: self.read_data,
                    Operation.CREATE: self.write_data,
                    Operation.UPDATE: self.write_data,
                    Operation.PATCH: self.patch_data,
                    Operation.DELETE: self.delete_data,
                },
                existence_check=self.data_exists,
                synopsis="Write, Patch, Read, and Delete data in the Key-Value Store.",
                description="Versioned secrets: every write creates a new version.",
            )
        ]

    async def data_exists(self, req: Request, d: FieldData) -> bool:
        return await self._store_for(req).read_metadata(d.get("path")) is not None

    async def read_data(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/data/:path. Read one version (the latest unless ?version=N)."""
        store = self._store_for(req)
        key: str = d.get("path")
        meta = await store.read_metadata(key)
        if meta is None:
            return None
        requested: int = d.get("version")
        vmeta = meta.versions.get(requested if requested > 0 else meta.current_version)
        if vmeta is None:
            return None
        body: dict[str, Any] = {"data": None, "metadata": meta.version_wire(vmeta)}
        if not vmeta.is_live(store.now()):
            # compat: 404 with the full envelope for a deleted or destroyed version.
            raise NotFound(data=body)
        body["data"] = await store.read_data(key, vmeta.version)
        return Response(data=body)

    async def write_data(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/data/:path. Write a new version, honouring options.cas."""
        key: str = d.get("path")
        if not key or key.endswith("/"):
            raise InvalidRequest("cannot write to a path ending in '/'")
        if "data" not in req.data:
            raise InvalidRequest("no data provided")
        # compat: an explicit "data": null is stored as null (OpenBao accepts it).
        data = d.get("data") if req.data["data"] is not None else None
        meta, vmeta = await self._store_for(req).write_version(key, data, cas=_cas_option(d))
        return Response(data=meta.version_wire(vmeta))

    async def patch_data(self, req: Request, d: FieldData) -> Response:
        """PATCH /:mount/data/:path. Apply a JSON merge patch to the latest version."""
        if not d.supplied("data"):
            raise InvalidRequest("no data provided")
        patch: dict[str, Any] = d.get("data")
        meta, vmeta = await self._store_for(req).patch_version(
            d.get("path"), lambda current: merge_patch(current, patch), cas=_cas_option(d)
        )
        return Response(data=meta.version_wire(vmeta))

    async def delete_data(self, req: Request, d: FieldData) -> None:
        """DELETE /:mount/data/:path. Soft-delete the latest version."""
        await self._store_for(req).delete_latest(d.get("path"))
