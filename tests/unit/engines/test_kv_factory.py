"""The engine registry and kv_factory's choice of version."""

from __future__ import annotations

import pytest
from tests.unit.engines.harness import make_config

from sealbox.engines import ENGINE_FACTORIES
from sealbox.engines.cubbyhole import CubbyholeEngine
from sealbox.engines.kv import KVv1Engine, KVv2Engine, kv_factory
from sealbox.errors import InvalidRequest


@pytest.mark.parametrize(
    ("options", "expected"),
    [({}, KVv1Engine), ({"version": "1"}, KVv1Engine), ({"version": "2"}, KVv2Engine)],
    ids=["absent", "v1", "v2"],
)
def test_kv_factory_picks_version(options: dict[str, str], expected: type) -> None:
    assert isinstance(kv_factory(make_config(options)), expected)


def test_kv_factory_refuses_unknown_version() -> None:
    with pytest.raises(InvalidRequest):
        kv_factory(make_config({"version": "3"}))


def test_registry_has_kv_and_cubbyhole() -> None:
    assert set(ENGINE_FACTORIES) >= {"kv", "cubbyhole"}
    backend = ENGINE_FACTORIES["cubbyhole"](make_config(mount_type="cubbyhole"))
    assert isinstance(backend, CubbyholeEngine)
