"""Fixtures: a fake clock and an in-memory token store with a root token behind the backend."""

from __future__ import annotations

import pytest
from tests.unit.tokens.harness import ROOT, FakeClock, Harness, run

from sealbox.auth.token import TokenAuthMethod, TokenContext
from sealbox.core.policy_store import PolicyStore
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
    policies = PolicyStore(storage)
    run(policies.setup_defaults())
    context = TokenContext(store=store, policies=policies)
    backend = TokenAuthMethod(BackendConfig("auth/token/", "token", storage), context)
    root = run(store.create_root_token(ROOT))
    return Harness(storage, clock, store, backend, root)
