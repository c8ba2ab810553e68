"""The binary store: the whole file is one string value ``data`` (stores/json BinaryStore).

Encrypted form is JSON ``{"data": "ENC[…]", "sops": {…}}`` (associated data ``data:``); the
value is the raw file bytes, so non-UTF-8 content round-trips and the MAC covers the raw bytes,
as with Go sops (we carry them as ``bytes``, encrypted with ``type:str``). All encryption rules are ignored.
"""

from __future__ import annotations

from typing import Any

from sealbox.sops.errors import DumpingTreeError, InvalidInputError
from sealbox.sops.formats.common import split_metadata
from sealbox.sops.formats.json_store import dump_json, parse_json
from sealbox.sops.tree import Branch, Value, from_plain
from sealbox.sops.values import to_bytes

DATA_KEY = "data"


class BinaryStore:
    def __init__(self, indent: int | None = None):
        self.indent = "\t" if indent is None else " " * indent

    def load_plain(self, data: bytes) -> list[Branch]:
        return [Branch([(DATA_KEY, data)])]

    def load_encrypted(self, data: bytes) -> tuple[list[Branch], dict[str, Any]]:
        value = parse_json(data) if data.strip() else Branch()
        if not isinstance(value, Branch):
            raise InvalidInputError("Error unmarshalling input json: top level is not an object")
        return split_metadata([value])

    def emit_plain(self, documents: list[Branch]) -> bytes:
        if not documents or documents[0].index(DATA_KEY) < 0:
            raise DumpingTreeError(
                "error emitting binary store: no binary data found in tree\n\nThis is likely "
                "not an encrypted binary file? If not, use --output-type to select the correct "
                "output type."
            )
        return to_bytes(documents[0].get(DATA_KEY))

    def emit_encrypted(self, documents: list[Branch], metadata: dict[str, Any]) -> bytes:
        document = Branch([*documents[0].items, ("sops", from_plain(metadata))])
        return dump_json(document, self.indent).encode()

    def emit_value(self, value: Value) -> bytes:
        del value  # compat: Go sops refuses every value here, whatever it is
        raise DumpingTreeError(
            "Binary files are not structured and extracting a single value is not possible"
        )


def make_store(indent: int | None) -> BinaryStore:
    return BinaryStore(indent)
