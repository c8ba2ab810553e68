"""The file audit device: where it may write, how it creates files, how it appends.

The path rules are the CVE-2025-54997 lesson: only inside allowed directories, no symlinks,
no taking over a file that is not an audit log, 0600 files.
"""

from __future__ import annotations

import asyncio
import os
import socket
import stat
from pathlib import Path

import pytest

from sealbox.audit import AuditDevice
from sealbox.audit.file import FileAuditDevice
from sealbox.errors import InvalidRequest

LINE = b'{"time":"2026-11-28T00:00:00Z","type":"request"}\n'


def open_device(path: Path | str, allowed: Path, **options: str) -> FileAuditDevice:
    return FileAuditDevice({"file_path": str(path), **options}, [str(allowed)])


def refused(path: Path | str, allowed: Path, match: str, **options: str) -> None:
    with pytest.raises(InvalidRequest, match=match):
        open_device(path, allowed, **options)


def write(device: FileAuditDevice, *lines: bytes) -> None:
    async def run() -> None:
        for line in lines:
            await device.write(line)
        await device.close()

    asyncio.run(run())


def test_file_device_is_an_audit_device(tmp_path: Path) -> None:
    assert isinstance(open_device(tmp_path / "a.log", tmp_path), AuditDevice)


def test_creates_file_0600_and_appends_whole_lines(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        device = open_device(tmp_path / "audit.log", tmp_path)
    finally:
        os.umask(old)
    write(device, LINE, LINE)
    target = tmp_path / "audit.log"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes() == LINE + LINE


def test_prefix_and_reopen_existing_audit_log(tmp_path: Path) -> None:
    target = tmp_path / "audit.log"
    write(open_device(target, tmp_path, prefix="bao:"), LINE)
    write(open_device(target, tmp_path, prefix="bao:"), LINE)
    assert target.read_bytes() == b"bao:" + LINE + b"bao:" + LINE


def test_existing_empty_file_is_taken_over_and_chmodded(tmp_path: Path) -> None:
    target = tmp_path / "audit.log"
    target.touch(mode=0o644)
    write(open_device(target, tmp_path), LINE)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes() == LINE


def test_mode_option(tmp_path: Path) -> None:
    write(open_device(tmp_path / "a.log", tmp_path, mode="0640"), LINE)
    assert stat.S_IMODE((tmp_path / "a.log").stat().st_mode) == 0o640


@pytest.mark.parametrize("mode", ["0666", "0777", "0400", "abc", "10600"])
def test_unsafe_or_invalid_mode_refused(tmp_path: Path, mode: str) -> None:
    refused(tmp_path / "a.log", tmp_path, "invalid mode", mode=mode)
    assert not (tmp_path / "a.log").exists()


def test_outside_allowed_dirs_refused(tmp_path: Path) -> None:
    allowed = tmp_path / "logs"
    allowed.mkdir()
    refused(tmp_path / "elsewhere.log", allowed, "outside the directories allowed")
    refused(tmp_path / "logsx" / "a.log", allowed, "outside the directories allowed")
    assert not (tmp_path / "elsewhere.log").exists()


def test_no_allowed_dirs_refuses_every_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="no directory is allowed"):
        FileAuditDevice({"file_path": str(tmp_path / "a.log")}, [])


@pytest.mark.parametrize("tail", ["../escape.log", "sub/../a.log", "./a.log"])
def test_dot_segments_refused(tmp_path: Path, tail: str) -> None:
    allowed = tmp_path / "logs"
    (allowed / "sub").mkdir(parents=True)
    refused(f"{allowed}/{tail}", allowed, r'must not contain "\." or "\.\." segments')
    assert not (tmp_path / "escape.log").exists()


def test_relative_path_refused(tmp_path: Path) -> None:
    refused("audit.log", tmp_path, "must be an absolute path")


def test_symlinked_file_refused_and_target_untouched(tmp_path: Path) -> None:
    allowed = tmp_path / "logs"
    allowed.mkdir()
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    (allowed / "audit.log").symlink_to(victim)
    refused(allowed / "audit.log", allowed, "is a symbolic link")
    assert victim.read_bytes() == b"keep me"


def test_dangling_symlink_refused_and_nothing_created(tmp_path: Path) -> None:
    allowed = tmp_path / "logs"
    allowed.mkdir()
    (allowed / "audit.log").symlink_to(tmp_path / "created-through-link")
    refused(allowed / "audit.log", allowed, "is a symbolic link")
    assert not (tmp_path / "created-through-link").exists()


def test_symlinked_parent_dir_refused(tmp_path: Path) -> None:
    allowed = tmp_path / "logs"
    allowed.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (allowed / "sub").symlink_to(outside, target_is_directory=True)
    refused(allowed / "sub" / "audit.log", allowed, '"sub" is a symbolic link or not a directory')
    assert list(outside.iterdir()) == []


def test_missing_parent_dir_refused_not_created(tmp_path: Path) -> None:
    refused(tmp_path / "nope" / "audit.log", tmp_path, '"nope" does not exist')
    assert not (tmp_path / "nope").exists()


def test_allowed_dir_reached_through_a_symlink_is_fine(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    alias = tmp_path / "alias"
    alias.symlink_to(real, target_is_directory=True)
    write(open_device(alias / "a.log", alias), LINE)
    write(open_device(real / "a.log", alias), LINE)
    assert (real / "a.log").read_bytes() == LINE + LINE


def test_existing_foreign_file_refused_and_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "authorized_keys"
    target.write_bytes(b"ssh-ed25519 AAAA attacker\n")
    target.chmod(0o644)
    refused(target, tmp_path, "exists and is not an audit log")
    assert target.read_bytes() == b"ssh-ed25519 AAAA attacker\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_existing_json_that_is_not_an_audit_entry_refused(tmp_path: Path) -> None:
    target = tmp_path / "config.json"
    target.write_bytes(b'{"listener": "tcp"}\n')
    refused(target, tmp_path, "is not an audit log")


def test_hard_link_to_an_audit_log_refused(tmp_path: Path) -> None:
    write(open_device(tmp_path / "a.log", tmp_path), LINE)
    os.link(tmp_path / "a.log", tmp_path / "b.log")
    refused(tmp_path / "b.log", tmp_path, "is not an audit log of ours")


def test_directory_refused(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    refused(tmp_path / "dir", tmp_path, "is a directory")
    refused(tmp_path, tmp_path, "is a directory")


def test_fifo_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    refused(tmp_path / "fifo", tmp_path, "is not a regular file")


def test_socket_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        refused(path, tmp_path, "is not a regular file")


def test_file_path_required_and_format_json_only(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="file_path is required"):
        FileAuditDevice({}, [str(tmp_path)])
    refused(tmp_path / "a.log", tmp_path, "unsupported audit format", format="jsonx")


def test_path_alias_option(tmp_path: Path) -> None:
    device = FileAuditDevice({"path": str(tmp_path / "a.log")}, [str(tmp_path)])
    write(device, LINE)
    assert (tmp_path / "a.log").read_bytes() == LINE


def test_stdout_and_discard(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(FileAuditDevice({"file_path": "stdout", "prefix": "p "}, []), LINE)
    write(FileAuditDevice({"file_path": "discard"}, []), LINE)
    assert capsys.readouterr().out == "p " + LINE.decode()
    assert list(tmp_path.iterdir()) == []


def test_short_write_is_rolled_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    device = open_device(tmp_path / "a.log", tmp_path)
    real_write = os.write

    def half_write(fd: int, data: bytes) -> int:
        return real_write(fd, data[: len(data) // 2])

    async def run() -> None:
        await device.write(LINE)
        monkeypatch.setattr("sealbox.audit.file.os.write", half_write)
        with pytest.raises(OSError, match="short write"):
            await device.write(LINE)
        monkeypatch.undo()
        await device.write(LINE)
        await device.close()

    asyncio.run(run())
    assert (tmp_path / "a.log").read_bytes() == LINE + LINE


def test_write_after_close_raises(tmp_path: Path) -> None:
    device = open_device(tmp_path / "a.log", tmp_path)

    async def run() -> None:
        await device.close()
        await device.close()
        with pytest.raises(OSError, match="closed"):
            await device.write(LINE)

    asyncio.run(run())


def test_repr_names_only_the_path(tmp_path: Path) -> None:
    assert repr(open_device(tmp_path / "a.log", tmp_path)).startswith("FileAuditDevice(")
