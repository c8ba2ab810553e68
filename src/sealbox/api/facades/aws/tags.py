"""Tag rules: 1-128 character keys, 0-256 character values, at most 50, ``aws:`` reserved."""

from __future__ import annotations

from typing import Any

from sealbox.api.facades.aws.errors import InvalidParameter, LimitExceeded

MAX_TAGS = 50


def check_tags(raw: Any) -> list[dict[str, str]]:
    """Tags from a request, validated; later duplicates of a key win."""
    if not isinstance(raw, list):
        raise InvalidParameter("Tags must be a list of {Key, Value}.")
    merged: dict[str, str] = {}
    for tag in raw:
        if not isinstance(tag, dict) or not isinstance(tag.get("Key"), str):
            raise InvalidParameter("Each tag needs a Key.")
        key, value = tag["Key"], tag.get("Value", "")
        if not isinstance(value, str):
            raise InvalidParameter("A tag Value must be a string.")
        if not 1 <= len(key) <= 128 or len(value) > 256:
            raise InvalidParameter(
                "Tag keys must be 1 to 128 characters and values at most 256 characters."
            )
        if key.lower().startswith("aws:"):
            raise InvalidParameter("Invalid tag key: the aws: prefix is reserved.")
        merged[key] = value
    return [{"Key": k, "Value": v} for k, v in merged.items()]


def merge_tags(current: list[dict[str, str]], added: list[dict[str, str]]) -> list[dict[str, str]]:
    """TagResource: new keys appended, existing keys get the new value."""
    out = {t["Key"]: t.get("Value", "") for t in current}
    out.update({t["Key"]: t["Value"] for t in added})
    if len(out) > MAX_TAGS:
        raise LimitExceeded(f"A secret can have at most {MAX_TAGS} tags.")
    return [{"Key": k, "Value": v} for k, v in out.items()]
