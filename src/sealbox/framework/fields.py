"""Field declarations and Vault's lenient input coercion.

Vault clients send numbers as strings, booleans as "true", lists as "a,b" and durations as
"1h"; ``FieldData`` coerces each declared field the way sdk/framework/field_data.go does and
raises ``FieldValidationError`` (400) when it cannot. Undeclared keys are left for the backend
to report as warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import orjson

from sealbox.errors import FieldValidationError
from sealbox.goformat import GO_FALSE, GO_TRUE, parse_duration


class FieldType(Enum):
    """The field types backends declare (a subset of Vault's framework.FieldType)."""

    STRING = "string"
    INT = "int"
    BOOL = "bool"
    DURATION = "duration"
    COMMA_STRING_LIST = "comma_string_list"
    STRING_LIST = "string_list"
    INT_LIST = "int_list"
    MAP = "map"
    KV_PAIRS = "kvpairs"
    RAW = "raw"


@dataclass(frozen=True, slots=True)
class FieldSchema:
    """One declared parameter."""

    type: FieldType = FieldType.STRING
    description: str = ""
    default: Any = None
    required: bool = False
    query: bool = False


_ZERO: dict[FieldType, Any] = {
    FieldType.STRING: "",
    FieldType.INT: 0,
    FieldType.BOOL: False,
    FieldType.DURATION: 0,
    FieldType.RAW: None,
}


def _zero(kind: FieldType) -> Any:
    if kind in (FieldType.COMMA_STRING_LIST, FieldType.STRING_LIST, FieldType.INT_LIST):
        return []
    if kind in (FieldType.MAP, FieldType.KV_PAIRS):
        return {}
    return _ZERO[kind]


def _as_list(value: Any, *, split_commas: bool) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        if split_commas:
            return [part.strip() for part in value.split(",") if part.strip()]
        return [value]
    if isinstance(value, list | tuple):
        items: list[Any] = []
        for item in value:
            if split_commas and isinstance(item, str):
                items.extend(part.strip() for part in item.split(",") if part.strip())
            else:
                items.append(item)
        return items
    raise TypeError("expected a list")


def _coerce_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    raise TypeError("expected an integer")


def _coerce_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        # compat: Go's strconv.ParseBool spellings (parseutil.ParseBool); "" is false.
        if not text or text in GO_FALSE:
            return False
        if text in GO_TRUE:
            return True
    if isinstance(value, int):
        return value != 0
    raise TypeError("expected a boolean")


def _coerce_map(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = orjson.loads(value) if value.strip() else {}
    if not isinstance(value, dict):
        raise TypeError("expected a map")
    return value


def _kv_value(value: Any) -> str:
    # compat: mapstructure's weak decode into string (map values, list items): scalars
    # become strings (true -> "1", null -> ""), nested lists and maps are refused (400).
    if isinstance(value, dict | list):
        raise TypeError("expected string values")
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def _coerce_kv_pairs(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): _kv_value(v) for k, v in value.items()}
    pairs: dict[str, str] = {}
    for item in _as_list(value, split_commas=False):
        key, sep, val = str(item).partition("=")
        if not sep:
            raise TypeError("expected key=value pairs")
        pairs[key] = val
    return pairs


def coerce(kind: FieldType, value: Any) -> Any:
    """Convert ``value`` to the Python type of ``kind``; raises TypeError or ValueError."""
    if kind is FieldType.STRING:
        if isinstance(value, dict | list):
            raise TypeError("expected a string")
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)
    if kind is FieldType.INT:
        return _coerce_int(value)
    if kind is FieldType.BOOL:
        return _coerce_bool(value)
    if kind is FieldType.DURATION:
        return parse_duration(value)
    if kind is FieldType.COMMA_STRING_LIST:
        return [_kv_value(item) for item in _as_list(value, split_commas=True)]
    if kind is FieldType.STRING_LIST:
        return [_kv_value(item) for item in _as_list(value, split_commas=False)]
    if kind is FieldType.INT_LIST:
        return [_coerce_int(item) for item in _as_list(value, split_commas=True)]
    if kind is FieldType.MAP:
        return _coerce_map(value)
    if kind is FieldType.KV_PAIRS:
        return _coerce_kv_pairs(value)
    return value


@dataclass(slots=True)
class FieldData:
    """The raw request data plus the schema, with typed, validated access."""

    raw: Mapping[str, Any]
    schema: Mapping[str, FieldSchema]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def validate(self) -> None:
        """Coerce every supplied declared field now, so bad input fails before any work."""
        for name in self.schema:
            if name in self.raw:
                self.get(name)
        missing = [
            n for n, s in self.schema.items() if s.required and self.raw.get(n) in (None, "")
        ]
        if missing:
            raise FieldValidationError(f"missing required field(s): {', '.join(sorted(missing))}")

    def get(self, name: str) -> Any:
        """The coerced value, or the declared default, or the type's zero value."""
        if name in self._cache:
            return self._cache[name]
        spec = self.schema.get(name)
        if spec is None:
            raise KeyError(f"field {name!r} is not declared")
        if name in self.raw and self.raw[name] is not None:
            try:
                value = coerce(spec.type, self.raw[name])
            except (TypeError, ValueError) as err:
                raise FieldValidationError(
                    f"Field validation failed: error converting input for field {name!r}: "
                    f"expected type {spec.type.value}"
                ) from err
        elif spec.default is not None:
            value = spec.default
        else:
            value = _zero(spec.type)
        self._cache[name] = value
        return value

    def get_ok(self, name: str) -> tuple[Any, bool]:
        """(value, supplied?) — for updates that change only what the caller sent."""
        return self.get(name), name in self.raw and self.raw[name] is not None

    def supplied(self, name: str) -> bool:
        """Whether the caller sent ``name``."""
        return name in self.raw and self.raw[name] is not None

    def unknown(self) -> list[str]:
        """Keys the caller sent that no field declares."""
        return sorted(k for k in self.raw if k not in self.schema)
