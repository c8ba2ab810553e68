"""Where transit keeps its key policies, with a parsed cache and per-key write locks.

Layout inside the mount's StorageView (values are JSON)::

    policy/<name>      Vault's keysutil.Policy JSON (every version from min_available up)
    config/keys        {"disable_upsert": bool}
    config/cache       {"size": int}

Reads of a policy come from an in-memory cache of parsed, immutable ``Policy`` objects (each
carrying its built ciphers), so an encrypt costs no storage read and no JSON parse; every
change goes through ``put``/``delete`` here, which update the cache after the storage write.
Changes of one key run under that key's asyncio lock (``locked``), so a rotate and a config
write cannot lose each other's update. The cache is per backend instance: a new mount (or a
remount after unseal) starts cold and fills from storage. On an HA standby the active's changes
arrive through ``invalidate``; a read that overlapped one does not cache what it read.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sealbox.engines.transit.policy import Policy
from sealbox.errors import InternalError
from sealbox.logical import Storage

POLICY_PREFIX = "policy/"
KEYS_CONFIG = "config/keys"
CACHE_CONFIG = "config/cache"


def encode_policy(policy: Policy) -> bytes:
    """The stored bytes of ``policy`` (stdlib json: RSA numbers exceed 64 bits)."""
    return json.dumps(policy.to_json(), separators=(",", ":")).encode("utf-8")


def decode_policy(raw: bytes) -> Policy:
    try:
        return Policy.from_json(json.loads(raw))
    except (ValueError, TypeError, KeyError) as err:
        raise InternalError("stored transit key could not be read") from err


class PolicyStore:
    """Policies of one transit mount."""

    def __init__(self) -> None:
        self._cache: dict[str, Policy] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._generation = 0  # bumped by every invalidation

    @asynccontextmanager
    async def locked(self, name: str) -> AsyncIterator[None]:
        """Hold the write lock of key ``name``."""
        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock:
            yield

    async def get(self, storage: Storage, name: str) -> Policy | None:
        """The policy ``name`` or None."""
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        generation = self._generation
        raw = await storage.get(POLICY_PREFIX + name)
        if raw is None:
            return None
        policy = decode_policy(raw)
        if generation == self._generation:
            self._cache[name] = policy
        return policy

    def invalidate(self, key: str) -> None:
        """The stored ``key`` changed elsewhere (another node): forget its parsed policy."""
        self._generation += 1
        if key.startswith(POLICY_PREFIX):
            self._cache.pop(key[len(POLICY_PREFIX) :], None)

    async def put(self, storage: Storage, policy: Policy) -> None:
        await storage.put(POLICY_PREFIX + policy.name, encode_policy(policy))
        self._cache[policy.name] = policy

    async def delete(self, storage: Storage, name: str) -> None:
        self._cache.pop(name, None)
        await storage.delete(POLICY_PREFIX + name)
        # compat: Vault also drops archive/<name>; a restored OpenBao layout never has one here.
        await storage.delete("archive/" + name)

    async def names(self, storage: Storage) -> list[str]:
        return [k for k in await storage.list(POLICY_PREFIX) if not k.endswith("/")]

    async def read_json(self, storage: Storage, key: str) -> dict[str, Any]:
        raw = await storage.get(key)
        if raw is None:
            return {}
        try:
            value = json.loads(raw)
        except ValueError as err:
            raise InternalError("stored transit configuration could not be read") from err
        return value if isinstance(value, dict) else {}

    async def write_json(self, storage: Storage, key: str, value: dict[str, Any]) -> None:
        await storage.put(key, json.dumps(value).encode("utf-8"))
