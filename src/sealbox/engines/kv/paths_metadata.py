"""KV v2 ``metadata/<path>`` and ``detailed-metadata/<path>``: per-key settings and versions.

Mirrors openbao internal/builtin/logical/kv/path_metadata.go: a read shows every kept version's
created/deletion time and destroyed flag; POST changes only the supplied fields (and creates
the key's metadata when absent); PATCH merges ``custom_metadata`` as a JSON merge patch and
answers 404 for an unknown key; DELETE removes the key and all its versions; LIST lists keys
(OpenBao's ``detailed-metadata`` adds ``key_info``; both accept ``after`` and ``limit``).
Every metadata write bumps ``current_metadata_version`` (OpenBao's metadata check-and-set).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sealbox.engines.kv.custom_metadata import validate_custom_metadata
from sealbox.engines.kv.jsonmerge import merge_patch
from sealbox.engines.kv.model import KeyMetadata, KVConfig, check_max_versions
from sealbox.engines.kv.store import KVStore
from sealbox.errors import CheckAndSetMismatch, InvalidRequest, NotFound
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.logical import Operation, Request, Response

StoreFor = Callable[[Request], KVStore]

_FIELDS = {
    "path": FieldSchema(FieldType.STRING, "Location of the secret."),
    "max_versions": FieldSchema(FieldType.INT, "Versions kept for this key; 0 = mount's."),
    "cas_required": FieldSchema(FieldType.BOOL, "Require the cas option on data writes."),
    "delete_version_after": FieldSchema(
        FieldType.DURATION, "Soft-delete versions this long after they are written."
    ),
    "custom_metadata": FieldSchema(FieldType.MAP, "Up to 64 string pairs about the key."),
    "metadata_cas_required": FieldSchema(
        FieldType.BOOL, "Require the cas parameter on metadata writes of this key."
    ),
    "cas": FieldSchema(FieldType.INT, "Expected current_metadata_version."),
    "after": FieldSchema(FieldType.STRING, "List only keys after this one.", query=True),
    "limit": FieldSchema(FieldType.INT, "List at most this many keys.", query=True),
}
_LIST_FIELDS = {
    "path": _FIELDS["path"],
    "after": _FIELDS["after"],
    "limit": _FIELDS["limit"],
}


def _page(keys: list[str], after: str, limit: int) -> list[str]:
    if after:
        keys = [k for k in keys if k > after]
    return keys[:limit] if limit > 0 else keys


def _check_metadata_cas(meta: KeyMetadata, config: KVConfig, d: FieldData) -> None:
    if not (config.metadata_cas_required or meta.metadata_cas_required):
        return
    cas, ok = d.get_ok("cas")
    if not ok:
        raise InvalidRequest("check-and-set parameter required for this call")
    if cas != meta.current_metadata_version:
        raise CheckAndSetMismatch()


class MetadataPaths:
    """Handlers of ``metadata/<path>`` and ``detailed-metadata/<path>``."""

    def __init__(self, store_for: StoreFor) -> None:
        self._store_for = store_for

    def paths(self) -> list[Path]:
        # "metadata" with no slash: a LIST of the mount's root when the door sends no "/".
        return [
            Path(
                "metadata",
                fields=_LIST_FIELDS,
                operations={Operation.LIST: self.list_metadata},
                synopsis="List the keys at the root of the store.",
            ),
            Path(
                "metadata/" + match_all("path"),
                fields=_FIELDS,
                operations={
                    Operation.READ: self.read_metadata,
                    Operation.CREATE: self.write_metadata,
                    Operation.UPDATE: self.write_metadata,
                    Operation.PATCH: self.patch_metadata,
                    Operation.DELETE: self.delete_metadata,
                    Operation.LIST: self.list_metadata,
                },
                existence_check=self.metadata_exists,
                synopsis="Configures settings for the KV store.",
                description="Per-key settings, custom metadata and the versions kept.",
            ),
            Path(
                "detailed-metadata(?:/" + match_all("path") + ")?",
                fields=_LIST_FIELDS,
                operations={Operation.LIST: self.list_detailed_metadata},
                synopsis="List keys with their metadata.",
            ),
        ]

    async def metadata_exists(self, req: Request, d: FieldData) -> bool:
        return await self._store_for(req).read_metadata(d.get("path")) is not None

    async def read_metadata(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/metadata/:path."""
        meta = await self._store_for(req).read_metadata(d.get("path"))
        return None if meta is None else Response(data=meta.to_wire())

    async def list_metadata(self, req: Request, d: FieldData) -> Response | None:
        """LIST /:mount/metadata/:path."""
        keys = await self._store_for(req).list_keys(d.get("path"))
        keys = _page(keys, d.get("after"), d.get("limit"))
        return Response(data={"keys": keys}) if keys else None

    async def list_detailed_metadata(self, req: Request, d: FieldData) -> Response | None:
        """LIST /:mount/detailed-metadata/:path. Keys plus each key's metadata."""
        store = self._store_for(req)
        prefix: str = d.get("path")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        keys = _page(await store.list_keys(prefix), d.get("after"), d.get("limit"))
        if not keys:
            return None
        info: dict[str, Any] = {}
        for key in keys:
            meta = None if key.endswith("/") else await store.read_metadata(prefix + key)
            info[key] = {} if meta is None else meta.to_wire()
        return Response(data={"keys": keys, "key_info": info})

    async def write_metadata(self, req: Request, d: FieldData) -> None:
        """POST /:mount/metadata/:path. Change the supplied settings."""
        key: str = d.get("path")
        if not key or key.endswith("/"):
            raise InvalidRequest("cannot write to a path ending in '/'")
        custom = None
        if d.supplied("custom_metadata"):
            custom = validate_custom_metadata(d.get("custom_metadata"))
        store = self._store_for(req)
        async with store.lock_for(key):
            now = store.now()
            meta = await store.read_metadata(key)
            if meta is None:
                meta = KeyMetadata(key=key, created_time=now, updated_time=now)
            _check_metadata_cas(meta, await store.read_config(), d)
            self._apply_settings(meta, d)
            if custom is not None:
                meta.custom_metadata = custom
            meta.current_metadata_version += 1
            meta.updated_time = now
            await store.save_metadata(meta)

    async def patch_metadata(self, req: Request, d: FieldData) -> None:
        """PATCH /:mount/metadata/:path. Merge-patch custom_metadata, replace the rest."""
        store = self._store_for(req)
        async with store.lock_for(d.get("path")):
            meta = await store.read_metadata(d.get("path"))
            if meta is None:
                # compat: OpenBao answers 404 with an empty body here.
                raise NotFound()
            _check_metadata_cas(meta, await store.read_config(), d)
            if d.supplied("custom_metadata"):
                merged = merge_patch(meta.custom_metadata, d.get("custom_metadata"))
                meta.custom_metadata = validate_custom_metadata(merged)
            self._apply_settings(meta, d)
            meta.current_metadata_version += 1
            meta.updated_time = store.now()
            await store.save_metadata(meta)

    async def delete_metadata(self, req: Request, d: FieldData) -> None:
        """DELETE /:mount/metadata/:path. Remove the key and every version."""
        await self._store_for(req).delete_key(d.get("path"))

    @staticmethod
    def _apply_settings(meta: KeyMetadata, d: FieldData) -> None:
        dva, ok = d.get_ok("delete_version_after")
        if ok and dva < 0:
            raise InvalidRequest(
                'error converting input for field "delete_version_after": '
                f"cannot provide negative value '{dva}'"
            )
        if ok:
            meta.delete_version_after = dva
        max_versions, ok = d.get_ok("max_versions")
        if ok:
            meta.max_versions = check_max_versions(max_versions)
        cas_required, ok = d.get_ok("cas_required")
        if ok:
            meta.cas_required = cas_required
        metadata_cas_required, ok = d.get_ok("metadata_cas_required")
        if ok:
            meta.metadata_cas_required = metadata_cas_required
