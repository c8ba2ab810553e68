"""The ``file`` audit device: append one JSON line per entry to a file, stdout, or nowhere.

Mirrors OpenBao's builtin/audit/file/backend.go: options ``file_path`` (alias ``path``; the
special values ``stdout`` and ``discard``), ``mode`` (octal, default ``0600``), ``prefix``
(written before every line) and ``format`` (only ``json``). ``log_raw`` and ``hmac_accessor``
are read by the broker, which formats the lines.

Where the file may be (the lesson of CVE-2025-54997, where an API-enabled audit device's
file path became code execution, after which OpenBao removed API creation altogether):

- ``file_path`` must be absolute, without ``.`` or ``..`` segments, and lie inside one of the
  ``allowed_dirs`` the server configuration grants (compared after resolving those dirs with
  ``realpath``; the path given by the API caller itself is never resolved).
- Below the allowed directory, every component is opened with ``O_NOFOLLOW`` relative to its
  parent's descriptor (``openat``), so a symlink anywhere, including one swapped in while we
  look, is refused rather than followed. Missing directories are not created.
- The file is created with ``O_CREAT|O_EXCL`` and mode 0600 (``mode`` may only loosen it to
  group/other *read*). An existing file is taken over only when it is a regular file owned by
  our user, with a single hard link, and either empty or starting with a JSON audit entry
  (an object with ``time`` and ``type`` request/response, after the configured prefix): that
  is an audit log we, or a Vault/OpenBao before us, wrote. Anything else, such as a
  directory, fifo, device, socket, or a file with other content, is refused with
  ``InvalidRequest``, and no file is created or changed.

Writing: the file is opened once, ``O_APPEND``; each line goes out in a single ``os.write``,
which for a regular file lands in the page cache in microseconds, so it runs inline on the
event loop instead of paying a thread hop twice per request. Like OpenBao's file device we do
not fsync each line. A short write (disk full) is rolled back with ``ftruncate`` and
reported as ``OSError``, so the log never holds half an entry.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import sys
from collections.abc import Mapping, Sequence

import orjson

from sealbox.errors import InvalidRequest

DEFAULT_MODE = 0o600
_FORBIDDEN_MODE_BITS = 0o133  # owner execute, group/other write and execute
_FIRST_LINE_LIMIT = 1 << 20
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NOCTTY | os.O_NONBLOCK


class FileAuditDevice:
    """Appends audit lines to ``file_path`` (or stdout, or discards them)."""

    __slots__ = ("_fd", "_prefix", "_target", "file_path", "mode")

    def __init__(self, options: Mapping[str, str], allowed_dirs: Sequence[str]) -> None:
        file_path = options.get("file_path") or options.get("path") or ""
        if not file_path:
            raise InvalidRequest("file_path is required")
        audit_format = options.get("format", "json") or "json"
        if audit_format != "json":
            raise InvalidRequest(f'unsupported audit format "{audit_format}"; only "json"')
        self.file_path = file_path
        self.mode = _parse_mode(options.get("mode", ""))
        self._prefix = options.get("prefix", "").encode()
        self._fd = -1
        self._target = file_path if file_path in ("stdout", "discard") else "file"
        if self._target == "file":
            self._fd = open_audit_file(file_path, allowed_dirs, self.mode, self._prefix)

    def __repr__(self) -> str:
        return f"FileAuditDevice(file_path={self.file_path!r})"

    async def write(self, line: bytes) -> None:
        """Append ``line`` (prefixed) in one write; roll back a short write."""
        data = self._prefix + line if self._prefix else line
        if self._target == "discard":
            return
        if self._target == "stdout":
            stream = sys.stdout
            stream.write(data.decode())
            stream.flush()
            return
        fd = self._fd
        if fd < 0:
            raise OSError(errno.EBADF, "audit device is closed")
        written = os.write(fd, data)
        if written != len(data):
            # O_APPEND left the offset at the end of our partial line: cut it off again.
            end = os.lseek(fd, 0, os.SEEK_CUR)
            os.ftruncate(fd, end - written)
            raise OSError(errno.ENOSPC, "short write to audit log")

    async def close(self) -> None:
        """Close the file; idempotent."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)


def _parse_mode(value: str) -> int:
    if not value:
        return DEFAULT_MODE
    try:
        mode = int(value, 8)
    except ValueError:
        raise InvalidRequest(f'invalid mode "{value}": expected an octal number') from None
    if mode & ~0o777 or mode & 0o600 != 0o600 or mode & _FORBIDDEN_MODE_BITS:
        raise InvalidRequest(
            f'invalid mode "{value}": an audit log must be readable and writable by its '
            "owner, and not writable or executable by anyone else"
        )
    return mode


def open_audit_file(path: str, allowed_dirs: Sequence[str], mode: int, prefix: bytes) -> int:
    """Open (creating when absent) the audit log at ``path``; see the module docstring.

    Returns a descriptor open ``O_RDWR|O_APPEND``; raises ``InvalidRequest`` on any refusal.
    """
    root, parts = _locate(path, allowed_dirs)
    try:
        dir_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        raise InvalidRequest(f'file_path "{path}": the audit directory is not usable') from None
    try:
        for name in parts[:-1]:
            next_fd = _open_dir(dir_fd, name, path)
            os.close(dir_fd)
            dir_fd = next_fd
        return _open_leaf(dir_fd, parts[-1], path, mode, prefix)
    finally:
        os.close(dir_fd)


def _locate(path: str, allowed_dirs: Sequence[str]) -> tuple[str, list[str]]:
    """The (real) allowed directory holding ``path`` and the components below it."""
    if "\x00" in path or not path.startswith("/"):
        raise InvalidRequest(f'file_path "{path}" must be an absolute path')
    segments = path.split("/")
    if ".." in segments or "." in segments:
        raise InvalidRequest(f'file_path "{path}" must not contain "." or ".." segments')
    rest = [s for s in segments if s]
    if not rest:
        raise InvalidRequest(f'file_path "{path}" is a directory')
    for allowed in allowed_dirs:
        real = os.path.realpath(allowed)
        for form in (os.path.normpath(allowed), real):
            base = [s for s in form.split("/") if s]
            if rest[: len(base)] == base:
                if len(rest) == len(base):
                    raise InvalidRequest(f'file_path "{path}" is a directory')
                return real, rest[len(base) :]
    raise InvalidRequest(
        f'file_path "{path}" is outside the directories allowed for audit logs'
        if allowed_dirs
        else "no directory is allowed for audit log files; use stdout or discard"
    )


def _open_dir(dir_fd: int, name: str, path: str) -> int:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        raise InvalidRequest(f'file_path "{path}": directory "{name}" does not exist') from None
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.ENOTDIR):
            raise InvalidRequest(
                f'file_path "{path}": "{name}" is a symbolic link or not a directory'
            ) from None
        raise InvalidRequest(f'file_path "{path}": cannot open directory "{name}"') from None


def _open_leaf(dir_fd: int, name: str, path: str, mode: int, prefix: bytes) -> int:
    try:
        fd = os.open(name, _FILE_FLAGS | os.O_CREAT | os.O_EXCL, mode, dir_fd=dir_fd)
    except FileExistsError:
        return _take_over(dir_fd, name, path, mode, prefix)
    except OSError:
        raise InvalidRequest(f'file_path "{path}": cannot create the audit log') from None
    try:
        _finish_open(fd, mode)
    except OSError:
        os.close(fd)
        os.unlink(name, dir_fd=dir_fd)
        raise InvalidRequest(f'file_path "{path}": cannot create the audit log') from None
    return fd


def _take_over(dir_fd: int, name: str, path: str, mode: int, prefix: bytes) -> int:
    """Reopen an existing file, but only if it is an audit log of ours."""
    # lstat first so a fifo or device is never even opened (opening can have side effects).
    try:
        before = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        raise InvalidRequest(f'file_path "{path}": cannot open the existing file') from None
    _check_kind(before.st_mode, path)
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError:
        raise InvalidRequest(f'file_path "{path}": cannot open the existing file') from None
    try:
        info = os.fstat(fd)
        _check_kind(info.st_mode, path)
        if (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino):
            raise InvalidRequest(f'file_path "{path}" changed while it was being opened')
        if info.st_uid != os.geteuid() or info.st_nlink != 1:
            raise InvalidRequest(f'file_path "{path}" exists and is not an audit log of ours')
        if info.st_size and not _starts_with_audit_entry(fd, prefix):
            raise InvalidRequest(f'file_path "{path}" exists and is not an audit log')
        _finish_open(fd, mode)
    except (InvalidRequest, OSError) as err:
        os.close(fd)
        if isinstance(err, InvalidRequest):
            raise
        raise InvalidRequest(f'file_path "{path}": cannot open the existing file') from None
    return fd


def _check_kind(st_mode: int, path: str) -> None:
    if stat.S_ISLNK(st_mode):
        raise InvalidRequest(f'file_path "{path}" is a symbolic link')
    if stat.S_ISDIR(st_mode):
        raise InvalidRequest(f'file_path "{path}" is a directory')
    if not stat.S_ISREG(st_mode):
        raise InvalidRequest(f'file_path "{path}" is not a regular file')


def _starts_with_audit_entry(fd: int, prefix: bytes) -> bool:
    head = os.pread(fd, _FIRST_LINE_LIMIT, 0)
    line, newline, _ = head.partition(b"\n")
    if not newline:
        return False
    if prefix:
        if not line.startswith(prefix):
            return False
        line = line[len(prefix) :]
    try:
        entry = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("time"), str)
        and entry.get("type") in ("request", "response")
    )


def _finish_open(fd: int, mode: int) -> None:
    """Set the mode regardless of umask and drop O_NONBLOCK (only there to not hang on fifos)."""
    os.fchmod(fd, mode)
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
