"""``user_lockout_config`` of an auth mount (``sys/auth/:path/tune``), parsed and shown.

Mirrors OpenBao's logical_system.go tune handling (messages observed on ``bao`` 2.x): the
object takes ``lockout_threshold`` (an unsigned integer, also as a string),
``lockout_duration`` and ``lockout_counter_reset`` (durations) and ``lockout_disable`` (a
boolean); a tune merges what it is given into what is stored. The read answer flattens it into
``user_lockout_threshold``, ``user_lockout_duration``, ``user_lockout_counter_reset_duration``
and ``user_lockout_disable``. The auth methods apply it (``sealbox.auth.lockout``).
"""

from __future__ import annotations

from typing import Any

from sealbox.errors import InvalidRequest
from sealbox.goformat import parse_bool, parse_duration


def _threshold(value: Any) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit():
        raise InvalidRequest(
            f'unable to parse user lockout threshold: strconv.ParseUint: parsing "{text}": '
            "invalid syntax"
        )
    return int(text)


def _duration(value: Any, label: str) -> int:
    try:
        return parse_duration(value)
    except ValueError as err:
        raise InvalidRequest(f"unable to parse user lockout {label}: {err}") from err


def _disable(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    try:
        return parse_bool(str(value))
    except ValueError as err:
        raise InvalidRequest("unable to parse user lockout disable") from err


def merged_lockout(current: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """``current`` with the keys of ``given`` parsed and applied (400 on a bad value)."""
    merged = dict(current)
    if "lockout_threshold" in given:
        merged["lockout_threshold"] = _threshold(given["lockout_threshold"])
    if "lockout_duration" in given:
        merged["lockout_duration"] = _duration(given["lockout_duration"], "duration")
    if "lockout_counter_reset" in given:
        merged["lockout_counter_reset"] = _duration(given["lockout_counter_reset"], "reset")
    if "lockout_disable" in given:
        merged["lockout_disable"] = _disable(given["lockout_disable"])
    return merged


def lockout_wire(config: dict[str, Any]) -> dict[str, Any]:
    """The tune-read fields of a stored ``user_lockout_config`` (nothing when unset)."""
    if not config:
        return {}
    return {
        "user_lockout_threshold": config.get("lockout_threshold", 0),
        "user_lockout_duration": config.get("lockout_duration", 0),
        "user_lockout_counter_reset_duration": config.get("lockout_counter_reset", 0),
        "user_lockout_disable": config.get("lockout_disable", False),
    }
