"""Validation of KV v2 ``custom_metadata``: a small map of short strings.

Mirrors openbao internal/builtin/logical/kv/path_metadata.go ``validateCustomMetadata``: at
most 64 keys, keys 1-128 characters, values 1-512 characters. Values are converted the way
Go's weak decoding does (1 -> "1", true -> "1", 1.5 -> "1.5"); nested maps and lists are
refused. Errors name the key, never the value.
"""

from __future__ import annotations

from typing import Any

from sealbox.errors import InvalidRequest

MAX_KEYS = 64
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 512

_GO_TYPES: dict[type, str] = {dict: "map[string]interface {}", list: "[]interface {}"}


def _as_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    go_type = _GO_TYPES.get(type(value), type(value).__name__)
    raise InvalidRequest(
        f"custom_metadata validation failed: '' expected type 'string', "
        f"got unconvertible type '{go_type}'"
    )


def _multierror(errors: list[str]) -> str:
    """Go's hashicorp/go-multierror rendering, which OpenBao returns verbatim."""
    noun = "error" if len(errors) == 1 else "errors"
    items = "".join(f"\t* {e}\n" for e in errors)
    return f"{len(errors)} {noun} occurred:\n{items}\n"


def validate_custom_metadata(raw: dict[str, Any]) -> dict[str, str]:
    """The map as strings; raises InvalidRequest listing every violation."""
    converted = {str(k): _as_string(v) for k, v in raw.items()}
    errors: list[str] = []
    if len(converted) > MAX_KEYS:
        errors.append(f"payload must contain at most {MAX_KEYS} keys, provided {len(converted)}")
    for key, value in sorted(converted.items()):
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            errors.append(
                f'length of key "{key[:MAX_KEY_LENGTH]}" is {len(key)} '
                f"but must be 0 < len(key) <= {MAX_KEY_LENGTH}"
            )
        if not 0 < len(value) <= MAX_VALUE_LENGTH:
            errors.append(
                f'length of value for key "{key[:MAX_KEY_LENGTH]}" is {len(value)} '
                f"but must be 0 < len(value) <= {MAX_VALUE_LENGTH}"
            )
    if errors:
        raise InvalidRequest(
            _multierror([f"custom_metadata validation failed: {e}" for e in errors])
        )
    return converted
