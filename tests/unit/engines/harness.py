"""Test harness: drive a backend's ``handle`` like the core would and render the outcome.

``call`` turns a (operation, path, data) step into a Request over an in-memory storage and
returns the status and body the Vault HTTP layer would produce: an error becomes
``{"errors": [...]}`` (or the envelope's ``data`` when the error carries one, as kv v2 deleted
versions do), None becomes 404 for reads and lists and 204 otherwise.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sealbox.errors import SealboxError
from sealbox.framework import Backend, BackendConfig
from sealbox.logical import Operation, Request
from sealbox.storage.inmem import InMemoryStorage

START = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass(frozen=True)
class TokenEntry:
    """The part of a token entry cubbyhole reads."""

    cubbyhole_id: str


@dataclass
class Outcome:
    """What a client would see."""

    status: int
    data: Any = None
    errors: list[str] | None = None
    warnings: list[str] = field(default_factory=list)
    lease_duration: int | None = None
    envelope: bool = False


def make_config(options: dict[str, str] | None = None, mount_type: str = "kv") -> BackendConfig:
    return BackendConfig(
        mount_path="secret/",
        mount_type=mount_type,
        storage=InMemoryStorage(),
        options=options or {},
        default_lease_ttl=0,
    )


def call(
    backend: Backend,
    operation: Operation,
    path: str,
    data: dict[str, Any] | None = None,
    *,
    token_entry: Any = None,
) -> Outcome:
    """Run one request through ``backend.handle`` and render it."""
    req = Request(
        operation=operation,
        path=path,
        data=dict(data or {}),
        storage=backend.config.storage,
        token_entry=token_entry,
    )
    try:
        resp = asyncio.run(backend.handle(req))
    except SealboxError as err:
        if err.data is not None or err.warnings:
            return Outcome(err.status, data=err.data, warnings=err.warnings, envelope=True)
        return Outcome(err.status, errors=err.messages)
    if resp is None:
        if operation in (Operation.READ, Operation.LIST):
            return Outcome(404, errors=[])
        return Outcome(204)
    status = 200 if resp.data is not None or resp.warnings else 204
    lease = None if resp.secret is None else resp.secret.ttl
    return Outcome(
        status,
        data=resp.data,
        warnings=list(resp.warnings),
        lease_duration=lease,
        envelope=True,
    )


def shape(value: Any) -> Any:
    """Keys and JSON types of ``value`` (what the compat test compares)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__
