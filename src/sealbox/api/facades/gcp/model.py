"""GCP's view of a KV v2 key: what ``extra["gcp"]`` holds and how versions look to GCP.

Per key, ``extra["gcp"]`` holds the Secret's own fields (labels, annotations, replication,
topics, rotation, expireTime, versionAliases, versionDestroyTtl, customerManagedEncryption,
the IAM policy) and a revision counter for etags; per version, ``extra["gcp"]`` holds its state
(ENABLED, DISABLED, DESTROYED), destroyTime and the payload's CRC32C. Other doors' entries in
the same ``extra`` maps are kept untouched. Keys and versions written by other doors carry no
GCP metadata and read as an automatically replicated secret whose live versions are ENABLED,
soft-deleted ones DISABLED and destroyed ones DESTROYED.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ENABLED, DISABLED, DESTROYED = "ENABLED", "DISABLED", "DESTROYED"
#: Secret Manager never prunes versions; KV keeps this many per key written by this door
#: (visible to Vault clients as the key's max_versions; an AWS door write sets its own 100).
MAX_VERSIONS = 100_000


def rfc3339(nanos: int) -> str:
    """``2026-12-03T07:37:14.123456789Z`` from nanoseconds since the epoch."""
    seconds, frac = divmod(int(nanos), 1_000_000_000)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{frac:09d}Z"


def parse_rfc3339(text: str) -> int:
    """Nanoseconds since the epoch of ``2026-12-03T07:37:14.123456789Z`` (ValueError if not)."""
    head, _, frac = text.rstrip("Z").partition(".")
    if not text.endswith("Z") or (frac and not frac.isdigit()) or len(frac) > 9:
        raise ValueError(text)
    stamp = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    return int(stamp.timestamp()) * 1_000_000_000 + int((frac or "0").ljust(9, "0"))


def _etag(*parts: Any) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
    return f'"{digest}"'


@dataclass(slots=True)
class Version:
    """One GCP version of a secret (a KV version still in the key's metadata)."""

    number: int
    created: int
    state: str
    destroy_time: int | None
    crc: int | None
    client_crc: bool
    live: bool  # KV data readable (neither destroyed nor soft-deleted)
    extra: dict[str, Any]
    #: versionDestroyTtl: when a DISABLED version's data goes (ns), None when not scheduled.
    scheduled_destroy: int | None = None

    @property
    def etag(self) -> str:
        return _etag(self.number, self.created, self.state, self.destroy_time)


@dataclass(slots=True)
class SecretView:
    """A secret as the GCP door sees it, from the key's ``extra`` record."""

    key: str
    kv_version: int
    created: int
    updated: int
    gcp: dict[str, Any]
    key_extra: dict[str, Any]
    versions: dict[int, Version] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        return _etag(self.key, self.created, self.updated, self.gcp.get("rev", 0))

    def expired(self, now: int) -> bool:
        """Whether the secret's expireTime has passed (then it no longer exists for GCP)."""
        return _expired(self.gcp, now)

    def latest(self) -> Version | None:
        return self.versions[max(self.versions)] if self.versions else None

    def resolve(self, ref: str) -> Version | None:
        """``latest``, a number or an alias; None when there is no such version."""
        number = version_number(ref, self.versions, self.gcp)
        return None if number is None else self.versions.get(number)

    def with_gcp(self, gcp: dict[str, Any]) -> dict[str, Any]:
        """The key's whole ``extra`` with GCP's part replaced (and its revision bumped)."""
        return {**self.key_extra, "gcp": {**gcp, "rev": int(self.gcp.get("rev", 0)) + 1}}


def _version(number: int, raw: dict[str, Any], now: int) -> Version:
    extra = dict(raw.get("extra") or {})
    gcp = extra.get("gcp") or {}
    deletion = raw.get("deletion_time")
    deleted = deletion is not None and int(deletion) <= now
    destroyed = bool(raw.get("destroyed"))
    if destroyed:
        state = DESTROYED
    elif deleted:
        state = DISABLED
    else:
        state = str(gcp.get("state") or ENABLED)
        scheduled = gcp.get("scheduledDestroy")
        if scheduled is not None and int(scheduled) <= now:
            state = DESTROYED  # its time has come; the door's sweep destroys the KV data
        if state == DESTROYED:  # destroy marked, KV destroy not (yet) done: still gone
            destroyed = True
    destroy_time = gcp.get("destroyTime") or gcp.get("scheduledDestroy")
    if state == DESTROYED and destroy_time is None:
        destroy_time = deletion or raw.get("created_time")
    return Version(
        number=number,
        created=int(raw["created_time"]),
        state=state,
        destroy_time=int(destroy_time) if destroy_time is not None else None,
        crc=gcp.get("crc"),
        client_crc=bool(gcp.get("clientCrc")),
        live=not destroyed and not deleted,
        extra=extra,
        scheduled_destroy=int(gcp["scheduledDestroy"]) if gcp.get("scheduledDestroy") else None,
    )


def _expired(gcp: dict[str, Any], now: int) -> bool:
    stamp = gcp.get("expireTime")
    return isinstance(stamp, str) and parse_rfc3339(stamp) <= now


def record_expired(record: dict[str, Any], now: int) -> bool:
    """``SecretView.expired`` on the raw ``extra/`` record."""
    return _expired((record.get("extra") or {}).get("gcp") or {}, now)


def resolve_version(record: dict[str, Any], ref: str, now: int) -> Version | None:
    """``SecretView.resolve`` on the raw ``extra/`` record, building only the version named:
    access, the hot path, needs one version however long the secret's history is."""
    versions: dict[str, Any] = record.get("versions") or {}
    gcp = (record.get("extra") or {}).get("gcp") or {}
    number = version_number(ref, [int(n) for n in versions], gcp)
    if number is None or (raw := versions.get(str(number))) is None:
        return None
    return _version(number, raw, now)


def version_number(ref: str, numbers: Iterable[int], gcp: dict[str, Any]) -> int | None:
    """The version ``ref`` names (``latest``: the highest of ``numbers``; a number; an alias
    in the secret's GCP metadata ``gcp``), whether or not it exists; None when it names none."""
    if ref == "latest":
        return max(numbers, default=None)
    if ref.isdigit():
        return int(ref)
    target = (gcp.get("versionAliases") or {}).get(ref)
    return None if target is None else int(target)


def view_of(record: dict[str, Any], now: int) -> SecretView:
    """The view of one ``extra/`` record (KV metadata JSON, times in ns)."""
    key_extra = dict(record.get("extra") or {})
    view = SecretView(
        key=str(record["key"]),
        kv_version=int(record.get("current_version", 0)),
        created=int(record["created_time"]),
        updated=int(record.get("updated_time", record["created_time"])),
        gcp=dict(key_extra.get("gcp") or {}),
        key_extra=key_extra,
    )
    for number, raw in (record.get("versions") or {}).items():
        view.versions[int(number)] = _version(int(number), raw, now)
    return view


def version_extra(version: Version, gcp: dict[str, Any]) -> dict[str, Any]:
    """A version's whole ``extra`` with GCP's part replaced."""
    return {**version.extra, "gcp": gcp}


def version_gcp(version: Version) -> dict[str, Any]:
    """The version's GCP metadata as stored (filled in for versions other doors wrote)."""
    stored = dict(version.extra.get("gcp") or {})
    stored["state"] = version.state
    return stored
