"""INI text as Go sops reads and writes it: the rules of gopkg.in/ini.v1 with sops's options.

Go sops (stores/ini/store.go) parses with ``ini.LoadSources(LoadOptions{AllowNonUniqueSections:
true})`` and writes with ``File.WriteTo`` under go-ini's default pretty format. Byte-identical
output therefore means following go-ini's own rules, which differ from Python's configparser:

- every file starts with an implicit ``DEFAULT`` section; a repeated ``[name]`` is a new
  section, while a repeated key overwrites the earlier value in place (and its comment);
- comment lines (``;``/``#``) belong to the next section header or key; ones at the end of the
  file belong to nothing and are dropped. Consecutive lines form one comment, joined by ``\\n``;
- any ``#`` or ``;`` in an unquoted value starts an inline comment (joined to the key's comment);
  a value wrapped in backticks or triple double quotes is taken verbatim (the latter may span
  lines), one wrapped in single or double quotes loses them, and a trailing ``\\`` continues it
  on the next line;
- on writing, keys are padded (by UTF-8 byte length) so ``=`` signs line up within a section,
  sections are separated by a blank line, an empty leading ``DEFAULT`` section is left out,
  and values are quoted with the same three kinds of quotes when reading would otherwise
  change them.

Text is handled as ``str``; lengths that go-ini measures in bytes are measured in UTF-8 bytes.
"""

from __future__ import annotations

from collections.abc import Iterator

DEFAULT_SECTION = "DEFAULT"
_DELIMITERS = "=:"
# Go's unicode.IsSpace (strings.TrimSpace trims these); Python's str.strip() also trims \x1c-\x1f.
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)


class IniSyntaxError(ValueError):
    """The text is not INI as go-ini reads it; the message names the line, never a value."""


class IniKey:
    """One key of a section: its value and the comment written above it ("" for none)."""

    __slots__ = ("comment", "name", "value")

    def __init__(self, name: str, value: str, comment: str = "") -> None:
        self.name = name
        self.value = value
        self.comment = comment


class IniSection:
    """A section in file order; ``keys`` keeps first-seen order, as go-ini's key list does."""

    __slots__ = ("comment", "keys", "name")

    def __init__(self, name: str, comment: str = "") -> None:
        self.name = name
        self.comment = comment
        self.keys: dict[str, IniKey] = {}

    def set(self, name: str, value: str, comment: str) -> None:
        """Add a key, or overwrite an existing one's value and comment where it stands."""
        key = self.keys.get(name)
        if key is None:
            self.keys[name] = IniKey(name, value, comment)
        else:
            key.value, key.comment = value, comment


def trim(text: str) -> str:
    """Go's strings.TrimSpace."""
    return text.strip(_GO_SPACE)


def _index_any(text: str, chars: str) -> int:
    return min((p for p in (text.find(c) for c in chars) if p >= 0), default=-1)


def _strip_bom(text: str) -> str:
    # compat: go-ini drops a UTF-8 byte-order mark (and UTF-16 ones, which cannot be UTF-8 text)
    return text.removeprefix("\ufeff")


def _lines(text: str) -> Iterator[str]:
    """Lines with their ``\\n`` kept, as bufio's ReadBytes('\\n') returns them."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


class _Reader:
    """go-ini's parser loop over one text, keeping the pending comment between lines."""

    def __init__(self, text: str) -> None:
        self.lines = _lines(_strip_bom(text))
        self.number = 0
        self.comment = ""
        self.sections = [IniSection(DEFAULT_SECTION)]

    def next_line(self) -> str | None:
        line = next(self.lines, None)
        if line is not None:
            self.number += 1
        return line

    def error(self, reason: str) -> IniSyntaxError:
        return IniSyntaxError(f"line {self.number}: {reason}")

    def run(self) -> list[IniSection]:
        counter = 1
        while (raw := self.next_line()) is not None:
            line = raw.lstrip(_GO_SPACE)
            if not line:
                continue
            if line[0] in "#;":
                self.comment += line
            elif line[0] == "[":
                self._section(line)
                counter = 1
            else:
                name, offset = self._key_name(line)
                if name == "-":  # compat: go-ini numbers "-" keys #1, #2, … per section
                    name, counter = f"#{counter}", counter + 1
                value = self._value(line[offset:])
                if not name:
                    raise self.error("empty key name")
                self.sections[-1].set(name, value, trim(self.comment))
                self.comment = ""
        return self.sections

    def _section(self, line: str) -> None:
        close = line.rfind("]")
        if close < 0:
            raise self.error("unclosed section")
        name = line[1:close]
        if not name:
            raise self.error("empty section name")
        rest = line[close + 1 :]
        start = _index_any(rest, "#;")
        if start >= 0:
            self.comment += rest[start:]
        self.sections.append(IniSection(name, trim(self.comment)))
        self.comment = ""

    def _key_name(self, line: str) -> tuple[str, int]:
        quote = ""
        if line.startswith('"'):
            quote = '"""' if len(line) > 6 and line.startswith('"""') else '"'
        elif line.startswith("`"):
            quote = "`"
        if quote:
            width = len(quote)
            close = line.find(quote, width)
            if close < 0:
                raise self.error("missing closing key quote")
            delimiter = _index_any(line[close + width :], _DELIMITERS)
            if delimiter < 0:
                raise self.error("key-value delimiter not found")
            return trim(line[width:close]), close + delimiter + width + 1
        end = _index_any(line, _DELIMITERS)
        if end < 0:
            raise self.error("key-value delimiter not found")
        if end == 0:
            raise self.error("empty key name")
        return trim(line[:end]), end + 1

    def _value(self, text: str) -> str:
        line = text.lstrip(_GO_SPACE)
        if not line:
            return ""
        quote = ""
        if len(line) > 3 and line.startswith('"""'):
            quote = '"""'
        elif line.startswith("`"):
            quote = "`"
        if quote:
            close = line.rfind(quote, len(quote))
            if close < 0:
                return self._multiline(line[len(quote) :], quote)
            return line[len(quote) : close]
        line = trim(line)
        if line.endswith("\\"):
            return self._continued(line[:-1])
        start = _index_any(line, "#;")
        if start >= 0:
            self.comment += line[start:]
            line = trim(line[:start])
        if _surrounded(line, "'") or _surrounded(line, '"'):
            line = line[1:-1]
        return line

    def _multiline(self, value: str, quote: str) -> str:
        while True:
            following = self.next_line()
            if following is None:
                raise self.error("missing closing value quote")
            close = following.rfind(quote)
            if close >= 0:
                value += following[:close]
                rest = following[close:]
                start = _index_any(rest, "#;")
                if start >= 0:
                    self.comment += trim(rest[start:])
                return value
            value += following
            if not following.endswith("\n"):
                raise self.error("missing closing value quote")

    def _continued(self, value: str) -> str:
        while (following := self.next_line()) is not None:
            part = trim(following)
            if not part:
                break
            value += part
            if not value.endswith("\\"):
                break
            value = value[:-1]
        return value


def _surrounded(text: str, quote: str) -> bool:
    """go-ini's hasSurroundedQuote: quoted at both ends and nowhere else."""
    return len(text) >= 2 and text[0] == quote == text[-1] and text.find(quote, 1) == len(text) - 1


def parse(text: str) -> list[IniSection]:
    """Sections of ``text`` in file order, the implicit ``DEFAULT`` one first."""
    return _Reader(text).run()


def _comment_lines(comment: str, trim_plain: bool) -> list[str]:
    lines = []
    for line in comment.split("\n"):
        if not line:
            # go-ini indexes line[0] here and panics; refuse instead of guessing
            raise IniSyntaxError("a comment cannot contain an empty line in INI")
        if line[0] in "#;":
            lines.append(f"{line[0]} {trim(line[1:])}")
        else:
            # compat: go-ini trims plain key-comment lines but not section-comment ones
            lines.append("; " + (trim(line) if trim_plain else line))
    return lines


def _quoted_name(name: str) -> str:
    if '"' in name or _index_any(name, _DELIMITERS) >= 0:
        return f"`{name}`"
    if "`" in name:
        return f'"""{name}"""'
    return name


def _quoted_value(value: str) -> str:
    if "\n" in value or "`" in value:
        return f'"""{value}"""'
    if "#" in value or ";" in value:
        return f"`{value}`"
    if trim(value) != value:
        return f'"{value}"'
    return value


def _width(name: str) -> int:
    return len(name.encode("utf-8", "surrogatepass"))


def write(sections: list[IniSection]) -> str:
    """go-ini's pretty output of ``sections``."""
    out: list[str] = []
    last = len(sections) - 1
    for index, section in enumerate(sections):
        if section.comment:
            out.extend(f"{line}\n" for line in _comment_lines(section.comment, False))
        if index > 0 or section.name.upper() != DEFAULT_SECTION:
            out.append(f"[{section.name}]\n")
        elif not section.keys:
            continue
        names = {name: _quoted_name(name) for name in section.keys}
        align = max((_width(quoted) for quoted in names.values()), default=0)
        for name, key in section.keys.items():
            if key.comment:
                out.extend(f"{line}\n" for line in _comment_lines(key.comment, True))
            quoted = names[name]
            padding = " " * (align - _width(quoted))
            out.append(f"{quoted}{padding} = {_quoted_value(key.value)}\n")
        if index != last:
            out.append("\n")
    return "".join(out)
