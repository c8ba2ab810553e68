"""The YAML store: comments, key order and every document kept (stores/yaml/store.go)."""

from __future__ import annotations

from typing import Any

from sealbox.sops.errors import InvalidInputError
from sealbox.sops.formats.common import refuse_metadata, split_metadata, with_metadata
from sealbox.sops.formats.yaml_emit import emit_documents, emit_value
from sealbox.sops.formats.yaml_load import load_documents
from sealbox.sops.tree import Branch, Value


class YamlStore:
    def __init__(self, indent: int | None = None):
        self.indent = indent or 4

    def _load(self, data: bytes) -> list[Branch]:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InvalidInputError("Error unmarshalling input YAML: not UTF-8") from err
        return load_documents(text)

    def load_plain(self, data: bytes) -> list[Branch]:
        return refuse_metadata(self._load(data))

    def load_encrypted(self, data: bytes) -> tuple[list[Branch], dict[str, Any]]:
        return split_metadata(self._load(data))

    def emit_plain(self, documents: list[Branch]) -> bytes:
        return emit_documents(documents, self.indent).encode()

    def emit_encrypted(self, documents: list[Branch], metadata: dict[str, Any]) -> bytes:
        docs = [with_metadata(document, metadata) for document in documents]
        return emit_documents(docs, self.indent).encode()

    def emit_value(self, value: Value) -> bytes:
        return emit_value(value, self.indent).encode()


def make_store(indent: int | None) -> YamlStore:
    return YamlStore(indent)
