"""The INI store (stores/ini/store.go): sections of string values, read and written as go-ini does.

The tree is section → key → string. Reading and writing the text follows go-ini exactly (see
``ini_syntax``); this module maps it to the tree the way Go sops does, so comments land where
Go puts them and a file decrypts byte-identical to Go sops's output:

- every section is a top-level entry, the implicit ``DEFAULT`` one first even when empty (it
  shows as ``DEFAULT: {}`` with ``--output-type yaml``, as in Go), repeated sections separately;
- a section's comment (the lines above its header) is the section's first item; a key's
  comment (the lines above it, plus an inline one) follows the key. Leading ``;``/``#`` and
  spaces are stripped, as Go's ``stripCommentChar`` does;
- writing turns them back: a leading comment goes above the header, a later one above the key
  before it;
- metadata is the ``[sops]`` section with flattened keys, newlines in its values written as
  ``\\n`` (data values keep real newlines, in a ``\"\"\"…\"\"\"`` block).
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
from sealbox.sops.formats.ini_syntax import IniSection, IniSyntaxError, parse, write
from sealbox.sops.tree import Branch, Comment, Value
from sealbox.sops.values import val_to_string

_METADATA = "sops"


def _strip_comment_char(comment: str) -> str:
    """Go sops's stripCommentChar: drop the leading run of the comment character and spaces."""
    if comment.startswith(";"):
        return comment.lstrip("; ")
    if comment.startswith("#"):
        return comment.lstrip("# ")
    return comment


def _load(data: bytes) -> Branch:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidInputError("Error unmarshalling file: INI input is not UTF-8") from err
    try:
        sections = parse(text)
    except IniSyntaxError as err:
        raise InvalidInputError(f"Error unmarshalling file: invalid INI input, {err}") from err
    root = Branch()
    for section in sections:
        items: list[tuple[str, Value] | Comment] = []
        if section.comment:
            items.append(Comment(_strip_comment_char(section.comment)))
        for key in section.keys.values():
            items.append((key.name, key.value))
            if key.comment:
                items.append(Comment(_strip_comment_char(key.comment)))
        root.items.append((section.name, Branch(items)))
    return root


def _sections(root: Branch) -> list[IniSection]:
    """Go sops's encodeTree: the tree back into go-ini sections."""
    sections: list[IniSection] = []
    if any(isinstance(item, tuple) and not isinstance(item[1], Branch) for item in root.items):
        raise DumpingTreeError(
            "Error encoding section: Section values should always be TreeBranches"
        )
    for item in root.items:
        if isinstance(item, Comment):
            continue
        name, body = item
        if not name:
            raise DumpingTreeError("Error encoding section: empty section name")
        if not isinstance(body, Branch):
            raise DumpingTreeError(
                "Error encoding section: Section values should always be TreeBranches"
            )
        entries = body.items
        section = IniSection(name)
        if entries and isinstance(entries[0], Comment):
            section.comment, entries = entries[0].value, entries[1:]
        last: str | None = None
        for entry in entries:
            if isinstance(entry, Comment):
                if last is not None:
                    section.keys[last].comment = entry.value
                continue
            key, value = entry
            if not key:
                raise DumpingTreeError("Error encoding key: empty key name")
            if isinstance(value, Branch | list):
                # Go sops writes Go's debug form of the value here (e.g. "[{nested [...]}]");
                # we refuse instead: that text is not the value and does not read back
                raise DumpingTreeError("INI cannot hold values nested deeper than a section")
            if key in section.keys:
                section.keys[key].value = val_to_string(value)
            else:
                section.set(key, val_to_string(value), "")
            last = key
        sections.append(section)
    return sections


def _emit(root: Branch) -> bytes:
    try:
        return write(_sections(root)).encode("utf-8", "surrogateescape")
    except (IniSyntaxError, DumpingTreeError) as err:
        raise DumpingTreeError(f"Error marshaling to ini: {err}") from err


class IniStore:
    def __init__(self, indent: int | None = None):
        del indent

    def load_plain(self, data: bytes) -> list[Branch]:
        root = _load(data)
        if root.index(_METADATA) >= 0:
            raise AlreadyEncryptedError("File already encrypted")
        return [root]

    def load_encrypted(self, data: bytes) -> tuple[list[Branch], dict[str, Any]]:
        root = _load(data)
        position = root.index(_METADATA)
        if position < 0:
            raise MetadataNotFoundError("sops metadata not found")
        section = root.get(_METADATA)
        entries = section.items if isinstance(section, Branch) else []
        flat = {
            key: str(value).replace("\\n", "\n")
            for key, value in (i for i in entries if isinstance(i, tuple))
        }
        root.items = [
            item for item in root.items if isinstance(item, Comment) or item[0] != _METADATA
        ]
        return [root], unflatten(flat)

    def emit_plain(self, documents: list[Branch]) -> bytes:
        return _emit(documents[0] if documents else Branch())

    def emit_encrypted(self, documents: list[Branch], metadata: dict[str, Any]) -> bytes:
        flat: list[tuple[str, Value] | Comment] = [
            (key, value.replace("\n", "\\n")) for key, value in flatten(metadata).items()
        ]
        section = Branch(flat)
        items = list(documents[0].items) if documents else []
        return _emit(Branch([*items, (_METADATA, section)]))

    def emit_value(self, value: Value) -> bytes:
        if isinstance(value, Branch):
            return _emit(value)
        from sealbox.sops.formats.json_store import dump_json_compact

        return dump_json_compact(value).encode()  # compat: Go's json.Marshal of the value


def make_store(indent: int | None) -> IniStore:
    return IniStore(indent)
