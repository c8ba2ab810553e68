"""Writing a value as a new version: the label rules AWS applies, as one KV change.

PutSecretValue, UpdateSecret, CreateSecret and rotation's createSecret step all end here:
the new version gets the requested labels (each taken off whichever version had it; moving
AWSCURRENT moves AWSPREVIOUS to the version it left), the first version of a secret always gets
AWSCURRENT, and a ClientRequestToken already used is a no-op for the same value and
ResourceExistsException for another. A placeholder version (RotateSecret's AWSPENDING without a
value) is filled by writing a new KV version with its VersionId and retiring the placeholder.
"""

from __future__ import annotations

import base64
import binascii
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sealbox.api.facades.aws.errors import InvalidParameter, InvalidRequestError, ResourceExists
from sealbox.api.facades.aws.model import (
    CURRENT,
    SecretView,
    Version,
    encode_binary,
    encode_string,
    same_value,
)

#: Versions kept per secret (AWS keeps about 100, plus the last day's).
MAX_VERSIONS = 100


@dataclass(frozen=True, slots=True)
class NewValue:
    """A SecretString or SecretBinary from a request, as KV data."""

    data: dict[str, Any]
    encoding: str
    string: str | None
    binary: bytes | None


def value_of(params: dict[str, Any], *, required: bool) -> NewValue | None:
    """The value a request carries; InvalidParameterException for both or (if required) none."""
    string, blob = params.get("SecretString"), params.get("SecretBinary")
    if string is not None and blob is not None:
        raise InvalidParameter(
            "You can't specify both a binary secret value and a string secret value in the "
            "same secret."
        )
    if blob is not None:
        try:
            raw = base64.b64decode(blob, validate=True)
        except (binascii.Error, ValueError) as err:
            raise InvalidParameter("SecretBinary must be base64-encoded.") from err
        if not 1 <= len(raw) <= 65536:
            raise InvalidParameter("SecretBinary must be between 1 and 65536 bytes.")
        data, encoding = encode_binary(raw)
        return NewValue(data, encoding, None, raw)
    if string is not None:
        data, encoding = encode_string(string)
        return NewValue(data, encoding, string, None)
    if required:
        raise InvalidParameter("You must provide either SecretString or SecretBinary.")
    return None


def token_of(params: dict[str, Any]) -> str:
    """ClientRequestToken, or a fresh UUID (what the SDKs send when the caller gives none)."""
    token = params.get("ClientRequestToken")
    return str(token) if token else str(uuid.uuid4())


def check_stages(stages: list[Any]) -> list[str]:
    out: list[str] = []
    for stage in stages:
        if not isinstance(stage, str) or not 1 <= len(stage) <= 256:
            raise InvalidParameter("A staging label must be 1 to 256 characters.")
        if stage not in out:
            out.append(stage)
    return out


async def existing_same(
    view: SecretView, version: Version, value: NewValue, read_data: Any, opener: Any = None
) -> bool:
    """Whether ``version`` already holds ``value`` (idempotent retry).

    ``opener(data, encoding)`` turns stored data into plain data (kms.py's ``plain``).
    """
    if version.encoding == "none":
        return False
    data = await read_data(view.name, version.number)
    if data is None:
        return False
    encoding = version.encoding
    if opener is not None:
        data, encoding = await opener(data, encoding)
    return same_value(data, encoding, value.string, value.binary)


def new_version_change(
    view: SecretView, version_id: str, value: NewValue, stages: list[str] | None
) -> tuple[dict[str, Any], Version]:
    """The KV change writing ``value`` as version ``version_id`` with ``stages``."""
    now = time.time()
    placeholder = view.by_id(version_id)
    new = Version(view.kv_version + 1, version_id, [], now, value.encoding, True)
    if placeholder is not None:
        # The rotation placeholder hands its labels to the real version.
        view.versions.remove(placeholder)
        new.stages = list(placeholder.stages)
    view.versions.append(new)
    for stage in [CURRENT] if stages is None else stages:
        view.move_stage(stage, new)
    if view.by_stage(CURRENT) is None:
        view.move_stage(CURRENT, new)
    if len(new.stages) > 20:
        raise InvalidRequestError("A version can have at most 20 staging labels.")
    view.aws["last_changed"] = now
    versions = {k: v for k, v in view.changed_versions().items() if int(k) != new.number}
    if placeholder is not None:
        retired = dict(view.stored_extra.get(placeholder.number, {}))
        retired["aws"] = {**placeholder.to_extra(), "stages": [], "superseded": True}
        versions[str(placeholder.number)] = retired
    change = {
        "data": value.data,
        "new_version_extra": {"aws": new.to_extra()},
        "version_extra": versions,
        "key_extra": view.key_extra(),
        "expect_version": view.kv_version,
        "max_versions": max(MAX_VERSIONS, view.max_versions),
    }
    return change, new


def token_in_use(view: SecretView, version_id: str) -> ResourceExists:
    return ResourceExists(
        f"You can't use ClientRequestToken {version_id} because that value is already in use "
        f"for a version of secret {view.name}."
    )


def required_value(params: dict[str, Any]) -> NewValue:
    """The value a request must carry (PutSecretValue)."""
    value = value_of(params, required=True)
    if value is None:  # value_of raised already; this keeps the type exact
        raise InvalidParameter("You must provide either SecretString or SecretBinary.")
    return value
