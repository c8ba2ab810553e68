"""Go's JSON spellings for the values inside Vault's stored key policy.

Vault stores a transit key as ``json.Marshal`` of keysutil.Policy, and a backup is base64 of
the same JSON. To exchange backups with OpenBao we write and read that encoding exactly:
``[]byte`` is standard base64 (``null`` when nil), ``time.Time`` is RFC 3339 with nanoseconds
and trailing zeros trimmed, ``*big.Int`` is a bare JSON number of any size (hence the stdlib
``json`` module here, not orjson, which stops at 64 bits), ``time.Duration`` is nanoseconds.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from sealbox.goformat import parse_rfc3339, rfc3339_nano

GO_ZERO_TIME = "0001-01-01T00:00:00Z"


def b64(value: bytes | None) -> str | None:
    """``[]byte`` as Go marshals it."""
    return None if value is None else base64.b64encode(value).decode("ascii")


def unb64(value: Any) -> bytes | None:
    """Parse a Go ``[]byte``; raises ValueError on anything else."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("expected base64 bytes")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as err:
        raise ValueError("invalid base64 bytes") from err


def format_time(moment: datetime | None) -> str:
    """Go's RFC3339Nano for an aware datetime, in UTC; None is Go's zero time."""
    if moment is None:
        return GO_ZERO_TIME
    return rfc3339_nano(moment.astimezone(UTC))


def parse_time(value: Any) -> datetime | None:
    """A Go time string as an aware UTC datetime; Go's zero time is None."""
    if value is None or value == GO_ZERO_TIME:
        return None
    if not isinstance(value, str):
        raise ValueError("expected a time string")
    moment = parse_rfc3339(value)
    if moment.year <= 1:
        return None
    return moment.astimezone(UTC)


def as_int(value: Any, default: int = 0) -> int:
    """A JSON integer (bools refused); None gives ``default``."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected an integer")
    return value


def as_big(value: Any) -> int | None:
    """A ``*big.Int``: a JSON number or null."""
    if value is None:
        return None
    return as_int(value)
