"""The list ``filter`` language, the subset Secret Manager documents for secrets and versions.

Terms are ``field:value`` (has / contains; ``*`` is a wildcard, ``field:*`` = field is set),
``field=value``, ``field!=value`` and ``<``, ``>``, ``<=``, ``>=`` (compared as strings, which
orders RFC 3339 times correctly), joined by ``AND`` (or juxtaposition) and ``OR`` (binding
tighter than AND, as in AIP-160), each optionally prefixed by ``NOT`` or ``-``. Fields are
dotted paths into the resource JSON, snake_case or camelCase (``labels.env``, ``create_time``,
``replication.user_managed.replicas.location``, ``state``). A bare word matches the name.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from collections.abc import Callable
from typing import Any

from sealbox.api.facades.gcp.errors import InvalidArgument

Predicate = Callable[[dict[str, Any]], bool]
_TERM = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*(!=|<=|>=|=|:|<|>)\s*(.*)")


def _camel(part: str) -> str:
    head, *rest = part.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _values(resource: Any, path: list[str]) -> list[Any]:
    """Every value at ``path`` (lists fan out)."""
    if not path:
        return resource if isinstance(resource, list) else [resource]
    if isinstance(resource, list):
        return [v for item in resource for v in _values(item, path)]
    if not isinstance(resource, dict):
        return []
    key = path[0]
    if key not in resource:
        key = _camel(key)
    if key not in resource:
        return []
    return _values(resource[key], path[1:])


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return ""
    return str(value)


def _compare(op: str, have: str, want: str) -> bool:
    if op == ":":
        if want == "*":
            return True
        return fnmatch.fnmatchcase(have, f"*{want}*")  # "has": a substring, * inside it
    if op in ("=", "!="):
        equal = fnmatch.fnmatchcase(have, want) if "*" in want else have == want
        return equal if op == "=" else not equal
    checks = {"<": have < want, ">": have > want, "<=": have <= want, ">=": have >= want}
    return checks[op]


def _term(word: str) -> Predicate:
    match = _TERM.fullmatch(word)
    if match is None:
        return lambda r: _compare(":", _text(r.get("name", "")), word)
    field, op, want = match.group(1), match.group(2), match.group(3)
    path = field.split(".")

    def predicate(resource: dict[str, Any]) -> bool:
        found = _values(resource, path)
        if op == "!=":
            return all(_compare(op, _text(v), want) for v in found)
        return any(_compare(op, _text(v), want) for v in found)

    return predicate


def _words(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError as err:
        raise InvalidArgument(f"Invalid filter [{text}].") from err


def _join_operators(words: list[str]) -> list[str]:
    """``a : b`` and ``a: b`` written with spaces become one term."""
    out: list[str] = []
    for word in words:
        if out and (word[:1] in ":=<>!" or out[-1][-1:] in ":=<>") and out[-1] not in _KEYWORDS:
            out[-1] += word
        else:
            out.append(word)
    return out


_KEYWORDS = {"AND", "OR", "NOT"}


def compile_filter(text: str) -> Predicate:
    """A predicate over resource JSON; INVALID_ARGUMENT for a filter it cannot read."""
    words = _join_operators(_words(text))
    groups: list[list[Predicate]] = [[]]  # AND of ORs
    negate = False
    pending_or = False
    for word in words:
        if word == "AND":
            continue
        if word == "OR":
            if not groups[-1]:
                raise InvalidArgument(f"Invalid filter [{text}].")
            pending_or = True
            continue
        if word == "NOT":
            negate = True
            continue
        if word.startswith("-") and len(word) > 1:
            word, negate = word[1:], True
        predicate = _term(word)
        if negate:
            predicate = _negated(predicate)
            negate = False
        if pending_or:
            groups[-1].append(predicate)
            pending_or = False
        else:
            if groups[-1]:
                groups.append([])
            groups[-1].append(predicate)
    if negate or pending_or:
        raise InvalidArgument(f"Invalid filter [{text}].")
    clauses = [g for g in groups if g]
    return lambda r: all(any(p(r) for p in clause) for clause in clauses)


def _negated(predicate: Predicate) -> Predicate:
    return lambda r: not predicate(r)
