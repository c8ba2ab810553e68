"""Background work of mounted backends: each one's ``periodic`` on its own interval.

Mirrors the role of OpenBao's rollback manager, which calls every backend's PeriodicFunc
about once a minute: key auto-rotation (Transit), static-role rotation (database) and tidy
run without a request. One task wakes every ``tick`` seconds and calls, one after the other,
the backends whose ``periodic_interval`` has elapsed; it runs only while unsealed. A failing
backend is logged by mount and error class (never the message, which might carry data) and
tried again on its next interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from sealbox.core.router import Router

_log = logging.getLogger(__name__)


class PeriodicRunner:
    """Calls ``Backend.periodic`` of every mounted backend that asks for it."""

    def __init__(self, router: Router, tick: float = 1.0) -> None:
        self._router = router
        self._tick = tick
        self._task: asyncio.Task[None] | None = None
        self._last_run: dict[int, float] = {}

    def start(self) -> None:
        """Start the loop (no-op outside a running event loop or when already running)."""
        if self._task is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._task = loop.create_task(self._loop())

    async def stop(self) -> None:
        """Stop the loop and wait for a call under way to end."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._last_run.clear()

    async def run_due(self) -> None:
        """One pass: call each backend whose interval has elapsed since its last call."""
        now = time.monotonic()
        for route in self._router.routes():
            backend = route.backend
            interval = backend.periodic_interval
            if interval <= 0:
                continue
            last = self._last_run.setdefault(id(backend), now)
            if now - last < interval:
                continue
            self._last_run[id(backend)] = now
            try:
                await backend.periodic()
            except Exception as err:  # noqa: BLE001 - one backend must not stop the others
                _log.warning("periodic work of %s failed: %s", route.mount_path, type(err).__name__)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._tick)
            await self.run_due()
