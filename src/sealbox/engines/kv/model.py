"""KV v2 records: mount config, key metadata and per-version metadata, plus their wire shapes.

Mirrors openbao internal/builtin/logical/kv (types.proto ``KeyMetadata``/``VersionMetadata``,
path_config.go, path_metadata.go): the JSON that Vault clients see is built here and only here.
Records are stored as JSON; times are integers of nanoseconds since the epoch so that they
round-trip exactly and print like Go's ``time.RFC3339Nano`` ("2026-11-28T00:45:08.3425083Z").

``VersionMeta.extra`` and ``KeyMetadata.extra`` are the extension seam for the AWS/GCP facades
(version ids, staging labels, version states; descriptions, tags, rotation settings): stored with
the key's metadata and never in a Vault response. ``KeyMetadata.scheduled_deletion`` (nanoseconds)
is when the whole key is removed (AWS's recovery window, GCP's expire time); none by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sealbox.errors import InvalidRequest
from sealbox.goformat import format_duration, rfc3339_nano_from_unix_nanos

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: max_versions is a uint32 in OpenBao (types.proto).
_UINT32 = 1 << 32
#: compat: versions kept when neither the key nor the mount sets max_versions (kv/backend.go).
DEFAULT_MAX_VERSIONS = 10


def to_nanos(moment: datetime) -> int:
    """Nanoseconds since the epoch for an aware datetime (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # the timedelta's own fields: exact, and a third of the cost of ``// timedelta(...)``
    # (every KV read asks the time)
    since = moment - _EPOCH
    return ((since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds) * 1000


def format_time(nanos: int | None) -> str:
    """Go's RFC3339Nano: trailing zeros of the fraction trimmed; "" for no time."""
    return "" if nanos is None else rfc3339_nano_from_unix_nanos(nanos)


def check_max_versions(value: int) -> int:
    """``value`` if it fits OpenBao's uint32 max_versions; 400 otherwise.

    OpenBao silently wraps a negative value (-5 is stored as 4294967291, keeping every
    version); a user who wrote -5 meant no such thing, so it is refused instead.
    """
    if not 0 <= value < _UINT32:
        raise InvalidRequest(f"max_versions must be between 0 and {_UINT32 - 1}")
    return value


@dataclass(slots=True)
class KVConfig:
    """The mount-wide settings at ``config`` (path_config.go)."""

    max_versions: int = 0
    cas_required: bool = False
    delete_version_after: int = 0
    metadata_cas_required: bool = False

    def to_wire(self) -> dict[str, Any]:
        """GET /:mount/config."""
        return {
            "cas_required": self.cas_required,
            "delete_version_after": format_duration(self.delete_version_after),
            "max_versions": self.max_versions,
            "metadata_cas_required": self.metadata_cas_required,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "max_versions": self.max_versions,
            "cas_required": self.cas_required,
            "delete_version_after": self.delete_version_after,
            "metadata_cas_required": self.metadata_cas_required,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> KVConfig:
        return cls(
            max_versions=int(raw.get("max_versions", 0)),
            cas_required=bool(raw.get("cas_required", False)),
            delete_version_after=int(raw.get("delete_version_after", 0)),
            metadata_cas_required=bool(raw.get("metadata_cas_required", False)),
        )


@dataclass(slots=True)
class VersionMeta:
    """One version's metadata; ``extra`` is private to sealbox (never on the wire)."""

    version: int
    created_time: int
    deletion_time: int | None = None
    destroyed: bool = False
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def is_deleted(self, now: int) -> bool:
        """Soft-deleted: a deletion time at or before ``now``."""
        return self.deletion_time is not None and self.deletion_time <= now

    def is_live(self, now: int) -> bool:
        """Readable: neither destroyed nor (already) deleted."""
        return not self.destroyed and not self.is_deleted(now)

    def to_wire(self) -> dict[str, Any]:
        """The entry of a metadata read's ``versions`` map."""
        return {
            "created_time": format_time(self.created_time),
            "deletion_time": format_time(self.deletion_time),
            "destroyed": self.destroyed,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "created_time": self.created_time,
            "deletion_time": self.deletion_time,
            "destroyed": self.destroyed,
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, version: int, raw: dict[str, Any]) -> VersionMeta:
        return cls(
            version=version,
            created_time=int(raw["created_time"]),
            deletion_time=raw.get("deletion_time"),
            destroyed=bool(raw.get("destroyed", False)),
            extra=dict(raw.get("extra") or {}),
        )


@dataclass(slots=True)
class KeyMetadata:
    """Everything about one key except the versions' data (types.proto ``KeyMetadata``)."""

    key: str
    created_time: int
    updated_time: int
    versions: dict[int, VersionMeta] = field(default_factory=dict)
    current_version: int = 0
    oldest_version: int = 0
    max_versions: int = 0
    cas_required: bool = False
    delete_version_after: int = 0
    custom_metadata: dict[str, str] = field(default_factory=dict)
    current_metadata_version: int = 0
    metadata_cas_required: bool = False
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    scheduled_deletion: int | None = None

    def purge_due(self, now: int) -> bool:
        """Whether the key's scheduled deletion time has come (then it is gone for readers)."""
        return self.scheduled_deletion is not None and self.scheduled_deletion <= now

    def version_wire(self, meta: VersionMeta) -> dict[str, Any]:
        """The ``metadata`` block of a data read or a data write's response."""
        return {
            "created_time": format_time(meta.created_time),
            "custom_metadata": dict(self.custom_metadata) or None,
            "deletion_time": format_time(meta.deletion_time),
            "destroyed": meta.destroyed,
            "version": meta.version,
        }

    def to_wire(self) -> dict[str, Any]:
        """GET /:mount/metadata/:path."""
        return {
            "cas_required": self.cas_required,
            "created_time": format_time(self.created_time),
            "current_metadata_version": self.current_metadata_version,
            "current_version": self.current_version,
            "custom_metadata": dict(self.custom_metadata) or None,
            "delete_version_after": format_duration(self.delete_version_after),
            "max_versions": self.max_versions,
            "metadata_cas_required": self.metadata_cas_required,
            "oldest_version": self.oldest_version,
            "updated_time": format_time(self.updated_time),
            "versions": {str(n): v.to_wire() for n, v in sorted(self.versions.items())},
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "created_time": self.created_time,
            "updated_time": self.updated_time,
            "versions": {str(n): v.to_json() for n, v in self.versions.items()},
            "current_version": self.current_version,
            "oldest_version": self.oldest_version,
            "max_versions": self.max_versions,
            "cas_required": self.cas_required,
            "delete_version_after": self.delete_version_after,
            "custom_metadata": self.custom_metadata,
            "current_metadata_version": self.current_metadata_version,
            "metadata_cas_required": self.metadata_cas_required,
            "extra": self.extra,
            "scheduled_deletion": self.scheduled_deletion,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> KeyMetadata:
        versions = {
            int(n): VersionMeta.from_json(int(n), v) for n, v in raw.get("versions", {}).items()
        }
        return cls(
            key=str(raw["key"]),
            created_time=int(raw["created_time"]),
            updated_time=int(raw["updated_time"]),
            versions=versions,
            current_version=int(raw.get("current_version", 0)),
            oldest_version=int(raw.get("oldest_version", 0)),
            max_versions=int(raw.get("max_versions", 0)),
            cas_required=bool(raw.get("cas_required", False)),
            delete_version_after=int(raw.get("delete_version_after", 0)),
            custom_metadata=dict(raw.get("custom_metadata") or {}),
            current_metadata_version=int(raw.get("current_metadata_version", 0)),
            metadata_cas_required=bool(raw.get("metadata_cas_required", False)),
            extra=dict(raw.get("extra") or {}),
            scheduled_deletion=raw.get("scheduled_deletion"),
        )


def effective_max_versions(meta: KeyMetadata, config: KVConfig) -> int:
    """compat: the larger of the key's and the mount's max_versions, else 10.

    OpenBao's KeyMetadata.AddVersion keeps max(key, mount) versions when both are set
    (observed on bao 2.7: key 1 + mount 2 keeps two versions; key 2 + mount 5 keeps five).
    """
    larger = max(meta.max_versions, config.max_versions)
    return larger if larger > 0 else DEFAULT_MAX_VERSIONS


def deletion_time(now: int, meta: KeyMetadata, config: KVConfig) -> int | None:
    """When a version written (or undeleted) at ``now`` is soft-deleted, or None.

    compat: the key's delete_version_after wins when positive; a zero falls back to the mount's;
    a negative mount value (stored as -1s) disables it (kv/path_data.go ``deletionTime``).
    """
    if meta.delete_version_after > 0:
        return now + meta.delete_version_after * 1_000_000_000
    if meta.delete_version_after == 0 and config.delete_version_after > 0:
        return now + config.delete_version_after * 1_000_000_000
    return None
