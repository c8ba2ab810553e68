"""The edit command: decrypt to a private temporary file, run the editor, re-encrypt.

Mirrors cmd/sops/edit.go: the cleartext goes to ``<tmpdir>/<basename>`` (mode 0600) and
``$SOPS_EDITOR`` or ``$EDITOR`` (split like a shell would) runs on it, falling back to vim, nano
or vi; an unchanged file exits 200; a file that no longer parses sends the user back to the editor
when there is a terminal and fails otherwise; the result is re-encrypted with the same data key
and the IVs of unchanged values, so only edited values change in git. A file that does not exist
yet starts from an example document and takes its keys from flags or ``.sops.yaml``. The
original is replaced by an atomic rename only after everything succeeded.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sealbox.sops import context
from sealbox.sops.commands import open_file, reseal, single_file
from sealbox.sops.errors import EditorError, FileUnchangedError, InvalidInputError
from sealbox.sops.fileio import write_atomic
from sealbox.sops.metadata import Metadata
from sealbox.sops.ops import OpenedFile, new_data_key
from sealbox.sops.tree import Branch

if TYPE_CHECKING:
    from sealbox.sops.options import Options

_EXAMPLE = {
    "yaml": b"hello: Welcome to SOPS! Edit this file as you please!\n",
    "json": b'{\n\t"hello": "Welcome to SOPS! Edit this file as you please!"\n}\n',
    "dotenv": b"hello=Welcome to SOPS! Edit this file as you please!\n",
    "ini": b"[section]\nhello = Welcome to SOPS! Edit this file as you please!\n",
    "binary": b"Welcome to SOPS! Edit this file as you please!\n",
}


def edit(ns: Options) -> int:
    path = str(single_file(ns))
    if Path(path).exists():
        opened, fmt = open_file(ns, path)
    else:
        opened, fmt = _new_file(ns, path)
    with tempfile.TemporaryDirectory(prefix="sealbox-sops-") as directory:
        temp = Path(directory) / Path(path).name
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(fmt.input_store.emit_plain(opened.documents))
        before = hashlib.sha256(temp.read_bytes()).digest()
        documents = _edit_until_valid(temp, fmt)
        if hashlib.sha256(temp.read_bytes()).digest() == before:
            raise FileUnchangedError("File has not changed, exiting.")
    opened.documents = documents
    write_atomic(path, reseal(opened, fmt))
    return 0


def _new_file(ns: Options, path: str) -> tuple[OpenedFile, context.Formats]:
    from sealbox.sops.keygroups import encrypt_data_key

    config = context.load_config(ns)
    fmt = context.formats(ns, path, config)
    settings = context.new_file_settings(ns, config, context.file_name(ns, path))
    data_key = new_data_key()
    encrypt_data_key(settings.key_groups, settings.shamir_threshold, data_key)
    metadata = Metadata(
        key_groups=settings.key_groups,
        shamir_threshold=settings.shamir_threshold if len(settings.key_groups) > 1 else 0,
        rules=settings.rules.with_default(),
        mac_only_encrypted=settings.mac_only_encrypted,
    )
    documents = fmt.input_store.load_plain(_EXAMPLE[fmt.input])
    return OpenedFile(documents, metadata, data_key, {}), fmt


def _edit_until_valid(temp: Path, fmt: context.Formats) -> list[Branch]:
    while True:
        run_editor(temp)
        try:
            return fmt.input_store.load_plain(temp.read_bytes())
        except InvalidInputError as err:
            if not sys.stdin.isatty():
                raise
            sys.stderr.write(
                f"{err}\nPress a key to return to the editor, or Ctrl+C to exit." + "\n"
            )
            sys.stdin.readline()


def editor_command() -> list[str]:
    """``$SOPS_EDITOR`` or ``$EDITOR`` split like a shell would, else vim, nano or vi."""
    for variable in ("SOPS_EDITOR", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if value:
            return shlex.split(value)
    for candidate in ("vim", "nano", "vi"):
        found = shutil.which(candidate)
        if found:
            return [found]
    raise EditorError("Could not find any editor: set $SOPS_EDITOR or $EDITOR")


def run_editor(temp: Path) -> None:
    command = [*editor_command(), str(temp)]
    try:
        result = subprocess.run(command, check=False)
    except OSError as err:
        raise EditorError(f"Could not run editor {command[0]!r}: {err.strerror}") from err
    if result.returncode != 0:
        raise EditorError(f"Editor {command[0]!r} exited with status {result.returncode}")
