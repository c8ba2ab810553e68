"""The metadata shapes: DescribeSecret's answer and ListSecrets' ``SecretListEntry``.

AWS "only returns fields that have a value": absent members are omitted, never null.
``VersionIdsToStages`` (Describe) and ``SecretVersionsToStages`` (List) list only versions that
carry a label, as AWS does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sealbox.api.facades.aws.model import NANOS

if TYPE_CHECKING:
    from sealbox.api.facades.aws.context import Call
    from sealbox.api.facades.aws.model import SecretView


def describe(call: Call, view: SecretView, *, list_entry: bool = False) -> dict[str, Any]:
    aws = view.aws
    out: dict[str, Any] = {"ARN": call.arn(view), "Name": view.name}
    for member, key in (
        ("Description", "description"),
        ("KmsKeyId", "kms_key_id"),
        ("Type", "type"),
    ):
        if aws.get(key):
            out[member] = aws[key]
    rotation = aws.get("rotation") or {}
    if "enabled" in rotation:
        out["RotationEnabled"] = bool(rotation["enabled"])
    if rotation.get("lambda"):
        out["RotationLambdaARN"] = rotation["lambda"]
    if rotation.get("rules"):
        out["RotationRules"] = rotation["rules"]
    for member, key in (("LastRotatedDate", "last_rotated"), ("NextRotationDate", "next")):
        if rotation.get(key):
            out[member] = rotation[key]
    latest = max((v.created for v in view.versions), default=None)
    # A Vault write changes the secret too, so the newest version counts.
    changed = max(aws.get("last_changed") or 0, latest or 0)
    out["LastChangedDate"] = changed or view.created_time / NANOS
    if aws.get("last_accessed"):
        out["LastAccessedDate"] = aws["last_accessed"]
    if view.deleted_date is not None:
        out["DeletedDate"] = view.deleted_date
    if aws.get("tags"):
        out["Tags"] = [dict(t) for t in aws["tags"]]
    stages = {v.version_id: list(v.stages) for v in view.versions if v.stages}
    if stages:
        out["SecretVersionsToStages" if list_entry else "VersionIdsToStages"] = stages
    out["CreatedDate"] = aws.get("created") or view.created_time / NANOS
    out["PrimaryRegion"] = aws.get("region") or call.region
    if rotation.get("failure"):
        # sealbox's addition (AWS reports failures only in CloudTrail): why the last rotation
        # failed, in a member botocore parses (the model's key/value list), and by name.
        out["ExternalSecretRotationMetadata"] = [
            {"Key": "LastRotationError", "Value": rotation["failure"]}
        ]
        out["LastRotationError"] = rotation["failure"]
    return out
