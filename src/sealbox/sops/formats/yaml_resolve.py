"""Plain YAML scalars resolved the way Go sops's YAML library (go.yaml.in/yaml/v3) does.

YAML 1.2 core schema with v3's compatibility extras: ``true/True/TRUE`` are bools but ``yes``,
``on`` and ``y`` stay strings; ints as Go's ``ParseInt(s, 0, 64)`` after removing ``_`` (so
``0x1F``, ``0o17``, ``0b101`` and the YAML 1.1 octal ``0777`` = 511); floats by v3's regex;
``.inf``/``.nan``; timestamps in v3's four layouts. PyYAML (YAML 1.1) differs on every one of
these, which is why resolution is ours.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from sealbox.sops.tree import Scalar

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_SPECIAL_FLOATS = {
    ".inf": float("inf"),
    ".Inf": float("inf"),
    ".INF": float("inf"),
    "+.inf": float("inf"),
    "+.Inf": float("inf"),
    "+.INF": float("inf"),
    "-.inf": float("-inf"),
    "-.Inf": float("-inf"),
    "-.INF": float("-inf"),
    ".nan": float("nan"),
    ".NaN": float("nan"),
    ".NAN": float("nan"),
}
# Strings YAML 1.1 readers take for bools: quoted on output so such readers agree.
YAML11_BOOLS = frozenset(
    s for w in ("y", "yes", "n", "no", "on", "off") for s in (w, w.title(), w.upper())
)
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_DIGITS = {16: re.compile(r"^[0-9a-fA-F]+$"), 8: re.compile(r"^[0-7]+$"), 2: re.compile(r"^[01]+$")}
_DECIMAL = re.compile(r"^[0-9]+$")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ZONED = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)
_SPACED = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?$")
_INT64 = (-(2**63), 2**64 - 1)


def resolve_plain(text: str) -> Scalar:
    """The value of an untagged plain scalar."""
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    first = text[0]
    if first in "0123456789+-.":
        if first.isdigit():
            stamp = parse_timestamp(text)
            if stamp is not None:
                return stamp
        special = _SPECIAL_FLOATS.get(text)
        if special is not None:
            return special
        plain = text.replace("_", "") if first != "." else text
        number = go_parse_int(plain)
        if number is not None:
            return number
        if _FLOAT.match(plain):
            return float(plain)
    return text


def go_parse_int(text: str) -> int | None:
    """Go's ``strconv.ParseInt(text, 0, 64)`` (or ParseUint), or None when it fails."""
    sign = -1 if text.startswith("-") else 1
    body = text[1:] if text[:1] in "+-" else text
    base, digits = 10, body
    prefix = body[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        base, digits = {"0x": 16, "0o": 8, "0b": 2}[prefix], body[2:]
    elif len(body) > 1 and body[0] == "0":
        base, digits = 8, body[1:]
    pattern = _DIGITS.get(base, _DECIMAL)
    if not digits or not pattern.match(digits):
        return None
    value = sign * int(digits, base)
    if not _INT64[0] <= value <= _INT64[1]:
        return None
    return value


def parse_timestamp(text: str) -> datetime | None:
    """A timestamp in one of yaml.v3's layouts, else None."""
    match = _DATE.match(text) or _SPACED.match(text)
    zone = None
    if match is None:
        match = _ZONED.match(text)
        if match is None:
            return None
        zone = match.group(8)
    parts = [int(p) for p in match.groups()[:6] if p is not None] + [0, 0, 0]
    fraction = match.group(7) if match.re is not _DATE else None
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    tz: timezone = UTC
    if zone and zone != "Z":
        delta = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        tz = timezone(-delta if zone[0] == "-" else delta)
    try:
        year, month, day, hour, minute, second = parts[:6]
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        return None
