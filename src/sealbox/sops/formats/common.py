"""Helpers the tree-shaped stores (YAML, JSON) share: the top-level ``sops`` key.

Mirrors Go sops: metadata lives under a top-level ``sops`` key (read from the first document,
written to every document); a cleartext file that already has one is refused (exit 203).
"""

from __future__ import annotations

from typing import Any

from sealbox.sops.errors import AlreadyEncryptedError, MetadataNotFoundError
from sealbox.sops.tree import Branch, from_plain, to_plain

METADATA_KEY = "sops"


def refuse_metadata(documents: list[Branch]) -> list[Branch]:
    """Return ``documents`` unless one has a top-level ``sops`` key."""
    for document in documents:
        if document.index(METADATA_KEY) >= 0:
            raise AlreadyEncryptedError("File already encrypted")
    return documents


def split_metadata(documents: list[Branch]) -> tuple[list[Branch], dict[str, Any]]:
    """Remove the ``sops`` key from every document; return the first document's metadata."""
    if not documents or documents[0].index(METADATA_KEY) < 0:
        raise MetadataNotFoundError("sops metadata not found")
    raw = to_plain(documents[0].get(METADATA_KEY))
    if not isinstance(raw, dict):
        raise MetadataNotFoundError("sops metadata is not a mapping")
    for document in documents:
        position = document.index(METADATA_KEY)
        if position >= 0:
            del document.items[position]
    return documents, raw


def with_metadata(document: Branch, metadata: dict[str, Any]) -> Branch:
    """A shallow copy of ``document`` with the ``sops`` key appended last."""
    return Branch([*document.items, (METADATA_KEY, from_plain(metadata))])
