"""In-memory storage: the backend for dev mode and unit tests (OpenBao's physical/inmem).

Values live in a dict; a parallel sorted key list answers ``list(prefix)`` with bisects
that skip over each folder's contents instead of scanning them. Everything runs on the event
loop without awaiting in the middle of a mutation, so each call, including a whole
transaction, is atomic for other tasks.
Not thread-safe and not durable, by design.
"""

from __future__ import annotations

import builtins
from bisect import bisect_left, insort

from sealbox.logical.storage import TxOp
from sealbox.storage.keys import check_key, check_prefix


class InMemoryStorage:
    """A dict-backed ``Storage``."""

    __slots__ = ("_data", "_sorted")

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}
        self._sorted: builtins.list[str] = []

    def __repr__(self) -> str:
        return f"InMemoryStorage(<{len(self._data)} keys>)"

    async def get(self, key: str) -> bytes | None:
        check_key(key)
        return self._data.get(key)

    async def put(self, key: str, value: bytes) -> None:
        check_key(key)
        self._put(key, bytes(value))

    async def delete(self, key: str) -> None:
        check_key(key)
        self._delete(key)

    async def list(self, prefix: str) -> builtins.list[str]:
        check_prefix(prefix)
        keys = self._sorted
        out: builtins.list[str] = []
        index = bisect_left(keys, prefix)
        while index < len(keys) and keys[index].startswith(prefix):
            rest = keys[index][len(prefix) :]
            slash = rest.find("/")
            if slash < 0:
                out.append(rest)
                index += 1
            else:
                out.append(rest[: slash + 1])
                # Skip the whole folder: "0" is the character right after "/".
                index = bisect_left(keys, prefix + rest[:slash] + "0", index)
        return sorted(out)

    async def transaction(self, ops: builtins.list[TxOp]) -> None:
        # Validate everything first: a bad op must leave nothing behind.
        for op in ops:
            check_key(op.key)
        prepared = [(op.key, None if op.value is None else bytes(op.value)) for op in ops]
        for key, value in prepared:
            if value is None:
                self._delete(key)
            else:
                self._put(key, value)

    async def close(self) -> None:
        """Nothing to release; present so every backend can be closed the same way."""

    def _put(self, key: str, value: bytes) -> None:
        if key not in self._data:
            insort(self._sorted, key)
        self._data[key] = value

    def _delete(self, key: str) -> None:
        if self._data.pop(key, None) is not None:
            index = bisect_left(self._sorted, key)
            del self._sorted[index]
