"""A fast reader for the block-style YAML that sops files are made of; PyYAML does the rest.

Importing PyYAML costs more start-up time than encrypting a thousand values, so the common
shapes are read here: block mappings and sequences, plain, single- and double-quoted (without
escapes) scalars, ``|`` literal blocks, comments and ``---`` separated documents. Anything else
(flow collections, anchors, tags, escapes, folded or multi-line plain scalars, odd indentation,
duplicate keys, ...) raises ``Unsupported`` and ``yaml_load`` parses the file with libyaml
instead. Results are exactly those of ``yaml_load``: same values (``yaml_resolve``), same
comment placement; a differential property test holds the two readers together.
"""

from __future__ import annotations

import re

from sealbox.sops.formats.yaml_resolve import resolve_plain
from sealbox.sops.tree import Branch, Comment, Value

_KEY = re.compile(r"""([^\s#:'"\[\]{},&*!|>%@`?\-][^\s:]*|"[^"\\]*"|'(?:[^']|'')*'):(?= |$)""")
_PLAIN_START = frozenset(",[]{}#&*!|>'\"%@`")
_SEPARATOR = "---"


class Unsupported(Exception):
    """The input needs the full YAML parser."""


def load_fast(text: str) -> list[Branch]:
    """Documents of ``text``; raises Unsupported for YAML outside the supported subset."""
    if "\n..." in text or not text.replace("\n", "").isprintable():
        raise Unsupported  # tabs, CRs, BOMs, control characters: libyaml's rules apply
    return _Reader(text.split("\n")).documents()


class _Reader:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.i = 0

    # -- line helpers -------------------------------------------------------------------
    def _content(self, start: int) -> int:
        """Index of the first line at or after ``start`` that is neither blank nor a comment."""
        index = start
        while index < len(self.lines):
            stripped = self.lines[index].lstrip(" ")
            if stripped and not stripped.startswith("#"):
                return index
            index += 1
        return index

    def _indent(self, index: int) -> int:
        line = self.lines[index]
        return len(line) - len(line.lstrip(" "))

    def comments(self, min_col: int) -> list[tuple[int, Comment]]:
        """Take full-line comments indented at least ``min_col`` (stops at the first other)."""
        taken: list[tuple[int, Comment]] = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            stripped = line.lstrip(" ")
            if not stripped:
                self.i += 1
                continue
            if not stripped.startswith("#"):
                break
            if len(line) - len(stripped) < min_col:
                following = self._content(self.i)
                if following < len(self.lines) and self._indent(following) >= min_col:
                    raise Unsupported  # a shallow comment inside a deeper block
                break
            taken.append((self.i, Comment(stripped[1:])))
            self.i += 1
        return taken

    # -- documents ----------------------------------------------------------------------
    def documents(self) -> list[Branch]:
        documents: list[Branch] = []
        if self.lines and self.lines[0] == _SEPARATOR:
            self.i = 1
        while True:
            first = self._content(self.i)
            if first >= len(self.lines):
                if documents:
                    documents[-1].items.extend(c for _, c in self.comments(0))
                    return documents
                if any(line.strip() for line in self.lines):
                    raise Unsupported  # comments only: let libyaml decide
                return documents
            if self.lines[first] == _SEPARATOR or self._indent(first) != 0:
                raise Unsupported
            documents.append(self.mapping(0, -1))
            if self.i < len(self.lines) and self.lines[self.i] == _SEPARATOR:
                self.i += 1
                if self._content(self.i) >= len(self.lines):
                    raise Unsupported  # empty last document
            elif self._content(self.i) < len(self.lines):
                raise Unsupported

    # -- collections --------------------------------------------------------------------
    def mapping(self, col: int, parent_col: int) -> Branch:
        del parent_col
        branch = Branch()
        seen: set[str] = set()
        while True:
            comments = self.comments(col)
            branch.items.extend(c for _, c in comments)
            if self._at_end(col):
                return branch
            line = self.lines[self.i]
            if self._indent(self.i) != col:
                raise Unsupported
            self._entry(branch, seen, line[col:], col)

    def _at_end(self, col: int) -> bool:
        if self.i >= len(self.lines) or self.lines[self.i] == _SEPARATOR:
            return True
        indent = self._indent(self.i)
        return indent < col

    def _entry(self, branch: Branch, seen: set[str], text: str, col: int) -> None:
        match = _KEY.match(text)
        if match is None:
            raise Unsupported
        key = _key(match.group(1))
        if key in seen:
            raise Unsupported
        seen.add(key)
        self.i += 1
        value, pending = self.value(text[match.end() :], col)
        branch.items.extend(pending)
        branch.items.append((key, value))

    def sequence(self, col: int, parent_col: int) -> list[Value]:
        items: list[Value] = []
        while True:
            comments = self.comments(col)
            if self._at_end(col) or not self._is_item(self.i, col):
                threshold = max(col, parent_col + 1)
                for position, (line, _) in enumerate(comments):
                    if self._indent(line) < threshold:
                        self.i = line  # leave the rest to the enclosing collection
                        comments = comments[:position]
                        break
                items.extend(c for _, c in comments)
                return items
            items.extend(c for _, c in comments)
            if self._indent(self.i) != col:
                raise Unsupported
            self._item(items, self.lines[self.i][col + 1 :], col)

    def _is_item(self, index: int, col: int) -> bool:
        text = self.lines[index][col:]
        return self._indent(index) == col and (text == "-" or text.startswith("- "))

    def _item(self, items: list[Value], rest: str, col: int) -> None:
        stripped = rest.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            if stripped:
                raise Unsupported  # "- # comment": libyaml drops it
            self.i += 1
            nxt = self._content(self.i)
            if nxt < len(self.lines) and self._indent(nxt) > col:
                # like libyaml's reader: comments between "-" and its block belong to the list
                items.extend(c for _, c in self.comments(col))
            value, pending = self.value("", col, key=False)
            items.extend(pending)
            items.append(value)
            return
        inner = col + 1 + (len(rest) - len(stripped))
        if stripped.startswith("-") and (stripped == "-" or stripped.startswith("- ")):
            raise Unsupported
        if _KEY.match(stripped):
            branch = Branch()
            seen: set[str] = set()
            self._entry(branch, seen, stripped, inner)
            rest_of = self.mapping(inner, col)
            for item in rest_of.items:
                if isinstance(item, tuple):
                    if item[0] in seen:
                        raise Unsupported
                    seen.add(item[0])
                branch.items.append(item)
            items.append(branch)
            return
        self.i += 1
        value, pending = self.scalar(stripped, col)
        items.extend(pending)
        items.append(value)

    # -- values -------------------------------------------------------------------------
    def value(self, rest: str, col: int, key: bool = True) -> tuple[Value, list[Comment]]:
        """The value after ``key:`` or ``-`` (line consumed); nested blocks start below.

        Only a key may own a list at its own indentation (``key:`` then ``- x``).
        """
        stripped = rest.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            pending = [Comment(stripped[1:])] if stripped else []
            if stripped and rest == stripped:
                raise Unsupported
            nxt = self._content(self.i)
            if nxt < len(self.lines) and self.lines[nxt] != _SEPARATOR:
                indent = self._indent(nxt)
                if indent > col:
                    if self._is_item(nxt, indent):
                        return self.sequence(indent, col), pending
                    return self.mapping(indent, col), pending
                if key and indent == col and self._is_item(nxt, indent):
                    return self.sequence(indent, col), pending
            if pending:
                raise Unsupported  # "key: # comment" with a null value
            return None, pending
        return self.scalar(stripped, col)

    def scalar(self, text: str, col: int) -> tuple[Value, list[Comment]]:
        """A one-line scalar (or ``|`` block) whose line has been consumed."""
        if text == "{}":
            return Branch(), []
        if text == "[]":
            return [], []
        first = text[0]
        if first in ('"', "'"):
            return self._quoted(text)
        if first == "|":
            if text not in ("|", "|-", "|+"):
                raise Unsupported
            return self._literal(text[1:], col), []
        if first in _PLAIN_START or text.startswith(("- ", "? ", ": ")) or text in "-?:":
            raise Unsupported
        value, hash_, comment = text.partition(" #")
        value = value.rstrip(" ")
        if ": " in value or value.endswith(":") or value.startswith("---"):
            raise Unsupported
        if self._continues(col):
            raise Unsupported
        pending = [Comment(comment)] if hash_ else []
        return resolve_plain(value), pending

    def _continues(self, col: int) -> bool:
        """Whether the next content line is more indented (a multi-line plain scalar)."""
        nxt = self._content(self.i)
        return nxt < len(self.lines) and self._indent(nxt) > col and self.lines[nxt] != _SEPARATOR

    def _quoted(self, text: str) -> tuple[Value, list[Comment]]:
        quote = text[0]
        if quote == '"':
            end = text.find('"', 1)
            if end < 0 or "\\" in text[:end]:
                raise Unsupported
            value = text[1:end]
        else:
            match = re.match(r"'((?:[^']|'')*)'", text)
            if match is None:
                raise Unsupported
            end = match.end() - 1
            value = match.group(1).replace("''", "'")
        tail = text[end + 1 :]
        stripped = tail.lstrip(" ")
        if not stripped:
            return value, []
        if stripped.startswith("#") and stripped != tail:
            return value, [Comment(stripped[1:])]
        raise Unsupported

    def _literal(self, chomp: str, col: int) -> str:
        start = self.i
        end = start
        content_indent = -1
        while end < len(self.lines):
            line = self.lines[end]
            if line.strip(" "):
                indent = self._indent(end)
                if content_indent < 0:
                    if indent <= col:
                        break
                    content_indent = indent
                elif indent < content_indent:
                    if indent > col:
                        raise Unsupported
                    break
            elif line and content_indent >= 0 and len(line) > content_indent:
                raise Unsupported  # whitespace-only line with content spaces
            end += 1
        if content_indent < 0:
            raise Unsupported
        body = [line[content_indent:] if line.strip(" ") else "" for line in self.lines[start:end]]
        last = len(body)
        while last and not body[last - 1]:
            last -= 1
        if self.lines[start].strip(" ") == "":
            raise Unsupported  # leading blank lines: let libyaml handle them
        text = "\n".join(body[:last])
        if end >= len(self.lines) and chomp == "+":
            raise Unsupported
        self.i = start + last
        if chomp == "-":
            return text
        if chomp == "+":
            trailing = len(body) - last
            self.i = end
            return text + "\n" + "\n" * trailing
        return text + "\n"


def _key(token: str) -> str:
    if token[0] == '"':
        return token[1:-1]
    if token[0] == "'":
        return token[1:-1].replace("''", "'")
    return token
