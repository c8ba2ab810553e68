"""Go's textual formats, which Vault and SOPS clients expect byte for byte.

One module for what every door and file format needs: durations (``time.ParseDuration`` plus
the integer-seconds shortcut of Vault's parseutil, ``time.Duration.String``, Vault's
``humanDuration``), RFC 3339 times (``time.RFC3339`` and ``time.RFC3339Nano``) and
``strconv.ParseBool``. It imports nothing of sealbox, so every layer may use it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

__all__ = [
    "GO_FALSE",
    "GO_TRUE",
    "DurationError",
    "format_duration",
    "human_duration",
    "parse_bool",
    "parse_duration",
    "parse_rfc3339",
    "rfc3339",
    "rfc3339_nano",
    "rfc3339_nano_from_unix_nanos",
]

# ---- durations ----------------------------------------------------------------------------

_UNIT_NS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,  # U+00B5 MICRO SIGN
    "μs": 1_000,  # U+03BC GREEK SMALL LETTER MU
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
    # compat: Vault's parseutil.ParseDurationSecond also takes days.
    "d": 86_400_000_000_000,
}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)")
_INTEGER = re.compile(r"[+-]?\d+")


class DurationError(ValueError):
    """A duration that neither Go's time.ParseDuration nor an integer accepts."""


def parse_duration(value: object) -> int:
    """Whole seconds in ``30``, ``"30"``, ``"30s"``, ``"1h30m"``, ``"1.5h"``, ``"7d"``.

    The message of a refusal quotes the input the way Go does, so it must only be given
    durations (never secret values).
    """
    if isinstance(value, bool):
        raise DurationError(f"could not parse duration from {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if not isinstance(value, str):
        raise DurationError(f"could not parse duration from {value!r}")
    text = value.strip()
    if text == "":
        return 0
    if _INTEGER.fullmatch(text):
        return int(text)
    body = text
    sign = 1
    if body[0] in "+-":
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if body == "0":
        return 0
    position = 0
    total_ns = 0.0
    while position < len(body):
        match = _PART.match(body, position)
        if match is None:
            raise DurationError(f'time: invalid duration "{text}"')
        total_ns += float(match.group(1)) * _UNIT_NS[match.group(2)]
        position = match.end()
    if not body:
        raise DurationError(f'time: invalid duration "{text}"')
    return sign * int(total_ns // 1_000_000_000)


def format_duration(seconds: int) -> str:
    """Go's ``time.Duration.String`` for whole seconds: 3600 -> "1h0m0s", 90 -> "1m30s"."""
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{sign}{minutes}m{secs}s"
    return f"{sign}{secs}s"


def human_duration(seconds: int) -> str:
    """Vault's ``humanDuration``: Go's text without zero units: 7200 -> "2h", 5400 -> "1h30m"."""
    text = format_duration(seconds)
    if text.endswith("m0s"):
        text = text[:-2]
    index = text.find("h0m")
    if index > 0:
        text = text[: index + 1] + text[index + 3 :]
    return text


# ---- times --------------------------------------------------------------------------------

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _zone(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    if offset == timedelta(0):
        return "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def rfc3339_nano(moment: datetime) -> str:
    """Go's ``time.RFC3339Nano``: the fraction without trailing zeros, ``Z`` for UTC.

    A naive time is taken as UTC; an aware one keeps its offset, as Go's formatting does.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + _zone(moment)


def rfc3339(moment: datetime) -> str:
    """Go's ``time.RFC3339``: whole seconds."""
    return rfc3339_nano(moment.replace(microsecond=0))


def rfc3339_nano_from_unix_nanos(nanos: int) -> str:
    """``time.RFC3339Nano`` in UTC of a Unix time in nanoseconds (full nanosecond precision)."""
    seconds, fraction = divmod(nanos, 1_000_000_000)
    stamp = (_EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    digits = f"{fraction:09d}".rstrip("0")
    return f"{stamp}.{digits}Z" if digits else f"{stamp}Z"


def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 timestamp (nanosecond fractions are truncated to microseconds)."""
    match = _RFC3339.match(text.strip())
    if match is None:
        raise ValueError("invalid RFC 3339 timestamp")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    if zone in ("Z", "z"):
        tz: timezone = UTC
    else:
        delta = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        tz = timezone(-delta if zone[0] == "-" else delta)
    return datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz
    )


# ---- booleans -----------------------------------------------------------------------------

GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
GO_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_bool(text: str) -> bool:
    """Go's ``strconv.ParseBool``; raises ValueError on any other spelling."""
    if text in GO_TRUE:
        return True
    if text in GO_FALSE:
        return False
    raise ValueError(f'strconv.ParseBool: parsing "{text}": invalid syntax')
