"""ListSecrets' filters and the opaque pagination tokens of the listing operations.

Filters (model doc): ``description`` prefix, case-insensitive; ``name``, ``tag-key``,
``tag-value``, ``primary-region``, ``owning-service`` prefix, case-sensitive; ``all`` matches
any of them, case-insensitively, for any word of the value; a leading ``!`` negates. Values of
one filter are ORed, filters ANDed. Tokens are base64 of an offset and a digest of what is
listed, so a token from another listing is ``InvalidNextTokenException`` rather than a wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sealbox.api.facades.aws.errors import InvalidNextToken, InvalidParameter

if TYPE_CHECKING:
    from sealbox.api.facades.aws.context import Call
    from sealbox.api.facades.aws.model import SecretView

T = TypeVar("T")
_KEYS = ("description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all")


def _attributes(call: Call, view: SecretView, key: str) -> list[str]:
    aws = view.aws
    tags = aws.get("tags", [])
    if key == "description":
        return [aws.get("description", "")] if aws.get("description") else []
    if key == "name":
        return [view.name]
    if key == "tag-key":
        return [t["Key"] for t in tags]
    if key == "tag-value":
        return [t.get("Value", "") for t in tags]
    if key == "primary-region":
        return [aws.get("region") or call.region]
    if key == "owning-service":
        return []
    return [
        *_attributes(call, view, "description"),
        view.name,
        *_attributes(call, view, "tag-key"),
        *_attributes(call, view, "tag-value"),
    ]


def _value_matches(call: Call, view: SecretView, key: str, value: str) -> bool:
    negate = value.startswith("!")
    value = value[1:] if negate else value
    attributes = _attributes(call, view, key)
    if key in ("description", "all"):
        words = value.lower().split() if key == "all" else [value.lower()]
        hit = any(a.lower().startswith(w) for a in attributes for w in words)
    else:
        hit = any(a.startswith(value) for a in attributes)
    return hit != negate


def filtered(
    call: Call, views: list[SecretView], filters: Sequence[Any], *, include_deleted: bool
) -> list[SecretView]:
    """Views that pass every filter (and are not scheduled for deletion unless asked)."""
    checked: list[tuple[str, list[str]]] = []
    for item in filters:
        if not isinstance(item, dict) or item.get("Key") not in _KEYS:
            raise InvalidParameter("Invalid filter key. Valid keys: " + ", ".join(_KEYS))
        values = item.get("Values") or []
        if not isinstance(values, list) or not 1 <= len(values) <= 10:
            raise InvalidParameter("A filter needs 1 to 10 values.")
        checked.append((item["Key"], [str(v) for v in values]))
    out = []
    for view in views:
        if not view.is_aws and not view.versions:
            continue
        if view.deleted_date is not None and not include_deleted:
            continue
        if all(any(_value_matches(call, view, k, v) for v in vs) for k, vs in checked):
            out.append(view)
    return out


def _digest(context: str) -> str:
    return hashlib.sha256(context.encode()).hexdigest()[:12]


def page(
    items: list[T], max_results: int | None, token: str | None, context: str
) -> tuple[list[T], str | None]:
    """One page of ``items`` and the token of the next (None at the end)."""
    start = 0
    if token:
        try:
            digest, _, offset = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
            start = int(offset)
        except (binascii.Error, ValueError, UnicodeDecodeError) as err:
            raise InvalidNextToken() from err
        if digest != _digest(context) or start < 0:
            raise InvalidNextToken()
    size = max_results or 100
    chosen = items[start : start + size]
    end = start + size
    if end >= len(items):
        return chosen, None
    raw = f"{_digest(context)}:{end}".encode()
    return chosen, base64.urlsafe_b64encode(raw).decode()
