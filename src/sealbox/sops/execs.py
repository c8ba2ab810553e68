"""The exec-env and exec-file commands: hand decrypted values to a child process.

Mirrors cmd/sops/subcommand/exec: ``exec-env`` puts the top-level keys of the file into the
child's environment (non-strings via Go sops's ``ValToString``; nested values are refused) and
runs the command with ``/bin/sh -c``; ``--pristine`` gives the child only those variables.
``exec-file`` writes the cleartext to a FIFO (or, with ``--no-fifo``, a 0600 temporary file)
and replaces ``{}`` in the command with its path. The child's exit status is passed through.
The cleartext never reaches the child's arguments.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sealbox.sops.commands import open_file, single_file
from sealbox.sops.errors import SopsError
from sealbox.sops.tree import Branch, Comment
from sealbox.sops.values import val_to_string

if TYPE_CHECKING:
    from sealbox.sops.options import Options


def _command(ns: Options) -> str:
    if len(ns.files) < 2:
        raise SopsError("Error: a file and a command are required")
    return " ".join(str(part) for part in ns.files[1:])


def exec_env(ns: Options) -> int:
    path = single_file(ns)
    command = _command(ns)
    opened, _ = open_file(ns, path)
    env = {} if ns.pristine else dict(os.environ)
    document = opened.documents[0] if opened.documents else Branch()
    for item in document.items:
        if isinstance(item, Comment):
            continue
        key, value = item
        if isinstance(value, Branch | list):
            raise SopsError(f"cannot use complex value in environment; offending key {key}")
        if "=" in key:
            raise SopsError("cannot use a key containing '=' in the environment")
        env[key] = val_to_string(value)
    return subprocess.run(["/bin/sh", "-c", command], env=env, check=False).returncode


def exec_file(ns: Options) -> int:
    path = single_file(ns)
    command = _command(ns)
    opened, fmt = open_file(ns, path)
    plaintext = fmt.output_store.emit_plain(opened.documents)
    name = ns.filename or "tmp-file"
    with tempfile.TemporaryDirectory(prefix="sealbox-sops-") as directory:
        target = Path(directory) / name
        env = {} if ns.pristine else dict(os.environ)
        if ns.no_fifo:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(plaintext)
            return _run(command, target, env)
        os.mkfifo(target, 0o600)
        writer = threading.Thread(target=_feed, args=(target, plaintext), daemon=True)
        writer.start()
        status = _run(command, target, env)
        if writer.is_alive():
            # The child never read the FIFO: open it ourselves so the writer can finish.
            with contextlib.suppress(OSError), open(target, "rb") as drain:
                drain.read()
        writer.join()
        return status


def _feed(target: Path, plaintext: bytes) -> None:
    with contextlib.suppress(OSError), open(target, "wb") as fifo:
        fifo.write(plaintext)


def _run(command: str, target: Path, env: dict[str, str]) -> int:
    final = command.replace("{}", str(target))
    return subprocess.run(["/bin/sh", "-c", final], env=env, check=False).returncode
