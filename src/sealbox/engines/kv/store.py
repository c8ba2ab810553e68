"""KV v2 storage: the layout, versioned writes and the plain async API other code can call.

Mirrors openbao internal/builtin/logical/kv (path_data.go write/patch, path_delete.go,
path_undelete.go, path_destroy.go, ``KeyMetadata.AddVersion``), on our own layout inside the
mount's StorageView (every value is JSON)::

    config                                  KVConfig (max_versions, cas_required, ...)
    metadata/<key path>                     KeyMetadata, incl. the versions map and each
                                            version's private ``extra`` dict
    versions/<sha256(key path)>/<n>         {"data": <the version's JSON map>}

Metadata lives under the plain key path so LIST on ``metadata/`` is a storage list; version
data lives under a hash of the path so that "a" and "a/1" never collide. A write that touches
the metadata and a version (and the versions pruned past max_versions) is one
``storage.transaction``. Read-modify-write sequences of one key run under that key's lock
(striped: 64 locks per mount), so cas is exact within one process while writes to different
keys proceed concurrently and share the storage's group commits.

``KVStore`` is also the seam for the AWS/GCP facades: ``write_version(..., extra=...)``,
``read_version``, ``read_metadata`` (whose versions carry ``extra``) and ``set_version_extra``.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from sealbox.engines.kv.model import (
    KeyMetadata,
    KVConfig,
    VersionMeta,
    deletion_time,
    effective_max_versions,
    to_nanos,
)
from sealbox.errors import CheckAndSetMismatch, InvalidRequest, NotFound
from sealbox.logical import Storage, TxOp

Clock = Callable[[], datetime]

_CONFIG_KEY = "config"
_METADATA_PREFIX = "metadata/"
_VERSIONS_PREFIX = "versions/"


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """One readable version: its metadata (with ``extra``) and its data."""

    metadata: VersionMeta
    data: Any = field(repr=False)


def _versions_dir(key: str) -> str:
    return _VERSIONS_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest() + "/"


def _version_key(key: str, version: int) -> str:
    return f"{_versions_dir(key)}{version}"


def parse_cas(raw: Any) -> int:
    """The ``options.cas`` value as an int (Vault's parseutil.ParseInt)."""
    if isinstance(raw, bool):
        raise InvalidRequest("error parsing check-and-set parameter")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError as err:
            raise InvalidRequest("error parsing check-and-set parameter") from err
    raise InvalidRequest("error parsing check-and-set parameter")


def check_cas(meta: KeyMetadata, config: KVConfig, cas: int | None) -> None:
    """Vault's check-and-set rules for data writes and patches."""
    if cas is not None:
        if cas != meta.current_version:
            raise CheckAndSetMismatch()
    elif config.cas_required or meta.cas_required:
        raise InvalidRequest("check-and-set parameter required for this call")


class KeyLocks:
    """Striped per-key locks of one mount, plus one for the mount's config."""

    __slots__ = ("_stripes", "config")

    _STRIPES = 64

    def __init__(self) -> None:
        self._stripes = [asyncio.Lock() for _ in range(self._STRIPES)]
        self.config = asyncio.Lock()

    def for_key(self, key: str) -> asyncio.Lock:
        """The lock guarding ``key`` (shared with the keys of the same stripe)."""
        return self._stripes[hash(key) % self._STRIPES]


class KVStore:
    """Versioned key/value records on one mount's storage."""

    __slots__ = ("_clock", "_locks", "storage")

    def __init__(self, storage: Storage, clock: Clock, locks: KeyLocks) -> None:
        self.storage = storage
        self._clock = clock
        self._locks = locks

    def lock_for(self, key: str) -> asyncio.Lock:
        """Held around every read-modify-write of ``key``."""
        return self._locks.for_key(key)

    @property
    def config_lock(self) -> asyncio.Lock:
        """Held around read-modify-write of the mount's config."""
        return self._locks.config

    def now(self) -> int:
        """The clock's time in nanoseconds."""
        return to_nanos(self._clock())

    # -- config and metadata -------------------------------------------------------------

    async def read_config(self) -> KVConfig:
        raw = await self.storage.get(_CONFIG_KEY)
        return KVConfig() if raw is None else KVConfig.from_json(orjson.loads(raw))

    async def write_config(self, config: KVConfig) -> None:
        await self.storage.put(_CONFIG_KEY, orjson.dumps(config.to_json()))

    async def read_metadata(self, key: str) -> KeyMetadata | None:
        """The key's metadata (every version's, including ``extra``), or None."""
        stored = await self.read_metadata_json(key)
        return None if stored is None else KeyMetadata.from_json(stored)

    async def read_metadata_json(self, key: str) -> dict[str, Any] | None:
        """The stored metadata record as JSON (``KeyMetadata.to_json``'s shape), or None.

        The facades' hot read path uses it as is, skipping the record classes.
        """
        if not key or key.endswith("/"):
            return None
        raw = await self.storage.get(_METADATA_PREFIX + key)
        if raw is None:
            return None
        stored: dict[str, Any] = orjson.loads(raw)
        due = stored.get("scheduled_deletion")
        if due is not None and due <= self.now():
            # The deletion time has come: the key is gone for every reader from now on,
            # whether or not the periodic sweep has removed its records yet.
            await self._purge(key)
            return None
        return stored

    async def _purge(self, key: str) -> None:
        """Remove every record of ``key`` (no lock: callers may already hold it)."""
        directory = _versions_dir(key)
        ops = [TxOp(directory + name, None) for name in await self.storage.list(directory)]
        ops.append(TxOp(_METADATA_PREFIX + key, None))
        await self.storage.transaction(ops)

    async def sweep_scheduled(self, prefix: str = "") -> int:
        """Purge every key under ``prefix`` whose scheduled deletion is due; returns how many."""
        purged = 0
        for child in await self.storage.list(_METADATA_PREFIX + prefix):
            if child.endswith("/"):
                purged += await self.sweep_scheduled(prefix + child)
                continue
            raw = await self.storage.get(_METADATA_PREFIX + prefix + child)
            if raw is None:
                continue
            meta = KeyMetadata.from_json(orjson.loads(raw))
            if meta.purge_due(self.now()):
                await self._purge(prefix + child)
                purged += 1
        return purged

    async def save_metadata(self, meta: KeyMetadata) -> None:
        await self.storage.put(_METADATA_PREFIX + meta.key, orjson.dumps(meta.to_json()))

    async def list_keys(self, prefix: str) -> list[str]:
        """Immediate children of ``prefix`` (folders end with "/")."""
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return await self.storage.list(_METADATA_PREFIX + prefix)

    # -- versions ------------------------------------------------------------------------

    async def read_data(self, key: str, version: int) -> Any:
        """The stored data of one version; raises NotFound when the record is gone."""
        raw = await self.storage.get(_version_key(key, version))
        if raw is None:
            raise NotFound()
        return orjson.loads(raw)["data"]

    async def read_version(self, key: str, version: int = 0) -> StoredVersion | None:
        """A live version (0 = latest), or None when absent, deleted or destroyed."""
        meta = await self.read_metadata(key)
        if meta is None:
            return None
        number = version if version > 0 else meta.current_version
        vmeta = meta.versions.get(number)
        if vmeta is None or not vmeta.is_live(self.now()):
            return None
        try:
            data = await self.read_data(key, number)
        except NotFound:
            return None
        return StoredVersion(metadata=vmeta, data=data)

    async def write_version(
        self,
        key: str,
        data: Any,
        *,
        cas: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> tuple[KeyMetadata, VersionMeta]:
        """Add a version (cas rules apply) and prune past max_versions, atomically."""
        if not key or key.endswith("/"):
            raise InvalidRequest("cannot write to a path ending in '/'")
        async with self._locks.for_key(key):
            config = await self.read_config()
            now = self.now()
            meta = await self.read_metadata(key)
            if meta is None:
                meta = KeyMetadata(key=key, created_time=now, updated_time=now)
            check_cas(meta, config, cas)
            vmeta = await self.add_version(meta, config, data, now, extra or {})
        return meta, vmeta

    async def patch_version(
        self, key: str, patch: Callable[[Any], Any], *, cas: int | None = None
    ) -> tuple[KeyMetadata, VersionMeta]:
        """Write ``patch(current data)`` as a new version (PATCH /data)."""
        async with self._locks.for_key(key):
            config = await self.read_config()
            now = self.now()
            meta = await self.read_metadata(key)
            if meta is None:
                # compat: OpenBao answers 404 with an empty body (path_data.go pathDataPatch).
                raise NotFound()
            check_cas(meta, config, cas)
            current = meta.versions.get(meta.current_version)
            if current is None:
                raise NotFound()
            if not current.is_live(now):
                # compat: a deleted/destroyed latest version answers 404 with its metadata.
                raise NotFound(data=meta.version_wire(current))
            merged = patch(await self.read_data(key, current.version))
            vmeta = await self.add_version(meta, config, merged, now, dict(current.extra))
        return meta, vmeta

    async def add_version(
        self, meta: KeyMetadata, config: KVConfig, data: Any, now: int, extra: dict[str, Any]
    ) -> VersionMeta:
        """Append a version to ``meta`` and persist both; the caller holds the key's lock."""
        meta.current_version += 1
        number = meta.current_version
        vmeta = VersionMeta(
            version=number,
            created_time=now,
            deletion_time=deletion_time(now, meta, config),
            extra=extra,
        )
        meta.versions[number] = vmeta
        meta.updated_time = now
        ops = [TxOp(_version_key(meta.key, number), orjson.dumps({"data": data}))]
        # compat: KeyMetadata.AddVersion prunes everything at or below current - max_versions,
        # and moves oldest_version to 1 even when that prunes nothing (current == max).
        max_versions = effective_max_versions(meta, config)
        prune_through = number - max_versions
        if number - meta.oldest_version >= max_versions:
            for old in sorted(n for n in meta.versions if n <= prune_through):
                del meta.versions[old]
                ops.append(TxOp(_version_key(meta.key, old), None))
            meta.oldest_version = prune_through + 1
        ops.append(TxOp(_METADATA_PREFIX + meta.key, orjson.dumps(meta.to_json())))
        await self.storage.transaction(ops)
        return vmeta

    async def delete_latest(self, key: str) -> None:
        """Soft-delete the current version (DELETE /data)."""
        async with self._locks.for_key(key):
            meta = await self.read_metadata(key)
            if meta is None:
                return
            await self._soft_delete(meta, [meta.current_version])

    async def delete_versions(self, key: str, versions: Iterable[int]) -> None:
        """Soft-delete the given versions; unknown or destroyed ones are skipped."""
        async with self._locks.for_key(key):
            meta = await self.read_metadata(key)
            if meta is not None:
                await self._soft_delete(meta, versions)

    async def _soft_delete(self, meta: KeyMetadata, versions: Iterable[int]) -> None:
        now = self.now()
        changed = False
        for number in versions:
            vmeta = meta.versions.get(number)
            # compat: already-deleted versions keep their original deletion time.
            if vmeta is None or vmeta.destroyed or vmeta.is_deleted(now):
                continue
            vmeta.deletion_time = now
            changed = True
        if changed:
            await self.save_metadata(meta)

    async def undelete_versions(self, key: str, versions: Iterable[int]) -> None:
        """Clear the deletion time (re-armed by delete_version_after) of non-destroyed ones."""
        async with self._locks.for_key(key):
            meta = await self.read_metadata(key)
            if meta is None:
                return
            config = await self.read_config()
            now = self.now()
            for number in versions:
                vmeta = meta.versions.get(number)
                if vmeta is not None and not vmeta.destroyed:
                    # compat: path_undelete.go re-establishes delete_version_after from now.
                    vmeta.deletion_time = deletion_time(now, meta, config)
            await self.save_metadata(meta)

    async def destroy_versions(self, key: str, versions: Iterable[int]) -> None:
        """Mark versions destroyed and remove their data, in one transaction."""
        async with self._locks.for_key(key):
            meta = await self.read_metadata(key)
            if meta is None:
                return
            ops: list[TxOp] = []
            for number in sorted(set(versions)):
                vmeta = meta.versions.get(number)
                if vmeta is None or vmeta.destroyed:
                    continue
                vmeta.destroyed = True
                ops.append(TxOp(_version_key(key, number), None))
            if ops:
                ops.append(TxOp(_METADATA_PREFIX + key, orjson.dumps(meta.to_json())))
                await self.storage.transaction(ops)

    async def delete_key(self, key: str) -> None:
        """Remove the metadata and every version of ``key`` in one transaction."""
        if not key or key.endswith("/"):
            return
        async with self._locks.for_key(key):
            await self._purge(key)

    async def set_version_extra(self, key: str, version: int, extra: dict[str, Any]) -> None:
        """Replace one version's private ``extra`` dict (facade state such as staging labels)."""
        async with self._locks.for_key(key):
            meta = await self.read_metadata(key)
            vmeta = None if meta is None else meta.versions.get(version)
            if meta is None or vmeta is None:
                raise NotFound()
            vmeta.extra = dict(extra)
            await self.save_metadata(meta)
