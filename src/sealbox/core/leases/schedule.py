"""When to look at a lease or a token next: a min-heap of due times with lazy cancellation.

Storage is the truth; this is only the alarm clock. Rescheduling pushes a new item and
records its due time in ``_due``; an item popped whose time no longer matches is stale and
skipped (cheaper than removing from the middle of a heap).
"""

from __future__ import annotations

import heapq
import itertools
from datetime import datetime


class Schedule:
    """Keys ("lease:<id>", "token:<hash>") with the moment they are due."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, str]] = []
        self._due: dict[str, datetime] = {}
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self._due)

    def set(self, key: str, due: datetime) -> None:
        """Be woken for ``key`` at ``due`` (replacing any earlier alarm)."""
        self._due[key] = due
        heapq.heappush(self._heap, (due, next(self._seq), key))

    def cancel(self, key: str) -> None:
        """Forget ``key``."""
        self._due.pop(key, None)

    def next_due(self) -> datetime | None:
        """The earliest live due time."""
        while self._heap:
            due, _, key = self._heap[0]
            if self._due.get(key) == due:
                return due
            heapq.heappop(self._heap)
        return None

    def pop_due(self, now: datetime) -> list[str]:
        """Every key due at or before ``now`` (removed from the schedule)."""
        out: list[str] = []
        while self._heap and self._heap[0][0] <= now:
            due, _, key = heapq.heappop(self._heap)
            if self._due.get(key) == due:
                del self._due[key]
                out.append(key)
        return out

    def clear(self) -> None:
        """Forget everything (on seal)."""
        self._heap.clear()
        self._due.clear()
