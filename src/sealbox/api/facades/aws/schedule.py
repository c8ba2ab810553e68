"""RotationRules: ``AutomaticallyAfterDays``, ``ScheduleExpression`` (``rate()``/``cron()``, UTC)
and ``Duration``, validated as AWS documents them, and the next rotation time they give.

``cron(minutes hours day-of-month month day-of-week year)`` supports numbers, ``*``, ``?``,
lists, ranges and ``/`` steps (AWS also has ``L``, ``W`` and ``#``, refused here); day-of-week
counts 1-7 from Sunday, as AWS's does, or SUN-SAT.
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
    if duration is not None and not re.fullmatch(r"[0-9]{1,2}h", str(duration)):
        raise InvalidParameter("Duration must be a number of hours such as 4h.")
    return {k: v for k, v in rules.items() if v is not None}


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
