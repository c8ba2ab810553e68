"""Physical storage backends and the factory the server configuration uses.

``open_storage`` maps a config block such as ``storage "sqlite" { path = "..." }`` to a
backend, like OpenBao's ``physical.Factory`` table (command/commands.go physicalBackends).
"""

from __future__ import annotations

from sealbox.logical.storage import Storage
from sealbox.storage.inmem import InMemoryStorage
from sealbox.storage.sqlite import SQLiteStorage

__all__ = ["InMemoryStorage", "SQLiteStorage", "open_storage"]


def open_storage(kind: str, options: dict[str, str]) -> Storage:
    """Build the backend named ``kind``: "inmem", "sqlite" (needs ``path``) or "postgresql"."""
    if kind == "inmem":
        return InMemoryStorage()
    if kind == "sqlite":
        path = options.get("path")
        if not path:
            raise ValueError('storage "sqlite" needs a "path" option')
        return SQLiteStorage(path)
    if kind == "postgresql":
        from sealbox.storage.postgresql import from_options

        return from_options(options)
    raise ValueError(f"unknown storage type {kind!r}")
