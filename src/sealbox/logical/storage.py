"""The storage protocol every physical backend and every barrier view implements.

Keys are ``/``-separated paths; values are bytes. ``list(prefix)`` returns the immediate
children of ``prefix``: leaf names, and folder names with a trailing ``/`` (Vault's
semantics, sdk/physical). ``transaction`` applies a batch atomically.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class StorageEntry:
    """One key and its value."""

    key: str
    value: bytes

    def __repr__(self) -> str:
        return f"StorageEntry(key={self.key!r}, value=<{len(self.value)} bytes>)"


@dataclass(frozen=True, slots=True)
class TxOp:
    """One operation of a transaction: a put (value set) or a delete (value None)."""

    key: str
    value: bytes | None


@runtime_checkable
class Storage(Protocol):
    """Asynchronous key/value storage.

    (Annotations say ``builtins.list`` because the method ``list`` shadows the builtin here.)
    """

    async def get(self, key: str) -> bytes | None:
        """The value at ``key``, or None."""
        ...

    async def put(self, key: str, value: bytes) -> None:
        """Store ``value`` at ``key`` durably before returning."""
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""
        ...

    async def list(self, prefix: str) -> builtins.list[str]:
        """Sorted immediate children of ``prefix`` (folders end with ``/``)."""
        ...

    async def transaction(self, ops: builtins.list[TxOp]) -> None:
        """Apply every op or none of them."""
        ...


def validate_key(key: str) -> None:
    """Refuse keys that could escape a prefix view."""
    if ".." in key.split("/") or key.startswith("/"):
        raise ValueError("invalid storage key")


class StorageView:
    """A prefix chroot over another Storage: the only storage a mount's backend sees."""

    __slots__ = ("_inner", "prefix")

    def __init__(self, inner: Storage, prefix: str) -> None:
        self._inner = inner
        self.prefix = prefix

    async def get(self, key: str) -> bytes | None:
        validate_key(key)
        return await self._inner.get(self.prefix + key)

    async def put(self, key: str, value: bytes) -> None:
        validate_key(key)
        await self._inner.put(self.prefix + key, value)

    async def delete(self, key: str) -> None:
        validate_key(key)
        await self._inner.delete(self.prefix + key)

    async def list(self, prefix: str) -> builtins.list[str]:
        validate_key(prefix)
        return await self._inner.list(self.prefix + prefix)

    async def transaction(self, ops: builtins.list[TxOp]) -> None:
        for op in ops:
            validate_key(op.key)
        await self._inner.transaction([TxOp(self.prefix + op.key, op.value) for op in ops])

    def sub(self, prefix: str) -> StorageView:
        """A view nested under this one."""
        return StorageView(self._inner, self.prefix + prefix)


async def list_recursive(storage: Storage, prefix: str = "") -> list[str]:
    """Every key under ``prefix`` (relative to it), depth first."""
    out: list[str] = []
    for child in await storage.list(prefix):
        if child.endswith("/"):
            out.extend(child + k for k in await list_recursive(storage, prefix + child))
        else:
            out.append(child)
    return out
