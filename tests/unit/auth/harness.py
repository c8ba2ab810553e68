"""An in-process Core (in-memory storage, initialised and unsealed) for auth-method tests.

The whole pipeline runs: routing, ACLs, the login step that issues tokens, identity. Each test
is one coroutine run with ``run_async`` (no pytest-asyncio), so locks stay on one event loop.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sealbox.core.core import Core
from sealbox.errors import SealboxError
from sealbox.logical import Operation, Request, Response
from sealbox.storage.inmem import InMemoryStorage

AsyncTest = Callable[[], Coroutine[Any, Any, None]]


_OPEN: list[Core] = []


def run_async(test: AsyncTest) -> Callable[[], None]:
    """Turn an async test function into a plain pytest one.

    Every Core the test made is sealed afterwards, so its background work (the expiration
    manager, periodic functions) stops inside the test's own event loop.
    """

    async def body() -> None:
        try:
            await test()
        finally:
            while _OPEN:
                await _OPEN.pop().seal()

    @functools.wraps(test)
    def wrapper() -> None:
        asyncio.run(body())

    return wrapper


@dataclass
class FakeClock:
    """A clock the tests move by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Harness:
    """A Core with its root token, and shorthands for requests."""

    core: Core
    root: str
    clock: FakeClock
    unseal_key: bytes = field(default=b"", repr=False)

    async def call(
        self,
        operation: Operation,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        address: str = "127.0.0.1",
    ) -> Response:
        """One request through the pipeline (root token unless ``token`` is given)."""
        request = Request(
            operation=operation,
            path=path,
            data=data or {},
            client_token=self.root if token is None else token,
            client_address=address,
        )
        return await self.core.handle(request)

    async def write(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Response:
        """An UPDATE (POST/PUT)."""
        return await self.call(Operation.UPDATE, path, data, **kw)

    async def read(self, path: str, **kw: Any) -> Response:
        """A READ (GET)."""
        return await self.call(Operation.READ, path, **kw)

    async def error(
        self, operation: Operation, path: str, data: dict[str, Any] | None = None, **kw: Any
    ) -> SealboxError:
        """The error a request raises (fails the test when it succeeds)."""
        try:
            await self.call(operation, path, data, **kw)
        except SealboxError as err:
            return err
        raise AssertionError(f"{operation.value} {path} succeeded")


async def make_harness() -> Harness:
    """A fresh initialised, unsealed Core on in-memory storage."""
    clock = FakeClock()
    core = Core(InMemoryStorage(), clock=clock)
    init = await core.initialize(1, 1)
    await core.unseal(init.keys[0])
    # These tests need no lease expiry; the manager's background task, left running under a
    # fake clock, kept asyncio.run from finishing (pytest only), so it is stopped here.
    await core.expiration.stop()
    _OPEN.append(core)
    return Harness(core, init.root_token, clock, init.keys[0])
