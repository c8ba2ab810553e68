"""The encrypt, decrypt, filestatus, set and unset commands.

Mirrors cmd/sops/{encrypt,decrypt,set,unset,filestatus}.go: ``encrypt`` refuses files that are
already encrypted (203) or empty (92); ``decrypt`` verifies the MAC (51) and can ``--extract`` a
subtree (a string is printed raw, without a newline); ``set``/``unset`` rewrite the file in place
with the same data key, so untouched values keep their ciphertext; ``filestatus`` prints
``{"encrypted":true|false}``. Output goes to stdout, ``--output`` or (``-i``) over the input,
always through an atomic rename.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from sealbox.sops import context
from sealbox.sops.errors import (
    ConflictingParametersError,
    CouldNotReadInputError,
    DumpingTreeError,
    DuplicateDecryptionOrderError,
    EmptyFileError,
    InvalidInputError,
    InvalidSetFormatError,
    MetadataNotFoundError,
    NoFileSpecifiedError,
    SopsError,
)
from sealbox.sops.fileio import read_input, write_atomic, write_output
from sealbox.sops.metadata import Metadata
from sealbox.sops.ops import OpenedFile, load_encrypted, new_data_key, open_documents, seal
from sealbox.sops.rules import EncryptionRules
from sealbox.sops.tree import Branch, Value

if TYPE_CHECKING:
    from sealbox.sops.options import Options


def _destination(ns: Options, path: str | None) -> str | None:
    if ns.in_place and ns.output:
        raise ConflictingParametersError("Error: cannot operate on both --output and --in-place")
    if ns.in_place:
        if path is None or path == "-":
            raise ConflictingParametersError("Error: cannot use --in-place with stdin")
        return path
    return str(ns.output) if ns.output else None


def single_file(ns: Options, required: bool = True) -> str | None:
    files = ns.files
    if not files:
        if required:
            raise NoFileSpecifiedError("Error: no file specified")
        return None
    return str(files[0])


def encrypt(ns: Options) -> int:
    path = single_file(ns, required=False)
    if path is None and not ns.filename_override:
        raise ConflictingParametersError(
            "Error: must specify --filename-override when reading from stdin"
        )
    destination = _destination(ns, path)
    data = read_input(path)
    config = context.load_config(ns)
    fmt = context.formats(ns, path, config)
    if fmt.input == "yaml" and not data:
        raise EmptyFileError(
            "File cannot be completely empty, it must contain at least one document"
        )
    try:
        documents = fmt.input_store.load_plain(data)
    except InvalidInputError as err:
        # compat: Go sops exits 2 (could not read input) when cleartext does not parse.
        raise CouldNotReadInputError(f"Error unmarshalling file: {err}") from err
    if not documents:
        # compat: a YAML file with only blanks or comments (Go: "Error unmarshalling file: EOF")
        raise CouldNotReadInputError("Error unmarshalling file: no document found")
    settings = context.new_file_settings(ns, config, context.file_name(ns, path))
    from sealbox.sops.keygroups import encrypt_data_key

    data_key = new_data_key()
    encrypt_data_key(settings.key_groups, settings.shamir_threshold, data_key)
    binary = fmt.input == "binary"
    metadata = Metadata(
        key_groups=settings.key_groups,
        shamir_threshold=settings.shamir_threshold if len(settings.key_groups) > 1 else 0,
        rules=EncryptionRules() if binary else settings.rules.with_default(),
        mac_only_encrypted=settings.mac_only_encrypted,
    )
    serialized = seal(documents, metadata, data_key, binary=binary)
    write_output(encrypted_bytes(fmt, documents, serialized), destination)
    return 0


def open_file(
    ns: Options, path: str | None, store_input: bytes | None = None
) -> tuple[OpenedFile, context.Formats]:
    """Read, parse and decrypt ``path`` (MAC checked unless ``--ignore-mac``)."""
    data = read_input(path) if store_input is None else store_input
    config = context.load_config(ns)
    fmt = context.formats(ns, path, config)
    documents, metadata = load_encrypted(fmt.input_store, data)
    order = _decryption_order(ns.decryption_order)
    opened = open_documents(
        documents,
        metadata,
        binary=fmt.input == "binary",
        ignore_mac=ns.ignore_mac,
        decryption_order=order,
    )
    return opened, fmt


def _decryption_order(flag: str | None) -> list[str] | None:
    """``--decryption-order age,pgp``; a type named twice is an error (exit 112)."""
    if not flag:
        return None
    order = [name.strip() for name in flag.split(",") if name.strip()]
    if len(set(order)) != len(order):
        raise DuplicateDecryptionOrderError("Error: duplicate key type in --decryption-order")
    return order


def decrypt(ns: Options) -> int:
    path = single_file(ns, required=False)
    destination = _destination(ns, path)
    opened, fmt = open_file(ns, path)
    if ns.extract:
        from sealbox.sops.treepath import lookup, parse_path

        components = parse_path(ns.extract)
        value = lookup(opened.documents[0] if opened.documents else None, components)
        write_output(_extracted(value, fmt), destination)
        return 0
    write_output(_dumped(fmt, opened.documents), destination)
    return 0


def _dumped(fmt: context.Formats, documents: list[Branch]) -> bytes:
    try:
        return fmt.output_store.emit_plain(documents)
    except DumpingTreeError as err:
        raise DumpingTreeError(f"Error dumping file: {err}") from err


def _extracted(value: Value, fmt: context.Formats) -> bytes:
    """compat: decrypt.go prints a string raw, writes a mapping as a file, anything else as a
    value (its errors read "Error dumping tree")."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, bytes):
        return value
    if isinstance(value, Branch):
        return _dumped(fmt, [value])
    try:
        return fmt.output_store.emit_value(value)
    except DumpingTreeError as err:
        raise DumpingTreeError(f"Error dumping tree: {err}") from err


def reseal(opened: OpenedFile, fmt: context.Formats) -> bytes:
    """Re-encrypt an opened file with its own data key, reusing IVs of unchanged values."""
    opened.metadata.bump_version()
    serialized = seal(
        opened.documents,
        opened.metadata,
        opened.data_key,
        binary=fmt.input == "binary",
        stash=opened.stash,
    )
    return encrypted_bytes(fmt, opened.documents, serialized)


def encrypted_bytes(
    fmt: context.Formats, documents: list[Branch], serialized: dict[str, Any]
) -> bytes:
    """The output store's encrypted file; a tree it cannot hold fails as Go's does (exit 4)."""
    try:
        return fmt.output_store.emit_encrypted(documents, serialized)
    except DumpingTreeError as err:
        raise DumpingTreeError(f"Could not marshal tree: {err}") from err


def set_value(ns: Options) -> int:
    from sealbox.sops.treepath import assign, parse_path

    if len(ns.files) < 2:
        raise NoFileSpecifiedError("Error: set needs a file, a path and a value")
    path, tree_path = str(ns.files[0]), str(ns.files[1])
    if ns.value_stdin:
        raw = sys.stdin.read()
    elif ns.value_file:
        raw = read_input(str(ns.files[2]) if len(ns.files) > 2 else None).decode()
    elif len(ns.files) > 2:
        raw = str(ns.files[2])
    else:
        raise InvalidSetFormatError("Error: set needs a value")
    value = _json_value(raw)
    opened, fmt = open_file(ns, path)
    if not opened.documents:
        raise SopsError("cannot set a value in a file without documents")
    changed = assign(opened.documents[0], parse_path(tree_path), value)
    if not changed and ns.idempotent:
        return 0
    write_atomic(path, reseal(opened, fmt))
    return 0


def _json_value(raw: str) -> Value:
    """The value of ``set``: JSON, numbers as floats (Go sops 3.11's encoding/json)."""
    import json

    from sealbox.sops.formats.json_store import branch_from_pairs

    try:
        value: Value = json.loads(raw, object_pairs_hook=branch_from_pairs, parse_int=float)
    except ValueError as err:
        raise InvalidSetFormatError("Error: the value is not valid JSON") from err
    return value


def unset_value(ns: Options) -> int:
    from sealbox.sops.errors import PathNotFoundError
    from sealbox.sops.treepath import parse_path, remove

    if len(ns.files) < 2:
        raise NoFileSpecifiedError("Error: unset needs a file and a path")
    path, tree_path = str(ns.files[0]), str(ns.files[1])
    opened, fmt = open_file(ns, path)
    try:
        remove(opened.documents[0], parse_path(tree_path))
    except PathNotFoundError:
        if ns.idempotent:
            return 0
        raise
    write_atomic(path, reseal(opened, fmt))
    return 0


def filestatus(ns: Options) -> int:
    import json

    path = single_file(ns)
    data = read_input(path)
    fmt = context.formats(ns, path, None)
    try:
        _, metadata = load_encrypted(fmt.input_store, data)
        encrypted = bool(metadata.version and metadata.mac)
    except MetadataNotFoundError:
        encrypted = False
    except SopsError:
        encrypted = False
    sys.stdout.write(json.dumps({"encrypted": encrypted}, separators=(",", ":")) + "\n")
    return 0
