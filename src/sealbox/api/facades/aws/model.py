"""The AWS secret model on a KV v2 key: what ``extra`` holds and how versions look to AWS.

Per key, ``extra["aws"]`` holds the ARN suffix and region, Description, KmsKeyId, Tags, Type,
rotation settings, DeletedDate, the resource policy and dates; ``extra["pointers"]`` names the
KV version holding AWSCURRENT (so GetSecretValue is one core request). Per version,
``extra["aws"]`` holds the VersionId, its staging labels and how the value is encoded.

Values: a SecretString that is a JSON object printed the way Python prints it compactly or with
the default separators is stored as that object (so ``sealbox kv get`` shows its fields) and
re-printed byte for byte; any other string is stored as ``{"SecretString": s}``, binaries as
``{"SecretBinary": base64}``. Versions written by a Vault client carry no AWS metadata: they
read as compact JSON, get a VersionId derived from key and version number, and the newest such
version is AWSCURRENT (the one before it AWSPREVIOUS), as if it had been a PutSecretValue.
Destroyed or deleted KV versions do not exist for AWS.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson

CURRENT, PREVIOUS, PENDING = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"
POINTER = "aws:" + CURRENT
_NAMESPACE = uuid.UUID("8d7e1c2a-5b0f-4f43-9a61-3c1b1f6e2a90")
NANOS = 1_000_000_000


@dataclass(slots=True)
class Version:
    """One AWS version of a secret (a live KV version)."""

    number: int
    version_id: str
    stages: list[str]
    created: float
    encoding: str  # "json-compact", "json-spaced", "string", "binary", "none" (placeholder)
    from_aws: bool

    def to_extra(self) -> dict[str, Any]:
        return {"id": self.version_id, "stages": list(self.stages), "enc": self.encoding}


@dataclass(slots=True)
class SecretView:
    """A secret as the AWS door sees it, built from the KV key's ``extra`` record."""

    name: str
    kv_version: int  # the key's current_version when read (for expect_version)
    created_time: int  # ns, the KV key's
    aws: dict[str, Any]
    pointers: dict[str, int]
    versions: list[Version] = field(default_factory=list)
    max_versions: int = 0
    stored_extra: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: What other doors keep in the key's ``extra`` (GCP labels, IAM): carried over untouched.
    other_extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_aws(self) -> bool:
        """Whether the door has ever described this key (else a plain Vault secret)."""
        return bool(self.aws.get("suffix"))

    @property
    def deleted_date(self) -> float | None:
        value = self.aws.get("deleted_date")
        return float(value) if value is not None else None

    def by_id(self, version_id: str) -> Version | None:
        return next((v for v in self.versions if v.version_id == version_id), None)

    def by_stage(self, stage: str) -> Version | None:
        return next((v for v in self.versions if stage in v.stages), None)

    def key_extra(self) -> dict[str, Any]:
        """The key-level ``extra`` to store, with the AWSCURRENT pointer refreshed."""
        current = self.by_stage(CURRENT)
        pointers = dict(self.pointers)
        if current is None:
            pointers.pop(POINTER, None)
        else:
            pointers[POINTER] = current.number
        return {**self.other_extra, "aws": self.aws, "pointers": pointers}

    def changed_versions(self) -> dict[str, dict[str, Any]]:
        """Version extras that differ from what is stored (label moves, materialised ids)."""
        out: dict[str, dict[str, Any]] = {}
        for version in self.versions:
            extra = dict(self.stored_extra.get(version.number, {}))
            wanted = version.to_extra()
            if extra.get("aws") != wanted:
                extra["aws"] = wanted
                out[str(version.number)] = extra
        return out

    def move_stage(self, stage: str, target: Version | None) -> None:
        """Put ``stage`` on ``target`` only (None: detach it); AWSCURRENT drags AWSPREVIOUS."""
        holder = self.by_stage(stage)
        if holder is target:
            return
        if holder is not None:
            holder.stages.remove(stage)
        if target is not None:
            target.stages.append(stage)
        if stage == CURRENT and holder is not None:
            self.move_stage(PREVIOUS, holder)


def derived_version_id(name: str, created_time: int, number: int) -> str:
    """A stable VersionId for a version a Vault client wrote."""
    return str(uuid.uuid5(_NAMESPACE, f"{name}\x00{created_time}\x00{number}"))


def view_of(record: dict[str, Any]) -> SecretView:
    """The AWS view of a KV ``extra`` record (see the module docstring for the rules)."""
    key_extra = record.get("extra") or {}
    view = SecretView(
        name=record["key"],
        kv_version=int(record["current_version"]),
        created_time=int(record["created_time"]),
        aws=dict(key_extra.get("aws") or {}),
        pointers=dict(key_extra.get("pointers") or {}),
        max_versions=int(record.get("max_versions") or 0),
        other_extra={k: v for k, v in key_extra.items() if k not in ("aws", "pointers")},
    )
    vault_written: list[Version] = []
    now = time.time_ns()
    for number_text, raw in record.get("versions", {}).items():
        number = int(number_text)
        extra = raw.get("extra") or {}
        view.stored_extra[number] = extra
        deletion = raw.get("deletion_time")
        # A deletion time in the future (delete_version_after) still leaves the version live.
        if raw.get("destroyed") or (deletion is not None and deletion <= now):
            continue
        aws = extra.get("aws")
        created = int(raw["created_time"]) / NANOS
        if isinstance(aws, dict) and aws.get("id"):
            if aws.get("superseded"):
                continue
            version = Version(
                number,
                aws["id"],
                list(aws.get("stages", [])),
                created,
                aws.get("enc", "json-compact"),
                True,
            )
        else:
            version_id = derived_version_id(view.name, view.created_time, number)
            version = Version(number, version_id, [], created, "json-compact", False)
            vault_written.append(version)
        view.versions.append(version)
    view.versions.sort(key=lambda v: v.number)
    _promote_vault_writes(view, vault_written)
    return view


def _promote_vault_writes(view: SecretView, vault_written: list[Version]) -> None:
    """Vault writes newer than the AWSCURRENT version act like PutSecretValue calls."""
    current = view.by_stage(CURRENT)
    floor = current.number if current is not None else 0
    for version in sorted(vault_written, key=lambda v: v.number):
        if version.number > floor:
            view.move_stage(CURRENT, version)


# ---- values -----------------------------------------------------------------------------


def _compact(obj: Any) -> str:
    try:
        return orjson.dumps(obj).decode()
    except TypeError:  # integers beyond 64 bits: the exactness check then stores a string
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _spaced(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def encode_string(value: str) -> tuple[dict[str, Any], str]:
    """KV data and encoding for a SecretString (see the module docstring)."""
    try:
        obj = json.loads(value)
    except ValueError:
        obj = None
    if isinstance(obj, dict) and obj:
        if _compact(obj) == value:
            return obj, "json-compact"
        if _spaced(obj) == value:
            return obj, "json-spaced"
    return {"SecretString": value}, "string"


def encode_binary(value: bytes) -> tuple[dict[str, Any], str]:
    return {"SecretBinary": base64.b64encode(value).decode()}, "binary"


def decode(data: Any, encoding: str) -> dict[str, str]:
    """``{"SecretString": ...}`` or ``{"SecretBinary": base64}`` for a response."""
    if encoding == "binary" and isinstance(data, dict) and "SecretBinary" in data:
        return {"SecretBinary": str(data["SecretBinary"])}
    if encoding == "string" and isinstance(data, dict) and "SecretString" in data:
        return {"SecretString": str(data["SecretString"])}
    if encoding == "json-spaced":
        return {"SecretString": _spaced(data)}
    if isinstance(data, dict) and len(data) == 1:
        # AWS's own shape written by another door (GCP keeps text as {"SecretString": s}).
        for name in ("SecretString", "SecretBinary"):
            if isinstance(data.get(name), str):
                return {name: data[name]}
    return {"SecretString": _compact(data)}


def same_value(data: Any, encoding: str, string: str | None, binary: bytes | None) -> bool:
    """Whether a stored version holds exactly this value (ClientRequestToken idempotency)."""
    shown = decode(data, encoding)
    if binary is not None:
        return shown.get("SecretBinary") == base64.b64encode(binary).decode()
    return shown.get("SecretString") == string
