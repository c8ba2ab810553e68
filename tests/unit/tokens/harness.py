"""Test helpers for the token store and the ``auth/token/`` backend: a fake clock and a
harness that drives the backend through ``handle`` as the core would (token looked up, sudo
decided by the caller's grants, a real policy store behind the policy lookups)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sealbox.core.tokens import TokenStore
from sealbox.errors import NotFound
from sealbox.framework import Backend
from sealbox.logical import Operation, Request, Response
from sealbox.storage.inmem import InMemoryStorage

T = TypeVar("T")
ROOT = "root-token-for-tests"


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine to completion (no pytest-asyncio)."""
    return asyncio.run(coro)


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
    """A store, its storage and the backend over it, plus a root token."""

    storage: InMemoryStorage
    clock: FakeClock
    store: TokenStore
    backend: Backend
    root: str
    #: Accessors of tokens whose policies grant sudo on the token paths (the core's ACL).
    sudo_accessors: set[str] = field(default_factory=set)

    def call(
        self, operation: Operation, path: str, data: dict[str, Any] | None = None, token: str = ROOT
    ) -> Response | None:
        """One request as the core would route it (token looked up, mount-relative path)."""

        async def go() -> Response | None:
            entry = await self.store.lookup(token)
            req = Request(
                operation,
                path,
                dict(data or {}),
                client_token=token,
                token_entry=entry,
                mount_point="auth/token/",
                storage=self.storage,
                sudo=entry is not None and entry.accessor in self.sudo_accessors,
            )
            response = await self.backend.handle(req)
            if response is None and operation in (Operation.READ, Operation.LIST):
                raise NotFound()
            return response

        return run(go())

    def create(self, token: str = ROOT, **data: Any) -> tuple[str, str]:
        """Create a token through the backend; returns (token, accessor)."""
        response = self.call(Operation.UPDATE, "create", data, token=token)
        assert response is not None
        assert response.auth is not None
        return response.auth.client_token, response.auth.accessor
