"""Fixtures: kv v1/v2 and cubbyhole backends over in-memory storage with a movable clock."""

from __future__ import annotations

import pytest
from tests.unit.engines.harness import FakeClock, make_config

from sealbox.engines.cubbyhole import CubbyholeEngine
from sealbox.engines.kv import KVv1Engine, KVv2Engine


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def kv2(clock: FakeClock) -> KVv2Engine:
    return KVv2Engine(make_config({"version": "2"}), clock=clock)


@pytest.fixture
def kv1() -> KVv1Engine:
    return KVv1Engine(make_config({"version": "1"}))


@pytest.fixture
def cubbyhole() -> CubbyholeEngine:
    return CubbyholeEngine(make_config(mount_type="cubbyhole"))
