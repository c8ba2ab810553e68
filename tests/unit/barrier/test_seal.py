"""The Shamir seal: init, unseal with any threshold subset, wrong shares, reset, rekey."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable
from typing import TypeVar

import pytest

from sealbox.barrier.barrier import Barrier
from sealbox.barrier.paths import ROOT_KEY_PATH, SEAL_CONFIG_PATH
from sealbox.barrier.seal import (
    InitResult,
    SealConfig,
    UnsealProgress,
    initialize,
    read_seal_config,
    recover_unseal_key,
    rekey_shares,
    replace_unseal_key,
)
from sealbox.errors import AlreadyExists, IntegrityError, InvalidRequest, NotInitialized
from sealbox.logical.storage import TxOp
from sealbox.storage import InMemoryStorage

T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    async def wrapper() -> T:
        return await coro

    return asyncio.run(wrapper())


@pytest.fixture
def physical() -> InMemoryStorage:
    return InMemoryStorage()


@pytest.fixture
def barrier(physical: InMemoryStorage) -> Barrier:
    return Barrier(physical)


def _init(physical: InMemoryStorage, barrier: Barrier, shares: int, threshold: int) -> InitResult:
    return run(initialize(physical, barrier, shares, threshold))


def _unseal(progress: UnsealProgress, shares: list[bytes]) -> list[bool]:
    async def go() -> list[bool]:
        return [await progress.submit(share) for share in shares]

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("shares", "threshold", "message"),
    [
        (0, 1, "shares must be at least one"),
        (3, 0, "threshold must be at least one"),
        (3, 1, "threshold must be greater than one for multiple shares"),
        (256, 2, "shares must be less than 256"),
        (3, 4, "threshold cannot be larger than shares"),
    ],
)
def test_initialize_validates_like_vault(
    physical: InMemoryStorage, barrier: Barrier, shares: int, threshold: int, message: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        _init(physical, barrier, shares, threshold)
    assert caught.value.public_message == f"invalid seal configuration: {message}"
    assert run(barrier.initialized()) is False


def test_initialize_stores_config_and_leaves_the_barrier_sealed(
    physical: InMemoryStorage, barrier: Barrier
) -> None:
    result = _init(physical, barrier, 5, 3)
    assert len(result.key_shares) == 5
    assert all(len(share) == 33 for share in result.key_shares)
    assert len(result.root_key) == 32
    assert barrier.sealed
    assert run(read_seal_config(physical)) == SealConfig(5, 3)
    stored = run(physical.get(SEAL_CONFIG_PATH))
    assert stored is not None
    assert json.loads(stored) == {"type": "shamir", "secret_shares": 5, "secret_threshold": 3}
    record = run(physical.get(ROOT_KEY_PATH))
    assert record is not None
    assert result.root_key not in record


def test_initialize_twice_is_refused(physical: InMemoryStorage, barrier: Barrier) -> None:
    _init(physical, barrier, 1, 1)
    with pytest.raises(AlreadyExists, match="already initialized"):
        _init(physical, barrier, 1, 1)


def test_read_seal_config_before_init_is_none(physical: InMemoryStorage) -> None:
    assert run(read_seal_config(physical)) is None


def test_single_share_is_the_unseal_key(physical: InMemoryStorage, barrier: Barrier) -> None:
    result = _init(physical, barrier, 1, 1)
    assert len(result.key_shares) == 1
    assert len(result.key_shares[0]) == 32
    assert _unseal(UnsealProgress(physical, barrier), result.key_shares) == [True]
    assert not barrier.sealed


def test_every_threshold_subset_unseals(physical: InMemoryStorage, barrier: Barrier) -> None:
    result = _init(physical, barrier, 4, 3)
    for subset in itertools.permutations(result.key_shares, 3):
        barrier.seal()
        progress = UnsealProgress(physical, barrier)
        assert _unseal(progress, list(subset)) == [False, False, True]
        assert not barrier.sealed
        assert progress.progress == 0


def test_progress_nonce_and_duplicates(physical: InMemoryStorage, barrier: Barrier) -> None:
    result = _init(physical, barrier, 3, 2)
    progress = UnsealProgress(physical, barrier)
    assert (progress.progress, progress.nonce) == (0, "")
    assert _unseal(progress, [result.key_shares[0]]) == [False]
    nonce = progress.nonce
    assert len(nonce) == 36
    assert _unseal(progress, [result.key_shares[0]]) == [False]  # duplicate ignored
    assert (progress.progress, progress.nonce) == (1, nonce)
    assert _unseal(progress, [result.key_shares[2]]) == [True]
    assert not barrier.sealed


def test_reset_discards_progress(physical: InMemoryStorage, barrier: Barrier) -> None:
    result = _init(physical, barrier, 3, 2)
    progress = UnsealProgress(physical, barrier)
    _unseal(progress, [result.key_shares[0]])
    first_nonce = progress.nonce
    progress.reset()
    assert (progress.progress, progress.nonce) == (0, "")
    assert _unseal(progress, [result.key_shares[1]]) == [False]
    assert progress.nonce != first_nonce
    assert barrier.sealed


def test_wrong_shares_fail_reset_and_stay_sealed(
    physical: InMemoryStorage, barrier: Barrier
) -> None:
    result = _init(physical, barrier, 3, 2)
    progress = UnsealProgress(physical, barrier)
    forged = bytes([result.key_shares[1][0] ^ 1]) + result.key_shares[1][1:]
    with pytest.raises(InvalidRequest, match="Unseal failed, invalid key"):
        _unseal(progress, [result.key_shares[0], forged])
    assert barrier.sealed
    assert progress.progress == 0
    assert _unseal(progress, result.key_shares[1:]) == [False, True]


def test_shares_from_another_init_do_not_unseal(physical: InMemoryStorage) -> None:
    other_physical = InMemoryStorage()
    foreign = _init(other_physical, Barrier(other_physical), 3, 2)
    barrier = Barrier(physical)
    _init(physical, barrier, 3, 2)
    with pytest.raises(InvalidRequest):
        _unseal(UnsealProgress(physical, barrier), foreign.key_shares[:2])
    assert barrier.sealed


def test_same_x_coordinate_is_an_invalid_request(
    physical: InMemoryStorage, barrier: Barrier
) -> None:
    result = _init(physical, barrier, 3, 2)
    twin = bytes(33 - 1) + result.key_shares[0][-1:]
    with pytest.raises(InvalidRequest, match="failed to compute root key"):
        _unseal(UnsealProgress(physical, barrier), [result.key_shares[0], twin])


@pytest.mark.parametrize(
    ("length", "message"), [(15, "shorter than minimum 16"), (34, "longer than maximum 33")]
)
def test_share_length_is_checked(
    physical: InMemoryStorage, barrier: Barrier, length: int, message: str
) -> None:
    _init(physical, barrier, 3, 2)
    progress = UnsealProgress(physical, barrier)
    with pytest.raises(InvalidRequest, match=message):
        _unseal(progress, [bytes(length)])
    assert progress.progress == 0


def test_unseal_before_init_is_not_initialized(physical: InMemoryStorage, barrier: Barrier) -> None:
    with pytest.raises(NotInitialized):
        _unseal(UnsealProgress(physical, barrier), [bytes(33)])


def test_submit_when_unsealed_reports_unsealed(physical: InMemoryStorage, barrier: Barrier) -> None:
    result = _init(physical, barrier, 1, 1)
    progress = UnsealProgress(physical, barrier)
    _unseal(progress, result.key_shares)
    assert _unseal(progress, [bytes(32)]) == [True]
    assert progress.progress == 0


def test_data_written_after_unseal_survives_reseal(
    physical: InMemoryStorage, barrier: Barrier
) -> None:
    result = _init(physical, barrier, 2, 2)
    _unseal(UnsealProgress(physical, barrier), result.key_shares)
    run(barrier.put("secret/x", b"value"))
    barrier.seal()
    fresh = Barrier(physical)
    _unseal(UnsealProgress(physical, fresh), list(reversed(result.key_shares)))
    assert run(fresh.get("secret/x")) == b"value"


def test_recover_unseal_key(physical: InMemoryStorage, barrier: Barrier) -> None:
    result = _init(physical, barrier, 5, 3)
    first = run(recover_unseal_key(physical, result.key_shares[:3]))
    second = run(recover_unseal_key(physical, result.key_shares[2:]))
    assert first == second
    assert len(first) == 32
    with pytest.raises(InvalidRequest):
        run(recover_unseal_key(physical, result.key_shares[:2]))


def test_recover_before_init_is_not_initialized(physical: InMemoryStorage) -> None:
    with pytest.raises(NotInitialized):
        run(recover_unseal_key(physical, [bytes(32)]))


def test_rekey_shares_replaces_the_shares_but_not_the_data(
    physical: InMemoryStorage, barrier: Barrier
) -> None:
    result = _init(physical, barrier, 3, 2)
    _unseal(UnsealProgress(physical, barrier), result.key_shares[:2])
    run(barrier.put("kept", b"data"))
    unseal_key = run(recover_unseal_key(physical, result.key_shares[:2]))
    new_shares = run(rekey_shares(physical, unseal_key, 5, 4))
    assert len(new_shares) == 5
    assert run(read_seal_config(physical)) == SealConfig(5, 4)
    barrier.seal()
    with pytest.raises(InvalidRequest):
        run(recover_unseal_key(physical, result.key_shares[:2]))
    with pytest.raises(InvalidRequest):
        _unseal(UnsealProgress(physical, barrier), [*result.key_shares, new_shares[0]])
    assert _unseal(UnsealProgress(physical, barrier), new_shares[1:]) == [False] * 3 + [True]
    assert run(barrier.get("kept")) == b"data"


def test_rekey_to_a_single_share(physical: InMemoryStorage, barrier: Barrier) -> None:
    result = _init(physical, barrier, 3, 2)
    unseal_key = run(recover_unseal_key(physical, result.key_shares[:2]))
    [single] = run(rekey_shares(physical, unseal_key, 1, 1))
    assert len(single) == 32
    assert _unseal(UnsealProgress(physical, barrier), [single]) == [True]


def test_rekey_validates_and_authenticates(physical: InMemoryStorage, barrier: Barrier) -> None:
    result = _init(physical, barrier, 3, 2)
    unseal_key = run(recover_unseal_key(physical, result.key_shares[:2]))
    with pytest.raises(InvalidRequest, match="invalid seal configuration"):
        run(rekey_shares(physical, unseal_key, 2, 3))
    with pytest.raises(InvalidRequest, match="invalid key"):
        run(rekey_shares(physical, bytes(32), 3, 2))
    assert run(read_seal_config(physical)) == SealConfig(3, 2)


def test_init_result_repr_hides_keys(physical: InMemoryStorage, barrier: Barrier) -> None:
    result = _init(physical, barrier, 1, 1)
    assert repr(result) == "InitResult()"


def test_malformed_seal_config_is_an_integrity_error(physical: InMemoryStorage) -> None:
    run(physical.put(SEAL_CONFIG_PATH, b'{"secret_shares": "many"}'))
    with pytest.raises(IntegrityError):
        run(read_seal_config(physical))


def test_unseal_without_a_root_key_is_not_initialized(
    physical: InMemoryStorage, barrier: Barrier
) -> None:
    _init(physical, barrier, 1, 1)
    run(physical.delete(ROOT_KEY_PATH))
    with pytest.raises(NotInitialized):
        _unseal(UnsealProgress(physical, barrier), [bytes(32)])


def test_replace_unseal_key_with_a_verified_new_key(
    physical: InMemoryStorage, barrier: Barrier
) -> None:
    result = _init(physical, barrier, 3, 2)
    old_key = run(recover_unseal_key(physical, result.key_shares[:2]))
    new_key = bytes(range(100, 132))
    run(replace_unseal_key(physical, old_key, new_key, 1, 1))
    assert run(read_seal_config(physical)) == SealConfig(1, 1)
    assert run(recover_unseal_key(physical, [new_key])) == new_key
    with pytest.raises(InvalidRequest):
        run(replace_unseal_key(physical, old_key, bytes(32), 1, 1))
    with pytest.raises(InvalidRequest):
        run(replace_unseal_key(physical, new_key, b"short", 1, 1))


class _FailingTransactions(InMemoryStorage):
    async def transaction(self, ops: list[TxOp]) -> None:
        raise OSError(f"disk full ({len(ops)} ops lost)")


def test_initialize_is_all_or_nothing() -> None:
    physical = _FailingTransactions()
    barrier = Barrier(physical)
    with pytest.raises(OSError, match="disk full"):
        _init(physical, barrier, 3, 2)
    assert run(physical.list("")) == []
    assert run(barrier.initialized()) is False
