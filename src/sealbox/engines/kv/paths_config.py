"""KV v2 ``config``: mount-wide max_versions, cas_required and delete_version_after.

Mirrors openbao internal/builtin/logical/kv/path_config.go: a write changes only the supplied
fields and answers 204; a read always answers (defaults when never written).
"""

from __future__ import annotations

from collections.abc import Callable

from sealbox.engines.kv.model import check_max_versions
from sealbox.engines.kv.store import KVStore
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

StoreFor = Callable[[Request], KVStore]

_FIELDS = {
    "max_versions": FieldSchema(FieldType.INT, "Versions kept per key; 0 means the default of 10."),
    "cas_required": FieldSchema(
        FieldType.BOOL, "Require the cas option on every data write of this mount."
    ),
    "delete_version_after": FieldSchema(
        FieldType.DURATION, "Soft-delete versions this long after they are written; 0 = never."
    ),
    "metadata_cas_required": FieldSchema(
        FieldType.BOOL, "Require the cas parameter on every metadata write of this mount."
    ),
}


class ConfigPaths:
    """Handlers of ``config``."""

    def __init__(self, store_for: StoreFor) -> None:
        self._store_for = store_for

    def paths(self) -> list[Path]:
        return [
            Path(
                "config",
                fields=_FIELDS,
                operations={Operation.READ: self.read_config, Operation.UPDATE: self.write_config},
                synopsis="Configures settings for the KV store.",
                description=(
                    "Mount-wide defaults for max_versions, cas_required and delete_version_after;"
                    " a key's own metadata settings take precedence."
                ),
            )
        ]

    async def read_config(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/config."""
        del d
        config = await self._store_for(req).read_config()
        return Response(data=config.to_wire())

    async def write_config(self, req: Request, d: FieldData) -> Response | None:
        """POST /:mount/config. Only the supplied fields change."""
        store = self._store_for(req)
        async with store.config_lock:
            config = await store.read_config()
            max_versions, ok = d.get_ok("max_versions")
            if ok:
                config.max_versions = check_max_versions(max_versions)
            cas_required, ok = d.get_ok("cas_required")
            if ok:
                config.cas_required = cas_required
            metadata_cas_required, ok = d.get_ok("metadata_cas_required")
            if ok:
                config.metadata_cas_required = metadata_cas_required
            dva, ok = d.get_ok("delete_version_after")
            if ok:
                # compat: a negative duration disables it and is stored (and shown) as -1s.
                config.delete_version_after = -1 if dva < 0 else dva
            await store.write_config(config)
        return None
