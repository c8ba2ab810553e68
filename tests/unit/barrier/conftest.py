"""Fixtures for barrier tests: a physical store and an initialized, unsealed barrier."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from sealbox.barrier.barrier import Barrier
from sealbox.storage import InMemoryStorage

ROOT_KEY = bytes(range(32))
FIXED_TIME = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def root_key() -> bytes:
    return ROOT_KEY


@pytest.fixture
def fixed_time() -> datetime:
    return FIXED_TIME


@pytest.fixture
def physical() -> InMemoryStorage:
    return InMemoryStorage()


@pytest.fixture
def barrier(physical: InMemoryStorage) -> Barrier:
    barrier = Barrier(physical, clock=lambda: FIXED_TIME)

    async def setup() -> None:
        await barrier.initialize(ROOT_KEY)
        await barrier.unseal(ROOT_KEY)

    asyncio.run(setup())
    return barrier
