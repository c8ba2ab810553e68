"""The JSON store (stores/json/store.go) and the JSON writer the binary store shares.

Output mirrors Go's ``json.Indent``: tab indentation by default (``--indent N`` for spaces),
``": "`` separators, a trailing newline, UTF-8 kept but ``<``, ``>``, ``&``, U+2028 and U+2029
escaped as Go's encoder does, and floats in Go's encoding/json format (``'f'``, or ``'e'``
below 1e-6 and from 1e21). Integers within int64 stay integers, larger ones become floats (as
in sops 3.13.2; 3.11 read every number as a float, which gives the same plaintext and MAC bytes
except for ``-0``, which 3.13 and we read as the integer 0). JSON has no comments.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sealbox.goformat import rfc3339_nano
from sealbox.sops.errors import InvalidInputError
from sealbox.sops.formats.common import refuse_metadata, split_metadata, with_metadata
from sealbox.sops.tree import Branch, Comment, Value
from sealbox.sops.values import format_float_f, format_float_g

_HTML = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def parse_json(data: bytes) -> Value:
    """Parse JSON keeping key order (objects become Branches)."""
    try:
        return json.loads(  # type: ignore[no-any-return]
            data, object_pairs_hook=branch_from_pairs, parse_int=_go_number
        )
    except (ValueError, RecursionError) as err:
        raise InvalidInputError(f"Error unmarshalling input json: {err}") from err


def _go_number(text: str) -> int | float:
    """An integer literal as Go sops reads it: an int within int64, else a float64.

    compat: sops 3.13 (json.Number: Int64, else Float64); 3.11 reads every number as a float,
    which prints the same. An int beyond int64 would be encrypted with a type Go cannot parse.
    """
    value = int(text)
    return value if -(2**63) <= value < 2**63 else float(text)


def branch_from_pairs(pairs: list[tuple[str, Value]]) -> Branch:
    """``object_pairs_hook`` that keeps key order (and, as Go does, the last duplicate)."""
    return Branch(list(pairs))


def dump_json(value: Value, indent: str = "\t") -> str:
    """Serialize a tree value as Go sops's JSON store does, with a trailing newline."""
    out: list[str] = []
    _write(value, indent, "", out)
    out.append("\n")
    return "".join(out)


def dump_json_compact(value: Value) -> str:
    """Go's ``json.Marshal``: no spaces, no newlines (the INI store's ``--extract`` of a value)."""
    if isinstance(value, Branch):
        entries = (item for item in value.items if isinstance(item, tuple))
        return "{" + ",".join(f"{_string(k)}:{dump_json_compact(v)}" for k, v in entries) + "}"
    if isinstance(value, list):
        items = (item for item in value if not isinstance(item, Comment))
        return "[" + ",".join(dump_json_compact(item) for item in items) + "]"
    return _scalar(value)


def _write(value: Value, indent: str, pad: str, out: list[str]) -> None:
    if isinstance(value, Branch):
        entries = [item for item in value.items if isinstance(item, tuple)]
        if not entries:
            out.append("{}")
            return
        inner = pad + indent
        out.append("{\n")
        for position, (key, item) in enumerate(entries):
            out.append(f"{inner}{_string(key)}: ")
            _write(item, indent, inner, out)
            out.append(",\n" if position < len(entries) - 1 else "\n")
        out.append(pad + "}")
    elif isinstance(value, list):
        items = [item for item in value if not isinstance(item, Comment)]
        if not items:
            out.append("[]")
            return
        inner = pad + indent
        out.append("[\n")
        for position, item in enumerate(items):
            out.append(inner)
            _write(item, indent, inner, out)
            out.append(",\n" if position < len(items) - 1 else "\n")
        out.append(pad + "]")
    else:
        out.append(_scalar(value))


def _scalar(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, datetime):
        return _string(rfc3339_nano(value))
    if isinstance(value, bytes):
        return _string(value.decode("utf-8", "surrogateescape"))
    if isinstance(value, str):
        return _string(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _float(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInputError("JSON cannot represent NaN or infinity")
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        mantissa, _, exponent = format_float_g(value).partition("e")
        if not exponent:  # 'g' chose positional notation; force Go's 'e' form
            mantissa, _, exponent = f"{value:e}".partition("e")
        return f"{mantissa}e{exponent[0]}{exponent[1:].lstrip('0') or '0'}"
    return format_float_f(value)


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).translate(_HTML)


class JsonStore:
    def __init__(self, indent: int | None = None):
        self.indent = "\t" if indent is None else " " * indent

    def _load(self, data: bytes) -> list[Branch]:
        if not data.strip():
            raise InvalidInputError("Error unmarshalling input json: empty input")
        value = parse_json(data)
        if not isinstance(value, Branch):
            raise InvalidInputError("Error unmarshalling input json: top level is not an object")
        return [value]

    def load_plain(self, data: bytes) -> list[Branch]:
        return refuse_metadata(self._load(data))

    def load_encrypted(self, data: bytes) -> tuple[list[Branch], dict[str, Any]]:
        return split_metadata(self._load(data))

    def emit_plain(self, documents: list[Branch]) -> bytes:
        return dump_json(documents[0] if documents else Branch(), self.indent).encode()

    def emit_encrypted(self, documents: list[Branch], metadata: dict[str, Any]) -> bytes:
        document = with_metadata(documents[0] if documents else Branch(), metadata)
        return dump_json(document, self.indent).encode()

    def emit_value(self, value: Value) -> bytes:
        # compat: a value (not a whole file) is written without the trailing newline
        return dump_json(value, self.indent).removesuffix("\n").encode()


def make_store(indent: int | None) -> JsonStore:
    return JsonStore(indent)
