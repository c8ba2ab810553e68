"""``sealbox operator migrate`` and ``sealbox operator snapshot save|restore``: offline storage tools.

``migrate -config=migrate.hcl`` copies every entry from ``storage_source`` to
``storage_destination`` (Vault's file format and command, command/operator_migrate.go), into an
empty destination, then verifies entry count and checksum. ``snapshot save -config=server.hcl
FILE`` writes the server's storage to a file (a PostgreSQL snapshot is consistent while servers
run; stop a SQLite server first); ``snapshot restore -config=server.hcl FILE`` loads one into the
configured storage while every server on it is stopped (``-force`` replaces existing data).
Entries are copied as stored, still encrypted by the barrier: the same unseal keys open the copy.
The storage modules are imported when a command runs, so other commands start fast.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from sealbox.cli.base import VaultCommand, VaultGroup, fail, out, run, usage_args
from sealbox.errors import SealboxError

if TYPE_CHECKING:
    from sealbox.logical.storage import Storage
    from sealbox.storage.snapshot import Summary

T = TypeVar("T")
_ARGS = click.argument("args", nargs=-1)


def _run_async(body: Callable[[], Awaitable[T]]) -> T:
    """Run ``body``; configuration, snapshot and storage failures exit 1 with their message."""

    async def wrapped() -> T:
        return await body()

    from sealbox.server.config import ConfigError
    from sealbox.storage.snapshot import SnapshotError

    try:
        return asyncio.run(wrapped())
    except (ConfigError, SnapshotError, ValueError, OSError) as err:
        fail(f"Error: {err}")
    except SealboxError as err:
        cause = type(err.__cause__).__name__ if err.__cause__ else ""
        fail(f"Error: {err.public_message}" + (f" ({cause})" if cause else ""))


async def _close(storage: Storage) -> None:
    close = getattr(storage, "close", None)
    if close is not None:
        await close()


@click.command("migrate", cls=VaultCommand)
@click.option("--config", "config_path", required=True, help="migrate.hcl")
@_ARGS
@run
def migrate_cmd(config_path: str, args: tuple[str, ...]) -> int:
    """Copy all storage entries from storage_source to storage_destination (offline)."""
    from sealbox.server.config import ConfigError, load_migration_config
    from sealbox.storage import open_storage
    from sealbox.storage.snapshot import copy

    usage_args(args, 0)
    try:
        config = load_migration_config(config_path)
    except ConfigError as err:
        fail(f"Error loading migration configuration: {err}")

    async def body() -> Summary:
        source = open_storage(config.source_type, config.source_options)
        destination = open_storage(config.destination_type, config.destination_options)
        try:
            return await copy(source, destination)
        finally:
            await _close(source)
            await _close(destination)

    summary = _run_async(body)
    out(
        f"Success! All of the keys have been migrated ({summary.count} entries, "
        f"sha256 {summary.checksum})."
    )
    return 0


@click.group("snapshot", cls=VaultGroup)
def snapshot() -> None:
    """Save the server's storage to a file, or restore it from one."""


def _server_storage(config_path: str) -> Storage:
    from sealbox.server.config import ConfigError, load_config
    from sealbox.storage import open_storage

    try:
        config = load_config([config_path])
    except ConfigError as err:
        fail(f"Error loading configuration: {err}")
    if config.storage_type == "inmem":
        fail("Error: inmem storage lives inside the server process; nothing to snapshot")
    return open_storage(config.storage_type, config.storage_options)


@snapshot.command("save")
@click.option("--config", "config_path", required=True, help="the server's configuration")
@_ARGS
@run
def save_cmd(config_path: str, args: tuple[str, ...]) -> int:
    """Write every storage entry (encrypted as stored) to FILE."""
    from sealbox.storage.snapshot import save

    usage_args(args, 1)
    storage = _server_storage(config_path)

    async def body() -> Summary:
        try:
            return await save(storage, Path(args[0]))
        finally:
            await _close(storage)

    summary = _run_async(body)
    out(f"Snapshot saved to {args[0]} ({summary.count} entries, sha256 {summary.checksum}).")
    return 0


@snapshot.command("restore")
@click.option("--config", "config_path", required=True, help="the server's configuration")
@click.option("--force", is_flag=True, default=False, help="replace existing data")
@_ARGS
@run
def restore_cmd(config_path: str, force: bool, args: tuple[str, ...]) -> int:
    """Load FILE into the configured storage (stop every server on it first)."""
    from sealbox.storage.snapshot import SnapshotError, clear, is_empty, read, write_all

    usage_args(args, 1)
    storage = _server_storage(config_path)

    async def body() -> Summary:
        try:
            items, summary = read(Path(args[0]))  # verified before anything is touched
            if not await is_empty(storage):
                if not force:
                    raise SnapshotError("the storage is not empty (use -force to replace it)")
                await clear(storage)
            await write_all(storage, items)
            return summary
        finally:
            await _close(storage)

    summary = _run_async(body)
    out(f"Snapshot restored ({summary.count} entries, sha256 {summary.checksum}).")
    return 0
