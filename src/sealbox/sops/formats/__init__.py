"""File formats (SOPS "stores"): YAML, JSON, dotenv, INI and binary.

Mirrors stores/{yaml,json,dotenv,ini}/store.go: each store turns bytes into the ordered tree
plus the serialized ``sops`` metadata and back. Stores are picked by ``--input-type`` /
``--output-type`` or by file extension (anything unknown is binary), as Go sops does. Each
store module is imported only when used.
"""

# ruff: noqa: PTH122
# (os.path on purpose: importing pathlib costs start-up time)

from __future__ import annotations

import importlib
import os.path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sealbox.sops.tree import Branch, Value

FORMATS = ("yaml", "json", "dotenv", "ini", "binary")
_EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".env": "dotenv", ".ini": "ini"}
_MODULES = {
    "yaml": "sealbox.sops.formats.yaml_store",
    "json": "sealbox.sops.formats.json_store",
    "dotenv": "sealbox.sops.formats.dotenv_store",
    "ini": "sealbox.sops.formats.ini_store",
    "binary": "sealbox.sops.formats.binary_store",
}


class Store(Protocol):
    """Reads and writes one file format."""

    def load_plain(self, data: bytes) -> list[Branch]:
        """Parse cleartext; AlreadyEncryptedError if it carries sops metadata."""
        ...

    def load_encrypted(self, data: bytes) -> tuple[list[Branch], dict[str, Any]]:
        """Parse an encrypted file into documents and serialized metadata."""
        ...

    def emit_plain(self, documents: list[Branch]) -> bytes:
        """Serialize cleartext documents."""
        ...

    def emit_encrypted(self, documents: list[Branch], metadata: dict[str, Any]) -> bytes:
        """Serialize encrypted documents with their metadata."""
        ...

    def emit_value(self, value: Value) -> bytes:
        """Serialize one subtree (``--extract`` of a non-string value)."""
        ...


def format_for_path(path: str) -> str:
    """The format Go sops infers from a file name."""
    return _EXTENSIONS.get(os.path.splitext(path)[1].lower(), "binary")


def get_store(name: str, indent: int | None = None) -> Store:
    """The store for a format name; ValueError for unknown names."""
    if name not in _MODULES:
        raise ValueError(f"unknown format {name!r}; expected one of {', '.join(FORMATS)}")
    module = importlib.import_module(_MODULES[name])
    store: Store = module.make_store(indent)
    return store
