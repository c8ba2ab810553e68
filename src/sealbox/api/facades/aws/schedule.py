"""RotationRules: ``AutomaticallyAfterDays``, ``ScheduleExpression`` (``rate()``/``cron()``, UTC)
and ``Duration``, validated as AWS documents them, and the next rotation time they give.

``cron(minutes hours day-of-month month day-of-week year)`` supports numbers, ``*``, ``?``,
lists, ranges and ``/`` steps (AWS also has ``L``, ``W`` and ``#``, refused here); day-of-week
counts 1-7 from Sunday, as AWS's does, or SUN-SAT.

The rotation window opens at each scheduled time and lasts ``Duration`` hours; without one it
closes after an hour for an hourly ``rate()`` and at the end of the UTC day otherwise, as AWS
documents. A window may not reach into the next UTC day (daily schedules) or the next window.
The scheduler starts, and retries, a scheduled rotation only while its window is open; a window
that passed unused (server down, failures) waits for the next one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sealbox.api.facades.aws.errors import InvalidParameter

_RATE = re.compile(r"rate\((\d+) (hour|hours|day|days)\)")
_CRON = re.compile(r"cron\(([^)]*)\)")
_DAYS = {d: i + 1 for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    )
}


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    if text in ("*", "?"):
        return set(range(low, high + 1))
    out: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base in ("*", ""):
            start, end = low, high
        else:
            first, _, last = base.partition("-")
            start = _value(first, names)
            end = _value(last, names) if last else (high if step_text else start)
        if not (low <= start <= high and low <= end <= high) or step < 1:
            raise InvalidParameter(f"Invalid cron field: {text}")
        out.update(range(start, end + 1, step))
    return out


def _value(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise InvalidParameter(f"Invalid cron value: {text}")
    return int(text)


def _cron_next(expression: str, after: datetime) -> datetime:
    fields = expression.split()
    if len(fields) != 6:
        raise InvalidParameter("A cron expression has six fields.")
    minutes, hours = _field(fields[0], 0, 59), _field(fields[1], 0, 23)
    doms, months = _field(fields[2], 1, 31), _field(fields[3], 1, 12, _MONTHS)
    dows = _field(fields[4], 1, 7, _DAYS)
    years = _field(fields[5], 1970, 2199)
    day = after.replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(366 * 5):
        aws_dow = (day.weekday() + 1) % 7 + 1  # Monday=0 -> 2; Sunday -> 1
        if day.year in years and day.month in months and day.day in doms and aws_dow in dows:
            for hour in sorted(hours):
                for minute in sorted(minutes):
                    moment = day.replace(hour=hour, minute=minute)
                    if moment > after:
                        return moment
        day += timedelta(days=1)
    raise InvalidParameter("The cron expression never matches.")


def check_rules(rules: Any) -> dict[str, Any]:
    """RotationRules as stored; InvalidParameterException for what AWS refuses."""
    if not isinstance(rules, dict):
        raise InvalidParameter("RotationRules must be an object.")
    days, expression = rules.get("AutomaticallyAfterDays"), rules.get("ScheduleExpression")
    if days is not None and expression is not None:
        raise InvalidParameter(
            "You can't specify both AutomaticallyAfterDays and ScheduleExpression."
        )
    if days is not None and (not isinstance(days, int) or not 1 <= days <= 1000):
        raise InvalidParameter("AutomaticallyAfterDays must be between 1 and 1000.")
    if expression is not None:
        next_after(rules, datetime.now(UTC))  # validates
    duration = rules.get("Duration")
    if duration is not None:
        if not re.fullmatch(r"[0-9]{1,2}h", str(duration)) or not 1 <= int(duration[:-1]) <= 24:
            raise InvalidParameter("Duration must be a number of hours from 1h to 24h.")
        if days is None and expression is None:
            raise InvalidParameter("A Duration needs a rotation schedule.")
        _check_window(rules)
    return {k: v for k, v in rules.items() if v is not None}


def _check_window(rules: dict[str, Any]) -> None:
    """The window must end before the next one opens and, for daily schedules, that UTC day."""
    hours = int(str(rules["Duration"])[:-1])
    expression = str(rules.get("ScheduleExpression") or "")
    rate = _RATE.fullmatch(expression)
    if rate and not rate.group(2).startswith("day"):
        if hours > int(rate.group(1)):
            raise InvalidParameter("The rotation window must end before the next one starts.")
        return
    cron = _CRON.fullmatch(expression)
    if cron is None:
        return  # AutomaticallyAfterDays / rate(N days): the window is cut at the day's end
    start = _cron_next(cron.group(1), datetime.now(UTC))
    for _ in range(48):  # every distinct start time of a day shows up within two days
        following = _cron_next(cron.group(1), start)
        if start + timedelta(hours=hours) > min(following, _end_of_day(start)):
            raise InvalidParameter(
                "The rotation window must not extend into the next UTC day or the next window."
            )
        if following.date() > start.date() + timedelta(days=1):
            return
        start = following


def _end_of_day(moment: datetime) -> datetime:
    return (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def _hourly(rules: dict[str, Any]) -> bool:
    rate = _RATE.fullmatch(str(rules.get("ScheduleExpression") or ""))
    return rate is not None and not rate.group(2).startswith("day")


def window_end(rules: dict[str, Any], start: datetime) -> datetime:
    """When the rotation window that opens at ``start`` closes."""
    duration = rules.get("Duration")
    if _hourly(rules):
        return start + timedelta(hours=int(str(duration)[:-1]) if duration else 1)
    end = _end_of_day(start)
    return min(start + timedelta(hours=int(str(duration)[:-1])), end) if duration else end


def in_window(rules: dict[str, Any], start: datetime, now: datetime) -> bool:
    """Whether ``now`` lies in the window opening at ``start`` (no schedule: always)."""
    if not rules.get("AutomaticallyAfterDays") and not rules.get("ScheduleExpression"):
        return True
    return start <= now < window_end(rules, start)


def next_after(rules: dict[str, Any], after: datetime) -> datetime | None:
    """When the rules next call for a rotation after ``after`` (None: no schedule)."""
    days, expression = rules.get("AutomaticallyAfterDays"), rules.get("ScheduleExpression")
    if days:
        return after + timedelta(days=int(days))
    if not expression:
        return None
    rate = _RATE.fullmatch(str(expression))
    if rate:
        amount, unit = int(rate.group(1)), rate.group(2)
        hours = amount * (24 if unit.startswith("day") else 1)
        if hours < 4 or amount < 1:
            raise InvalidParameter("A rate() schedule must be at least 4 hours.")
        return after + timedelta(hours=hours)
    cron = _CRON.fullmatch(str(expression))
    if cron:
        return _cron_next(cron.group(1), after)
    raise InvalidParameter("ScheduleExpression must be rate(...) or cron(...).")
