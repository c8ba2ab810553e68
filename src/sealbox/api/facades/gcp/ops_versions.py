"""addVersion and versions.get, list, access, enable, disable and destroy.

A version is a KV v2 version of the secret's key; its GCP state lives in the version's
``extra``. ``dataCrc32c`` sent on addVersion is verified (INVALID_ARGUMENT on a mismatch,
nothing written) and recorded; access returns the stored checksum (computed when the version
came from another door). Access needs an ENABLED version (FAILED_PRECONDITION otherwise);
destroy marks the version DESTROYED and destroys its KV data for good, keeping the metadata;
with the secret's ``versionDestroyTtl`` it goes DISABLED with a ``scheduledDestroyTime`` instead
(enable or disable cancel that), reads as DESTROYED once the time has come, and the door's
periodic sweep (``sweep.py``) then destroys the KV data.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from sealbox.api.facades.gcp.context import Call
from sealbox.api.facades.gcp.crc32c import crc32c
from sealbox.api.facades.gcp.errors import FailedPrecondition, InvalidArgument, NotFound
from sealbox.api.facades.gcp.filters import compile_filter
from sealbox.api.facades.gcp.kv import now_ns
from sealbox.api.facades.gcp.model import (
    DESTROYED,
    DISABLED,
    ENABLED,
    MAX_VERSIONS,
    SecretView,
    Version,
    record_expired,
    resolve_version,
    version_extra,
    version_gcp,
)
from sealbox.api.facades.gcp.names import SecretName, version_ref
from sealbox.api.facades.gcp.ops_secrets import load, not_found
from sealbox.api.facades.gcp.paging import page
from sealbox.api.facades.gcp.payload import decode, encode
from sealbox.api.facades.gcp.render import version_json
from sealbox.api.facades.gcp.validate import duration
from sealbox.logical import Operation

MAX_PAYLOAD = 64 * 1024


def _payload(body: dict[str, Any]) -> tuple[bytes, int | None]:
    payload = body.get("payload")
    if not isinstance(payload, dict):
        raise InvalidArgument("payload is required.")
    try:
        raw = base64.b64decode(payload.get("data") or "", validate=True)
    except (binascii.Error, ValueError, TypeError) as err:
        raise InvalidArgument("payload.data must be base64.") from err
    if len(raw) > MAX_PAYLOAD:
        raise InvalidArgument("Secret payload data length must be at most 65536 bytes.")
    given = payload.get("dataCrc32c")
    if given is None:
        return raw, None
    if not str(given).isdigit():
        raise InvalidArgument("payload.dataCrc32c must be an integer.")
    if int(given) != crc32c(raw):
        raise InvalidArgument("Checksum mismatch: the payload's data_crc32c does not match.")
    return raw, int(given)


async def add_version(call: Call) -> dict[str, Any]:
    """POST /v1/{name}:addVersion."""
    name = call.secret_name()
    raw, given = _payload(call.body)
    gcp = {"state": ENABLED, "crc": crc32c(raw), "clientCrc": given is not None}

    async def change() -> tuple[str, dict[str, Any]]:
        view = await load(call, name)
        return name.key, {
            "data": encode(raw),
            "new_version_extra": {"gcp": gcp},
            "expect_version": view.kv_version,
            "max_versions": MAX_VERSIONS,
        }

    view = await call.kv.mutate(change)
    latest = view.latest()
    if latest is None:  # the write just added one
        raise NotFound("The new version vanished.")
    return version_json(name, view, latest, call.project)


def _version_of(call: Call, view: SecretView) -> Version:
    name = call.secret_name()
    ref = version_ref(call.version)
    version = view.resolve(ref)
    if version is None:
        raise _missing(name, ref, call.project)
    return version


def _missing(name: SecretName, ref: str, project: str) -> NotFound:
    if ref == "latest":
        return not_found(name, project)
    return NotFound(f"Secret Version [{name.render(project)}/versions/{ref}] not found.")


async def get_version(call: Call) -> dict[str, Any]:
    """GET /v1/{name}/versions/{v}."""
    name = call.secret_name()
    view = await load(call, name)
    return version_json(name, view, _version_of(call, view), call.project)


async def list_versions(call: Call) -> dict[str, Any]:
    """GET /v1/{name}/versions?filter=&pageSize=&pageToken= (newest first, as GCP lists)."""
    name = call.secret_name()
    view = await load(call, name)
    versions = [
        version_json(name, view, v, call.project)
        for _, v in sorted(view.versions.items(), reverse=True)
    ]
    text = call.query.get("filter", "").strip()
    if text:
        wanted = compile_filter(text)
        versions = [v for v in versions if wanted(v)]
    return page(versions, call.query, "versions")


def _unavailable(name: SecretName, version: Version, project: str) -> FailedPrecondition:
    return FailedPrecondition(
        f"Secret Version [{name.render(project)}/versions/{version.number}] is in "
        f"{version.state} state."
    )


@dataclass(frozen=True, slots=True)
class Accessed:
    """What AccessSecretVersion answers: the version's name, its payload and CRC32C."""

    name: str
    data: bytes = field(repr=False)
    crc32c: int


async def access_payload(call: Call) -> Accessed:
    """The payload of an ENABLED version, as bytes (REST renders it, gRPC sends it as is).

    One ``extra/`` read gives the record and the data of the version asked for (the current
    one for ``latest`` and aliases); only the version named is built from the record.
    """
    name = call.secret_name()
    ref = version_ref(call.version)
    wanted = int(ref) if ref.isdigit() else -1
    found = await call.kv.read_record(name.key, data_version=wanted)
    now = now_ns()
    if found is None or record_expired(found[0], now):
        raise not_found(name, call.project)
    record, data = found
    version = resolve_version(record, ref, now)
    if version is None:
        raise _missing(name, ref, call.project)
    if version.state != ENABLED:
        raise _unavailable(name, version, call.project)
    if version.number != (wanted if wanted > 0 else int(record.get("current_version", 0))):
        # an alias (or latest) naming another version than the one whose data came along
        again = await call.kv.read_record(name.key, data_version=version.number)
        data = again[1] if again is not None else None
    if data is None:
        raise _unavailable(name, version, call.project)
    raw = decode(data, version.extra)
    # the checksum recorded when this door added the version (versions are immutable);
    # computed for versions other doors wrote
    checksum = version.crc if version.crc is not None else crc32c(raw)
    return Accessed(f"{name.render(call.project)}/versions/{version.number}", raw, checksum)


async def access_version(call: Call) -> dict[str, Any]:
    """GET /v1/{name}/versions/{v}:access: the payload of an ENABLED version."""
    accessed = await access_payload(call)
    return {
        "name": accessed.name,
        "payload": {
            "data": base64.b64encode(accessed.data).decode(),
            "dataCrc32c": str(accessed.crc32c),
        },
    }


async def _set_state(call: Call, state: str) -> dict[str, Any]:
    name = call.secret_name()

    async def change() -> tuple[str, dict[str, Any]]:
        view = await load(call, name)
        version = _version_of(call, view)
        given = call.body.get("etag")
        if given and given != version.etag:
            raise FailedPrecondition("The etag does not match the current etag of the version.")
        if version.state == DESTROYED:
            raise _unavailable(name, version, call.project)
        gcp = version_gcp(version)
        gcp.pop("scheduledDestroy", None)  # enable/disable cancel a scheduled destruction
        delay = view.gcp.get("versionDestroyTtl")
        if state == DESTROYED and delay:
            # versionDestroyTtl: DISABLED now, destroyed when the time comes (model + sweep)
            seconds = duration(str(delay), "versionDestroyTtl")
            gcp["state"] = DISABLED
            gcp["scheduledDestroy"] = now_ns() + int(seconds * 1e9)
            call.extra["delayed"] = True
        else:
            gcp["state"] = state
        if gcp["state"] == DESTROYED:
            gcp["destroyTime"] = now_ns()
        extra = {str(version.number): version_extra(version, gcp)}
        call.extra["number"] = version.number
        call.extra["deleted"] = not version.live and state == ENABLED
        return name.key, {"version_extra": extra, "expect_version": view.kv_version}

    view = await call.kv.mutate(change)
    number = int(call.extra["number"])
    if state == DESTROYED and not call.extra.get("delayed"):
        await call.kv.call(Operation.UPDATE, "destroy/" + name.key, {"versions": [number]})
    elif call.extra.get("deleted"):
        await call.kv.call(Operation.UPDATE, "undelete/" + name.key, {"versions": [number]})
    final = await load(call, name)
    return version_json(
        name, final, final.versions.get(number) or view.versions[number], call.project
    )


async def enable_version(call: Call) -> dict[str, Any]:
    """POST /v1/{name}/versions/{v}:enable."""
    return await _set_state(call, ENABLED)


async def disable_version(call: Call) -> dict[str, Any]:
    """POST /v1/{name}/versions/{v}:disable."""
    return await _set_state(call, DISABLED)


async def destroy_version(call: Call) -> dict[str, Any]:
    """POST /v1/{name}/versions/{v}:destroy: the data is gone for good, the metadata stays."""
    return await _set_state(call, DESTROYED)
