"""KV v2 ``extra/<path>``: the facades' door onto a key's additive metadata (sealbox's own route).

Not a Vault route: Vault clients never see it unless they ask. The AWS and GCP doors reach
their state through the core like any client (so ACLs and audit apply): READ gives the key's
facade record (``engines/kv/extra.py``) and, in the same request, one version's data (the
``data_pointer`` named in the key's ``extra["pointers"]``, or ``data_version``); UPDATE applies
one atomic ``ExtraChange``; LIST returns every key under a prefix, recursively, with its record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sealbox.engines.kv.extra import ExtraChange, apply_extra, extra_record
from sealbox.engines.kv.model import check_max_versions
from sealbox.engines.kv.store import KVStore
from sealbox.errors import FieldValidationError, NotFound
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.logical import Operation, Request, Response

StoreFor = Callable[[Request], KVStore]

_FIELDS = {
    "path": FieldSchema(FieldType.STRING, "Location of the secret."),
    "data_version": FieldSchema(
        FieldType.INT, "Also return this version's data (-1: the latest).", query=True
    ),
    "data_pointer": FieldSchema(
        FieldType.STRING, "Also return the data of the version this pointer names.", query=True
    ),
    "key_extra": FieldSchema(FieldType.MAP, "Replace the key's facade metadata."),
    "version_extra": FieldSchema(FieldType.MAP, "Replace these versions' facade metadata."),
    "data": FieldSchema(FieldType.RAW, "Write a new version with this data."),
    "new_version_extra": FieldSchema(FieldType.MAP, "The new version's facade metadata."),
    "expect_version": FieldSchema(FieldType.INT, "Fail unless current_version equals this."),
    "max_versions": FieldSchema(FieldType.INT, "Versions kept for this key."),
    "scheduled_deletion": FieldSchema(
        FieldType.INT, "Remove the key at this time (ns since the epoch; 0 clears)."
    ),
}
_LIST_FIELDS = {"path": _FIELDS["path"]}


def _change(d: FieldData) -> ExtraChange:
    """The ExtraChange a write describes (only the fields the caller sent)."""
    change = ExtraChange()
    if d.supplied("key_extra"):
        change.key_extra = d.get("key_extra")
    for number, extra in d.get("version_extra").items():
        if not str(number).isdigit() or not isinstance(extra, dict):
            raise FieldValidationError("version_extra maps version numbers to objects")
        change.version_extra[int(number)] = extra
    if d.supplied("data"):
        data = d.get("data")
        if not isinstance(data, dict):
            raise FieldValidationError("data must be an object")
        change.data = data
        change.new_version_extra = d.get("new_version_extra")
    if d.supplied("expect_version"):
        change.expect_version = d.get("expect_version")
    if d.supplied("max_versions"):
        change.max_versions = check_max_versions(d.get("max_versions"))
    if d.supplied("scheduled_deletion"):
        change.scheduled_deletion = max(0, d.get("scheduled_deletion"))
    return change


class ExtraPaths:
    """Handlers of ``extra/<path>``."""

    def __init__(self, store_for: StoreFor) -> None:
        self._store_for = store_for

    def paths(self) -> list[Path]:
        return [
            Path(
                "extra/?",
                fields=_LIST_FIELDS,
                operations={Operation.LIST: self.list_extra},
                synopsis="List every key of the store with its facade metadata.",
            ),
            Path(
                "extra/" + match_all("path"),
                fields=_FIELDS,
                operations={
                    Operation.READ: self.read_extra,
                    Operation.CREATE: self.write_extra,
                    Operation.UPDATE: self.write_extra,
                    Operation.LIST: self.list_extra,
                },
                existence_check=self.extra_exists,
                synopsis="Facade metadata (AWS/GCP doors) of a key and its versions.",
                description="Additive metadata kept on the same keys and versions as kv data.",
            ),
        ]

    async def extra_exists(self, req: Request, d: FieldData) -> bool:
        return await self._store_for(req).read_metadata(d.get("path")) is not None

    async def read_extra(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/extra/:path. The key's record, plus one version's data if asked."""
        store = self._store_for(req)
        stored = await store.read_metadata_json(d.get("path"))
        if stored is None:
            return None
        # The stored record has extra_record's shape already (KeyMetadata.to_json).
        body: dict[str, Any] = {"record": stored}
        number = _wanted_version(stored, d)
        vmeta = stored["versions"].get(str(number)) if number > 0 else None
        if vmeta is not None and _live(vmeta, store.now()):
            try:
                body["data"] = await store.read_data(stored["key"], number)
                body["data_version"] = number
            except NotFound:
                pass  # pruned under us: the caller sees no data
        return Response(data=body)

    async def write_extra(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/extra/:path. Apply one atomic change."""
        meta, version = await apply_extra(self._store_for(req), d.get("path"), _change(d))
        return Response(data={"version": version, "record": extra_record(meta)})

    async def list_extra(self, req: Request, d: FieldData) -> Response | None:
        """LIST /:mount/extra/:prefix. Every key below, recursively, with its record."""
        store = self._store_for(req)
        prefix: str = d.get("path") if "path" in d.raw else ""
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        info: dict[str, Any] = {}
        await _walk(store, prefix, info)
        if not info:
            raise NotFound()
        return Response(data={"keys": sorted(info), "key_info": info})


def _wanted_version(stored: dict[str, Any], d: FieldData) -> int:
    pointer: str = d.get("data_pointer")
    if pointer:
        pointers = (stored.get("extra") or {}).get("pointers") or {}
        target = pointers.get(pointer)
        return int(target) if isinstance(target, int) else 0
    number: int = d.get("data_version")
    return int(stored.get("current_version", 0)) if number == -1 else number


def _live(version: dict[str, Any], now: int) -> bool:
    deletion = version.get("deletion_time")
    return not version.get("destroyed") and (deletion is None or deletion > now)


async def _walk(store: KVStore, prefix: str, info: dict[str, Any]) -> None:
    for child in await store.list_keys(prefix):
        if child.endswith("/"):
            await _walk(store, prefix + child, info)
            continue
        meta = await store.read_metadata(prefix + child)
        if meta is not None:
            info[prefix + child] = extra_record(meta)
