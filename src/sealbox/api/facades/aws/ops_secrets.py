"""CreateSecret, DescribeSecret, UpdateSecret, ListSecrets, DeleteSecret and RestoreSecret.

Deletion with a recovery window sets the KV key's scheduled deletion: the KV engine hides the
key once the time comes and its periodic sweep removes the records, so the secret really ends.
"""

from __future__ import annotations

import time
from typing import Any

from sealbox.api.facades.aws import kms
from sealbox.api.facades.aws.arn import check_name, new_suffix, secret_arn
from sealbox.api.facades.aws.context import Call
from sealbox.api.facades.aws.describe import describe
from sealbox.api.facades.aws.errors import (
    InvalidParameter,
    InvalidRequestError,
    ResourceExists,
    ResourceNotFound,
)
from sealbox.api.facades.aws.listing import filtered, page
from sealbox.api.facades.aws.model import CURRENT, NANOS, SecretView
from sealbox.api.facades.aws.tags import check_tags
from sealbox.api.facades.aws.values import (
    MAX_VERSIONS,
    existing_same,
    new_version_change,
    token_in_use,
    token_of,
    value_of,
)
from sealbox.errors import CheckAndSetMismatch

_DAY = 86400
_SORT_KEYS = {
    "created-date": "CreatedDate",
    "last-accessed-date": "LastAccessedDate",
    "last-changed-date": "LastChangedDate",
    "name": "Name",
}


async def create_secret(call: Call) -> dict[str, Any]:
    p = call.params
    name: str = p["Name"]
    check_name(name)
    value = value_of(p, required=False)
    if p.get("AddReplicaRegions"):
        raise InvalidRequestError("sealbox serves one region: replica regions are not supported.")
    tags = check_tags(p["Tags"]) if p.get("Tags") is not None else []
    suffix = new_suffix()
    arn = secret_arn(call.region, call.config.account_id, name, suffix)
    context = {
        "secretsmanager:Name": name,
        "secretsmanager:Description": p.get("Description"),
        "secretsmanager:KmsKeyId": p.get("KmsKeyId"),
        "aws:TagKeys": [t["Key"] for t in tags] or None,
        **{f"aws:RequestTag/{t['Key']}": t["Value"] for t in tags},
    }
    call.authorize("CreateSecret", None, context, resource=arn)
    if tags:
        call.authorize("TagResource", None, context, resource=arn)
    version_id = token_of(p)
    found = await call.kv.read(name, with_data=False)
    if found is not None and (found[0].is_aws or found[0].versions):
        return await _existing(call, found[0], version_id, value)
    now = time.time()
    aws: dict[str, Any] = {"suffix": suffix, "region": call.region, "created": now}
    aws["last_changed"] = now
    for member, key in (
        ("Description", "description"),
        ("KmsKeyId", "kms_key_id"),
        ("Type", "type"),
    ):
        if p.get(member):
            aws[key] = p[member]
    if tags:
        aws["tags"] = tags
    transit_key = await kms.resolve(call, p.get("KmsKeyId"))
    if transit_key:
        aws["transit_key"] = transit_key
    view = SecretView(name=name, kv_version=0, created_time=0, aws=aws, pointers={})
    change: dict[str, Any] = {"expect_version": 0, "max_versions": MAX_VERSIONS}
    if value is not None:
        value = await kms.sealed_value(call, view, value)
        change, _ = new_version_change(view, version_id, value, [CURRENT])
        change["expect_version"] = 0
    else:
        change["key_extra"] = view.key_extra()
    try:
        await call.kv.write(name, change)
    except CheckAndSetMismatch as err:
        raise ResourceExists(
            f"The operation failed because the secret {name} already exists."
        ) from err
    out: dict[str, Any] = {"ARN": arn, "Name": name}
    if value is not None:
        out["VersionId"] = version_id
    return out


async def _existing(call: Call, view: SecretView, version_id: str, value: Any) -> dict[str, Any]:
    """A second CreateSecret: an idempotent retry, or the errors AWS gives."""
    if view.deleted_date is not None:
        raise InvalidRequestError(
            "You can't create this secret because a secret with this name is already "
            "scheduled for deletion."
        )
    version = view.by_id(version_id)
    if (
        version is not None
        and value is not None
        and await existing_same(
            view, version, value, call.kv.read_data, lambda d, e: kms.plain(call, d, e)
        )
    ):
        return {"ARN": call.arn(view), "Name": view.name, "VersionId": version_id}
    raise ResourceExists(f"The operation failed because the secret {view.name} already exists.")


async def describe_secret(call: Call) -> dict[str, Any]:
    view, _ = await call.find(call.params["SecretId"], "DescribeSecret")
    call.authorize("DescribeSecret", view)
    return describe(call, view)


async def update_secret(call: Call) -> dict[str, Any]:
    p = call.params
    value = value_of(p, required=False)
    version_id = token_of(p)
    box: dict[str, Any] = {}
    transit_key = await kms.resolve(call, p.get("KmsKeyId")) if "KmsKeyId" in p else None

    async def change() -> tuple[str, dict[str, Any]]:
        view, _ = await call.find(p["SecretId"], "UpdateSecret")
        call.authorize(
            "UpdateSecret",
            view,
            {
                "secretsmanager:Description": p.get("Description"),
                "secretsmanager:KmsKeyId": p.get("KmsKeyId"),
            },
        )
        call.require_not_deleted(view)
        box["view"] = view
        call.materialise(view)
        for member, key in (
            ("Description", "description"),
            ("KmsKeyId", "kms_key_id"),
            ("Type", "type"),
        ):
            if member in p:
                if p[member]:
                    view.aws[key] = p[member]
                else:
                    view.aws.pop(key, None)
        if "KmsKeyId" in p:
            # New values are sealed with the new key; older versions keep the key they name.
            if transit_key:
                view.aws["transit_key"] = transit_key
            else:
                view.aws.pop("transit_key", None)
        view.aws["last_changed"] = time.time()
        if value is None:
            return view.name, {"key_extra": view.key_extra(), "expect_version": view.kv_version}
        if view.by_id(version_id) is not None:
            raise token_in_use(view, version_id)
        stored = await kms.sealed_value(call, view, value)
        body, _ = new_version_change(view, version_id, stored, None)
        return view.name, body

    await call.kv.mutate(change)
    view: SecretView = box["view"]
    out: dict[str, Any] = {"ARN": call.arn(view), "Name": view.name}
    if value is not None:
        out["VersionId"] = version_id
    return out


async def list_secrets(call: Call) -> dict[str, Any]:
    p = call.params
    call.authorize("ListSecrets", None)
    views = filtered(
        call,
        await call.kv.list_all(),
        p.get("Filters") or [],
        include_deleted=bool(p.get("IncludePlannedDeletion")),
    )
    entries = [describe(call, v, list_entry=True) for v in views]
    sort_key = _SORT_KEYS[p.get("SortBy") or "created-date"]
    entries.sort(key=lambda e: (e.get(sort_key) is None, e.get(sort_key) or 0, e["Name"]))
    if p.get("SortOrder") == "desc":
        entries.reverse()
    context = repr(
        (p.get("Filters"), p.get("SortBy"), p.get("SortOrder"), p.get("IncludePlannedDeletion"))
    )
    items, token = page(entries, p.get("MaxResults"), p.get("NextToken"), context)
    out: dict[str, Any] = {"SecretList": items}
    if token:
        out["NextToken"] = token
    return out


async def delete_secret(call: Call) -> dict[str, Any]:
    p = call.params
    force = bool(p.get("ForceDeleteWithoutRecovery"))
    window = p.get("RecoveryWindowInDays")
    if force and window is not None:
        raise InvalidParameter(
            "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
        )
    if window is not None and not 7 <= window <= 30:
        raise InvalidParameter(
            "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."
        )
    context = {
        "secretsmanager:ForceDeleteWithoutRecovery": force,
        "secretsmanager:RecoveryWindowInDays": window,
    }
    if force:
        return await _force_delete(call, context)
    box: dict[str, Any] = {}

    async def change() -> tuple[str, dict[str, Any]]:
        view, _ = await call.find(p["SecretId"], "DeleteSecret")
        call.authorize("DeleteSecret", view, context)
        if view.deleted_date is not None:
            raise InvalidRequestError(
                "You can't perform this operation on the secret because it was already "
                "scheduled for deletion."
            )
        call.materialise(view)
        when = time.time() + (window or 30) * _DAY
        view.aws["deleted_date"] = when
        box["view"], box["when"] = view, when
        return view.name, {
            "key_extra": view.key_extra(),
            "expect_version": view.kv_version,
            "scheduled_deletion": int(when * NANOS),
        }

    await call.kv.mutate(change)
    return {"ARN": call.arn(box["view"]), "Name": box["view"].name, "DeletionDate": box["when"]}


async def _force_delete(call: Call, context: dict[str, Any]) -> dict[str, Any]:
    secret_id = call.params["SecretId"]
    try:
        view, _ = await call.find(secret_id, "DeleteSecret")
    except ResourceNotFound:
        # compat: AWS answers success for a missing secret when forcing (model doc).
        name = secret_id.rsplit(":secret:", 1)[-1]
        arn = (
            secret_id
            if secret_id.startswith("arn:")
            else secret_arn(call.region, call.config.account_id, name, new_suffix())
        )
        return {"ARN": arn, "Name": name, "DeletionDate": time.time()}
    call.authorize("DeleteSecret", view, context)
    await call.kv.delete(view.name)
    return {"ARN": call.arn(view), "Name": view.name, "DeletionDate": time.time()}


async def restore_secret(call: Call) -> dict[str, Any]:
    box: dict[str, Any] = {}

    async def change() -> tuple[str, dict[str, Any]]:
        view, _ = await call.find(call.params["SecretId"], "RestoreSecret")
        call.authorize("RestoreSecret", view)
        view.aws.pop("deleted_date", None)
        box["view"] = view
        return view.name, {
            "key_extra": view.key_extra(),
            "expect_version": view.kv_version,
            "scheduled_deletion": 0,
        }

    await call.kv.mutate(change)
    return {"ARN": call.arn(box["view"]), "Name": box["view"].name}


__all__ = [
    "create_secret",
    "delete_secret",
    "describe_secret",
    "list_secrets",
    "restore_secret",
    "update_secret",
]
