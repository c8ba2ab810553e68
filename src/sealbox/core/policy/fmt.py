"""Canonical formatting of policy text, for ``sealbox policy fmt``.

Mirrors ``vault/bao policy fmt`` (command/policy_fmt.go): the policy is validated with the
real parser first, then printed the way hashicorp/hcl v1's printer prints it: two-space
indentation, ``=`` aligned across consecutive one-line assignments, a blank line around
multi-line items and between top-level items, ``{}`` for empty blocks, comments kept
(lead comments above their item, trailing comments on its line).

Decided here: JSON policies are accepted and printed as HCL (``bao policy fmt`` refuses
them with a parse error).
"""

from __future__ import annotations

import json
from typing import Any

from sealbox.core.policy.policy import parse_policy
from sealbox.core.policy.syntax import Item, Obj, parse_document

_INDENT = "  "


def format_policy(text: str) -> str:
    """Return ``text`` formatted canonically; InvalidRequest if it is not a valid policy."""
    parse_policy("fmt", text)
    root = parse_document(text)
    lines = _body(root, 0, top=True)
    return "\n".join(lines).rstrip() + "\n" if lines else ""


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    return str(value)


def _inline(value: Any) -> str | None:
    """One-line rendering, or None when the value needs several lines."""
    if isinstance(value, Obj):
        return "{}" if not value.items and not value.end_comments else None
    if isinstance(value, list):
        parts = [_inline(v) for v in value]
        if any(p is None for p in parts):
            return None
        return "[" + ", ".join(p for p in parts if p is not None) + "]"
    return _scalar(value)


def _head(item: Item, quote: bool) -> str:
    first = item.keys[0]
    simple = first.replace("_", "a").replace("-", "a").isalnum() and not first[:1].isdigit()
    keys = [first if simple and not quote else _scalar(first)]
    keys += [_scalar(k) for k in item.keys[1:]]
    return " ".join(keys)


def _render(item: Item, depth: int, width: int, quote: bool) -> list[str]:
    pad = _INDENT * depth
    head = _head(item, quote)
    out = [pad + c for c in item.lead_comments]
    one_line = _inline(item.value)
    if one_line is not None:
        sep = " " if not item.assign else " " * (width - len(head) + 1) + "= "
        line = pad + head + sep + one_line
    else:
        opener = pad + head + (" = {" if item.assign else " {")
        if isinstance(item.value, Obj):
            inner = _body(item.value, depth + 1, top=False, quote=item.assign)
            out += [opener, *inner, pad + "}"]
        else:
            values = [_inline(v) or "{}" for v in item.value]
            out += [pad + head + " = [", *(pad + _INDENT + v + "," for v in values), pad + "]"]
        line = out.pop()
    if item.trailing_comment:
        line += " " + item.trailing_comment
    out.append(line)
    return out


def _body(obj: Obj, depth: int, *, top: bool, quote: bool = False) -> list[str]:
    """Items of one object; consecutive one-line items form an aligned group."""
    groups: list[list[Item]] = []
    for item in obj.items:
        joins = (
            not top
            and bool(groups)
            and not item.lead_comments
            and _inline(item.value) is not None
            and _inline(groups[-1][-1].value) is not None
        )
        if joins:
            groups[-1].append(item)
        else:
            groups.append([item])
    lines: list[str] = []
    for group in groups:
        if lines:
            lines.append("")
        width = max((len(_head(i, quote)) for i in group if i.assign), default=0)
        for item in group:
            lines += _render(item, depth, width, quote)
    if obj.end_comments:
        if lines:
            lines.append("")
        lines += [_INDENT * depth + c for c in obj.end_comments]
    return lines
