"""Write the ordered tree as block-style YAML, the way Go sops lays it out.

Mirrors the output of stores/yaml/store.go with go.yaml.in/yaml/v3: indent 4 by default
(``--indent``/``stores.yaml.indent``), sequences indented under their key (``    - x``),
comments as ``#text`` lines in place, multi-line strings as literal blocks, floats in Go's
``'g'`` format, timestamps as RFC 3339, and strings quoted whenever a YAML 1.2 (or 1.1) reader
would take them for something else. Documents are separated by ``---``.
"""

from __future__ import annotations

from datetime import datetime

from sealbox.goformat import rfc3339_nano
from sealbox.sops.formats.yaml_resolve import YAML11_BOOLS, resolve_plain
from sealbox.sops.tree import Branch, Comment, Value
from sealbox.sops.values import format_float_g

_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
}
_FLOAT_WORDS = {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}


def emit_documents(documents: list[Branch], indent: int = 4) -> str:
    """Serialize all documents; an empty document is written ``{}``."""
    parts = []
    for document in documents:
        lines: list[str] = []
        _Emitter(indent, lines).branch(document, 0)
        parts.append("\n".join(lines) + "\n" if lines else "{}\n")
    return "---\n".join(parts)


def emit_value(value: Value, indent: int = 4) -> str:
    """Serialize one subtree or scalar (``--extract`` of a non-string)."""
    if isinstance(value, Branch):
        return emit_documents([value], indent)
    lines: list[str] = []
    emitter = _Emitter(indent, lines)
    if isinstance(value, list):
        emitter.sequence(value, 0)
    else:
        emitter.child("", value, indent)
        lines[0] = lines[0].lstrip()
    return "\n".join(lines) + "\n"


class _Emitter:
    __slots__ = ("indent", "out")

    def __init__(self, indent: int, out: list[str]):
        self.indent = indent
        self.out = out

    def branch(self, branch: Branch, col: int, base: int | None = None) -> None:
        """A mapping whose keys sit at ``col``; nested values go to ``base`` (or col+indent).

        compat: yaml.v3 indents what is nested in a mapping that is a list item relative to
        the ``-``, not to the keys (``- a:`` then ``    - x`` under indent 4).
        """
        pad = " " * col
        child_col = max(col + self.indent if base is None else base, col + 1)
        for item in branch.items:
            if isinstance(item, Comment):
                self.out.append(f"{pad}#{item.value}")
            else:
                # compat: yaml.v3 tags a literal "<<" key so that readers do not merge it
                key = "!!merge <<" if item[0] == "<<" else quote(item[0])
                self.child(f"{pad}{key}:", item[1], child_col)

    def sequence(self, items: list[Value], col: int) -> None:
        pad = " " * col
        for item in items:
            if isinstance(item, Comment):
                self.out.append(f"{pad}#{item.value}")
            elif (isinstance(item, Branch) and item.items) or (isinstance(item, list) and item):
                nested: list[str] = []
                inner = _Emitter(self.indent, nested)
                if isinstance(item, Branch):
                    inner.branch(item, col + 2, col + self.indent)
                else:
                    inner.sequence(item, col + 2)
                if nested[0].lstrip().startswith("#"):
                    self.out.append(f"{pad}-")
                    self.out.extend(nested)
                else:
                    self.out.append(f"{pad}- {nested[0][col + 2 :]}")
                    self.out.extend(nested[1:])
            else:
                self.child(f"{pad}-", item, col + self.indent)

    def child(self, prefix: str, value: Value, col: int) -> None:
        """``prefix`` (``key:`` or ``-``) followed by ``value``, nested at column ``col``."""
        if isinstance(value, Branch):
            if not value.items:
                self.out.append(f"{prefix} {{}}")
                return
            self.out.append(prefix)
            self.branch(value, col)
        elif isinstance(value, list):
            if not value:
                self.out.append(f"{prefix} []")
                return
            self.out.append(prefix)
            self.sequence(value, col)
        elif isinstance(value, str) and _literal_ok(value):
            self.literal(prefix, value, col)
        else:
            self.out.append(f"{prefix} {scalar(value)}")

    def literal(self, prefix: str, text: str, col: int) -> None:
        if text.endswith("\n\n"):
            chomp = "+"
        elif text.endswith("\n"):
            chomp = ""
        else:
            chomp = "-"
        body = text[:-1] if text.endswith("\n") else text
        pad = " " * col
        self.out.append(f"{prefix} |{chomp}")
        self.out.extend(pad + line if line else "" for line in body.split("\n"))


def _literal_ok(text: str) -> bool:
    """Multi-line text that a literal block reproduces exactly."""
    if "\n" not in text or text[0] in " \t\n" or "\r" in text:
        return False
    lines = text.split("\n")
    return all(line.isprintable() and (line == "" or line.strip()) for line in lines)


def scalar(value: Value) -> str:
    """A scalar on one line."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = format_float_g(value)
        return _FLOAT_WORDS.get(text, text)
    if isinstance(value, datetime):
        return rfc3339_nano(value)
    if isinstance(value, bytes):
        return quote(value.decode("utf-8", "surrogateescape"))
    if isinstance(value, str):
        return quote(value)
    raise TypeError(f"cannot write {type(value).__name__} as a YAML scalar")


def quote(text: str) -> str:
    """``text`` plain when a reader gets the same string back, else double-quoted.

    Strings that YAML 1.1 readers take for bools (``yes``, ``n``) are quoted, keys included,
    as yaml.v3 does.
    """
    if text.startswith("ENC[AES256_GCM,") and " " not in text and text.isprintable():
        return text  # fast path: envelopes are always plain-safe
    if _plain_ok(text):
        return text
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return '"' + "".join(_escape(ch) for ch in text) + '"'


def _plain_ok(text: str) -> bool:
    if not text or text[0] in _INDICATORS or text[0].isspace() or text[-1].isspace():
        return False
    if ": " in text or " #" in text or text.endswith(":") or not text.isprintable():
        return False
    return text not in YAML11_BOOLS and isinstance(resolve_plain(text), str)


def _escape(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch.isprintable():
        return ch
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
