"""The barrier encrypts everything, authenticates every read and obeys the seal."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sealbox.barrier import aes_gcm
from sealbox.barrier.barrier import Barrier, KeyStatus
from sealbox.barrier.paths import KEYRING_PATH, ROOT_KEY_PATH, SEAL_CONFIG_PATH
from sealbox.errors import AlreadyExists, IntegrityError, InvalidRequest, NotInitialized, Sealed
from sealbox.logical.storage import TxOp
from sealbox.storage import InMemoryStorage, SQLiteStorage
from sealbox.storage.testing import exercise_storage


def run(coro: Awaitable[object]) -> object:
    async def wrapper() -> object:
        return await coro

    return asyncio.run(wrapper())


def test_barrier_passes_storage_conformance(barrier: Barrier) -> None:
    run(exercise_storage(barrier))


def test_barrier_over_sqlite_passes_conformance(tmp_path: Path, root_key: bytes) -> None:
    async def go() -> None:
        physical = SQLiteStorage(f"{tmp_path}/db")
        barrier = Barrier(physical)
        await barrier.initialize(root_key)
        await barrier.unseal(root_key)
        try:
            await exercise_storage(barrier)
        finally:
            await physical.close()

    asyncio.run(go())


def test_values_are_encrypted_at_rest(barrier: Barrier, physical: InMemoryStorage) -> None:
    run(barrier.put("secret/a", b"plaintext-canary"))
    record = run(physical.get("secret/a"))
    assert isinstance(record, bytes)
    assert b"plaintext-canary" not in record
    term, version = struct.unpack(">IB", record[:5])
    assert (term, version) == (1, 2)
    assert len(record) == 5 + 12 + len(b"plaintext-canary") + 16
    assert run(barrier.get("secret/a")) == b"plaintext-canary"


def test_same_value_encrypts_differently(barrier: Barrier, physical: InMemoryStorage) -> None:
    run(barrier.put("a", b"same"))
    first = run(physical.get("a"))
    run(barrier.put("a", b"same"))
    assert run(physical.get("a")) != first


def test_every_flipped_byte_is_refused(barrier: Barrier, physical: InMemoryStorage) -> None:
    run(barrier.put("k", b"value"))
    record = run(physical.get("k"))
    assert isinstance(record, bytes)
    for index in range(len(record)):
        for bit in (0x01, 0x80):
            tampered = bytearray(record)
            tampered[index] ^= bit
            run(physical.put("k", bytes(tampered)))
            with pytest.raises(IntegrityError):
                run(barrier.get("k"))


@pytest.mark.parametrize("length", [0, 5, 16, 32])
def test_truncated_records_are_refused(
    barrier: Barrier, physical: InMemoryStorage, length: int
) -> None:
    run(barrier.put("k", b"value"))
    record = run(physical.get("k"))
    assert isinstance(record, bytes)
    run(physical.put("k", record[:length]))
    with pytest.raises(IntegrityError):
        run(barrier.get("k"))


def test_a_value_moved_to_another_path_is_refused(
    barrier: Barrier, physical: InMemoryStorage
) -> None:
    run(barrier.put("users/alice", b"alice-secret"))
    record = run(physical.get("users/alice"))
    assert isinstance(record, bytes)
    run(physical.put("users/mallory", record))
    with pytest.raises(IntegrityError):
        run(barrier.get("users/mallory"))


def test_a_version_one_record_is_refused(barrier: Barrier, physical: InMemoryStorage) -> None:
    run(barrier.put("k", b"value"))
    record = run(physical.get("k"))
    assert isinstance(record, bytes)
    run(physical.put("k", record[:4] + b"\x01" + record[5:]))
    with pytest.raises(IntegrityError):
        run(barrier.get("k"))


def test_an_unknown_term_is_refused(barrier: Barrier, physical: InMemoryStorage) -> None:
    run(barrier.put("k", b"value"))
    record = run(physical.get("k"))
    assert isinstance(record, bytes)
    run(physical.put("k", struct.pack(">I", 7) + record[4:]))
    with pytest.raises(IntegrityError):
        run(barrier.get("k"))


def test_integrity_errors_do_not_leak_data(barrier: Barrier, physical: InMemoryStorage) -> None:
    run(barrier.put("k", b"canary-value-123"))
    record = run(physical.get("k"))
    assert isinstance(record, bytes)
    run(physical.put("moved", record))
    with pytest.raises(IntegrityError) as caught:
        run(barrier.get("moved"))
    assert "canary" not in str(caught.value)
    assert caught.value.status == 500


def test_rotate_keeps_old_values_and_writes_with_new_term(
    barrier: Barrier, physical: InMemoryStorage
) -> None:
    run(barrier.put("old", b"one"))
    assert run(barrier.rotate()) == 2
    run(barrier.put("new", b"two"))
    old_record, new_record = run(physical.get("old")), run(physical.get("new"))
    assert isinstance(old_record, bytes)
    assert isinstance(new_record, bytes)
    assert aes_gcm.record_term(old_record) == 1
    assert aes_gcm.record_term(new_record) == 2
    assert run(barrier.get("old")) == b"one"
    assert run(barrier.get("new")) == b"two"
    assert barrier.key_status().term == 2


def test_rotation_survives_seal_and_unseal(barrier: Barrier, root_key: bytes) -> None:
    run(barrier.put("t1", b"one"))
    run(barrier.rotate())
    run(barrier.put("t2", b"two"))
    run(barrier.rotate())
    barrier.seal()
    run(barrier.unseal(root_key))
    assert barrier.key_status().term == 3
    assert run(barrier.get("t1")) == b"one"
    assert run(barrier.get("t2")) == b"two"


def test_a_new_barrier_on_the_same_storage_reads_the_data(
    barrier: Barrier, physical: InMemoryStorage, root_key: bytes
) -> None:
    run(barrier.put("a/b", b"persisted"))
    other = Barrier(physical)
    assert other.sealed
    assert run(other.initialized()) is True
    run(other.unseal(root_key))
    assert run(other.get("a/b")) == b"persisted"


def test_key_status_counts_encryptions(barrier: Barrier, fixed_time: datetime) -> None:
    assert barrier.key_status() == KeyStatus(1, fixed_time, 0)
    run(barrier.put("a", b"1"))
    run(barrier.transaction([TxOp("b", b"2"), TxOp("c", b"3"), TxOp("a", None)]))
    assert barrier.key_status().encryptions == 3
    install = barrier.key_status().install_time
    assert install.tzinfo is not None
    assert install.utcoffset() == UTC.utcoffset(None)


def test_encryption_counts_persist_across_rotation(barrier: Barrier, root_key: bytes) -> None:
    run(barrier.put("a", b"1"))
    run(barrier.rotate())
    barrier.seal()
    run(barrier.unseal(root_key))
    assert barrier.key_status().encryptions == 0
    run(barrier.put("b", b"2"))
    assert barrier.key_status().encryptions == 1


SEALED_CALLS: dict[str, Callable[[Barrier], Awaitable[object]]] = {
    "get": lambda b: b.get("k"),
    "put": lambda b: b.put("k", b"v"),
    "delete": lambda b: b.delete("k"),
    "list": lambda b: b.list(""),
    "transaction": lambda b: b.transaction([TxOp("k", b"v")]),
    "rotate": lambda b: b.rotate(),
    "rekey": lambda b: b.rekey(bytes(32)),
}


@pytest.mark.parametrize("name", sorted(SEALED_CALLS))
def test_operations_while_sealed_raise_sealed(barrier: Barrier, name: str) -> None:
    barrier.seal()
    assert barrier.sealed
    with pytest.raises(Sealed):
        run(SEALED_CALLS[name](barrier))


def test_key_status_while_sealed_raises_sealed(barrier: Barrier) -> None:
    barrier.seal()
    with pytest.raises(Sealed):
        barrier.key_status()


def test_unseal_with_a_wrong_key_stays_sealed(barrier: Barrier) -> None:
    barrier.seal()
    with pytest.raises(InvalidRequest, match="invalid key"):
        run(barrier.unseal(bytes(32)))
    with pytest.raises(InvalidRequest):
        run(barrier.unseal(b"short"))
    assert barrier.sealed


def test_unseal_when_already_unsealed_is_a_no_op(barrier: Barrier) -> None:
    run(barrier.unseal(bytes(32)))
    assert not barrier.sealed


def test_uninitialized_barrier(physical: InMemoryStorage, root_key: bytes) -> None:
    barrier = Barrier(physical)
    assert run(barrier.initialized()) is False
    with pytest.raises(NotInitialized):
        run(barrier.unseal(root_key))


def test_initialize_twice_is_refused(barrier: Barrier, root_key: bytes) -> None:
    with pytest.raises(AlreadyExists, match="already initialized"):
        run(barrier.initialize(root_key))


def test_initialize_leaves_the_barrier_sealed(physical: InMemoryStorage, root_key: bytes) -> None:
    barrier = Barrier(physical)
    run(barrier.initialize(root_key))
    assert barrier.sealed
    assert run(barrier.initialized()) is True


def test_rekey_changes_the_root_key(barrier: Barrier, root_key: bytes) -> None:
    new_root = bytes(reversed(range(32)))
    run(barrier.put("k", b"v"))
    run(barrier.rekey(new_root))
    barrier.seal()
    with pytest.raises(InvalidRequest):
        run(barrier.unseal(root_key))
    run(barrier.unseal(new_root))
    assert run(barrier.get("k")) == b"v"
    run(barrier.rotate())  # rotation after rekey stores the keyring under the new root key
    barrier.seal()
    run(barrier.unseal(new_root))
    assert barrier.key_status().term == 2


def test_a_seal_during_rotation_is_not_undone(barrier: Barrier) -> None:
    async def go() -> None:
        rotation = asyncio.ensure_future(barrier.rotate())
        await asyncio.sleep(0)
        barrier.seal()
        await rotation
        assert barrier.sealed

    asyncio.run(go())


def test_concurrent_rotations_get_distinct_terms(barrier: Barrier, root_key: bytes) -> None:
    async def go() -> list[int]:
        return list(await asyncio.gather(*(barrier.rotate() for _ in range(5))))

    terms = run(go())
    assert sorted(terms) == [2, 3, 4, 5, 6]  # type: ignore[call-overload]
    barrier.seal()
    run(barrier.unseal(root_key))
    assert barrier.key_status().term == 6


@pytest.mark.parametrize("path", [KEYRING_PATH, ROOT_KEY_PATH, SEAL_CONFIG_PATH])
def test_reserved_paths_are_hidden_and_protected(
    barrier: Barrier, physical: InMemoryStorage, path: str
) -> None:
    run(physical.put(ROOT_KEY_PATH, b"sealed-root-key"))
    run(physical.put(SEAL_CONFIG_PATH, b"{}"))
    assert run(barrier.get(path)) is None
    assert run(barrier.list("")) == []
    assert run(barrier.list("core/")) == []
    with pytest.raises(InvalidRequest):
        run(barrier.put(path, b"x"))
    with pytest.raises(InvalidRequest):
        run(barrier.delete(path))
    with pytest.raises(InvalidRequest):
        run(barrier.transaction([TxOp("ok", b"1"), TxOp(path, None)]))
    assert run(barrier.get("ok")) is None
    assert run(physical.get(path)) is not None


def test_other_core_entries_stay_visible(barrier: Barrier) -> None:
    run(barrier.put("core/mounts", b"m"))
    assert run(barrier.list("")) == ["core/"]
    assert run(barrier.list("core/")) == ["mounts"]
    assert run(barrier.list("co")) == ["re/"]


def test_keyring_record_is_not_plaintext(barrier: Barrier, physical: InMemoryStorage) -> None:
    record = run(physical.get(KEYRING_PATH))
    assert isinstance(record, bytes)
    assert b"active_term" not in record
    assert aes_gcm.record_term(record) == 0


def test_a_tampered_keyring_does_not_unseal(
    barrier: Barrier, physical: InMemoryStorage, root_key: bytes
) -> None:
    record = run(physical.get(KEYRING_PATH))
    assert isinstance(record, bytes)
    run(physical.put(KEYRING_PATH, record[:-1] + bytes([record[-1] ^ 1])))
    barrier.seal()
    with pytest.raises(InvalidRequest):
        run(barrier.unseal(root_key))
    assert barrier.sealed


def test_repr_shows_no_keys(barrier: Barrier) -> None:
    assert repr(barrier) == "Barrier(sealed=False)"


def test_clock_default_is_aware_utc(physical: InMemoryStorage, root_key: bytes) -> None:
    barrier = Barrier(physical)
    run(barrier.initialize(root_key))
    run(barrier.unseal(root_key))
    installed = barrier.key_status().install_time
    assert installed.tzinfo is not None
    assert abs((datetime.now(UTC) - installed).days) < 1
