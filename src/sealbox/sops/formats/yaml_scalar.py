"""How a string is written in YAML by Go sops: plain, 'single', "double" or a ``|`` literal block.

Go sops builds each scalar with yaml.v3's ``Node.Encode`` and then emits the document, so the
style comes from two rules of go.yaml.in/yaml/v3 (encode.go ``stringv`` and the libyaml-derived
emitterc.go ``analyze_scalar``/``select_scalar_style``):

- a string with a newline asks for a literal block; one that a plain reading would turn into
  something else (``123``, ``true``, ``null``, the YAML 1.1 bools ``yes``/``no``/``on``…,
  sexagesimal ``1:20``) asks for double quotes; anything else asks to be plain;
- the emitter then downgrades what the text cannot carry: plain → single quotes when it starts
  with an indicator, has ``: `` or `` #``, outer spaces, tabs, line breaks or characters it
  deems unprintable; single → double when it has tabs, unprintable characters or a space next
  to a line break; literal → double when it has unprintable characters, trailing spaces or a
  space before a line break.

"Printable" is libyaml's notion, not Python's: U+00A0 and other non-ASCII letters are written
as they are, while C1 controls, U+FEFF, U+FFFE/U+FFFF and everything beyond U+FFFF (emoji)
are escaped (``\\U0001F600``, upper-case hex). A mapping key longer than 128 UTF-8 bytes or
holding a line break is written in the explicit ``? key`` form.

One deliberate difference: a literal block that starts with a space or a line break carries an
indentation hint, which yaml.v3 always writes as ``--indent`` even where the block is indented
less than that from its parent (in list items, whose content sits at the dash + 2). Go sops
cannot read such output back (nor can libyaml); we write the real offset instead, which both
read. Everywhere else the bytes are Go's.
"""

from __future__ import annotations

import re

from sealbox.sops.formats.yaml_resolve import YAML11_BOOLS, resolve_plain

PLAIN, SINGLE, DOUBLE, LITERAL = "plain", "single", "double", "literal"
_BREAKS = frozenset("\r\n\x85\u2028\u2029")
_FIRST_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")
_BASE60_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_NAMED_ESCAPES = {
    "\0": "0",
    "\a": "a",
    "\b": "b",
    "\t": "t",
    "\n": "n",
    "\v": "v",
    "\f": "f",
    "\r": "r",
    "\x1b": "e",
    '"': '"',
    "\\": "\\",
    "\x85": "N",
    "\xa0": "_",
    "\u2028": "L",
    "\u2029": "P",
}
_MAX_SIMPLE_KEY = 128
_WORDS = frozenset({"true", "false", "null"})
# Words of ASCII letters, digits and harmless punctuation separated by single spaces: no
# indicator, break, outer space or unprintable character, so the analysis would allow plain.
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_(][A-Za-z0-9_()./=+~$^-]*(?: [A-Za-z0-9_()./=+~$^-]+)*\Z")


def _printable(ch: str) -> bool:
    """libyaml's is_printable, on a code point."""
    code = ord(ch)
    return (
        code == 0x0A
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
    )


_SPECIAL = re.compile("[^\n\t\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
_LINE_BREAK = re.compile("[\r\n\x85\u2028\u2029]")
_BREAK_SPACE = re.compile("[\r\n\x85\u2028\u2029] ")
_SPACE_BREAK = re.compile(" [\r\n\x85\u2028\u2029]")
_INNER_INDICATOR = re.compile("(?<=.):(?=[ \t]|\\Z)|[ \t\0\r\n\x85\u2028\u2029]#", re.DOTALL)


class _Analysis:
    """The facts libyaml's analyze_scalar derives from a value (block context only)."""

    __slots__ = ("block", "multiline", "plain", "single")

    def __init__(self, text: str) -> None:
        if not text:
            self.multiline, self.plain, self.single, self.block = False, True, True, False
            return
        first = text[0]
        indicators = (
            text.startswith(("---", "..."))
            or first in _FIRST_INDICATORS
            or (first in "?:-" and (len(text) == 1 or text[1] in " \t"))
            or _INNER_INDICATOR.search(text) is not None
        )
        leading = first == " " or first in _BREAKS
        trailing = text[-1] == " " or text[-1] in _BREAKS
        line_breaks = _LINE_BREAK.search(text) is not None
        tabs = "\t" in text
        special = _SPECIAL.search(text) is not None
        break_space = line_breaks and _BREAK_SPACE.search(text) is not None
        space_break = line_breaks and _SPACE_BREAK.search(text) is not None
        self.multiline = line_breaks
        self.single = not (break_space or space_break or tabs or special)
        self.plain = self.single and not (leading or trailing or line_breaks or indicators)
        self.block = not (text[-1] == " " or space_break or special)


def _resolves_to_other(text: str) -> bool:
    """yaml.v3 stringv: a plain reading would not give back this string."""
    if text[:1].isalpha() and text not in YAML11_BOOLS and text.lower() not in _WORDS:
        return False  # fast path: only true/false/null-like words resolve from a letter
    return (
        not isinstance(resolve_plain(text), str)
        or text in YAML11_BOOLS
        or (text[:1] in "+-0123456789" and ":" in text and bool(_BASE60_FLOAT.match(text)))
    )


def style(text: str) -> str:
    """The style Go sops writes ``text`` in, as a mapping value or list item."""
    if _PLAIN_SAFE.match(text):  # fast path for the common case; same answer as below
        return DOUBLE if _resolves_to_other(text) else PLAIN
    analysis = _Analysis(text)
    if "\n" in text:
        return LITERAL if analysis.block else DOUBLE
    if _resolves_to_other(text):
        return DOUBLE
    if analysis.plain:
        return PLAIN
    return SINGLE if analysis.single else DOUBLE


def is_simple_key(text: str) -> bool:
    """Whether a key fits ``key: value`` (else it is written ``? key`` / ``: value``)."""
    if _LINE_BREAK.search(text) is not None:
        return False
    # at most 4 UTF-8 bytes a character: short keys need no encoding to be measured
    return len(text) <= _MAX_SIMPLE_KEY // 4 or len(text.encode("utf-8", "surrogatepass")) <= (
        _MAX_SIMPLE_KEY
    )


def single_quoted(text: str, indent: int) -> str:
    """``'…'``; a U+2028/U+2029 break is followed by the indentation, as libyaml writes it."""
    if _LINE_BREAK.search(text) is None:
        return "'" + text.replace("'", "''") + "'"
    out = ["'"]
    after_break = False
    for ch in text:
        if ch in _BREAKS:
            out.append(ch)
            after_break = True
            continue
        if after_break:
            out.append(" " * indent)
            after_break = False
        out.append("''" if ch == "'" else ch)
    out.append("'")
    return "".join(out)


def _escape(ch: str) -> str:
    named = _NAMED_ESCAPES.get(ch)
    if named is not None:
        return "\\" + named
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


def double_quoted(text: str) -> str:
    """``"…"`` with libyaml's escapes (every character, when the text starts with U+FEFF)."""
    if text.startswith("\ufeff"):
        # compat: libyaml's is_bom looks at the start of the value, not at the current character
        return '"' + "".join(_escape(ch) for ch in text) + '"'
    out = ['"']
    for ch in text:
        out.append(_escape(ch) if not _printable(ch) or ch in _BREAKS or ch in '"\\' else ch)
    out.append('"')
    return "".join(out)


def literal_block(text: str, indent: int, offset: int) -> tuple[str, list[str]]:
    """The ``|`` header's hints and the block's lines, each indented by ``indent``.

    ``offset`` (the lines' indentation relative to the parent's) is written as the indentation
    hint when the text starts with a space or a line break.
    """
    hints = str(offset) if text[0] == " " or text[0] in _BREAKS else ""
    if text[-1] not in _BREAKS:
        hints += "-"
    elif len(text) == 1 or text[-2] in _BREAKS:
        hints += "+"
    body: list[str] = []
    after_break = True
    for ch in text:
        if ch in _BREAKS:
            body.append(ch)
            after_break = True
            continue
        if after_break:
            body.append(" " * indent)
            after_break = False
        body.append(ch)
    lines = "".join(body).split("\n")
    if text.endswith("\n"):
        lines.pop()  # the line the next item starts on
    return hints, lines


def quoted(text: str, indent: int) -> str:
    """``text`` on one line in its style (a literal-style text must not get here)."""
    chosen = style(text)
    if chosen == PLAIN:
        return text
    if chosen == SINGLE:
        return single_quoted(text, indent)
    return double_quoted(text)
