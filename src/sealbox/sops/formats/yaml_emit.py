"""Write the ordered tree as block-style YAML, the way Go sops lays it out.

Mirrors the output of stores/yaml/store.go with go.yaml.in/yaml/v3: indent 4 by default
(``--indent``/``stores.yaml.indent``), sequences indented under their key (``    - x``),
comments as ``#text`` lines in place, floats in Go's ``'g'`` format, timestamps as RFC 3339,
and each string in the style yaml.v3 picks for it (``yaml_scalar``: plain, single- or
double-quoted, or a literal block). Documents are separated by ``---``.
"""

from __future__ import annotations

import binascii
from datetime import datetime

from sealbox.goformat import rfc3339_nano
from sealbox.sops.formats.yaml_scalar import LITERAL, is_simple_key, literal_block, quoted, style
from sealbox.sops.tree import Branch, Comment, Value
from sealbox.sops.values import format_float_g

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

    def branch(self, branch: Branch, col: int) -> None:
        """A mapping whose keys sit at ``col``; what is nested goes to the next indent stop.

        compat: yaml.v3 aligns nested content to the next multiple of the indent after the
        keys' column (emitterc.go increase_indent), so under ``- a:`` (keys at the dash + 2)
        it lands at the dash + 4 with indent 2 or 4, not at the keys + indent.
        """
        pad = " " * col
        child_col = self.indent * ((col + self.indent) // self.indent)
        for item in branch.items:
            if isinstance(item, Comment):
                self.out.extend(comment_lines(item.value, pad))
            elif item[0] == "<<":
                # compat: yaml.v3 tags a literal "<<" key so that readers do not merge it
                self.child(f"{pad}!!merge <<:", item[1], child_col)
            elif is_simple_key(item[0]):
                self.child(f"{pad}{quote(item[0], child_col)}:", item[1], child_col)
            else:
                # compat: libyaml writes long or multi-line keys as "? key" then ": value"
                self.child(f"{pad}?", item[0], child_col)
                self.child(f"{pad}:", item[1], child_col)

    def sequence(self, items: list[Value], col: int) -> None:
        pad = " " * col
        for item in items:
            if isinstance(item, Comment) and _sealed(item):
                # compat: Go sops writes an encrypted comment in a list as a list item
                self.out.append(f"{pad}- {item.value}")
            elif isinstance(item, Comment):
                self.out.extend(comment_lines(item.value, pad))
            elif (isinstance(item, Branch) and item.items) or (isinstance(item, list) and item):
                nested: list[str] = []
                inner = _Emitter(self.indent, nested)
                if isinstance(item, Branch):
                    inner.branch(item, col + 2)
                else:
                    inner.sequence(item, col + 2)
                if nested[0].lstrip().startswith("#"):
                    self.out.append(f"{pad}-")
                    self.out.extend(nested)
                else:
                    self.out.append(f"{pad}- {nested[0][col + 2 :]}")
                    self.out.extend(nested[1:])
            else:
                # compat: yaml.v3 indents a block scalar in a list item by 2, whatever --indent says
                self.child(f"{pad}-", item, col + 2)

    def child(self, prefix: str, value: Value, col: int) -> None:
        """``prefix`` (``key:`` or ``-``) followed by ``value``, nested at column ``col``."""
        if type(value) is str and "\n" not in value:  # the common case first: one line
            self.out.append(f"{prefix} {quote(value, col)}")
        elif isinstance(value, Branch):
            if not any(isinstance(item, tuple) for item in value.items):
                self.out.append(f"{prefix} {{}}")  # compat: yaml.v3 drops the comments of {}
                return
            self.out.append(prefix)
            self.branch(value, col)
        elif isinstance(value, list):
            if all(isinstance(item, Comment) and not _sealed(item) for item in value):
                # compat: yaml.v3 writes the comments of [] after it, at the key's level
                self.out.append(f"{prefix} []")
                pad = " " * (len(prefix) - len(prefix.lstrip(" ")))
                for comment in value:
                    if isinstance(comment, Comment):  # always, checked above
                        self.out.extend(comment_lines(comment.value, pad))
                return
            self.out.append(prefix)
            self.sequence(value, col)
        elif isinstance(value, bytes) and not _is_utf8(value):
            # compat: yaml.v3 writes a non-UTF-8 string as !!binary, its base64 broken into
            # lines of 70 (then as a literal block) once it reaches 70 characters
            encoded = binascii.b2a_base64(value, newline=False).decode()
            if len(encoded) < 70:
                self.out.append(f"{prefix} !!binary {encoded}")
            else:
                self.out.append(f"{prefix} !!binary |")
                pad = " " * col
                self.out.extend(pad + encoded[i : i + 70] for i in range(0, len(encoded), 70))
        else:
            text = _text(value)
            if text is not None and "\n" in text and style(text) == LITERAL:
                # The indentation hint is the real offset from the parent; yaml.v3 writes
                # --indent there even in list items (content at the dash + 2), which neither
                # Go sops nor libyaml can read back, so there we differ from Go on purpose.
                parent = len(prefix) - len(prefix.lstrip(" "))
                hints, lines = literal_block(text, col, col - parent)
                self.out.append(f"{prefix} |{hints}")
                self.out.extend(lines)
            else:
                self.out.append(f"{prefix} {scalar(value, col)}")


def _sealed(comment: Comment) -> bool:
    return comment.value.startswith("ENC[AES256_GCM,") and comment.value.endswith(",type:comment]")


def comment_lines(text: str, pad: str) -> list[str]:
    """A comment's lines; later lines of a multi-line one (from INI) get ``# `` unless they
    start with ``#``, and empty ones stay empty, as yaml.v3's write_comment does."""
    first, *rest = text.split("\n")
    lines = [f"{pad}#{first}"]
    lines += [
        f"{pad}{line}" if line.startswith("#") else f"{pad}# {line}" if line else ""
        for line in rest
    ]
    return lines


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _text(value: Value) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return value if isinstance(value, str) else None


def scalar(value: Value, col: int = 0) -> str:
    """A scalar on one line (``col``: the indentation of what is nested in it)."""
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
        return quote(value.decode("utf-8", "surrogateescape"), col)
    if isinstance(value, str):
        return quote(value, col)
    raise TypeError(f"cannot write {type(value).__name__} as a YAML scalar")


def quote(text: str, col: int = 0) -> str:
    """``text`` as Go sops writes it on one line: plain, single- or double-quoted."""
    if text.startswith("ENC[AES256_GCM,") and " " not in text and text.isprintable():
        return text  # fast path: envelopes are always plain-safe
    return quoted(text, col)
