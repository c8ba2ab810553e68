"""The AES256_GCM value envelope: format, associated data, tamper detection, IV reuse."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealbox.sops.cipher import ValueCipher
from sealbox.sops.errors import ValueDecryptError

KEY = bytes(range(32))
ENVELOPE = re.compile(r"^ENC\[AES256_GCM,data:(.*),iv:(.+),tag:(.+),type:(\w+)\]$")


def test_envelope_layout_has_32_byte_iv_and_16_byte_tag() -> None:
    envelope = ValueCipher(KEY).encrypt("secret", "a:b:")
    match = ENVELOPE.match(envelope)
    assert match is not None
    assert len(base64.b64decode(match[1])) == len("secret")
    assert len(base64.b64decode(match[2])) == 32
    assert len(base64.b64decode(match[3])) == 16
    assert match[4] == "str"


def test_empty_string_is_not_encrypted() -> None:
    assert ValueCipher(KEY).encrypt("", "a:") == ""


def test_associated_data_binds_the_key_path() -> None:
    envelope = ValueCipher(KEY).encrypt("secret", "a:b:")
    with pytest.raises(ValueDecryptError):
        ValueCipher(KEY).decrypt(envelope, "a:c:")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda e: e.replace("data:", "data:AAAA", 1),
        lambda e: e[: len(e) // 2],
        lambda e: e.replace("type:str", "type:int"),
        lambda e: e.replace("tag:", "tag:QQ", 1),
    ],
    ids=["data", "truncated", "type", "tag"],
)
def test_tampered_envelopes_fail(mangle: object) -> None:
    envelope = ValueCipher(KEY).encrypt("secret", "a:")
    with pytest.raises(ValueDecryptError) as info:
        ValueCipher(KEY).decrypt(mangle(envelope), "a:")  # type: ignore[operator]
    assert "secret" not in str(info.value)


def test_wrong_key_fails() -> None:
    envelope = ValueCipher(KEY).encrypt("secret", "a:")
    with pytest.raises(ValueDecryptError):
        ValueCipher(bytes(32)).decrypt(envelope, "a:")


def test_decrypted_values_keep_their_iv_when_re_encrypted() -> None:
    first = ValueCipher(KEY)
    envelope = first.encrypt(5432, "port:")
    second = ValueCipher(KEY)
    assert second.decrypt(envelope, "port:") == 5432
    assert second.encrypt(5432, "port:") == envelope
    assert second.encrypt(5433, "port:") != envelope


def test_repr_hides_the_key() -> None:
    assert repr(ValueCipher(KEY)) == "ValueCipher(***)"


@given(
    st.one_of(
        st.text(min_size=1),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
    ),
    st.text(),
)
def test_round_trip(value: object, aad: str) -> None:
    cipher = ValueCipher(KEY)
    assert cipher.decrypt(cipher.encrypt(value, aad), aad) == value  # type: ignore[arg-type]
