"""``username_template``: the Go text/template subset OpenBao's username templating uses.

A template is text with ``{{ pipeline }}`` actions (no ``if``/``range``; OpenBao's docs and
plugins use none). A pipeline is commands joined by ``|``, each command's result passed as
the last argument of the next, as in Go. A command is a field (``.DisplayName``,
``.RoleName``), a string or integer literal, a parenthesised pipeline, or a function call
with arguments. The functions are OpenBao's (sdk/helper/template, concepts/
username-templating): ``random N``, ``truncate N``, ``truncate_sha256 N``, ``uppercase``,
``lowercase``, ``replace OLD NEW``, ``sha256``, ``base64``, ``unix_time``,
``unix_time_millis``, ``timestamp LAYOUT`` (Go reference-time layout), ``uuid``, plus Go's
``printf`` (``%s``, ``%d``, ``%v``, ``%%``). Errors are 400s naming the problem. Each
plugin brings its default template (``default_username_template``).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import string
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sealbox.errors import InvalidRequest

_ALPHANUMERIC = string.ascii_letters + string.digits
_TOKEN = re.compile(r'\s*(?:(\()|(\))|(\|)|("(?:[^"\\]|\\.)*")|(`[^`]*`)|([^\s()|]+))')
# Go reference-time layout elements -> strftime.
_LAYOUT = (
    ("2006", "%Y"),
    ("01", "%m"),
    ("02", "%d"),
    ("15", "%H"),
    ("04", "%M"),
    ("05", "%S"),
    ("Jan", "%b"),
    ("Mon", "%a"),
    ("MST", "UTC"),
    ("Z07:00", "Z"),
)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidRequest("username_template: expected an integer argument")
    try:
        return int(value)
    except ValueError:
        raise InvalidRequest("username_template: expected an integer argument") from None


def _truncate(length: Any, text: Any) -> str:
    return str(text)[: _int(length)]


def _truncate_sha256(length: Any, text: Any) -> str:
    limit, value = _int(length), str(text)
    if limit <= 8:
        raise InvalidRequest("username_template: truncate_sha256 length must be > 8")
    if len(value) <= limit:
        return value
    cut = limit - 8
    return value[:cut] + hashlib.sha256(value[cut:].encode()).hexdigest()[:8]


def _printf(fmt: Any, *args: Any) -> str:
    values = iter(args)

    def one(match: re.Match[str]) -> str:
        verb = match.group(1)
        if verb == "%":
            return "%"
        try:
            return str(next(values))
        except StopIteration:
            return f"%!{verb}(MISSING)"

    return re.sub(r"%([sdv%])", one, str(fmt))


def _timestamp(layout: Any) -> str:
    text = str(layout)
    for go, py in _LAYOUT:
        text = text.replace(go, py)
    return datetime.now(UTC).strftime(text)


_FUNCTIONS: dict[str, Callable[..., str]] = {
    "random": lambda n: "".join(secrets.choice(_ALPHANUMERIC) for _ in range(_int(n))),
    "truncate": _truncate,
    "truncate_sha256": _truncate_sha256,
    "uppercase": lambda s: str(s).upper(),
    "lowercase": lambda s: str(s).lower(),
    "replace": lambda old, new, s: str(s).replace(str(old), str(new)),
    "sha256": lambda s: hashlib.sha256(str(s).encode()).hexdigest(),
    "base64": lambda s: base64.b64encode(str(s).encode()).decode(),
    "unix_time": lambda: str(int(time.time())),
    "unix_time_millis": lambda: str(int(time.time() * 1000)),
    "timestamp": _timestamp,
    "uuid": lambda: str(uuid.uuid4()),
    "printf": _printf,
}


class _Evaluator:
    """Evaluates one action's tokens against the fields."""

    def __init__(self, tokens: list[str], fields: Mapping[str, str]) -> None:
        self._tokens = tokens
        self._pos = 0
        self._fields = fields

    def pipeline(self, closing: str | None = None) -> Any:
        value: Any = None
        first = True
        while True:
            value = self._command(None if first else value, piped=not first)
            first = False
            token = self._peek()
            if token == "|":
                self._pos += 1
                continue
            if token == closing:
                if closing is not None:
                    self._pos += 1
                return value
            raise InvalidRequest(f"username_template: unexpected {token!r}")

    def _peek(self) -> str | None:
        return self._tokens[self._pos] if self._pos < len(self._tokens) else None

    def _operand(self) -> Any:
        token = self._peek()
        if token is None:
            raise InvalidRequest("username_template: missing operand")
        self._pos += 1
        if token == "(":
            return self.pipeline(")")
        if token.startswith('"'):
            return bytes(token[1:-1], "utf-8").decode("unicode_escape")
        if token.startswith("`"):
            return token[1:-1]
        if token.startswith("."):
            name = token[1:]
            if name not in self._fields:
                raise InvalidRequest(f"username_template: unknown field .{name}")
            return self._fields[name]
        if re.fullmatch(r"-?\d+", token):
            return int(token)
        raise InvalidRequest(f"username_template: unexpected {token!r}")

    def _command(self, piped_value: Any, *, piped: bool) -> Any:
        token = self._peek()
        if token in _FUNCTIONS:
            self._pos += 1
            args: list[Any] = []
            while self._peek() not in (None, "|", ")"):
                args.append(self._operand())
            if piped:
                args.append(piped_value)
            try:
                return _FUNCTIONS[str(token)](*args)
            except TypeError:
                raise InvalidRequest(
                    f"username_template: wrong number of arguments for {token}"
                ) from None
        if piped:
            raise InvalidRequest(f"username_template: cannot pipe into {token!r}")
        if token is not None and re.fullmatch(r"[A-Za-z_]\w*", token):
            raise InvalidRequest(f'username_template: function "{token}" not defined')
        return self._operand()


def _tokens(action: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(action):
        match = _TOKEN.match(action, pos)
        if match is None or match.end() == pos:
            if action[pos:].strip():
                raise InvalidRequest("username_template: cannot parse action")
            break
        out.append(next(group for group in match.groups() if group is not None))
        pos = match.end()
    return out


def render(template: str, fields: Mapping[str, str]) -> str:
    """The template's text with each action evaluated."""
    out: list[str] = []
    pos = 0
    while True:
        start = template.find("{{", pos)
        if start < 0:
            out.append(template[pos:])
            return "".join(out)
        end = template.find("}}", start)
        if end < 0:
            raise InvalidRequest("username_template: unclosed action")
        out.append(template[pos:start])
        tokens = _tokens(template[start + 2 : end])
        if tokens:
            out.append(str(_Evaluator(tokens, fields).pipeline()))
        pos = end + 2


def check(template: str) -> None:
    """Refuse a template that cannot render (at config time, as OpenBao does)."""
    rendered = render(template, {"DisplayName": "token", "RoleName": "role"})
    if not rendered:
        raise InvalidRequest("username_template: renders an empty username")
