"""Properties: barrier round-trips and path binding; Shamir threshold behaviour."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sealbox import shamir
from sealbox.barrier import aes_gcm
from sealbox.barrier.barrier import Barrier
from sealbox.barrier.paths import RESERVED_PATHS
from sealbox.errors import IntegrityError
from sealbox.storage import InMemoryStorage

_SEGMENT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="/\x00"),
    min_size=1,
    max_size=12,
).filter(lambda s: s != "..")
_PATH = (
    st.lists(_SEGMENT, min_size=1, max_size=4)
    .map("/".join)
    .filter(lambda p: p not in RESERVED_PATHS)
)
_ROOT_KEY = bytes(range(32))


def _unsealed_barrier() -> tuple[Barrier, InMemoryStorage]:
    physical = InMemoryStorage()
    barrier = Barrier(physical)

    async def setup() -> None:
        await barrier.initialize(_ROOT_KEY)
        await barrier.unseal(_ROOT_KEY)

    asyncio.run(setup())
    return barrier, physical


@settings(max_examples=100, deadline=None)
@given(entries=st.dictionaries(_PATH, st.binary(max_size=256), min_size=1, max_size=8))
def test_barrier_round_trips_any_path_and_value(entries: dict[str, bytes]) -> None:
    barrier, physical = _unsealed_barrier()

    async def go() -> None:
        for path, value in entries.items():
            await barrier.put(path, value)
        for path, value in entries.items():
            assert await barrier.get(path) == value
            record = await physical.get(path)
            assert record is not None
            assert len(record) == aes_gcm.MIN_RECORD_SIZE + len(value)

    asyncio.run(go())


@settings(max_examples=100, deadline=None)
@given(source=_PATH, target=_PATH, value=st.binary(max_size=64))
def test_a_record_only_opens_at_its_own_path(source: str, target: str, value: bytes) -> None:
    assume(source != target)
    barrier, physical = _unsealed_barrier()

    async def go() -> None:
        await barrier.put(source, value)
        record = await physical.get(source)
        assert record is not None
        await physical.put(target, record)
        with pytest.raises(IntegrityError):
            await barrier.get(target)

    asyncio.run(go())


@settings(max_examples=60, deadline=None)
@given(
    secret=st.binary(min_size=1, max_size=40),
    parts=st.integers(min_value=2, max_value=7),
    data=st.data(),
)
def test_any_threshold_subset_recovers_the_secret(
    secret: bytes, parts: int, data: st.DataObject
) -> None:
    threshold = data.draw(st.integers(min_value=2, max_value=parts), label="threshold")
    shares = shamir.split(secret, parts, threshold)
    assert len(shares) == parts
    assert all(len(share) == len(secret) + 1 for share in shares)
    assert len({share[-1] for share in shares}) == parts
    size = data.draw(st.integers(min_value=threshold, max_value=parts), label="size")
    subset = data.draw(st.permutations(shares), label="order")[:size]
    assert shamir.combine(subset) == secret


def test_every_subset_at_or_above_threshold_recovers() -> None:
    secret = bytes(range(32))
    shares = shamir.split(secret, 5, 3)
    for size in range(3, 6):
        for subset in itertools.combinations(shares, size):
            assert shamir.combine(list(subset)) == secret


@settings(max_examples=60, deadline=None)
@given(
    secret=st.binary(min_size=16, max_size=33),
    parts=st.integers(min_value=3, max_value=7),
    data=st.data(),
)
def test_fewer_than_threshold_shares_do_not_recover(
    secret: bytes, parts: int, data: st.DataObject
) -> None:
    threshold = data.draw(st.integers(min_value=3, max_value=parts), label="threshold")
    shares = shamir.split(secret, parts, threshold)
    size = data.draw(st.integers(min_value=2, max_value=threshold - 1), label="size")
    subset = data.draw(st.permutations(shares), label="order")[:size]
    # With a 16+ byte secret a coincidental match has probability below 2^-128.
    assert shamir.combine(subset) != secret


@pytest.mark.parametrize(("parts", "threshold"), [(1, 1), (3, 1), (2, 3), (256, 2)], ids=str)
def test_split_refuses_bad_parameters(parts: int, threshold: int) -> None:
    with pytest.raises(ValueError, match="threshold"):
        shamir.split(b"secret", parts, threshold)


@pytest.mark.parametrize(
    "shares",
    [[], [b"ab"], [b"abc", b"ab"], [b"a\x01", b"b\x01"], [b"a\x00", b"b\x01"]],
    ids=["none", "one", "lengths", "duplicate-x", "zero-x"],
)
def test_combine_refuses_malformed_shares(shares: list[bytes]) -> None:
    with pytest.raises(ValueError):
        shamir.combine(shares)
