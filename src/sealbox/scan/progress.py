"""A one-line progress display on stderr for long scans, shown only on a terminal.

Redrawn at most ten times a second (a redraw per batch would cost more than the scan on fast
trees); it prints counts and megabytes only, never a path, since paths can be sensitive too.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressLine:
    """Callable progress sink: ``line(items_done, bytes_done)``; call :meth:`finish` at the end."""

    def __init__(self, label: str, stream: TextIO | None = None, interval: float = 0.1) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self._last = float("-inf")
        self._shown = False
        self._start = time.monotonic()

    def __call__(self, items: int, size: int) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        elapsed = max(now - self._start, 1e-6)
        megabytes = size / 1e6
        self.stream.write(
            f"\r{self.label}: {items} scanned, {megabytes:.1f} MB, {megabytes / elapsed:.1f} MB/s "
        )
        self.stream.flush()
        self._shown = True

    def finish(self) -> None:
        """Clear the line if anything was drawn."""
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def progress_for(enabled: bool | None, label: str) -> ProgressLine | None:
    """A progress line when ``enabled`` (None: when stderr is a terminal)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    return ProgressLine(label) if enabled else None
