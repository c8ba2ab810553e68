"""The ordered document tree every store reads into and writes from.

Mirrors SOPS's ``TreeBranch``/``TreeItem``/``Comment`` (sops.go): mappings keep their key order and
may hold comments between entries, lists may hold comments between items, and a file is a list of
documents (YAML may have several) plus the ``sops`` metadata. Keys are always strings; scalars are
``str``, ``int``, ``float``, ``bool``, ``datetime`` (YAML timestamps), ``bytes`` (the binary store)
or ``None``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

from sealbox.sops.record import Record


class Comment(Record):
    """A comment line; ``value`` is the text after ``#`` (leading space kept, as SOPS does)."""

    _fields = ("value",)
    __slots__ = _fields

    def __init__(self, value: str) -> None:
        self.value = value


class Branch(Record):
    """An ordered mapping: ``(key, value)`` entries interleaved with comments."""

    _fields = ("items",)
    __slots__ = _fields

    def __init__(self, items: list[tuple[str, Value] | Comment] | None = None) -> None:
        self.items = [] if items is None else items

    def get(self, key: str) -> Value:
        """Return the value under ``key``; ``KeyError`` if absent."""
        for item in self.items:
            if isinstance(item, tuple) and item[0] == key:
                return item[1]
        raise KeyError(key)

    def index(self, key: str) -> int:
        """Position of ``key``'s entry in ``items``, or -1."""
        for position, item in enumerate(self.items):
            if isinstance(item, tuple) and item[0] == key:
                return position
        return -1

    def set(self, key: str, value: Value) -> None:
        """Replace ``key``'s value in place, or append a new entry."""
        position = self.index(key)
        if position >= 0:
            self.items[position] = (key, value)
        else:
            self.items.append((key, value))

    def keys(self) -> list[str]:
        return [item[0] for item in self.items if isinstance(item, tuple)]


Scalar: TypeAlias = str | int | float | bool | datetime | bytes | None
Value: TypeAlias = "Branch | list[Value] | Comment | Scalar"
Documents: TypeAlias = list[Branch]


def to_plain(value: Value) -> object:
    """Convert a (metadata) subtree into plain dicts and lists, dropping comments."""
    if isinstance(value, Branch):
        return {item[0]: to_plain(item[1]) for item in value.items if isinstance(item, tuple)}
    if isinstance(value, list):
        return [to_plain(item) for item in value if not isinstance(item, Comment)]
    return value


def from_plain(value: object) -> Value:
    """Convert plain dicts and lists (e.g. serialized metadata) into tree values."""
    if isinstance(value, dict):
        return Branch([(str(key), from_plain(item)) for key, item in value.items()])
    if isinstance(value, list | tuple):
        return [from_plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool | datetime | bytes):
        return value
    raise TypeError(f"unsupported value type {type(value).__name__}")
