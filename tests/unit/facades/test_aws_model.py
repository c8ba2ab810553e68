"""The AWS view of KV records: label rules, Vault-written versions, value encodings, schedules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sealbox.api.facades.aws.errors import InvalidParameter
from sealbox.api.facades.aws.model import (
    CURRENT,
    PENDING,
    PREVIOUS,
    decode,
    encode_string,
    view_of,
)
from sealbox.api.facades.aws.ops_meta import random_password
from sealbox.api.facades.aws.schedule import check_rules, next_after


def _record(versions: dict[int, dict[str, Any] | None]) -> dict[str, Any]:
    return {
        "key": "app/db",
        "created_time": 1,
        "current_version": max(versions),
        "max_versions": 0,
        "extra": {"aws": {"suffix": "AbCdEf"}},
        "versions": {
            str(n): {
                "created_time": n * 10**9,
                "deletion_time": None,
                "destroyed": False,
                "extra": {} if aws is None else {"aws": aws},
            }
            for n, aws in versions.items()
        },
    }


def test_vault_writes_after_current_take_the_labels() -> None:
    view = view_of(
        _record(
            {
                1: {"id": "a" * 32, "stages": [CURRENT]},
                2: None,
                3: None,
            }
        )
    )
    stages = {v.number: v.stages for v in view.versions}
    assert stages == {1: [], 2: [PREVIOUS], 3: [CURRENT]}
    assert (
        view.versions[1].version_id
        == view_of(_record({1: None, 2: None, 3: None})).versions[1].version_id
    )


def test_pending_after_current_is_left_alone() -> None:
    view = view_of(
        _record(
            {1: {"id": "a" * 32, "stages": [CURRENT]}, 2: {"id": "b" * 32, "stages": [PENDING]}}
        )
    )
    assert view.by_stage(CURRENT).number == 1  # type: ignore[union-attr]
    assert view.by_stage(PENDING).number == 2  # type: ignore[union-attr]


def test_deleted_versions_do_not_exist_for_aws() -> None:
    record = _record(
        {1: {"id": "a" * 32, "stages": [PREVIOUS]}, 2: {"id": "b" * 32, "stages": [CURRENT]}}
    )
    record["versions"]["2"]["destroyed"] = True
    view = view_of(record)
    assert [v.number for v in view.versions] == [1]
    assert view.by_stage(CURRENT) is None


def test_versions_due_for_deletion_later_are_still_live() -> None:
    import time

    record = _record({1: {"id": "a" * 32, "stages": [CURRENT]}})
    record["versions"]["1"]["deletion_time"] = time.time_ns() + 3600 * 10**9
    assert [v.number for v in view_of(record).versions] == [1]
    record["versions"]["1"]["deletion_time"] = time.time_ns() - 1
    assert view_of(record).versions == []


def test_move_current_drags_previous() -> None:
    view = view_of(
        _record(
            {
                1: {"id": "a" * 32, "stages": [PREVIOUS]},
                2: {"id": "b" * 32, "stages": [CURRENT]},
                3: {"id": "c" * 32, "stages": [PENDING]},
            }
        )
    )
    view.move_stage(CURRENT, view.versions[2])
    assert [v.stages for v in view.versions] == [[], [PREVIOUS], [PENDING, CURRENT]]
    changed = view.changed_versions()
    assert set(changed) == {"1", "2", "3"}
    assert view.key_extra()["pointers"] == {"aws:AWSCURRENT": 3}


@pytest.mark.parametrize(
    "text",
    ['{"a":1}', '{"a": 1, "b": "ü"}', '{ "a": 1 }', "plain", "[1]", "{}", '{"a":1.0}', "null"],
)
def test_strings_round_trip_exactly(text: str) -> None:
    data, encoding = encode_string(text)
    assert decode(data, encoding) == {"SecretString": text}


def test_json_objects_are_stored_as_fields() -> None:
    assert encode_string('{"username":"u","password":"p"}') == (
        {"username": "u", "password": "p"},
        "json-compact",
    )
    assert encode_string("x") == ({"SecretString": "x"}, "string")


def test_random_password_rules() -> None:
    password = random_password({"PasswordLength": 64})
    assert len(password) == 64
    assert any(c.islower() for c in password)
    assert any(c.isupper() for c in password)
    assert any(c.isdigit() for c in password)
    assert " " not in password
    assert set(
        random_password(
            {
                "PasswordLength": 30,
                "ExcludeCharacters": "abcdefghijklmnopqrstuvwxyz",
                "ExcludeUppercase": True,
                "ExcludePunctuation": True,
            }
        )
    ) <= set("0123456789")
    with pytest.raises(InvalidParameter):
        random_password({"PasswordLength": 2})  # four classes required


def test_schedules() -> None:
    start = datetime(2026, 12, 3, 10, 30, tzinfo=UTC)
    assert next_after({"AutomaticallyAfterDays": 30}, start) == datetime(
        2027, 1, 2, 10, 30, tzinfo=UTC
    )
    assert next_after({"ScheduleExpression": "rate(4 hours)"}, start) == datetime(
        2026, 12, 3, 14, 30, tzinfo=UTC
    )
    # Every Monday (AWS day 2) at 08:00.
    assert next_after({"ScheduleExpression": "cron(0 8 ? * MON *)"}, start) == datetime(
        2026, 12, 7, 8, 0, tzinfo=UTC
    )
    assert next_after({"ScheduleExpression": "cron(0 4 1 * ? *)"}, start) == datetime(
        2027, 1, 1, 4, 0, tzinfo=UTC
    )
    for bad in (
        {"ScheduleExpression": "rate(3 hours)"},
        {"AutomaticallyAfterDays": 0},
        {"AutomaticallyAfterDays": 1, "ScheduleExpression": "rate(1 days)"},
        {"ScheduleExpression": "cron(0 8 ? * MON)"},
        {"Duration": "5d"},
    ):
        with pytest.raises(InvalidParameter):
            check_rules(bad)


def test_rotation_windows() -> None:
    from sealbox.api.facades.aws.schedule import in_window, window_end

    eight = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    daily = {"ScheduleExpression": "cron(0 8 * * ? *)"}
    # Without a Duration a daily window closes at the end of the UTC day, an hourly one after 1h.
    assert window_end(daily, eight) == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    assert window_end({"ScheduleExpression": "rate(6 hours)"}, eight) == eight.replace(hour=9)
    assert window_end({**daily, "Duration": "3h"}, eight) == eight.replace(hour=11)
    late = eight.replace(hour=22)
    assert window_end({"AutomaticallyAfterDays": 2, "Duration": "4h"}, late) == datetime(
        2026, 12, 4, 0, 0, tzinfo=UTC
    )
    assert in_window({**daily, "Duration": "3h"}, eight, eight.replace(hour=10, minute=59))
    assert not in_window({**daily, "Duration": "3h"}, eight, eight.replace(hour=11))
    assert not in_window(daily, eight, eight.replace(hour=7))
    assert in_window({}, eight, eight.replace(hour=7))  # no schedule: no window
    assert check_rules({"ScheduleExpression": "rate(4 hours)", "Duration": "4h"})["Duration"]
    for bad in (
        {"ScheduleExpression": "rate(4 hours)", "Duration": "5h"},  # reaches the next window
        {"ScheduleExpression": "cron(0 22 * * ? *)", "Duration": "3h"},  # the next UTC day
        {"ScheduleExpression": "cron(0 0/6 * * ? *)", "Duration": "7h"},
        {"ScheduleExpression": "cron(0 8 * * ? *)", "Duration": "0h"},
        {"Duration": "2h"},  # a window needs a schedule
    ):
        with pytest.raises(InvalidParameter):
            check_rules(bad)
