"""A directory tree as scan items: every regular file under the root, within the size limit.

Symlinks are not followed (a link can point outside the tree or loop), ``.git`` directories are
never entered, and with ``gitignore=True`` the ``.gitignore`` files (and ``.git/info/exclude``)
decide what is skipped, as ``git status`` would. A single file may be given as the root.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from sealbox.scan.engine import Item, ScanError
from sealbox.scan.ignore import IgnoreRules


def _read_ignore(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def tree_items(root: Path, *, gitignore: bool = False, max_size: int = 10 << 20) -> Iterator[Item]:
    """Scan items for every file under ``root``; the item key is the relative posix path."""
    if root.is_file():
        size = root.stat().st_size
        if size <= max_size:
            yield Item(root.name, root.name, "file", str(root), size)
        return
    if not root.is_dir():
        raise ScanError(f"{root}: no such file or directory")
    rules = IgnoreRules()
    if gitignore:
        rules = rules.child("", _read_ignore(root / ".git" / "info" / "exclude"))
    yield from _walk(root, "", rules, gitignore, max_size)


def _walk(
    root: Path, rel: str, rules: IgnoreRules, gitignore: bool, max_size: int
) -> Iterator[Item]:
    directory = root / rel if rel else root
    if gitignore:
        rules = rules.child(rel, _read_ignore(directory / ".gitignore"))
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = f"{rel}/{entry.name}" if rel else entry.name
        if entry.is_symlink():
            continue
        if entry.is_dir():
            if entry.name == ".git" or (gitignore and rules.ignored(path, True)):
                continue
            yield from _walk(root, path, rules, gitignore, max_size)
        elif entry.is_file():
            if gitignore and rules.ignored(path, False):
                continue
            size = entry.stat().st_size
            if 0 < size <= max_size:
                yield Item(path, path, "file", entry.path, size)
