"""The GCP door in process, on a real Core: delayed destruction (versionDestroyTtl) from the
schedule to the periodic sweep that destroys the KV data, and its cancellation by enable."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from sealbox.api.facades.gcp import server as gcp
from sealbox.api.facades.gcp.app import GcpAPI
from sealbox.api.facades.gcp.errors import FailedPrecondition, InvalidArgument
from sealbox.api.facades.gcp.errors import NotFound as GcpNotFound
from sealbox.api.facades.gcp.kv import KVClient
from sealbox.core.core import Core
from sealbox.errors import NotFound
from sealbox.logical import Operation, Request
from sealbox.server.run import _setup_dev
from sealbox.storage.inmem import InMemoryStorage

BASE = "/v1/projects/sealbox/secrets"


async def _door() -> tuple[GcpAPI, str]:
    core = Core(InMemoryStorage())
    _, root = await _setup_dev(core, "root")
    return GcpAPI(core, gcp.door_config({}, token=root)), root


async def _call(
    api: GcpAPI, token: str, method: str, path: str, body: Any = None, **query: str
) -> Any:
    return await api.call(method, path, dict(query), body or {}, token, "127.0.0.1")


async def _backdate(api: GcpAPI, token: str, key: str, number: int) -> None:
    kv = KVClient(api.core, api.config.mount, token, "")
    found = await kv.read(key)
    assert found is not None
    view = found[0]
    version = view.versions[number]
    gcp_meta = dict(version.extra["gcp"])
    gcp_meta["scheduledDestroy"] = 1
    extra = {str(number): {**version.extra, "gcp": gcp_meta}}
    await kv.write(key, {"version_extra": extra, "expect_version": view.kv_version})


async def _kv_data(api: GcpAPI, token: str, key: str, version: int) -> Any:
    req = Request(
        operation=Operation.READ,
        path=f"secret/data/{key}",
        data={"version": version},
        client_token=token,
    )
    try:
        return (await api.core.handle(req)).data
    except NotFound:
        return None


def test_delayed_destroy_then_sweep() -> None:
    async def scenario() -> None:
        api, root = await _door()
        await _call(api, root, "POST", BASE, {"replication": {"automatic": {}}}, secretId="s")
        data = base64.b64encode(b"doomed").decode()
        await _call(api, root, "POST", f"{BASE}/s:addVersion", {"payload": {"data": data}})
        await _call(
            api,
            root,
            "PATCH",
            f"{BASE}/s",
            {"versionDestroyTtl": "86400s"},
            updateMask="versionDestroyTtl",
        )
        scheduled = await _call(api, root, "POST", f"{BASE}/s/versions/1:destroy")
        assert scheduled["state"] == "DISABLED"
        assert "scheduledDestroyTime" in scheduled
        with pytest.raises(FailedPrecondition):
            await _call(api, root, "GET", f"{BASE}/s/versions/1:access")
        assert await _kv_data(api, root, "s", 1) is not None  # not yet destroyed

        await _backdate(api, root, "s", 1)
        due = await _call(api, root, "GET", f"{BASE}/s/versions/1")
        assert due["state"] == "DESTROYED"
        assert await _kv_data(api, root, "s", 1) is not None  # the sweep has not run yet
        await api.periodic()
        assert await _kv_data(api, root, "s", 1) is None
        swept = await _call(api, root, "GET", f"{BASE}/s/versions/1")
        assert swept["state"] == "DESTROYED"
        assert "destroyTime" in swept

    asyncio.run(scenario())


def test_enable_cancels_a_scheduled_destroy() -> None:
    async def scenario() -> None:
        api, root = await _door()
        await _call(
            api,
            root,
            "POST",
            BASE,
            {"replication": {"automatic": {}}, "versionDestroyTtl": "3600s"},
            secretId="k",
        )
        data = base64.b64encode(b"kept").decode()
        await _call(api, root, "POST", f"{BASE}/k:addVersion", {"payload": {"data": data}})
        await _call(api, root, "POST", f"{BASE}/k/versions/1:destroy")
        enabled = await _call(api, root, "POST", f"{BASE}/k/versions/1:enable")
        assert enabled["state"] == "ENABLED"
        assert "scheduledDestroyTime" not in enabled
        await api.periodic()
        got = await _call(api, root, "GET", f"{BASE}/k/versions/1:access")
        assert base64.b64decode(got["payload"]["data"]) == b"kept"

    asyncio.run(scenario())


def test_expired_secrets_are_gone() -> None:
    async def scenario() -> None:
        api, root = await _door()
        made = await _call(
            api,
            root,
            "POST",
            BASE,
            {"replication": {"automatic": {}}, "ttl": "86400s"},
            secretId="ttl",
        )
        assert made["expireTime"].endswith("Z")
        with pytest.raises(InvalidArgument):
            await _call(
                api,
                root,
                "PATCH",
                f"{BASE}/ttl",
                {"expireTime": "tomorrow"},
                updateMask="expireTime",
            )
        await _call(
            api,
            root,
            "PATCH",
            f"{BASE}/ttl",
            {"expireTime": "2001-01-01T00:00:00Z"},
            updateMask="expireTime",
        )
        with pytest.raises(GcpNotFound):
            await _call(api, root, "GET", f"{BASE}/ttl")
        assert await _call(api, root, "GET", BASE) == {}
        again = await _call(
            api, root, "POST", BASE, {"replication": {"automatic": {}}}, secretId="ttl"
        )
        assert "expireTime" not in again
        await _call(
            api,
            root,
            "PATCH",
            f"{BASE}/ttl",
            {"expireTime": "2001-01-01T00:00:00.5Z"},
            updateMask="expireTime",
        )
        await api.periodic()
        kv = KVClient(api.core, api.config.mount, root, "")
        assert await kv.read("ttl") is None  # the sweep deleted the KV key

    asyncio.run(scenario())
