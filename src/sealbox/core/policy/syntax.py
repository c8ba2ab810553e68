"""A small HCL1/JSON syntax tree for policy documents, built on pyhcl's lexer.

Mirrors what OpenBao gets from hashicorp/hcl v1 (``hclutil.ParseConfig`` in
sdk/helper/hclutil/hcl.go): an ordered list of items where a key may repeat (two
``path "x"`` blocks stay two items, and the ACL later merges them), each item knowing
its line, so errors can say ``invalid key "foo" on line 3``. pyhcl's own parser folds
repeated keys into one dict, which loses the first block; we therefore use only its lexer
and parse the (small) grammar ourselves. Comments are kept on the items for
``format_policy``. Input whose first non-blank character is ``{`` is JSON, as in
hclutil.ParseConfig.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hcl.lexer import Lexer

Value = Any  # str | int | float | bool | None | list[Value] | Obj


@dataclass(slots=True)
class Item:
    """``key [labels...] = value`` or ``key "label" { ... }``."""

    keys: list[str]
    value: Value
    line: int
    assign: bool = True
    lead_comments: list[str] = field(default_factory=list)
    trailing_comment: str = ""
    end_line: int = 0


@dataclass(slots=True)
class Obj:
    """An object body: items in source order, plus comments before the closing brace."""

    items: list[Item] = field(default_factory=list)
    end_comments: list[str] = field(default_factory=list)

    def to_python(self) -> dict[str, Any]:
        """Plain dict view (later duplicates win); used for parameter maps."""
        return {item.keys[0]: to_python(item.value) for item in self.items}


def to_python(value: Value) -> Any:
    """Strip the tree types from a value."""
    if isinstance(value, Obj):
        return value.to_python()
    if isinstance(value, list):
        return [to_python(v) for v in value]
    return value


class SyntaxProblem(ValueError):
    """The text is neither valid HCL nor valid JSON; the message says where."""


@dataclass(slots=True)
class _Tok:
    kind: str
    value: Any
    line: int
    col: int
    raw: str


_SCALARS = frozenset({"STRING", "NUMBER", "FLOAT", "BOOL"})
_COMMENTS = frozenset({"COMMENT", "MULTICOMMENT"})


def _tokens(text: str) -> list[_Tok]:
    lexer = Lexer(export_comments="ALL")
    lexer.input(text)
    out: list[_Tok] = []
    try:
        for tok in iter(lexer.token, None):
            start = text.rfind("\n", 0, tok.lexpos) + 1
            raw = ""
            if tok.type == "COMMENT":
                end = text.find("\n", tok.lexpos)
                raw = text[tok.lexpos : len(text) if end < 0 else end].rstrip()
            elif tok.type == "MULTICOMMENT":
                raw = str(tok.value)
            out.append(_Tok(tok.type, tok.value, tok.lineno, tok.lexpos - start + 1, raw))
    except ValueError as err:
        raise SyntaxProblem(str(err)) from err
    return out


#: Nesting of blocks and lists a policy may use; real policies need three or four levels.
MAX_DEPTH = 64


class _Parser:
    """Recursive descent over the token list (HCL1 as policies use it)."""

    def __init__(self, tokens: list[_Tok]) -> None:
        self._toks = tokens
        self._pos = 0
        self._depth = 0

    def _peek(self) -> _Tok | None:
        return self._toks[self._pos] if self._pos < len(self._toks) else None

    def _next(self) -> _Tok:
        tok = self._peek()
        if tok is None:
            raise SyntaxProblem("unexpected end of input")
        self._pos += 1
        return tok

    def _fail(self, tok: _Tok | None, expected: str) -> SyntaxProblem:
        if tok is None:
            return SyntaxProblem(f"expected {expected}, got end of input")
        return SyntaxProblem(f"At {tok.line}:{tok.col}: expected {expected}, got {tok.kind}")

    def _comments(self) -> list[_Tok]:
        found = []
        while (tok := self._peek()) is not None and tok.kind in _COMMENTS:
            found.append(self._next())
        return found

    def parse_body(self, closing: str | None) -> Obj:
        obj = Obj()
        pending: list[str] = []
        while True:
            for comment in self._comments():
                last = obj.items[-1] if obj.items else None
                if last is not None and not pending and comment.line == last.end_line:
                    last.trailing_comment = comment.raw
                else:
                    pending.append(comment.raw)
            tok = self._peek()
            if tok is None or (closing is not None and tok.kind == closing):
                if tok is None and closing is not None:
                    raise self._fail(None, "'}'")
                obj.end_comments = pending
                return obj
            item = self._item()
            item.end_line = self._toks[self._pos - 1].line
            item.lead_comments = pending
            pending = []
            obj.items.append(item)
            nxt = self._peek()
            if nxt is not None and nxt.kind == "COMMA":
                self._next()

    def _item(self) -> Item:
        tok = self._next()
        if tok.kind not in ("IDENTIFIER", "STRING"):
            raise self._fail(tok, "IDENT | STRING")
        keys = [str(tok.value)]
        while (nxt := self._peek()) is not None and nxt.kind in ("IDENTIFIER", "STRING"):
            keys.append(str(self._next().value))
        nxt = self._peek()
        if nxt is not None and nxt.kind in ("EQUAL", "COLON"):
            self._next()
            if len(keys) > 1:
                raise self._fail(nxt, "'{' after labels")
            return Item(keys, self._value(), tok.line)
        if nxt is not None and nxt.kind == "LEFTBRACE":
            return Item(keys, self._value(), tok.line, assign=False)
        raise self._fail(nxt, "'=' or '{'")

    def _value(self) -> Value:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise SyntaxProblem("depth limit exceeded")
            return self._value_at_depth()
        finally:
            self._depth -= 1

    def _value_at_depth(self) -> Value:
        tok = self._next()
        if tok.kind in _SCALARS:
            return tok.value
        if tok.kind == "MINUS":
            num = self._next()
            if num.kind not in ("NUMBER", "FLOAT"):
                raise self._fail(num, "number")
            return -num.value
        if tok.kind == "LEFTBRACE":
            body = self.parse_body("RIGHTBRACE")
            self._next()
            return body
        if tok.kind == "LEFTBRACKET":
            return self._list()
        raise self._fail(tok, "value")

    def _list(self) -> list[Value]:
        values: list[Value] = []
        while True:
            self._comments()
            tok = self._peek()
            if tok is not None and tok.kind == "RIGHTBRACKET":
                self._next()
                return values
            values.append(self._value())
            self._comments()
            sep = self._next()
            if sep.kind == "RIGHTBRACKET":
                return values
            if sep.kind != "COMMA":
                raise self._fail(sep, "',' or ']'")


class _Pairs(list[tuple[str, Any]]):
    """A JSON object with its keys in order and duplicates kept."""


def _from_json(value: Any) -> Value:
    if isinstance(value, _Pairs):
        return Obj([Item([k], _from_json(v), 0) for k, v in value])
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def _json_pairs(pairs: list[tuple[str, Any]]) -> _Pairs:
    return _Pairs(pairs)


def _json_depth(value: Any) -> int:
    """How deeply ``value`` nests (iteratively, so it cannot itself overflow the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, _Pairs):
            children: list[Any] = [v for _, v in current]
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _flatten_json_blocks(root: Obj) -> Obj:
    """``{"path": {"a": {...}, "b": {...}}}`` or ``{"path": [{"a": ...}]}`` -> two items."""
    out = Obj()
    for item in root.items:
        value = item.value
        blocks = value if isinstance(value, list) else [value]
        if blocks and all(isinstance(b, Obj) for b in blocks) and item.keys[0] == "path":
            for block in blocks:
                out.items.extend(
                    Item(["path", *sub.keys], sub.value, 0, False) for sub in block.items
                )
        else:
            out.items.append(item)
    return out


def parse_document(text: str) -> Obj:
    """Parse policy text (HCL or JSON) into an ordered tree; raises SyntaxProblem."""
    if text.strip().startswith("{"):
        try:
            raw = json.loads(text, object_pairs_hook=_json_pairs)
        except ValueError as err:
            raise SyntaxProblem(str(err)) from err
        except RecursionError as err:
            raise SyntaxProblem("depth limit exceeded") from err
        if _json_depth(raw) > MAX_DEPTH:
            raise SyntaxProblem("depth limit exceeded")
        root = _from_json(raw)
        if not isinstance(root, Obj):
            raise SyntaxProblem("does not contain a root object")
        return _flatten_json_blocks(root)
    return _Parser(_tokens(text)).parse_body(None)
