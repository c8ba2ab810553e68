"""Input shapes of every operation, from the botocore service model (secretsmanager 2017-10-17).

AWS checks shapes before anything else: a wrong JSON type is a ``SerializationException``, a
constraint (length, range, enum, required) a ``ValidationException`` worded as AWS words it
("1 validation error detected: Value ... at 'secretId' failed to satisfy constraint: ...").
Only the members sealbox reads are listed; unknown members are ignored, as AWS does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sealbox.api.facades.aws.errors import Serialization, Validation


@dataclass(frozen=True, slots=True)
class Member:
    """One input member: JSON type and constraints."""

    kind: type | tuple[type, ...]
    min: int | None = None
    max: int | None = None
    required: bool = False
    enum: tuple[str, ...] = ()


_S = str
_ID = Member(str, 1, 2048, required=True)
_TOKEN = Member(str, 32, 64)
_VALUE = Member(str, 1, 65536)
_BLOB = Member(str, 1, 65536 * 4 // 3 + 4)
_TAGS = Member(list)
_FILTERS = Member(list, None, 10)
_BOOL = Member(bool)

SHAPES: dict[str, dict[str, Member]] = {
    "CreateSecret": {
        "Name": Member(_S, 1, 512, required=True),
        "ClientRequestToken": _TOKEN,
        "Description": Member(_S, None, 2048),
        "KmsKeyId": Member(_S, 0, 2048),
        "SecretBinary": _BLOB,
        "SecretString": _VALUE,
        "Tags": _TAGS,
        "AddReplicaRegions": Member(list, 1),
        "ForceOverwriteReplicaSecret": _BOOL,
        "Type": Member(_S, 0, 256),
    },
    "DescribeSecret": {"SecretId": _ID},
    "GetSecretValue": {
        "SecretId": _ID,
        "VersionId": Member(_S, 32, 64),
        "VersionStage": Member(_S, 1, 256),
    },
    "PutSecretValue": {
        "SecretId": _ID,
        "ClientRequestToken": _TOKEN,
        "SecretBinary": _BLOB,
        "SecretString": _VALUE,
        "VersionStages": Member(list, 1, 20),
        "RotationToken": Member(_S, 36, 256),
    },
    "UpdateSecret": {
        "SecretId": _ID,
        "ClientRequestToken": _TOKEN,
        "Description": Member(_S, None, 2048),
        "KmsKeyId": Member(_S, 0, 2048),
        "SecretBinary": _BLOB,
        "SecretString": _VALUE,
        "Type": Member(_S, 0, 256),
    },
    "ListSecrets": {
        "IncludePlannedDeletion": _BOOL,
        "MaxResults": Member(int, 1, 100),
        "NextToken": Member(_S, 1, 4096),
        "Filters": _FILTERS,
        "SortOrder": Member(_S, enum=("asc", "desc")),
        "SortBy": Member(
            _S, enum=("created-date", "last-accessed-date", "last-changed-date", "name")
        ),
    },
    "ListSecretVersionIds": {
        "SecretId": _ID,
        "MaxResults": Member(int, 1, 100),
        "NextToken": Member(_S, 1, 4096),
        "IncludeDeprecated": _BOOL,
    },
    "UpdateSecretVersionStage": {
        "SecretId": _ID,
        "VersionStage": Member(_S, 1, 256, required=True),
        "RemoveFromVersionId": Member(_S, 32, 64),
        "MoveToVersionId": Member(_S, 32, 64),
    },
    "RotateSecret": {
        "SecretId": _ID,
        "ClientRequestToken": _TOKEN,
        "RotationLambdaARN": Member(_S, 0, 2048),
        "RotationRules": Member(dict),
        "RotateImmediately": _BOOL,
    },
    "CancelRotateSecret": {"SecretId": _ID},
    "DeleteSecret": {
        "SecretId": _ID,
        "RecoveryWindowInDays": Member(int),
        "ForceDeleteWithoutRecovery": _BOOL,
    },
    "RestoreSecret": {"SecretId": _ID},
    "TagResource": {"SecretId": _ID, "Tags": Member(list, required=True)},
    "UntagResource": {"SecretId": _ID, "TagKeys": Member(list, required=True)},
    "GetResourcePolicy": {"SecretId": _ID},
    "PutResourcePolicy": {
        "SecretId": _ID,
        "ResourcePolicy": Member(_S, 1, 20480, required=True),
        "BlockPublicPolicy": _BOOL,
    },
    "DeleteResourcePolicy": {"SecretId": _ID},
    "ValidateResourcePolicy": {
        "SecretId": Member(_S, 1, 2048),
        "ResourcePolicy": Member(_S, 1, 20480, required=True),
    },
    "BatchGetSecretValue": {
        "SecretIdList": Member(list, 1, 20),
        "Filters": _FILTERS,
        "MaxResults": Member(int, 1, 20),
        "NextToken": Member(_S, 1, 4096),
    },
    "GetRandomPassword": {
        "PasswordLength": Member(int, 1, 4096),
        "ExcludeCharacters": Member(_S, 0, 4096),
        "ExcludeNumbers": _BOOL,
        "ExcludePunctuation": _BOOL,
        "ExcludeUppercase": _BOOL,
        "ExcludeLowercase": _BOOL,
        "IncludeSpace": _BOOL,
        "RequireEachIncludedType": _BOOL,
    },
}


def _wire(name: str) -> str:
    """AWS names members camelCase in validation messages ("secretId")."""
    return name[:1].lower() + name[1:]


def _check(name: str, spec: Member, value: Any) -> str | None:
    kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise Serialization(f"Unexpected boolean value for member {name}")
    if not isinstance(value, kinds):
        raise Serialization(f"Unexpected value type for member {name}")
    size = (
        len(value)
        if isinstance(value, str | list | dict)
        else value
        if isinstance(value, int)
        else 0
    )
    shown = value if isinstance(value, int) else "..." if name.startswith("Secret") else value
    if spec.min is not None and size < spec.min:
        what = (
            "length greater than or equal to"
            if not isinstance(value, int)
            else "value greater than or equal to"
        )
        return f"Value '{shown}' at '{_wire(name)}' failed to satisfy constraint: Member must have {what} {spec.min}"
    if spec.max is not None and size > spec.max:
        what = (
            "length less than or equal to"
            if not isinstance(value, int)
            else "value less than or equal to"
        )
        return f"Value '{shown}' at '{_wire(name)}' failed to satisfy constraint: Member must have {what} {spec.max}"
    if spec.enum and value not in spec.enum:
        return (
            f"Value '{value}' at '{_wire(name)}' failed to satisfy constraint: Member must "
            f"satisfy enum value set: [{', '.join(spec.enum)}]"
        )
    return None


def validate(operation: str, params: dict[str, Any]) -> None:
    """Raise the AWS error the first shape violations of ``params`` get."""
    problems: list[str] = []
    for name, spec in SHAPES.get(operation, {}).items():
        value = params.get(name)
        if value is None:
            if spec.required:
                problems.append(
                    f"Value null at '{_wire(name)}' failed to satisfy constraint: "
                    "Member must not be null"
                )
            continue
        problem = _check(name, spec, value)
        if problem:
            problems.append(problem)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise Validation(f"{count} validation {noun} detected: " + "; ".join(problems))
