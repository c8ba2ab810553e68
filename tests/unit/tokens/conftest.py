"""Fixtures: a fake clock and an in-memory token store with a root token behind the backend."""

from __future__ import annotations

import pytest
from tests.unit.tokens.harness import ROOT, FakeClock, Harness, StubSystem, run

from sealbox.auth.token import token_factory
from sealbox.core.tokens import TokenStore
from sealbox.framework import BackendConfig
from sealbox.storage.inmem import InMemoryStorage


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def harness(clock: FakeClock) -> Harness:
    storage = InMemoryStorage()
    store = TokenStore(storage, clock=clock)
    system = StubSystem(store)
    backend = token_factory(BackendConfig("auth/token/", "token", storage, system=system))
    root = run(store.create_root_token(ROOT))
    return Harness(storage, clock, store, system, backend, root)
