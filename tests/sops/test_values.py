"""Canonical value bytes and Go number formatting (what the MAC and the stores depend on)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealbox.goformat import parse_rfc3339, rfc3339_nano
from sealbox.sops.tree import Comment
from sealbox.sops.values import (
    format_float_f,
    format_float_g,
    from_bytes,
    to_bytes,
    type_name,
    val_to_string,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.0, "2"),
        (0.1, "0.1"),
        (1e21, "1000000000000000000000"),
        (1.5e-7, "0.00000015"),
        (-3.25, "-3.25"),
        (123456.0, "123456"),
    ],
)
def test_float_bytes_are_go_f_format(value: float, expected: str) -> None:
    assert format_float_f(value) == expected
    assert to_bytes(value) == expected.encode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [  # observed in Go sops 3.11's YAML output
        (1000000.5, "1.0000005e+06"),
        (2.0, "2"),
        (123456.0, "123456"),
        (1e-05, "1e-05"),
        (1e21, "1e+21"),
        (1234567.0, "1.234567e+06"),
        (0.25, "0.25"),
    ],
)
def test_yaml_floats_are_go_g_format(value: float, expected: str) -> None:
    assert format_float_g(value) == expected


@pytest.mark.parametrize(
    ("value", "tag", "raw"),
    [
        ("text", "str", b"text"),
        (42, "int", b"42"),
        (-7, "int", b"-7"),
        (True, "bool", b"True"),
        (False, "bool", b"False"),
        (Comment(" note"), "comment", b" note"),
        (datetime(2024, 1, 2, tzinfo=UTC), "time", b"2024-01-02T00:00:00Z"),
    ],
)
def test_types_and_bytes_round_trip(value: object, tag: str, raw: bytes) -> None:
    assert type_name(value) == tag  # type: ignore[arg-type]
    assert to_bytes(value) == raw  # type: ignore[arg-type]
    assert from_bytes(raw, tag) == value


@pytest.mark.parametrize("text", ["1", "t", "T", "TRUE", "true", "True"])
def test_bool_plaintext_accepts_go_parsebool_spellings(text: str) -> None:
    assert from_bytes(text.encode(), "bool") is True


def test_unknown_type_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown value type"):
        from_bytes(b"x", "decimal")


def test_rfc3339_with_offset_and_fraction() -> None:
    stamp = datetime(2006, 1, 2, 15, 4, 5, 120000, tzinfo=timezone(timedelta(hours=7, minutes=6)))
    assert rfc3339_nano(stamp) == "2006-01-02T15:04:05.12+07:06"
    assert parse_rfc3339("2006-01-02T15:04:05.12+07:06") == stamp


@pytest.mark.parametrize(
    ("value", "expected"), [(True, "true"), (2.0, "2.0"), (1.5, "1.5"), (7, "7"), ("s", "s")]
)
def test_val_to_string(value: object, expected: str) -> None:
    assert val_to_string(value) == expected  # type: ignore[arg-type]


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_f_format_round_trips(value: float) -> None:
    text = format_float_f(value)
    assert "e" not in text.lower()
    assert float(text) == value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_g_format_round_trips(value: float) -> None:
    assert float(format_float_g(value)) == value
