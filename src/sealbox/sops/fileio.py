"""Reading inputs and writing outputs without ever leaving a half-written file.

Every write goes to a temporary file beside the target (same directory, so same filesystem),
is flushed to disk, takes over the target's permission bits (0600 for new files: they hold
secrets or their ciphertext) and is then renamed over the target. A failure at any point removes
the temporary file and leaves the original untouched. Only ``os`` is used: ``tempfile`` and
``pathlib`` would add milliseconds to every start of ``sealbox-sops``.
"""

# ruff: noqa: PTH101, PTH105, PTH108, PTH116, PTH118
# (os.path on purpose: importing pathlib costs start-up time)

from __future__ import annotations

import contextlib
import os
import stat
import sys

from sealbox.sops.errors import (
    CouldNotReadInputError,
    CouldNotWriteOutputError,
    NoFileSpecifiedError,
)


def read_input(path: str | None) -> bytes:
    """The bytes of ``path`` (stdin for None or ``-``)."""
    if path is None or path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError as err:
        raise NoFileSpecifiedError(f"Error: cannot operate on non-existent file {path}") from err
    except OSError as err:
        raise CouldNotReadInputError(f"Error reading file {path}: {err.strerror}") from err


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o600
    except OSError as err:
        raise CouldNotWriteOutputError(f"Could not write output file {path}") from err
    directory, name = os.path.split(path)
    temp = os.path.join(directory, f".{name}.{os.urandom(6).hex()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise CouldNotWriteOutputError(f"Could not write output file {path}") from err


def write_output(data: bytes, output: str | None) -> None:
    """Write to ``output`` atomically, or to stdout."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomic(output, data)
