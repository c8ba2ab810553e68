"""Checks of Secret fields a client sends (labels, annotations, replication, durations, aliases).

Limits are the ones the v1 messages document; a violation is INVALID_ARGUMENT and nothing is
written.
"""

from __future__ import annotations

import re
from typing import Any

from sealbox.api.facades.gcp.errors import InvalidArgument
from sealbox.api.facades.gcp.names import is_alias

_ANNOTATION_KEY = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?")
_DURATION = re.compile(r"(\d+)(\.\d{1,9})?s")


def _label_key(key: str) -> bool:
    return (
        0 < len(key) <= 63
        and key[0].islower()
        and all(c.islower() or c.isdigit() or c in "_-" for c in key)
    )


def _label_value(value: str) -> bool:
    return len(value) <= 63 and all(c.islower() or c.isdigit() or c in "_-" for c in value)


def labels(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > 64:
        raise InvalidArgument("labels must be a map of at most 64 entries.")
    for key, item in value.items():
        if not isinstance(item, str) or not _label_key(key) or not _label_value(item):
            raise InvalidArgument(f"Invalid label [{key}].")
    return dict(value)


def annotation_map(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidArgument("annotations must be a map.")
    size = 0
    for key, item in value.items():
        if not isinstance(item, str) or not _ANNOTATION_KEY.fullmatch(key):
            raise InvalidArgument(f"Invalid annotation [{key}].")
        size += len(key.encode()) + len(item.encode())
    if size >= 16 * 1024:
        raise InvalidArgument("The total size of annotations must be less than 16KiB.")
    return dict(value)


def replication(value: Any) -> dict[str, Any]:
    """Exactly one of ``automatic`` and ``userManaged`` (with at least one replica)."""
    if not isinstance(value, dict) or len(value) != 1:
        raise InvalidArgument("Secret.replication must set exactly one of automatic, userManaged.")
    if "automatic" in value and isinstance(value["automatic"], dict):
        return {"automatic": dict(value["automatic"])}
    managed = value.get("userManaged")
    replicas = managed.get("replicas") if isinstance(managed, dict) else None
    if not isinstance(replicas, list) or not replicas:
        raise InvalidArgument("Secret.replication.userManaged.replicas must not be empty.")
    for replica in replicas:
        if not isinstance(replica, dict) or not isinstance(replica.get("location"), str):
            raise InvalidArgument("Every replica needs a location.")
    return {"userManaged": {"replicas": [dict(r) for r in replicas]}}


def duration(value: Any, field: str) -> float:
    """Seconds of a ``"86400s"`` duration."""
    match = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidArgument(f"Invalid duration for {field}: expected e.g. '86400s'.")
    return float(match.group(0)[:-1])


def aliases(value: Any, versions: set[int]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > 50:
        raise InvalidArgument("versionAliases must be a map of at most 50 entries.")
    out: dict[str, str] = {}
    for alias, number in value.items():
        if not is_alias(alias):
            raise InvalidArgument(f"Invalid version alias [{alias}].")
        if not str(number).isdigit() or int(number) not in versions:
            raise InvalidArgument(f"Version alias [{alias}] names no existing version.")
        out[alias] = str(int(number))
    return out


def topics(value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(t, dict) and isinstance(t.get("name"), str) for t in value
    ):
        raise InvalidArgument("topics must be a list of {name: projects/*/topics/*}.")
    return [{"name": t["name"]} for t in value]
