"""Facade state on KV v2 keys: one atomic change of a key's and its versions' ``extra``.

The AWS and GCP doors keep their own vocabulary (version ids, staging labels, descriptions, tags,
rotation settings, version states) as additive metadata on the same KV v2 keys and versions, so
a secret stays one record whichever door wrote it. A door's operation (e.g. PutSecretValue: a
new version plus labels moved off other versions) must land in one transaction, under the key's
lock, guarded by the version the door last read: that is ``apply_extra``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sealbox.engines.kv.model import KeyMetadata
from sealbox.engines.kv.store import KVStore
from sealbox.errors import CheckAndSetMismatch, InvalidRequest, NotFound


@dataclass(slots=True)
class ExtraChange:
    """What a facade changes on a key: its and its versions' ``extra``, maybe a new version."""

    key_extra: dict[str, Any] | None = None
    version_extra: dict[int, dict[str, Any]] = field(default_factory=dict)
    data: Any = field(default=None, repr=False)
    new_version_extra: dict[str, Any] = field(default_factory=dict)
    #: The key's current version the change was computed from (0: the key must not exist).
    expect_version: int | None = None
    max_versions: int | None = None
    #: Nanoseconds since the epoch; 0 clears a scheduled deletion, None leaves it alone.
    scheduled_deletion: int | None = None

    def apply_to(self, meta: KeyMetadata) -> None:
        """Change ``meta`` in place (the caller persists it)."""
        if self.key_extra is not None:
            meta.extra = dict(self.key_extra)
        for number, extra in self.version_extra.items():
            vmeta = meta.versions.get(number)
            if vmeta is None:
                raise InvalidRequest(f"version {number} does not exist")
            vmeta.extra = dict(extra)
        if self.max_versions is not None:
            meta.max_versions = self.max_versions
        if self.scheduled_deletion is not None:
            meta.scheduled_deletion = self.scheduled_deletion or None


async def apply_extra(store: KVStore, key: str, change: ExtraChange) -> tuple[KeyMetadata, int]:
    """Apply ``change`` to ``key`` in one transaction; returns (metadata, version).

    The version is the one ``change.data`` wrote, else the current one. A stale
    ``expect_version`` raises CheckAndSetMismatch and writes nothing.
    """
    if not key or key.endswith("/"):
        raise InvalidRequest("cannot write to a path ending in '/'")
    async with store.lock_for(key):
        now = store.now()
        meta = await store.read_metadata(key)
        if change.expect_version is not None:
            current = 0 if meta is None else meta.current_version
            if current != change.expect_version:
                raise CheckAndSetMismatch()
        if meta is None:
            if change.data is None and change.key_extra is None:
                raise NotFound()
            meta = KeyMetadata(key=key, created_time=now, updated_time=now)
        change.apply_to(meta)
        if change.data is not None:
            config = await store.read_config()
            extra = dict(change.new_version_extra)
            vmeta = await store.add_version(meta, config, change.data, now, extra)
            return meta, vmeta.version
        meta.updated_time = now
        await store.save_metadata(meta)
        return meta, meta.current_version


def extra_record(meta: KeyMetadata) -> dict[str, Any]:
    """What ``extra/<path>`` answers: the key's facade view (no version data).

    Times stay integers of nanoseconds, as stored; facades format them for their protocol.
    """
    return {
        "key": meta.key,
        "created_time": meta.created_time,
        "updated_time": meta.updated_time,
        "current_version": meta.current_version,
        "max_versions": meta.max_versions,
        "scheduled_deletion": meta.scheduled_deletion,
        "extra": meta.extra,
        "versions": {
            str(n): {
                "created_time": v.created_time,
                "deletion_time": v.deletion_time,
                "destroyed": v.destroyed,
                "extra": v.extra,
            }
            for n, v in sorted(meta.versions.items())
        },
    }
