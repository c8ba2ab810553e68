"""Small value rules the policy language shares: durations and parameter-value globs.

Mirrors OpenBao's use of ``parseutil.ParseDurationSecond`` (go-secure-stdlib) for
``min_wrapping_ttl``/``max_wrapping_ttl`` and ``valueInParameterList`` plus
``strutil.GlobbedStringsMatch`` (internal/vault/policy/acl.go) for
allowed/denied parameter values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


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
