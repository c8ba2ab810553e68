"""Key groups: one group wraps the whole data key, several groups wrap Shamir shares, and
decryption stops once ``shamir_threshold`` groups answered (hypothesis property tests)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sealbox.sops.keygroups import (
    decrypt_data_key,
    decryption_order,
    encrypt_data_key,
    sort_keys,
)
from sealbox.sops.keys import CouldNotDecryptKeyError, CouldNotEncryptKeyError
from sealbox.sops.keys.base import CouldNotRetrieveKeyError, MasterKey


@dataclass
class MemoryKey:
    """A master key test double: ``enc`` is the hex of what it wrapped; it can be 'lost'."""

    metadata_key: ClassVar[str] = "age"
    name: str
    available: bool = True
    enc: str = ""
    calls: list[str] = field(default_factory=list)
    kind: str = "age"

    @property
    def identifier(self) -> str:
        return self.name

    def encrypt(self, data_key: bytes) -> None:
        self.enc = data_key.hex()

    def decrypt(self) -> bytes:
        self.calls.append("decrypt")
        if not self.available:
            raise CouldNotDecryptKeyError(f"{self.name} is not available here")
        return bytes.fromhex(self.enc)

    def to_metadata(self) -> dict[str, Any]:
        return {"recipient": self.name, "enc": self.enc}

    @classmethod
    def from_metadata(cls, entry: dict[str, Any]) -> Self:
        return cls(name=entry["recipient"], enc=entry["enc"])


@dataclass
class TypedKey(MemoryKey):
    """A MemoryKey that claims another key type, for decryption-order tests."""

    metadata_key: ClassVar[str] = "pgp"


@dataclass
class UnwritableKey(MemoryKey):
    def encrypt(self, data_key: bytes) -> None:  # noqa: ARG002 - MasterKey's signature
        raise CouldNotEncryptKeyError(f"{self.name} refuses")


def _groups(sizes: list[int]) -> list[list[MasterKey]]:
    return [[MemoryKey(f"g{g}k{k}") for k in range(size)] for g, size in enumerate(sizes)]


def test_one_group_every_key_wraps_whole_data_key() -> None:
    groups = _groups([3])
    data_key = secrets.token_bytes(32)
    encrypt_data_key(groups, 0, data_key)
    assert {bytes.fromhex(key.to_metadata()["enc"]) for key in groups[0]} == {data_key}
    assert decrypt_data_key(groups, 5) == data_key  # threshold ignored with one group


def test_several_groups_wrap_33_byte_shares_with_x_coordinates() -> None:
    groups = _groups([2, 1, 1])
    data_key = secrets.token_bytes(32)
    encrypt_data_key(groups, 2, data_key)
    shares = [bytes.fromhex(group[0].to_metadata()["enc"]) for group in groups]
    assert all(len(share) == 33 for share in shares)
    assert len({share[-1] for share in shares}) == 3
    assert groups[0][0].to_metadata()["enc"] == groups[0][1].to_metadata()["enc"]
    assert data_key not in shares


@settings(max_examples=60, deadline=None)
@given(
    data_key=st.binary(min_size=32, max_size=32),
    group_count=st.integers(min_value=2, max_value=6),
    data=st.data(),
)
def test_property_any_threshold_groups_recover_the_key(
    data_key: bytes, group_count: int, data: st.DataObject
) -> None:
    threshold = data.draw(st.integers(min_value=2, max_value=group_count), label="threshold")
    groups = _groups([data.draw(st.integers(1, 3)) for _ in range(group_count)])
    encrypt_data_key(groups, threshold, data_key)
    working = data.draw(
        st.sets(st.integers(0, group_count - 1), min_size=threshold), label="working groups"
    )
    for index, group in enumerate(groups):
        for key in group:
            assert isinstance(key, MemoryKey)
            key.available = index in working
    assert decrypt_data_key(groups, threshold) == data_key


@settings(max_examples=40, deadline=None)
@given(
    data_key=st.binary(min_size=32, max_size=32),
    group_count=st.integers(min_value=2, max_value=5),
    data=st.data(),
)
def test_property_fewer_than_threshold_groups_fail(
    data_key: bytes, group_count: int, data: st.DataObject
) -> None:
    threshold = data.draw(st.integers(min_value=2, max_value=group_count), label="threshold")
    groups = _groups([1] * group_count)
    encrypt_data_key(groups, threshold, data_key)
    working = data.draw(
        st.sets(st.integers(0, group_count - 1), max_size=threshold - 1), label="working"
    )
    for index, group in enumerate(groups):
        for key in group:
            assert isinstance(key, MemoryKey)
            key.available = index in working
    with pytest.raises(CouldNotRetrieveKeyError) as caught:
        decrypt_data_key(groups, threshold)
    assert data_key.hex() not in str(caught.value)


def test_threshold_zero_means_all_groups() -> None:
    groups = _groups([1, 1, 1])
    data_key = secrets.token_bytes(32)
    encrypt_data_key(groups, 0, data_key)
    last = groups[2][0]
    assert isinstance(last, MemoryKey)
    last.available = False
    with pytest.raises(CouldNotRetrieveKeyError, match="2 of the 3"):
        decrypt_data_key(groups, 0)


def test_decrypt_stops_once_threshold_reached() -> None:
    groups = _groups([1, 1, 1])
    encrypt_data_key(groups, 2, secrets.token_bytes(32))
    decrypt_data_key(groups, 2)
    last = groups[2][0]
    assert isinstance(last, MemoryKey)
    assert last.calls == []


def test_first_working_key_of_group_wins() -> None:
    groups = _groups([3])
    encrypt_data_key(groups, 0, secrets.token_bytes(32))
    first, second, third = (key for key in groups[0] if isinstance(key, MemoryKey))
    first.available = False
    decrypt_data_key(groups, 0)
    assert (first.calls, second.calls, third.calls) == (["decrypt"], ["decrypt"], [])


def test_failure_report_lists_every_key_and_reason() -> None:
    groups = _groups([2])
    data_key = secrets.token_bytes(32)
    encrypt_data_key(groups, 0, data_key)
    for key in groups[0]:
        assert isinstance(key, MemoryKey)
        key.available = False
    with pytest.raises(CouldNotRetrieveKeyError) as caught:
        decrypt_data_key(groups, 0)
    message = str(caught.value)
    assert "Group 0: FAILED" in message
    assert "g0k0: FAILED - g0k0 is not available here" in message
    assert "g0k1: FAILED" in message
    assert data_key.hex() not in message
    assert caught.value.exit_code == 128


@pytest.mark.parametrize(
    ("order", "expected"),
    [(None, ["age", "pgp"]), (["pgp", "age"], ["pgp", "age"]), (["kms"], ["pgp", "age"])],
    ids=["default-age-first", "explicit", "unlisted-types-keep-stored-order"],
)
def test_decryption_order(order: list[str] | None, expected: list[str]) -> None:
    group: list[MasterKey] = [TypedKey("p"), MemoryKey("a")]
    ordered = sort_keys(group, decryption_order(order))
    assert [key.metadata_key for key in ordered] == expected


def test_decryption_order_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    group: list[MasterKey] = [MemoryKey("a"), TypedKey("p")]
    encrypt_data_key([group], 0, b"k" * 32)
    monkeypatch.setenv("SOPS_DECRYPTION_ORDER", "pgp,age")
    decrypt_data_key([group], 0)
    age_key, pgp_key = group
    assert isinstance(age_key, MemoryKey)
    assert isinstance(pgp_key, MemoryKey)
    assert (age_key.calls, pgp_key.calls) == ([], ["decrypt"])


@pytest.mark.parametrize(
    ("sizes", "threshold"),
    [([1, 1], 1), ([1, 1], 3), ([], 0), ([0], 0)],
    ids=["threshold-one", "threshold-above-groups", "no-groups", "empty-group"],
)
def test_encrypt_rejects_impossible_layouts(sizes: list[int], threshold: int) -> None:
    with pytest.raises(CouldNotEncryptKeyError):
        encrypt_data_key(_groups(sizes), threshold, b"k" * 32)


def test_encrypt_reports_every_failing_key() -> None:
    groups: list[list[MasterKey]] = [
        [UnwritableKey("bad1"), MemoryKey("ok"), UnwritableKey("bad2")]
    ]
    with pytest.raises(CouldNotEncryptKeyError) as caught:
        encrypt_data_key(groups, 0, b"k" * 32)
    assert "bad1" in str(caught.value)
    assert "bad2" in str(caught.value)
    assert caught.value.exit_code == 1


def test_decrypt_with_no_keys_fails() -> None:
    with pytest.raises(CouldNotRetrieveKeyError, match="No keys"):
        decrypt_data_key([], 0)


def test_mismatched_shares_are_reported() -> None:
    groups = _groups([1, 1])
    encrypt_data_key(groups, 2, b"k" * 32)
    broken = groups[1][0]
    assert isinstance(broken, MemoryKey)
    broken.enc = "00"
    with pytest.raises(CouldNotRetrieveKeyError, match="combined"):
        decrypt_data_key(groups, 2)
