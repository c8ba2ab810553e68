"""The door's periodic sweep: delete secrets whose ``expireTime`` has passed, and destroy the KV
data of versions whose scheduled destruction (``versionDestroyTtl``) has come.

Both already read as gone (``model.py``); the sweep makes it true in storage. It
acts as the door's own token (dev mode: the root token; a configured listener: the token in
``token_file``), which needs ``list`` on ``<mount>/extra/``, ``update`` on
``<mount>/extra/*`` and on ``<mount>/destroy/*``, ``delete`` on ``<mount>/metadata/*``. Without a token nothing is swept.
"""

from __future__ import annotations

from pathlib import Path

from sealbox.api.facades.gcp.context import DoorConfig
from sealbox.api.facades.gcp.kv import CoreDoor, KVClient, now_ns
from sealbox.api.facades.gcp.model import DESTROYED, version_extra, version_gcp
from sealbox.errors import CheckAndSetMismatch
from sealbox.logical import Operation


def door_token(config: DoorConfig) -> str:
    if config.token:
        return config.token
    if config.token_file:
        try:
            return Path(config.token_file).read_text().strip()
        except OSError:
            return ""
    return ""


async def sweep(core: CoreDoor, config: DoorConfig) -> int:
    """Destroy what is due; returns how many versions were destroyed."""
    token = door_token(config)
    if not token:
        return 0
    kv = KVClient(core, config.mount, token, "")
    done = 0
    now = now_ns()
    for view in await kv.list_all(""):
        if view.expired(now):  # expireTime passed: the secret and its versions are deleted
            await kv.call(Operation.DELETE, "metadata/" + view.key, {})
            continue
        due = [
            v
            for v in view.versions.values()
            if v.scheduled_destroy is not None
            and v.scheduled_destroy <= now
            and v.extra.get("gcp", {}).get("state") != DESTROYED
        ]
        if not due:
            continue
        extra = {}
        for version in due:
            gcp = version_gcp(version)
            gcp.update(state=DESTROYED, destroyTime=version.scheduled_destroy)
            gcp.pop("scheduledDestroy", None)
            extra[str(version.number)] = version_extra(version, gcp)
        try:
            await kv.write(view.key, {"version_extra": extra, "expect_version": view.kv_version})
        except CheckAndSetMismatch:
            continue  # changed meanwhile: the next sweep sees it again
        numbers = [v.number for v in due]
        await kv.call(Operation.UPDATE, "destroy/" + view.key, {"versions": numbers})
        done += len(numbers)
    return done
