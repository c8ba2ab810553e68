"""The INI store (stores/ini/store.go over gopkg.in/ini.v1): sections of string values.

The tree is section → key → string (two levels, every value a ``str``). ``=`` or ``:`` delimit,
whitespace is trimmed, ``;``/``#`` lines are comments (kept before the item they precede; go-ini
stores a key's comment after it, which only moves comments, never values or their associated
data). Keys before any section belong to ``DEFAULT``, written only when non-empty. Metadata is
the ``[sops]`` section with flattened keys; multi-line values are written with ``\\n`` escapes
(and ``\"\"\"…\"\"\"`` blocks, written by sops 3.13.0/3.13.1, are read too).
"""

from __future__ import annotations

from typing import Any

from sealbox.sops.errors import AlreadyEncryptedError, InvalidInputError, MetadataNotFoundError
from sealbox.sops.formats.flatten import flatten, unflatten
from sealbox.sops.tree import Branch, Comment, Value
from sealbox.sops.values import val_to_string

_DEFAULT = "DEFAULT"
_METADATA = "sops"


def _parse(data: bytes) -> Branch:
    try:
        lines = iter(data.decode("utf-8").splitlines())
    except UnicodeDecodeError as err:
        raise InvalidInputError("Error parsing INI input: not UTF-8") from err
    root = Branch()
    section = Branch()
    root.items.append((_DEFAULT, section))
    pending: list[Comment] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line[0] in ";#":
            pending.append(Comment(line[1:].lstrip()))
        elif line.startswith("[") and line.endswith("]"):
            section = Branch(list(pending))
            pending = []
            name = line[1:-1].strip()
            if root.index(name) >= 0:
                existing = root.get(name)
                section = existing if isinstance(existing, Branch) else Branch()
            else:
                root.items.append((name, section))
        else:
            key, value = _split(line, number)
            if value.startswith('"""'):
                value = _triple_quoted(value, lines)
            section.items.extend(pending)
            pending = []
            section.items.append((key, value))
    section.items.extend(pending)
    default = root.get(_DEFAULT)
    if isinstance(default, Branch) and not default.items:
        del root.items[0]
    return root


def _split(line: str, number: int) -> tuple[str, str]:
    positions = [p for p in (line.find("="), line.find(":")) if p >= 0]
    if not positions:
        raise InvalidInputError(f"invalid INI input line {number}: no delimiter")
    cut = min(positions)
    return line[:cut].strip(), line[cut + 1 :].strip()


def _triple_quoted(first: str, rest: Any) -> str:
    body = first[3:]
    while not body.endswith('"""'):
        body += "\n" + next(rest, '"""')
    return body[:-3]


def _emit(root: Branch) -> bytes:
    lines: list[str] = []
    for item in root.items:
        if isinstance(item, Comment):
            lines.append(f"; {item.value}")
            continue
        name, section = item
        if not isinstance(section, Branch):
            raise InvalidInputError("INI values must be inside a section")
        if lines:
            lines.append("")
        if name != _DEFAULT or lines:
            lines.append(f"[{name}]")  # compat: go-ini writes the leading DEFAULT section bare
        # compat: go-ini's pretty format pads keys so that "=" signs line up per section
        width = max((len(e[0]) for e in section.items if isinstance(e, tuple)), default=0)
        for entry in section.items:
            if isinstance(entry, Comment):
                lines.append(f"; {entry.value}")
                continue
            key, value = entry
            if isinstance(value, Branch | list):
                raise InvalidInputError("INI cannot hold values nested deeper than a section")
            lines.append(f"{key.ljust(width)} = {val_to_string(value)}".replace("\n", "\\n"))
    return ("\n".join(lines) + "\n").encode() if lines else b""


class IniStore:
    def __init__(self, indent: int | None = None):
        del indent

    def load_plain(self, data: bytes) -> list[Branch]:
        root = _parse(data)
        if root.index(_METADATA) >= 0:
            raise AlreadyEncryptedError("File already encrypted")
        return [root]

    def load_encrypted(self, data: bytes) -> tuple[list[Branch], dict[str, Any]]:
        root = _parse(data)
        position = root.index(_METADATA)
        if position < 0:
            raise MetadataNotFoundError("sops metadata not found")
        section = root.get(_METADATA)
        del root.items[position]
        if not isinstance(section, Branch):
            raise MetadataNotFoundError("sops metadata section is malformed")
        flat = {
            key: str(value).replace("\\n", "\n")
            for key, value in (i for i in section.items if isinstance(i, tuple))
        }
        return [root], unflatten(flat)

    def emit_plain(self, documents: list[Branch]) -> bytes:
        return _emit(documents[0] if documents else Branch())

    def emit_encrypted(self, documents: list[Branch], metadata: dict[str, Any]) -> bytes:
        section = Branch(list(flatten(metadata).items()))
        items = list(documents[0].items) if documents else []
        return _emit(Branch([*items, (_METADATA, section)]))

    def emit_value(self, value: Value) -> bytes:
        if isinstance(value, Branch):
            return _emit(value)
        raise InvalidInputError("cannot write a non-mapping value as INI")


def make_store(indent: int | None) -> IniStore:
    return IniStore(indent)
