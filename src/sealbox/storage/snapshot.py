"""Storage snapshots and copies between backends: what ``operator snapshot`` and ``migrate`` use.

Everything here works on the *physical* layer, below the barrier: values are copied exactly as
stored, i.e. encrypted, so a snapshot file holds no plaintext secret (keys are storage paths such
as ``logical/<mount uuid>/...``, as in every backend) and it restores into any backend, like
OpenBao's ``operator migrate`` (command/operator_migrate.go), which also copies raw entries.

Consistency: a backend with ``dump()`` (PostgreSQL: one statement, one MVCC snapshot) is read
while servers keep running; for the others the server must be stopped (migration is offline
anyway, as in Vault).

File format (ours; big-endian)::

    b"SEALBOX-SNAPSHOT\\x00\\x01"                       magic and format version 1
    repeated: u32 key length, key (UTF-8), u32 value length, value
    u32 0xFFFFFFFF, u64 entry count, 32-byte SHA-256    trailer

The digest covers every record in file order (keys ascending) and is the same ``checksum`` the
migration compares between source and destination.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sealbox.logical.storage import Storage, TxOp, list_recursive

MAGIC = b"SEALBOX-SNAPSHOT\x00\x01"
_END = 0xFFFFFFFF
_BATCH = 500


class SnapshotError(Exception):
    """A snapshot file that is not one, is truncated, or fails its checksum."""


@dataclass(frozen=True, slots=True)
class Summary:
    """How many entries and their checksum (hex SHA-256 over the records)."""

    count: int
    checksum: str


def _record(key: str, value: bytes) -> bytes:
    encoded = key.encode()
    return struct.pack(">I", len(encoded)) + encoded + struct.pack(">I", len(value)) + value


async def entries(storage: Storage) -> AsyncIterator[tuple[str, bytes]]:
    """Every (key, value), keys ascending by code point, from one consistent read if possible."""
    dump = getattr(storage, "dump", None)
    if dump is not None:
        for key, value in await dump():
            yield key, value
        return
    for key in sorted(await list_recursive(storage, "")):
        value = await storage.get(key)
        if value is not None:
            yield key, value


async def summarize(storage: Storage) -> Summary:
    """Count and checksum of everything in ``storage``."""
    digest = hashlib.sha256()
    count = 0
    async for key, value in entries(storage):
        digest.update(_record(key, value))
        count += 1
    return Summary(count, digest.hexdigest())


async def save(storage: Storage, path: Path) -> Summary:
    """Write a snapshot of ``storage`` to ``path`` (created 0600, replaced atomically)."""
    tmp = path.with_name(path.name + ".partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    digest = hashlib.sha256()
    count = 0
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC)
            async for key, value in entries(storage):
                record = _record(key, value)
                digest.update(record)
                out.write(record)
                count += 1
            out.write(struct.pack(">IQ", _END, count) + digest.digest())
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Summary(count, digest.hexdigest())


def read(path: Path) -> tuple[list[tuple[str, bytes]], Summary]:
    """Parse and verify a snapshot file completely (nothing is restored from a bad file)."""
    with path.open("rb") as src:
        return _parse(src)


def _exact(src: BinaryIO, size: int) -> bytes:
    data = src.read(size)
    if len(data) != size:
        raise SnapshotError("snapshot is truncated")
    return data


def _parse(src: BinaryIO) -> tuple[list[tuple[str, bytes]], Summary]:
    if src.read(len(MAGIC)) != MAGIC:
        raise SnapshotError("not a sealbox snapshot (or an unsupported version)")
    digest = hashlib.sha256()
    items: list[tuple[str, bytes]] = []
    while True:
        (size,) = struct.unpack(">I", _exact(src, 4))
        if size == _END:
            break
        raw_key = _exact(src, size)
        (value_size,) = struct.unpack(">I", _exact(src, 4))
        value = _exact(src, value_size)
        try:
            key = raw_key.decode()
        except UnicodeDecodeError as err:
            raise SnapshotError("snapshot holds an undecodable key") from err
        digest.update(_record(key, value))
        items.append((key, value))
    (count,) = struct.unpack(">Q", _exact(src, 8))
    if count != len(items) or _exact(src, 32) != digest.digest() or src.read(1):
        raise SnapshotError("snapshot checksum mismatch: the file is damaged")
    return items, Summary(count, digest.hexdigest())


async def is_empty(storage: Storage) -> bool:
    """True when ``storage`` holds no key at all."""
    return not await storage.list("")


async def clear(storage: Storage) -> None:
    """Delete every key (restore with ``-force``)."""
    keys = await list_recursive(storage, "")
    for start in range(0, len(keys), _BATCH):
        await storage.transaction([TxOp(k, None) for k in keys[start : start + _BATCH]])


async def write_all(storage: Storage, items: Iterable[tuple[str, bytes]]) -> None:
    """Store ``items`` in batches of one transaction each."""
    batch: list[TxOp] = []
    for key, value in items:
        batch.append(TxOp(key, value))
        if len(batch) >= _BATCH:
            await storage.transaction(batch)
            batch = []
    if batch:
        await storage.transaction(batch)


async def copy(source: Storage, destination: Storage) -> Summary:
    """Copy everything from ``source`` into the empty ``destination`` and verify the result.

    Raises ``SnapshotError`` when the destination is not empty or, after the copy, does not hold
    exactly what the source held (count and checksum).
    """
    if not await is_empty(destination):
        raise SnapshotError("the destination storage is not empty")
    items = [item async for item in entries(source)]
    await write_all(destination, items)
    digest = hashlib.sha256()
    for key, value in items:
        digest.update(_record(key, value))
    expected = Summary(len(items), digest.hexdigest())
    got = await summarize(destination)
    if got != expected:
        raise SnapshotError(
            f"verification failed: copied {expected.count} entries (sha256 {expected.checksum}), "
            f"destination holds {got.count} (sha256 {got.checksum})"
        )
    return got
