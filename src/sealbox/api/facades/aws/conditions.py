"""IAM ``Condition`` operators (IAM User Guide, "IAM JSON policy elements: Condition operators").

A condition block ANDs its operators and, under each, its keys; a key's policy values are ORed.
Context values are lists (single-valued keys are one-element lists). A key missing from the
context makes a positive operator false and a negated one true; ``...IfExists`` is true when the
key is missing; ``Null`` tests presence. ``ForAnyValue:``/``ForAllValues:`` compare sets.
Condition key names are case-insensitive, so the context is keyed by lower-cased names.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

Context = Mapping[str, list[str]]
Match = Callable[[str, str], bool]


class MalformedCondition(ValueError):
    """An operator or value the evaluator does not understand (the statement never applies)."""


def glob(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcards: ``*`` any run, ``?`` one character; nothing else is special."""
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    flags = re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL
    return re.fullmatch(regex, value, flags) is not None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError as err:
        raise MalformedCondition(text) from err


def _date(text: str) -> datetime:
    try:
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return datetime.fromtimestamp(float(text), tz=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise MalformedCondition(text) from err
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ip(value: str, policy: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(policy, strict=False)
    except ValueError:
        return False


_COMPARE = {
    "Equals": lambda a, b: a == b,
    "NotEquals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanEquals": lambda a, b: a >= b,
}

# operator -> (match(context value, policy value), negated)
_OPERATORS: dict[str, tuple[Match, bool]] = {
    "StringEquals": (lambda v, p: v == p, False),
    "StringNotEquals": (lambda v, p: v == p, True),
    "StringEqualsIgnoreCase": (lambda v, p: v.lower() == p.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda v, p: v.lower() == p.lower(), True),
    "StringLike": (lambda v, p: glob(p, v), False),
    "StringNotLike": (lambda v, p: glob(p, v), True),
    "ArnEquals": (lambda v, p: glob(p, v), False),
    "ArnLike": (lambda v, p: glob(p, v), False),
    "ArnNotEquals": (lambda v, p: glob(p, v), True),
    "ArnNotLike": (lambda v, p: glob(p, v), True),
    "Bool": (lambda v, p: v.lower() == p.lower(), False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
}
for _name, _cmp in _COMPARE.items():
    _OPERATORS["Numeric" + _name] = (
        lambda v, p, c=_cmp: c(_number(v), _number(p)),  # type: ignore[misc]
        _name == "NotEquals",
    )
    _OPERATORS["Date" + _name] = (
        lambda v, p, c=_cmp: c(_date(v), _date(p)),  # type: ignore[misc]
        _name == "NotEquals",
    )


def _values(raw: Any) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            out.append(str(item))
        else:
            raise MalformedCondition("condition values must be strings, numbers or booleans")
    return out


def _one(operator: str, key: str, policy_values: list[str], context: Context) -> bool:
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists") and base != "IfExists"
    if if_exists:
        base = base[: -len("IfExists")]
    actual = context.get(key.lower())
    if base == "Null":
        present = bool(actual)
        return any((p.lower() == "true") != present for p in policy_values)
    if base not in _OPERATORS:
        raise MalformedCondition(operator)
    match, negated = _OPERATORS[base]
    if qualifier == "ForAllValues":
        return all(any(match(v, p) for p in policy_values) != negated for v in actual or [])
    if not actual:
        return if_exists or (negated and qualifier != "ForAnyValue")
    hit = any(match(v, p) for v in actual for p in policy_values)
    return hit != negated


def evaluate(block: Any, context: Context, substitute: Callable[[str], str]) -> bool:
    """Whether every condition of ``block`` holds; raises MalformedCondition."""
    if not isinstance(block, dict):
        raise MalformedCondition("Condition must be an object")
    for operator, keys in block.items():
        if not isinstance(keys, dict):
            raise MalformedCondition(operator)
        for key, raw in keys.items():
            values = [substitute(v) for v in _values(raw)]
            if not _one(operator, key, values, context):
                return False
    return True


__all__ = ["Context", "MalformedCondition", "evaluate", "glob"]
