"""getsops/sops's own example files, read from a local snapshot of that repository at test time.

Nothing of the upstream repository is committed here. When a snapshot is available (a git
directory named by ``SEALBOX_SOPS_UPSTREAM``, by default where the search tool's ``fetch`` puts
github:getsops/sops), tests read the encrypted examples from it and decrypt them with the
PGP key upstream publishes for its functional tests. Without one, the cleartexts in
``data/upstream/`` (what Go sops 3.11.0 prints for those examples: short recorded facts, checked
against the snapshot whenever it is there) stand in, so the round-trip tests still run in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

DATA = Path(__file__).parent / "data" / "upstream"
_DEFAULT_SNAPSHOT = "/work/.mirror/getsops+sops/repo"
FUNCTIONAL_TESTS_KEY = "pgp/sops_functional_tests_key.asc"

# upstream path -> recorded cleartext in data/upstream (None: only decryption is compared;
# no_mac.yaml fails in both programs with exit 51, comments files equal comments.yaml).
ENCRYPTED: dict[str, str | None] = {
    "example.yaml": "example.yaml",
    "example.json": "example.json",
    "example.ini": "example.ini",
    "example.txt": "example.txt",
    "functional-tests/res/format.enc.env": "format.env",
    "functional-tests/res/format.enc.ini": "format.ini",
    "functional-tests/res/format-2.enc.ini": "format.ini",
    "functional-tests/res/format.enc.json": "format.json",
    "functional-tests/res/format.enc.yaml": "format.yaml",
    "functional-tests/res/multiple_keys.yaml": "multiple_keys.yaml",
    "functional-tests/res/comments.enc.yaml": None,
    "functional-tests/res/comments_unencrypted_comments.yaml": None,
    "functional-tests/res/no_mac.yaml": None,
    "examples/all_in_one/config/secret.enc.json": "secret.json",
    "examples/per_file/config.enc/static_github.json": "static_github.json",
}
# cleartext upstream files, used as they are
PLAIN: dict[str, str] = {
    "functional-tests/res/comments.yaml": "comments.yaml",
    "functional-tests/res/comments_list.yaml": "comments_list.yaml",
    "functional-tests/res/plainfile.yaml": "plainfile.yaml",
}


def snapshot() -> Path | None:
    """The upstream git directory, or None when there is none (or no git to read it)."""
    path = Path(os.environ.get("SEALBOX_SOPS_UPSTREAM", _DEFAULT_SNAPSHOT))
    if shutil.which("git") is None or not (path / "HEAD").exists():
        return None
    return path


def read(path: str) -> bytes:
    """One file of the snapshot's newest commit; the caller checked ``snapshot()``."""
    git_dir = snapshot()
    assert git_dir is not None
    return subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"HEAD:{path}"],
        check=True,
        capture_output=True,
    ).stdout


def recorded(name: str) -> bytes:
    """A recorded cleartext from ``data/upstream``."""
    return (DATA / name).read_bytes()


def cleartexts() -> dict[str, bytes]:
    """Every distinct example cleartext, by file name (the name gives the format)."""
    names = {name for name in ENCRYPTED.values() if name} | set(PLAIN.values())
    return {name: recorded(name) for name in sorted(names)}
