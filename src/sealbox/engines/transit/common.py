"""Helpers shared by the transit paths: Go-style base64, field sets and batch status codes."""

from __future__ import annotations

import binascii
import re
from typing import Any

from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType
from sealbox.framework.path import segment
from sealbox.logical import Response

NAME = segment("name")
_B64_CHARS = re.compile(r"[^A-Za-z0-9+/=]")


def optional(name: str) -> str:
    """Vault's ``framework.OptionalParamRegex``: an optional ``/<segment>``."""
    return f"(/(?P<{name}>.+))?"


def name_field(description: str = "Name of the key") -> dict[str, FieldSchema]:
    return {"name": FieldSchema(FieldType.STRING, description)}


def b64decode(value: str) -> bytes:
    """Go's ``base64.StdEncoding.DecodeString``; ValueError carries Go's message."""
    try:
        # strict mode is Go's StdEncoding: padding required, nothing outside the alphabet
        return binascii.a2b_base64(value, strict_mode=True)
    except (binascii.Error, ValueError) as err:
        bad = _B64_CHARS.search(value)
        offset = bad.start() if bad else len(value) - len(value) % 4
        if bad is None and "=" in value:
            offset = value.index("=")
        raise ValueError(f"illegal base64 data at input byte {offset}") from err


def b64encode(value: bytes) -> str:
    return binascii.b2a_base64(value, newline=False).decode("ascii")


def batch_items(raw: Any) -> list[dict[str, Any]]:
    """The ``batch_input`` list; a non-list or non-map item is a 400."""
    if not isinstance(raw, list):
        raise InvalidRequest(
            "failed to parse batch input: source data must be an array or slice, "
            f"got {_go_type(raw)}"
        )
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InvalidRequest(
                f"failed to parse batch input: [{index}] expected a map, got '{_go_type(item)}'"
            )
    if not raw:
        raise InvalidRequest("missing batch input to process")
    return raw


def item_string(item: dict[str, Any], key: str, index: int) -> str:
    """A string member of a batch item ("" when absent or null)."""
    value = item.get(key)
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRequest(
            f"failed to parse batch input: '[{index}].{key}' expected type 'string', "
            f"got unconvertible type '{_go_type(value)}'"
        )
    return value


def item_int(item: dict[str, Any], key: str, index: int) -> int:
    value = item.get(key)
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise InvalidRequest(
        f"failed to parse batch input: '[{index}].{key}' expected type 'int', "
        f"got unconvertible type '{_go_type(value)}'"
    )


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "json.Number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    return "<nil>"


class BatchFailed(InvalidRequest):
    """Some items of a batch failed: the answer still carries every result (``data``)."""


_BATCH_FAILURES: dict[int, type[BatchFailed]] = {400: BatchFailed}


def _batch_failure(code: int) -> type[BatchFailed]:
    """The BatchFailed class answering with ``code`` (``partial_failure_response_code``)."""
    kind = _BATCH_FAILURES.get(code)
    if kind is None:
        kind = type(f"BatchFailed{code}", (BatchFailed,), {"status": code})
        _BATCH_FAILURES[code] = kind
    return kind


def batch_response(
    d: FieldData, data: dict[str, Any], successes: bool, user_error: bool, internal_error: bool
) -> Response:
    """keysutil ``batchRequestResponse``: raises 400 (or the override) when an item failed.

    The error carries the whole ``batch_results`` body, which the Vault door sends in the
    envelope with the error's status, as OpenBao's ``RespondWithStatusCode`` does.
    """
    if not (user_error or internal_error):
        return Response(data=data)
    code = 400 if user_error else 500
    warnings: list[str] = []
    override, supplied = d.get_ok("partial_failure_response_code")
    if supplied and successes:
        if 1 <= override <= 599:
            code = override
        else:
            warnings.append(
                "invalid HTTP response code override from partial_failure_response_code, "
                f"reverting to {code}"
            )
    raise _batch_failure(code)("", data=data, warnings=warnings)
