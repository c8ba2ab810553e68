"""Time formatting, merge patch and subkeys helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealbox.engines.kv.jsonmerge import merge_patch
from sealbox.engines.kv.model import KeyMetadata, VersionMeta, format_time, to_nanos


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 28, 0, 45, 8, 342508, tzinfo=UTC), "2026-11-28T00:45:08.342508Z"),
        (datetime(2026, 11, 28, 0, 45, 8, 340000, tzinfo=UTC), "2026-11-28T00:45:08.34Z"),
        (datetime(2026, 11, 28, 0, 45, 8, tzinfo=UTC), "2026-11-28T00:45:08Z"),
    ],
    ids=["micro", "trimmed", "whole-second"],
)
def test_format_time_like_go_rfc3339nano(moment: datetime, text: str) -> None:
    assert format_time(to_nanos(moment)) == text


def test_format_time_nanoseconds_and_empty() -> None:
    assert format_time(1_795_826_708_342_508_300) == "2026-11-28T00:45:08.3425083Z"
    assert format_time(None) == ""


@pytest.mark.parametrize(
    ("target", "patch", "expected"),
    [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_rfc7386_examples(
    target: dict[str, Any], patch: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert merge_patch(target, patch) == expected


@given(
    st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=6),
    st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=6),
)
def test_merge_patch_of_flat_maps_is_update(a: dict[str, Any], b: dict[str, Any]) -> None:
    original = dict(a)
    assert merge_patch(a, b) == {**a, **b}
    assert a == original


def test_records_round_trip_through_json() -> None:
    meta = KeyMetadata(key="k", created_time=1, updated_time=2, custom_metadata={"a": "b"})
    meta.versions[1] = VersionMeta(1, 1, deletion_time=5, destroyed=True, extra={"x": [1]})
    assert KeyMetadata.from_json(meta.to_json()) == meta
    assert "extra" not in repr(meta.versions[1])


def test_stored_version_repr_hides_data() -> None:
    from sealbox.engines.kv import StoredVersion

    stored = StoredVersion(metadata=VersionMeta(1, 1), data={"password": "canary-s3cret"})
    assert "canary-s3cret" not in repr(stored)


@given(st.datetimes(timezones=st.sampled_from([UTC, None])))
def test_to_nanos_is_exact(moment: datetime) -> None:
    """Whole microseconds since the epoch (naive times taken as UTC), times 1000, before and
    after the epoch: the reference divides the timedelta by one microsecond."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    since = aware - datetime(1970, 1, 1, tzinfo=UTC)
    assert to_nanos(moment) == since // timedelta(microseconds=1) * 1000
