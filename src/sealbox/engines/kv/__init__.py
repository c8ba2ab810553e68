"""The kv secrets engine: ``kv_factory`` picks version 1 or 2 from the mount options.

Mirrors openbao internal/builtin/logical/kv/backend.go ``Factory``: ``options["version"]``
absent or "1" gives the unversioned passthrough backend, "2" the versioned one.
"""

from __future__ import annotations

from sealbox.engines.kv.model import KeyMetadata, VersionMeta
from sealbox.engines.kv.store import StoredVersion
from sealbox.engines.kv.v1 import KVv1Engine
from sealbox.engines.kv.v2 import KVv2Engine
from sealbox.errors import InvalidRequest
from sealbox.framework import Backend, BackendConfig

__all__ = [
    "KVv1Engine",
    "KVv2Engine",
    "KeyMetadata",
    "StoredVersion",
    "VersionMeta",
    "kv_factory",
]


def kv_factory(config: BackendConfig) -> Backend:
    """A KV v1 or v2 backend for one mount."""
    version = str(config.options.get("version", "") or "1")
    if version == "1":
        return KVv1Engine(config)
    if version == "2":
        return KVv2Engine(config)
    raise InvalidRequest("invalid kv version: must be 1 or 2")
