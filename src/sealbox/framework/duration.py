"""Durations as Vault accepts and prints them.

Vault parses "30s", "5m", "1h30m", "720h", "1.5h" and bare integers (seconds) — Go's
``time.ParseDuration`` plus an integer shortcut (sdk/helper/parseutil) — and prints durations
in Go's ``time.Duration.String`` form ("1h0m0s", "0s").
"""

from __future__ import annotations

import re

_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)")


def parse_duration(value: object) -> int:
    """Seconds in ``value``; raises ValueError with a message that echoes no secret."""
    if isinstance(value, bool):
        raise ValueError("invalid duration")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if not isinstance(value, str):
        raise ValueError("invalid duration")
    text = value.strip()
    if text == "":
        return 0
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    negative = text.startswith("-")
    body = text.lstrip("+-")
    position = 0
    total = 0.0
    for match in _PART.finditer(body):
        if match.start() != position:
            raise ValueError(f"time: invalid duration {value!r}")
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    if position != len(body) or position == 0:
        raise ValueError(f"time: invalid duration {value!r}")
    seconds = int(total)
    return -seconds if negative else seconds


def format_duration(seconds: int) -> str:
    """Go's ``time.Duration.String`` for whole seconds: 3600 -> "1h0m0s", 90 -> "1m30s"."""
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{sign}{minutes}m{secs}s"
    return f"{sign}{secs}s"
