"""Secret and SecretVersion resources as REST v1 JSON (camelCase, empty fields omitted)."""

from __future__ import annotations

from typing import Any

from sealbox.api.facades.gcp.model import DESTROYED, SecretView, Version, rfc3339
from sealbox.api.facades.gcp.names import SecretName

#: Fields copied verbatim from what the door recorded.
_RECORDED = (
    "labels",
    "annotations",
    "topics",
    "rotation",
    "expireTime",
    "versionAliases",
    "versionDestroyTtl",
    "customerManagedEncryption",
)


def secret_json(name: SecretName, view: SecretView, project: str) -> dict[str, Any]:
    gcp = view.gcp
    out: dict[str, Any] = {
        "name": name.render(project),
        "replication": gcp.get("replication") or {"automatic": {}},
        "createTime": rfc3339(view.created),
        "etag": view.etag,
    }
    if name.parent.location:
        out.pop("replication")
    for field in _RECORDED:
        if gcp.get(field):
            out[field] = gcp[field]
    return out


def version_json(
    name: SecretName, view: SecretView, version: Version, project: str
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": f"{name.render(project)}/versions/{version.number}",
        "createTime": rfc3339(version.created),
        "state": version.state,
        "etag": version.etag,
        "clientSpecifiedPayloadChecksum": version.client_crc,
    }
    if version.state == DESTROYED and version.destroy_time is not None:
        out["destroyTime"] = rfc3339(version.destroy_time)
    elif version.scheduled_destroy is not None:
        out["scheduledDestroyTime"] = rfc3339(version.scheduled_destroy)
    replication = view.gcp.get("replication") or {"automatic": {}}
    if "userManaged" in replication:
        replicas = replication["userManaged"].get("replicas") or []
        out["replicationStatus"] = {
            "userManaged": {"replicas": [{"location": r["location"]} for r in replicas]}
        }
    elif not name.parent.location:
        out["replicationStatus"] = {"automatic": {}}
    return out
