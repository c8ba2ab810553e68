"""Backup and restore of one key in OpenBao's format.

A backup is base64 of ``{"policy": <keysutil.Policy JSON>, "archived_keys": {"keys": [...]}}``
(keysutil ``KeyData``). Vault's policy JSON carries only versions from min_decryption_version
up; every version from min_available_version up is in ``archived_keys.keys``, where index
``i`` holds version ``min_available_version + i`` (index 0 is an empty entry while
min_available_version is 0, since versions start at 1). Restoring merges both lists.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from sealbox.engines.transit.describe import live_versions
from sealbox.engines.transit.policy import KeyEntry, Policy, Stamp
from sealbox.errors import InvalidRequest


def encode_backup(policy: Policy) -> str:
    """The backup string of ``policy`` (whose backup_info is already set)."""
    document = policy.to_json(versions=range(0))
    document["keys"] = {str(v): policy.keys[v].to_json() for v in live_versions(policy)}
    archive = []
    for version in range(policy.min_available_version, policy.latest_version + 1):
        entry = policy.keys.get(version, KeyEntry())
        archive.append(entry.to_json())
    body = {"policy": document, "archived_keys": {"keys": archive}}
    return base64.b64encode(json.dumps(body, separators=(",", ":")).encode()).decode()


def decode_backup(backup: str, name: str, now: datetime) -> Policy:
    """The policy in ``backup``, renamed to ``name`` when given, with restore_info set."""
    try:
        body = json.loads(base64.b64decode(backup, validate=True))
        raw_policy = body["policy"]
        archived = (body.get("archived_keys") or {}).get("keys") or []
        base = int(
            raw_policy.get("archive_min_version", raw_policy.get("min_available_version", 0))
        )
        extra = {}
        for index, raw_entry in enumerate(archived):
            version = base + index
            if version >= 1:
                extra[version] = KeyEntry.from_json(raw_entry)
        policy = Policy.from_json(raw_policy, extra_keys=extra)
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error) as err:
        raise InvalidRequest("failed to restore the key: the backup could not be decoded") from err
    if name:
        policy = policy.evolve(name=name)
    if not policy.name or "/" in policy.name:
        raise InvalidRequest("key names cannot be paths")
    if policy.latest_version < 1 or policy.latest_version not in policy.keys:
        raise InvalidRequest("failed to restore the key: the backup has no key versions")
    return policy.evolve(restore_info=Stamp.at(now, policy.latest_version))
