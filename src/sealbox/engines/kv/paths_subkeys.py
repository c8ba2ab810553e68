"""KV v2 ``subkeys/<path>``: the structure of a version's data without its values.

Mirrors openbao internal/builtin/logical/kv/path_subkeys.go: ``{"subkeys": {...}, "metadata":
{...}}`` with leaves as null down to ``depth`` (0 = unlimited); a deleted or destroyed version is
a 404 carrying ``subkeys: null`` and the version's metadata.
"""

from __future__ import annotations

from collections.abc import Callable

from sealbox.engines.kv.jsonmerge import subkeys
from sealbox.engines.kv.store import KVStore
from sealbox.errors import NotFound
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.logical import Operation, Request, Response

StoreFor = Callable[[Request], KVStore]

_FIELDS = {
    "path": FieldSchema(FieldType.STRING, "Location of the secret."),
    "version": FieldSchema(FieldType.INT, "Version to read; 0 means the latest.", query=True),
    "depth": FieldSchema(FieldType.INT, "How deep to descend; 0 means no limit.", query=True),
}


class SubkeysPaths:
    """Handler of ``subkeys/<path>``."""

    def __init__(self, store_for: StoreFor) -> None:
        self._store_for = store_for

    def paths(self) -> list[Path]:
        return [
            Path(
                "subkeys/" + match_all("path"),
                fields=_FIELDS,
                operations={Operation.READ: self.read_subkeys},
                synopsis="Read the structure of a secret entry from the Key-Value store.",
            )
        ]

    async def read_subkeys(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/subkeys/:path. Keys of one version, values replaced by null."""
        store = self._store_for(req)
        key: str = d.get("path")
        meta = await store.read_metadata(key)
        if meta is None:
            return None
        requested: int = d.get("version")
        vmeta = meta.versions.get(requested if requested > 0 else meta.current_version)
        if vmeta is None:
            return None
        body = {"metadata": meta.version_wire(vmeta), "subkeys": None}
        if not vmeta.is_live(store.now()):
            # compat: 404 with the envelope, like a data read of a deleted version.
            raise NotFound(data=body)
        body["subkeys"] = subkeys(await store.read_data(key, vmeta.version), d.get("depth"))
        return Response(data=body)
