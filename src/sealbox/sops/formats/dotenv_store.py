"""The dotenv store (stores/dotenv/store.go): ``KEY=value`` lines, ``#`` comments.

As in Go sops: split on the first ``=`` with no trimming and no quote or ``export`` handling,
blank lines dropped, ``\\n`` in a value is a newline, nested values are refused, and metadata is
flattened into ``sops_``-prefixed keys (a cleartext file with such a key is already encrypted).
"""

from __future__ import annotations

from typing import Any

from sealbox.sops.errors import (
    AlreadyEncryptedError,
    DumpingTreeError,
    InvalidInputError,
    MetadataNotFoundError,
)
from sealbox.sops.formats.flatten import flatten, unflatten
from sealbox.sops.tree import Branch, Comment, Value
from sealbox.sops.values import val_to_string

_PREFIX = "sops_"
# compat: the Go type names Go sops's error message shows for a value it cannot emit
_GO_TYPE_NAMES = {float: "float64", int: "int", bool: "bool", type(None): "<nil>"}


def _parse(data: bytes) -> Branch:
    branch = Branch()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidInputError("Error parsing dotenv input: not UTF-8") from err
    for number, line in enumerate(text.split("\n"), start=1):
        if not line:
            continue
        if line.startswith("#"):
            branch.items.append(Comment(line[1:]))
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise InvalidInputError(f"invalid dotenv input line {number}: no '='")
        branch.items.append((key, value.replace("\\n", "\n")))
    return branch


def _emit(branch: Branch) -> bytes:
    lines: list[str] = []
    for item in branch.items:
        if isinstance(item, Comment):
            lines.append(f"#{item.value}")
            continue
        key, value = item
        if isinstance(value, Branch | list):
            raise DumpingTreeError(f"cannot use complex value in dotenv file; offending key {key}")
        lines.append(key + "=" + val_to_string(value).replace("\n", "\\n"))
    return ("\n".join(lines) + "\n").encode() if lines else b""


class DotenvStore:
    def __init__(self, indent: int | None = None):
        del indent

    def load_plain(self, data: bytes) -> list[Branch]:
        branch = _parse(data)
        keys = branch.keys()
        if any(key.startswith(_PREFIX) for key in keys):
            raise AlreadyEncryptedError("File already encrypted")
        return [branch]

    def load_encrypted(self, data: bytes) -> tuple[list[Branch], dict[str, Any]]:
        branch = _parse(data)
        flat: dict[str, str] = {}
        kept: list[tuple[str, Value] | Comment] = []
        for item in branch.items:
            if isinstance(item, tuple) and item[0].startswith(_PREFIX):
                flat[item[0].removeprefix(_PREFIX)] = str(item[1])
            else:
                kept.append(item)
        if not flat:
            raise MetadataNotFoundError("sops metadata not found")
        return [Branch(kept)], unflatten(flat)

    def emit_plain(self, documents: list[Branch]) -> bytes:
        return _emit(documents[0] if documents else Branch())

    def emit_encrypted(self, documents: list[Branch], metadata: dict[str, Any]) -> bytes:
        items = list(documents[0].items) if documents else []
        # compat: Go sops writes the flattened metadata keys sorted
        items += [(_PREFIX + key, value) for key, value in sorted(flatten(metadata).items())]
        return _emit(Branch(items))

    def emit_value(self, value: Value) -> bytes:
        if isinstance(value, Branch):
            return _emit(value)
        kind = _GO_TYPE_NAMES.get(type(value), "[]interface {}")
        raise DumpingTreeError(f"the dotenv store only supports emitting strings, got {kind}")


def make_store(indent: int | None) -> DotenvStore:
    return DotenvStore(indent)
