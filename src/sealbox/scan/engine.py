"""Runs detection over many texts, in worker processes when the work is large enough.

Sources describe work as :class:`Item`s: a file to read, a git blob to fetch, or bytes already
in memory (image layers are read by the parent, which owns the tar stream). Items are grouped
into batches of a few megabytes so each worker round-trip carries enough work; small scans run
in-process, where starting workers would cost more than it saves. Each worker compiles the rule
set once and keeps one ``git cat-file --batch`` process for blob items.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import IO

from sealbox.scan.detect import Detector
from sealbox.scan.model import Hit
from sealbox.scan.rules import RuleSet

_BATCH_BYTES = 4 << 20
_BATCH_ITEMS = 256
_INLINE_BYTES = 2 << 20


class ScanError(Exception):
    """A source could not be read (not a repository, unreadable tarball, git failed)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One text to scan: ``kind`` is ``file`` (read ``ref``), ``blob`` (git object ``ref``)
    or ``bytes`` (``data``). ``path`` decides file-type rules; ``key`` names the result."""

    key: str
    path: str
    kind: str
    ref: str = ""
    size: int = 0
    data: bytes = field(default=b"", repr=False)


class _BlobReader:
    """One long-lived ``git cat-file --batch`` process for a repository."""

    def __init__(self, repo: str) -> None:
        self._proc = subprocess.Popen(
            ["git", "-C", repo, "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def read(self, sha: str) -> bytes:
        stdin: IO[bytes] | None = self._proc.stdin
        stdout: IO[bytes] | None = self._proc.stdout
        if stdin is None or stdout is None:  # pragma: no cover - Popen with PIPE sets both
            raise ScanError("git cat-file has no pipes")
        stdin.write(sha.encode("ascii") + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) < 3:
            raise ScanError(f"git cat-file: unexpected answer for {sha}")
        if header[1] == b"missing":
            return b""
        size = int(header[2])
        data = stdout.read(size)
        stdout.read(1)
        return data

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait()


class _Worker:
    """Per-process state: the detector and, for history scans, the blob reader."""

    def __init__(self, rules: RuleSet, repo: str, max_size: int) -> None:
        self.detector = Detector(rules)
        self.repo = repo
        self.max_size = max_size
        self._blobs: _BlobReader | None = None

    def load(self, item: Item) -> bytes:
        if item.kind == "file":
            try:
                with open(item.ref, "rb") as handle:
                    return handle.read(self.max_size + 1)
            except OSError:
                return b""
        if item.kind == "blob":
            if self._blobs is None:
                self._blobs = _BlobReader(self.repo)
            return self._blobs.read(item.ref)
        return item.data

    def close(self) -> None:
        if self._blobs is not None:
            self._blobs.close()
            self._blobs = None

    def run(self, batch: Sequence[Item]) -> list[tuple[str, list[Hit]]]:
        results: list[tuple[str, list[Hit]]] = []
        for item in batch:
            data = self.load(item)
            if len(data) > self.max_size:
                continue
            hits = self.detector.scan(data, item.path)
            if hits:
                results.append((item.key, hits))
        return results


_STATE: list[_Worker] = []


def _init(rules: RuleSet, repo: str, max_size: int) -> None:
    _STATE.append(_Worker(rules, repo, max_size))


def _run_batch(batch: Sequence[Item]) -> list[tuple[str, list[Hit]]]:
    return _STATE[-1].run(batch)


def batches(items: Iterable[Item]) -> Iterator[list[Item]]:
    """Group items into batches of about ``_BATCH_BYTES`` or ``_BATCH_ITEMS``."""
    batch: list[Item] = []
    size = 0
    for item in items:
        batch.append(item)
        size += item.size or len(item.data)
        if size >= _BATCH_BYTES or len(batch) >= _BATCH_ITEMS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


Progress = Callable[[int, int], None]


def default_jobs() -> int:
    """Worker processes by default: the cores this process may use, at most 2 (a laptop's
    second core helps; more fight over the disk and the parent's reading)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


@dataclass(slots=True)
class Engine:
    """Scans items with ``jobs`` processes (1 = in this process); less than ``inline_bytes``
    of work runs in this process whatever ``jobs`` says."""

    rules: RuleSet
    jobs: int = field(default_factory=default_jobs)
    max_size: int = 10 << 20
    repo: str = ""
    inline_bytes: int = _INLINE_BYTES

    def run(self, items: Iterable[Item], progress: Progress | None = None) -> dict[str, list[Hit]]:
        """Hits per item key; ``progress(items_done, bytes_done)`` after each batch."""
        found: dict[str, list[Hit]] = {}
        done = [0, 0]

        def record(batch: Sequence[Item], results: list[tuple[str, list[Hit]]]) -> None:
            for key, hits in results:
                found.setdefault(key, []).extend(hits)
            done[0] += len(batch)
            done[1] += sum(item.size or len(item.data) for item in batch)
            if progress is not None:
                progress(done[0], done[1])

        stream = batches(items)
        head: list[list[Item]] = []
        head_bytes = 0
        for batch in stream:
            head.append(batch)
            head_bytes += sum(item.size or len(item.data) for item in batch)
            if head_bytes >= self.inline_bytes:
                break
        work = itertools.chain(head, stream)
        if self.jobs <= 1 or head_bytes < self.inline_bytes:
            worker = _Worker(self.rules, self.repo, self.max_size)
            try:
                for batch in work:
                    record(batch, worker.run(batch))
            finally:
                worker.close()
            return found
        self._pool(work, record)
        return found

    def _pool(
        self,
        work: Iterator[list[Item]],
        record: Callable[[Sequence[Item], list[tuple[str, list[Hit]]]], None],
    ) -> None:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            self.jobs,
            mp_context=context,
            initializer=_init,
            initargs=(self.rules, self.repo, self.max_size),
        ) as pool:
            pending: dict[Future[list[tuple[str, list[Hit]]]], list[Item]] = {}
            for batch in work:
                pending[pool.submit(_run_batch, batch)] = batch
                if len(pending) >= self.jobs * 3:
                    break
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    record(pending.pop(future), future.result())
                    nxt = next(work, None)
                    if nxt is not None:
                        pending[pool.submit(_run_batch, nxt)] = nxt
