"""Reading inputs and writing outputs without ever leaving a half-written file.

Every write goes to a temporary file beside the target (same directory, so same filesystem),
is flushed to disk, takes over the target's permission bits (0600 for new files: they hold
secrets or their ciphertext) and is then renamed over the target. A failure at any point removes
the temporary file and leaves the original untouched.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path

from sealbox.sops.errors import CouldNotReadInputError, CouldNotWriteOutputError, NoFileSpecifiedError


def read_input(path: str | None) -> bytes:
    """The bytes of ``path`` (stdin for None or ``-``)."""
    if path is None or path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as err:
        raise NoFileSpecifiedError(f"Error: cannot operate on non-existent file {path}") from err
    except OSError as err:
        raise CouldNotReadInputError(f"Error reading file {path}: {err.strerror}") from err


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename."""
    target = Path(path)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o600
    except OSError as err:
        raise CouldNotWriteOutputError(f"Could not write output file {path}") from err
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise CouldNotWriteOutputError(f"Could not write output file {path}") from err


def write_output(data: bytes, output: str | None) -> None:
    """Write to ``output`` atomically, or to stdout."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomic(output, data)
