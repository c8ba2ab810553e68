"""Small value rules the policy language shares: durations and parameter-value globs.

Mirrors OpenBao's use of ``parseutil.ParseDurationSecond`` (go-secure-stdlib) for
``min_wrapping_ttl``/``max_wrapping_ttl`` and ``valueInParameterList`` plus
``strutil.GlobbedStringsMatch`` (internal/vault/policy/acl.go) for
allowed/denied parameter values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_UNIT_NS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


class DurationError(ValueError):
    """A duration that neither Go's time.ParseDuration nor an integer accepts."""


def _go_duration_seconds(text: str) -> int:
    """Go's time.ParseDuration, truncated to whole seconds."""
    body = text
    sign = 1
    if body[:1] in "+-" and body:
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if body == "0":
        return 0
    pos = 0
    total_ns = 0.0
    while pos < len(body):
        match = _PART.match(body, pos)
        if match is None:
            raise DurationError(f'time: invalid duration "{text}"')
        total_ns += float(match.group(1)) * _UNIT_NS[match.group(2)]
        pos = match.end()
    if not body:
        raise DurationError(f'time: invalid duration "{text}"')
    return sign * int(total_ns // 1_000_000_000)


def parse_duration_seconds(raw: Any) -> int:
    """Seconds from ``30``, ``"30"``, ``"30s"``, ``"5m"``, ``"1h30m"`` (ParseDurationSecond)."""
    if isinstance(raw, bool):
        raise DurationError(f"could not parse duration from {raw!r}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw)
    if isinstance(raw, str):
        text = raw.strip()
        if text == "":
            return 0
        if text.lstrip("-").isdigit():
            return int(text)
        return _go_duration_seconds(text)
    raise DurationError(f"could not parse duration from {raw!r}")


def glob_match(pattern: str, value: str) -> bool:
    """A leading and/or trailing ``*`` in ``pattern``; a lone ``*`` matches only itself.

    # compat: strutil.GlobbedStringsMatch treats patterns shorter than two characters
    # literally, so ``["*"]`` as an allowed value only admits the string "*".
    """
    if len(pattern) < 2:
        return value == pattern
    starts, ends = pattern.startswith("*"), pattern.endswith("*")
    if starts and ends:
        return pattern[1:-1] in value
    if starts:
        return value.endswith(pattern[1:])
    if ends:
        return value.startswith(pattern[:-1])
    return value == pattern


def _same(expected: Any, actual: Any) -> bool:
    # bool is an int in Python; Go's reflect.DeepEqual keeps them apart, and so do we.
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    return bool(expected == actual)


def value_allowed(value: Any, listed: Sequence[Any]) -> bool:
    """Whether a request value is among the policy's values (empty list = any value).

    Strings compare with :func:`glob_match`; anything else by equality. Numbers compare
    by value (Vault compares a JSON number with an HCL integer by Go type and never
    matches them; we let ``[1]`` admit ``1``).
    """
    if not listed:
        return True
    for expected in listed:
        if expected is None or value is None:
            if expected is value:
                return True
        elif isinstance(expected, str) and isinstance(value, str):
            if glob_match(expected, value):
                return True
        elif _same(expected, value):
            return True
    return False
