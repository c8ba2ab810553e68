"""Keyring serialisation and the AES-GCM record helpers, including malformed input."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from sealbox.barrier import aes_gcm
from sealbox.barrier.keyring import Keyring
from sealbox.errors import IntegrityError

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_keyring_round_trips_with_counts() -> None:
    keyring = Keyring.new(NOW).rotated(NOW).rotated(NOW)
    restored, counts = Keyring.from_json(keyring.to_json({1: 5, 3: 2}))
    assert restored.active_term == 3
    assert counts == {1: 5, 2: 0, 3: 2}
    for term in (1, 2, 3):
        aead = restored.aead(term)
        original = keyring.aead(term)
        assert aead is not None
        assert original is not None
        record = aes_gcm.encrypt(original, term, "p", b"data")
        assert aes_gcm.decrypt(aead, record, "p") == b"data"
    assert restored.aead(4) is None
    assert restored.active.install_time == NOW


def test_keyring_repr_hides_keys() -> None:
    keyring = Keyring.new(NOW)
    assert repr(keyring) == "Keyring(terms=[1], active_term=1)"
    assert keyring.active.value.hex() not in repr(keyring.active)


def test_active_term_must_exist() -> None:
    with pytest.raises(ValueError, match="active term"):
        Keyring({}, 1)


def _document(**changes: object) -> bytes:
    document = json.loads(Keyring.new(NOW).to_json({}))
    entry = document["keys"][0]
    for name, value in changes.items():
        if name in entry:
            entry[name] = value
        else:
            document[name] = value
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[]",
        b"{}",
        _document(value="!!!"),
        _document(value="AAAA"),
        _document(install_time="2026-01-01T00:00:00"),
        _document(install_time="yesterday"),
        _document(term="x"),
        _document(active_term=9),
    ],
    ids=[
        "garbage",
        "list",
        "empty",
        "bad-base64",
        "short-key",
        "naive-time",
        "bad-time",
        "bad-term",
        "missing-active",
    ],
)
def test_malformed_keyring_is_an_integrity_error(data: bytes) -> None:
    with pytest.raises(IntegrityError):
        Keyring.from_json(data)


def test_new_aead_needs_a_256_bit_key() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        aes_gcm.new_aead(bytes(16))


def test_record_layout() -> None:
    aead = aes_gcm.new_aead(bytes(32))
    record = aes_gcm.encrypt(aead, 0x01020304, "path", b"abc")
    assert record[:5] == b"\x01\x02\x03\x04\x02"
    assert len(record) == aes_gcm.MIN_RECORD_SIZE + 3
    assert aes_gcm.record_term(record) == 0x01020304
    assert aes_gcm.decrypt(aead, record, "path") == b"abc"
    with pytest.raises(IntegrityError):
        aes_gcm.decrypt(aead, record, "other")
