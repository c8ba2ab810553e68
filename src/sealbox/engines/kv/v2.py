"""KV version 2: versioned secrets with check-and-set, soft deletes and per-key metadata.

Mirrors openbao internal/builtin/logical/kv (backend.go ``versionedKVBackend``): the routes are
``config``, ``data/``, ``metadata/`` (+ OpenBao's ``detailed-metadata/``), ``subkeys/``,
``delete/``, ``undelete/`` and ``destroy/``, then a catch-all that answers 404 with a warning
pointing at the right endpoint. The storage layout is documented in ``engines/kv/store.py``.

Times come from ``self.clock`` (aware UTC datetimes), which tests replace to move time. The
public async methods below (``read_version``, ``write_version``, ``list_versions``,
``read_metadata``, ``set_version_extra``) are the seam the AWS/GCP facades build on; they run
on the mount's own storage and keep their private state in each version's ``extra`` dict.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sealbox.engines.kv.model import KeyMetadata, VersionMeta
from sealbox.engines.kv.paths_config import ConfigPaths
from sealbox.engines.kv.paths_data import DataPaths
from sealbox.engines.kv.paths_extra import ExtraPaths
from sealbox.engines.kv.paths_metadata import MetadataPaths
from sealbox.engines.kv.paths_subkeys import SubkeysPaths
from sealbox.engines.kv.paths_versions import VersionPaths
from sealbox.engines.kv.store import Clock, KeyLocks, KVStore, StoredVersion
from sealbox.errors import NotFound
from sealbox.framework import Backend, BackendConfig, FieldData, Path
from sealbox.logical import Operation, Request, Response, Storage

_CLI_VERBS = {
    Operation.READ: "get",
    Operation.CREATE: "put",
    Operation.UPDATE: "put",
    Operation.PATCH: "patch",
    Operation.LIST: "list",
    Operation.DELETE: "delete",
}


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


async def _invalid_path(req: Request, d: FieldData) -> Response:
    del d
    verb = _CLI_VERBS.get(req.operation, "get")
    # compat: OpenBao's pathInvalid (kv/backend.go) answers 404 with only this warning.
    raise NotFound(
        warnings=[
            "Invalid path for a versioned K/V secrets engine. See the API docs for the "
            "appropriate API endpoints to use. If using the sealbox CLI, use "
            f"'sealbox kv {verb}' for this operation."
        ]
    )


class KVv2Engine(Backend):
    """The versioned key/value secrets engine."""

    backend_type = "kv"

    def __init__(self, config: BackendConfig, clock: Clock | None = None) -> None:
        super().__init__(config)
        self.clock: Clock = clock or utc_now
        self._locks = KeyLocks()
        paths: list[Path] = []
        for group in (
            ConfigPaths,
            DataPaths,
            MetadataPaths,
            SubkeysPaths,
            VersionPaths,
            ExtraPaths,
        ):
            paths.extend(group(self._store_for).paths())
        paths.append(
            Path(
                ".*",
                operations=dict.fromkeys(_CLI_VERBS, _invalid_path),
                synopsis="Invalid path for a versioned K/V secrets engine.",
                takes_arbitrary_input=True,
            )
        )
        self.paths = paths

    #: Keys with a scheduled deletion are removed by this sweep (and hidden from readers
    #: as soon as their time comes, sweep or not).
    periodic_interval: float = 60.0

    async def periodic(self) -> None:
        """Purge keys whose scheduled deletion (AWS recovery window, GCP expiry) is due."""
        await self.store().sweep_scheduled()

    def store(self, storage: Storage | None = None) -> KVStore:
        """Records on ``storage`` (the mount's own storage by default)."""
        return KVStore(storage or self.config.storage, lambda: self.clock(), self._locks)

    def _store_for(self, req: Request) -> KVStore:
        return self.store(req.storage)

    async def read_version(self, key: str, version: int = 0) -> StoredVersion | None:
        """A live version of ``key`` (0 = latest) with its ``extra``, or None."""
        return await self.store().read_version(key, version)

    async def write_version(
        self,
        key: str,
        data: dict[str, Any],
        *,
        cas: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> VersionMeta:
        """Write a new version carrying ``extra``, with the same rules as a data write."""
        _, vmeta = await self.store().write_version(key, data, cas=cas, extra=extra)
        return vmeta

    async def list_versions(self, key: str) -> list[VersionMeta]:
        """Every kept version of ``key``, oldest first (deleted/destroyed ones included)."""
        meta = await self.store().read_metadata(key)
        return [] if meta is None else [meta.versions[n] for n in sorted(meta.versions)]

    async def read_metadata(self, key: str) -> KeyMetadata | None:
        """The key's metadata record, or None."""
        return await self.store().read_metadata(key)

    async def set_version_extra(self, key: str, version: int, extra: dict[str, Any]) -> None:
        """Replace the private ``extra`` of one version."""
        await self.store().set_version_extra(key, version, extra)
