"""A lookup racing a write must not put the old entry back into the token cache."""

from __future__ import annotations

import asyncio

from sealbox.core.tokens import TokenStore
from sealbox.storage.inmem import InMemoryStorage


class SlowWrites(InMemoryStorage):
    """In-memory storage whose writes take a while, as a group commit's fsync does."""

    async def put(self, key: str, value: bytes) -> None:
        await asyncio.sleep(0.01)
        await super().put(key, value)


def test_a_renewal_is_not_lost_to_a_concurrent_lookup() -> None:
    async def scenario() -> None:
        store = TokenStore(SlowWrites())
        token, _ = await store.create(policies=["default"], ttl=60, parent=None)
        await store.lookup(token)  # cached

        async def poll() -> None:
            for _ in range(20):
                await store.lookup(token)
                await asyncio.sleep(0.001)

        renewed = None
        for _ in range(5):
            current = await store.lookup(token)
            assert current is not None
            renewed, _ = await asyncio.gather(store.renew(current, 3600), poll())
        assert renewed is not None
        seen = await store.lookup(token)
        assert seen is not None
        assert seen.expire_time == renewed.expire_time
        assert seen.lease_ttl == renewed.lease_ttl

    asyncio.run(scenario())


def test_remembered_hashes_still_see_revocation_and_a_new_salt() -> None:
    """The last hash is remembered; revocation goes by the entry, and a salt another node
    changed (``invalidate``) is not hashed with the old one."""

    async def scenario() -> None:
        storage = InMemoryStorage()
        store = TokenStore(storage)
        token, _ = await store.create(policies=["default"], ttl=60, parent=None)
        first = await store.hash_token(token)
        assert await store.lookup(token) is not None
        assert await store.hash_token(token) == first
        assert await store.revoke(token)
        assert await store.lookup(token) is None  # the remembered hash finds no entry

        await storage.put("salt", b"\x01" * 32)  # as another node rewriting the salt
        store.invalidate_key("salt")
        assert await store.hash_token(token) != first

    asyncio.run(scenario())
