"""``pageSize`` / ``pageToken`` over a sorted list: tokens are opaque offsets into it."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sealbox.api.facades.gcp.errors import InvalidArgument

DEFAULT_PAGE, MAX_PAGE = 25_000, 25_000


def page(items: list[Any], query: dict[str, str], field: str) -> dict[str, Any]:
    """``{field: [...], nextPageToken?, totalSize}``; an empty list answers ``{}``."""
    raw_size = query.get("pageSize", "0") or "0"
    if not raw_size.isdigit():
        raise InvalidArgument("pageSize must be a non-negative integer.")
    size = min(int(raw_size) or DEFAULT_PAGE, MAX_PAGE)
    start = 0
    token = query.get("pageToken", "")
    if token:
        try:
            decoded = base64.urlsafe_b64decode(token.encode()).decode()
        except (binascii.Error, ValueError, UnicodeDecodeError) as err:
            raise InvalidArgument("Invalid page token.") from err
        if not decoded.startswith("o:") or not decoded[2:].isdigit():
            raise InvalidArgument("Invalid page token.")
        start = int(decoded[2:])
    chunk = items[start : start + size]
    if not items:
        return {}
    out: dict[str, Any] = {field: chunk, "totalSize": len(items)}
    if start + size < len(items):
        out["nextPageToken"] = base64.urlsafe_b64encode(f"o:{start + size}".encode()).decode()
    return out
