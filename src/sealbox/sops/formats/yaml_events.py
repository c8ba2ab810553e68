"""Read any YAML into the ordered tree through libyaml's event stream (PyYAML's C parser).

Go sops parses with go.yaml.in/yaml/v3 and turns head and line comments into ``Comment`` items
(stores/yaml/store.go). We parse with libyaml's event stream (PyYAML's C parser: fast enough
that a 1,000-key file loads in milliseconds) and recover comments from the source lines the
events point at: full-line comments before an item belong to the innermost open collection
whose items are indented no deeper than the comment; a trailing (line) comment is moved above
its item, as Go sops 3.11 does. Scalars are resolved as yaml.v3 does (``yaml_resolve``);
anchors and aliases are expanded; duplicate keys and non-mapping documents are errors.
"""

from __future__ import annotations

import binascii
import copy
import re
from collections.abc import Iterator

import yaml

from sealbox.sops.errors import InvalidInputError
from sealbox.sops.formats.yaml_resolve import go_parse_int, parse_timestamp, resolve_plain
from sealbox.sops.tree import Branch, Comment, Value

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LINE_COMMENT = re.compile(r"^(?:\s*:)?\s+#(.*)$")
_TAG = "tag:yaml.org,2002:"


def load_events(text: str) -> list[Branch]:
    """Parse every document of ``text``; raises InvalidInputError on bad YAML."""
    try:
        return _Builder(text).documents()
    except yaml.YAMLError as err:
        raise InvalidInputError(f"Error unmarshalling input YAML: {_describe(err)}") from err


def _describe(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or "invalid YAML"
    return f"{problem} (line {mark.line + 1})" if mark is not None else str(problem)


class _Builder:
    def __init__(self, text: str):
        self.lines = text.split("\n")
        self.events: Iterator[yaml.Event] = iter(yaml.parse(text, Loader=_LOADER))
        self.anchors: dict[str, Value] = {}
        self.cursor = -1  # last source line whose comments have been taken
        self.last_end: yaml.Event | None = None  # the end event of the last collection read

    def documents(self) -> list[Branch]:
        documents: list[Branch] = []
        for event in self.events:
            if isinstance(event, yaml.DocumentStartEvent):
                node = self.node(next(self.events), -1)
                if node is None:
                    node = Branch()
                if not isinstance(node, Branch):
                    raise InvalidInputError(
                        "Error unmarshalling input YAML: the top level of a document "
                        "must be a mapping"
                    )
                documents.append(node)
        if documents:
            documents[-1].items.extend(self.comments(len(self.lines), 0))
        return documents

    def comments(self, upto: int, min_col: int) -> list[Comment]:
        """Take full-line comments after the cursor and before line ``upto``."""
        found: list[Comment] = []
        line = self.cursor + 1
        while line < upto:
            text = self.lines[line]
            stripped = text.lstrip()
            if stripped.startswith("#"):
                if len(text) - len(stripped) < min_col:
                    break
                found.append(Comment(stripped[1:].rstrip("\r")))
            line += 1
        self.cursor = max(self.cursor, line - 1)
        return found

    def line_comment(self, event: yaml.Event) -> list[Comment]:
        """A comment after ``event`` on its last line (not for block scalars)."""
        line, column = _line(event.end_mark), _column(event.end_mark)
        if isinstance(event, yaml.ScalarEvent) and event.style in ("|", ">"):
            self.cursor = max(self.cursor, line - 1 if column == 0 else line)
            return []
        if line <= self.cursor or line >= len(self.lines):
            return []
        self.cursor = line
        match = _LINE_COMMENT.match(self.lines[line][column:])
        return [Comment(match.group(1).rstrip("\r"))] if match else []

    def after_flow(self) -> list[Comment]:
        """A comment on the line where the flow collection just read ends (``[1, 2] # c``)."""
        if self.last_end is None:
            return []
        line, column = _line(self.last_end.end_mark), _column(self.last_end.end_mark)
        if line >= len(self.lines):
            return []
        self.cursor = max(self.cursor, line)
        match = _LINE_COMMENT.match(self.lines[line][column:])
        return [Comment(match.group(1).rstrip("\r"))] if match else []

    def node(self, event: yaml.Event, parent_col: int) -> Value:
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise InvalidInputError(f"unknown anchor {event.anchor!r} in YAML")
            return copy.deepcopy(self.anchors[event.anchor])
        if isinstance(event, yaml.ScalarEvent):
            value: Value = _scalar(event)
        elif isinstance(event, yaml.MappingStartEvent):
            value = self.mapping(_column(event.start_mark))
        elif isinstance(event, yaml.SequenceStartEvent):
            value = self.sequence(_column(event.start_mark), parent_col)
        else:
            raise InvalidInputError("Error unmarshalling input YAML: unexpected structure")
        anchor = getattr(event, "anchor", None)
        if anchor:
            self.anchors[anchor] = copy.deepcopy(value)
        return value

    def mapping(self, col: int) -> Branch:
        branch = Branch()
        seen: set[str] = set()
        for event in self.events:
            if isinstance(event, yaml.MappingEndEvent):
                branch.items.extend(self.comments(_line(event.start_mark), col))
                self.last_end = event
                return branch
            branch.items.extend(self.comments(_line(event.start_mark), col))
            if not isinstance(event, yaml.ScalarEvent):
                raise InvalidInputError("Error unmarshalling input YAML: non-string mapping key")
            key = event.value
            if key in seen:
                raise InvalidInputError(f"Error unmarshalling input YAML: duplicate key {key!r}")
            seen.add(key)
            value_event = next(self.events)
            nested = isinstance(value_event, yaml.MappingStartEvent | yaml.SequenceStartEvent)
            flow = nested and bool(getattr(value_event, "flow_style", False))
            pending = self.line_comment(event) if nested and not flow else []
            value = self.node(value_event, col)
            if not nested:
                pending += self.line_comment(value_event)
            branch.items.extend(pending)
            branch.items.append((key, value))
            if flow:
                # compat: Go sops keeps it as the collection's first item (an empty one too;
                # the emitter then writes it after "[]" and drops it from "{}", as Go does)
                trailing: list[Comment] = self.after_flow()
                if isinstance(value, Branch):
                    value.items[:0] = trailing
                elif isinstance(value, list):
                    value[:0] = trailing
        raise InvalidInputError("Error unmarshalling input YAML: unterminated mapping")

    def sequence(self, col: int, parent_col: int) -> list[Value]:
        items: list[Value] = []
        for event in self.events:
            if isinstance(event, yaml.SequenceEndEvent):
                items.extend(self.comments(_line(event.start_mark), max(col, parent_col + 1)))
                self.last_end = event
                return items
            items.extend(self.comments(_line(event.start_mark), col))
            value = self.node(event, col)
            if not isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                items.extend(self.line_comment(event))
            elif getattr(event, "flow_style", False):
                items.extend(self.after_flow())  # compat: Go sops puts it before the item
            items.append(value)
        raise InvalidInputError("Error unmarshalling input YAML: unterminated sequence")


def _line(mark: object) -> int:
    return int(getattr(mark, "line", 0))


def _column(mark: object) -> int:
    return int(getattr(mark, "column", 0))


def _scalar(event: yaml.ScalarEvent) -> Value:
    tag = event.tag
    if tag in (None, "!") and not event.style:
        return resolve_plain(event.value)
    if tag is None or tag == "!" or tag == _TAG + "str":
        return event.value
    return _tagged(tag, event.value)


def _tagged(tag: str, text: str) -> Value:
    """Scalars with an explicit core tag; the tag itself is dropped, as Go sops does."""
    name = tag.removeprefix(_TAG)
    try:
        if name == "int":
            number = go_parse_int(text.replace("_", ""))
            return number if number is not None else int(text)
        if name == "float":
            return float(text)
        if name == "bool":
            return resolve_plain(text) if text in ("true", "false", "True", "False") else text
        if name == "null":
            return None
        if name == "timestamp":
            return parse_timestamp(text) or text
        if name == "binary":
            # compat: yaml.v3 decodes it into a (byte) string; kept as text when it is UTF-8
            data = binascii.a2b_base64("".join(text.split()))
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                return data
    except (ValueError, binascii.Error) as err:
        raise InvalidInputError(f"Error unmarshalling input YAML: invalid !!{name}") from err
    return text
