"""GetSecretValue, PutSecretValue, BatchGetSecretValue, ListSecretVersionIds and
UpdateSecretVersionStage (reference §2), on the KV v2 versions of one key."""

from __future__ import annotations

import time
from typing import Any

from sealbox.api.facades.aws import kms
from sealbox.api.facades.aws.context import Call
from sealbox.api.facades.aws.errors import (
    AwsError,
    InvalidParameter,
    InvalidRequestError,
    LimitExceeded,
    ResourceNotFound,
)
from sealbox.api.facades.aws.listing import filtered, page
from sealbox.api.facades.aws.model import CURRENT, SecretView, Version, decode
from sealbox.api.facades.aws.values import (
    check_stages,
    existing_same,
    new_version_change,
    required_value,
    token_in_use,
    token_of,
)
from sealbox.errors import SealboxError

_DAY = 86400


def _select(view: SecretView, version_id: str | None, stage: str | None) -> Version:
    if version_id:
        version = view.by_id(version_id)
        if version is None:
            raise ResourceNotFound(
                f"Secrets Manager can't find the specified secret value for VersionId: {version_id}"
            )
        if stage and stage not in version.stages:
            raise InvalidRequestError(
                "You provided a VersionStage that is not associated to the provided VersionId."
            )
        return version
    label = stage or CURRENT
    version = view.by_stage(label)
    if version is None:
        raise ResourceNotFound(
            f"Secrets Manager can't find the specified secret value for staging label: {label}"
        )
    return version


async def _value_entry(call: Call, view: SecretView, version: Version, data: Any) -> dict[str, Any]:
    if version.encoding == "none":
        raise ResourceNotFound(
            "Secrets Manager can't find the specified secret value for VersionId: "
            + version.version_id
        )
    if data is None:
        data = await call.kv.read_data(view.name, version.number)
        if data is None:
            raise ResourceNotFound()
    data, encoding = await kms.plain(call, data, version.encoding)
    return {
        "ARN": call.arn(view),
        "Name": view.name,
        "VersionId": version.version_id,
        **decode(data, encoding),
        "VersionStages": list(version.stages),
        "CreatedDate": version.created,
    }


async def _touch(call: Call, view: SecretView) -> None:
    """LastAccessedDate, to the day as AWS keeps it: at most one write per secret and day."""
    today = float(int(call.started) // _DAY * _DAY)
    if not view.is_aws or view.aws.get("last_accessed") == today:
        return
    view.aws["last_accessed"] = today
    try:
        await call.kv.write(
            view.name, {"key_extra": view.key_extra(), "expect_version": view.kv_version}
        )
    except SealboxError:  # best effort: a read-only caller or a lost race skips it
        return


async def get_secret_value(call: Call) -> dict[str, Any]:
    p = call.params
    view, data = await call.find(p["SecretId"], "GetSecretValue", with_data=True)
    call.authorize(
        "GetSecretValue",
        view,
        {
            "secretsmanager:VersionId": p.get("VersionId"),
            "secretsmanager:VersionStage": p.get("VersionStage"),
        },
    )
    call.require_not_deleted(view)
    version = _select(view, p.get("VersionId"), p.get("VersionStage"))
    current = view.by_stage(CURRENT)
    entry = await _value_entry(call, view, version, data if version is current else None)
    await _touch(call, view)
    return entry


async def put_secret_value(call: Call) -> dict[str, Any]:
    p = call.params
    value = required_value(p)
    stages = check_stages(p["VersionStages"]) if p.get("VersionStages") else None
    version_id = token_of(p)
    name_box: list[SecretView] = []
    result: dict[str, Any] = {}

    async def change() -> tuple[str, dict[str, Any]] | None:
        view, _ = await call.find(p["SecretId"], "PutSecretValue")
        call.authorize("PutSecretValue", view)
        call.require_not_deleted(view)
        name_box[:] = [view]
        existing = view.by_id(version_id)
        if existing is not None and existing.encoding != "none":
            opener = lambda d, e: kms.plain(call, d, e)  # noqa: E731
            if await existing_same(view, existing, value, call.kv.read_data, opener):
                result["done"] = existing
                return None
            raise token_in_use(view, version_id)
        stored = await kms.sealed_value(call, view, value)
        body, new = new_version_change(view, version_id, stored, stages)
        result["new"] = new
        return view.name, body

    await call.kv.mutate(change)
    view = name_box[0]
    version: Version = result.get("done") or result["new"]
    return {
        "ARN": call.arn(view),
        "Name": view.name,
        "VersionId": version.version_id,
        "VersionStages": list(version.stages),
    }


async def list_secret_version_ids(call: Call) -> dict[str, Any]:
    p = call.params
    view, _ = await call.find(p["SecretId"], "ListSecretVersionIds")
    call.authorize("ListSecretVersionIds", view)
    versions = [v for v in view.versions if v.stages or p.get("IncludeDeprecated")]
    versions.sort(key=lambda v: v.number)  # oldest first, as moto lists them
    entries = [
        {"VersionId": v.version_id, "VersionStages": list(v.stages), "CreatedDate": v.created}
        for v in versions
    ]
    items, token = page(entries, p.get("MaxResults"), p.get("NextToken"), "versions:" + view.name)
    out: dict[str, Any] = {"Versions": items, "ARN": call.arn(view), "Name": view.name}
    if token:
        out["NextToken"] = token
    return out


async def update_secret_version_stage(call: Call) -> dict[str, Any]:
    p = call.params
    stage: str = p["VersionStage"]
    move_to, remove_from = p.get("MoveToVersionId"), p.get("RemoveFromVersionId")
    box: list[SecretView] = []

    async def change() -> tuple[str, dict[str, Any]]:
        view, _ = await call.find(p["SecretId"], "UpdateSecretVersionStage")
        call.authorize("UpdateSecretVersionStage", view, {"secretsmanager:VersionStage": stage})
        call.require_not_deleted(view)
        box[:] = [view]
        _move(view, stage, move_to, remove_from)
        view.aws["last_changed"] = time.time()
        return view.name, {
            "version_extra": view.changed_versions(),
            "key_extra": view.key_extra(),
            "expect_version": view.kv_version,
        }

    await call.kv.mutate(change)
    return {"ARN": call.arn(box[0]), "Name": box[0].name}


def _move(view: SecretView, stage: str, move_to: str | None, remove_from: str | None) -> None:
    holder = view.by_stage(stage)
    target = _version(view, move_to) if move_to else None
    source = _version(view, remove_from) if remove_from else None
    if source is not None and stage not in source.stages:
        raise InvalidParameter(
            f"The parameter RemoveFromVersionId doesn't match. Staging label {stage} is "
            f"currently attached to version {holder.version_id if holder else 'none'}."
        )
    if target is None:
        if source is None:
            raise InvalidParameter("You must specify MoveToVersionId or RemoveFromVersionId.")
        if stage == CURRENT:
            raise InvalidParameter(
                "You can't remove the staging label AWSCURRENT without moving it to another "
                "version with MoveToVersionId."
            )
        view.move_stage(stage, None)
        return
    if holder is not None and holder is not target and source is not holder:
        raise InvalidParameter(
            f"The parameter RemoveFromVersionId can't be empty. Staging label {stage} is "
            f"currently attached to version {holder.version_id}, so you must explicitly "
            "reference that version in RemoveFromVersionId."
        )
    if stage not in target.stages and len(target.stages) >= 20:
        raise LimitExceeded("A version can have at most 20 staging labels.")
    view.move_stage(stage, target)


def _version(view: SecretView, version_id: str) -> Version:
    version = view.by_id(version_id)
    if version is None:
        raise InvalidParameter(f"Not a valid version: {version_id}")
    return version


async def batch_get_secret_value(call: Call) -> dict[str, Any]:
    p = call.params
    ids, filters = p.get("SecretIdList"), p.get("Filters")
    if bool(ids) == bool(filters):
        raise InvalidParameter("Either 'SecretIdList' or 'Filters' must be provided, but not both.")
    call.authorize("BatchGetSecretValue", None)
    values: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    token = None
    if filters:
        call.authorize("ListSecrets", None)
        views = filtered(call, await call.kv.list_all(), filters, include_deleted=False)
        views.sort(key=lambda v: v.name)
        chosen, token = page(views, p.get("MaxResults") or 20, p.get("NextToken"), "batch")
        ids = [call.arn(v) for v in chosen]
    for secret_id in ids or []:
        try:
            sub = Call(
                "GetSecretValue",
                {"SecretId": secret_id},
                call.identity,
                call.region,
                call.address,
                call.kv,
                call.config,
                call.started,
            )
            sub.api = call.api  # Transit (kms.py) is reached through it
            values.append(await get_secret_value(sub))
        except AwsError as err:
            errors.append(
                {"SecretId": secret_id, "ErrorCode": err.aws_type, "Message": err.public_message}
            )
    out: dict[str, Any] = {"SecretValues": values, "Errors": errors}
    if token:
        out["NextToken"] = token
    return out
