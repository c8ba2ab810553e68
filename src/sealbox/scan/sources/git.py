"""Git history as scan items: every blob ever committed on any ref, attributed to its commit.

``git log --all --topo-order --reverse -m --root --raw`` lists, parents before children, each
commit's changed paths with the new blob id (merges are diffed against every parent, so a
change made only in a merge is seen at the merge). The first commit that shows a blob at a path
introduced it. Each distinct blob is scanned once (``git cat-file --batch`` in the workers);
its hits are reported at every path it was introduced at, and a secret that stays in later
versions of the same file is reported once, at the commit that added it. Secrets added and
later removed are found because the old blob is still in history.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sealbox.scan.engine import Item, ScanError
from sealbox.scan.model import Finding, Hit, Origin

_FORMAT = "%x1e%H%x1f%an%x1f%ae%x1f%aI"
_BLOB_MODES = {"100644", "100755"}
_NULL = "0" * 40


@dataclass(frozen=True, slots=True)
class Commit:
    """The commit metadata reported with a history finding."""

    sha: str
    author: str
    email: str
    date: str


@dataclass(frozen=True, slots=True)
class Introduction:
    """A blob first appearing at ``path`` in ``commit``; ``order`` is its topological rank."""

    path: str
    commit: Commit
    order: int


def git(repo: Path, *args: str) -> bytes:
    """Run git in ``repo``; a failure becomes a ScanError with git's message."""
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise ScanError("git is not installed") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ScanError(f"git {args[0]}: {message[0] if message else 'failed'}")
    return done.stdout


def history(repo: Path, log_opts: tuple[str, ...] = ()) -> dict[str, list[Introduction]]:
    """Blob id -> where it was introduced, for every commit on every ref (or ``log_opts``)."""
    git(repo, "rev-parse", "--git-dir")
    refs = log_opts or ("--all",)
    out = git(
        repo,
        "log",
        *refs,
        "--topo-order",
        "--reverse",
        "-m",
        "--root",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "-z",
        f"--format={_FORMAT}",
    )
    blobs: dict[str, list[Introduction]] = {}
    seen: set[tuple[str, str]] = set()
    order = 0
    for record in out.split(b"\x1e")[1:]:
        header, _, body = record.partition(b"\0")
        sha, author, email, date = header.decode("utf-8", "replace").split("\x1f")
        commit = Commit(sha, author, email, date)
        order += 1
        tokens = body.split(b"\0")
        for meta, raw_path in zip(tokens[0::2], tokens[1::2], strict=False):
            fields = meta.decode("ascii", "replace").strip().lstrip(":").split()
            if len(fields) < 5 or fields[1] not in _BLOB_MODES or fields[3] == _NULL:
                continue
            blob, path = fields[3], raw_path.decode("utf-8", "replace")
            if (blob, path) in seen:
                continue
            seen.add((blob, path))
            blobs.setdefault(blob, []).append(Introduction(path, commit, order))
    return blobs


def blob_sizes(repo: Path, blobs: list[str]) -> dict[str, int]:
    """Sizes of ``blobs`` from ``git cat-file --batch-check`` (to skip large ones unread)."""
    if not blobs:
        return {}
    done = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch-check=%(objectname) %(objectsize)"],
        input="\n".join(blobs).encode() + b"\n",
        capture_output=True,
        check=False,
    )
    sizes: dict[str, int] = {}
    for line in done.stdout.decode("ascii", "replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            sizes[parts[0]] = int(parts[1])
    return sizes


def history_items(
    blobs: dict[str, list[Introduction]], sizes: dict[str, int], max_size: int
) -> Iterator[Item]:
    """One item per distinct blob within the size limit (its first path sets file-type rules)."""
    for blob, intros in blobs.items():
        size = sizes.get(blob, 0)
        if 0 < size <= max_size:
            yield Item(blob, intros[0].path, "blob", blob, size)


def history_findings(
    blobs: dict[str, list[Introduction]],
    hits: dict[str, list[Hit]],
    describe: dict[str, str],
) -> list[Finding]:
    """Findings at the introducing commit; a secret kept across versions is reported once."""
    best: dict[tuple[str, str, str], tuple[int, Finding]] = {}
    for blob, blob_hits in hits.items():
        for intro in blobs.get(blob, []):
            origin = Origin(
                "git",
                intro.commit.sha,
                intro.commit.author,
                intro.commit.email,
                intro.commit.date,
            )
            for hit in blob_hits:
                key = (intro.path, hit.rule_id, hit.secret)
                current = best.get(key)
                if current is None or intro.order < current[0]:
                    finding = Finding(
                        hit.rule_id,
                        describe.get(hit.rule_id, hit.rule_id),
                        intro.path,
                        hit,
                        origin,
                    )
                    best[key] = (intro.order, finding)
    ranked = sorted(best.values(), key=lambda pair: (pair[0], pair[1].sort_key()))
    return [finding for _, finding in ranked]
