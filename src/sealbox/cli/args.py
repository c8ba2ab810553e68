"""``key=value`` arguments the way Vault's kv-builder reads them.

``key=value`` sets a string; ``key=@file`` reads the value from a file and ``key=-`` from
stdin, so secrets need not appear in process arguments; ``\\@`` escapes a literal ``@``. A lone
``-`` merges a JSON object from stdin and a lone ``@file`` merges a JSON object from a file.
A key given twice becomes a list. Stdin can be consumed only once. Errors never echo values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any


class ArgsError(Exception):
    """An argument could not be parsed; the message never contains a value."""


class _Builder:
    def __init__(self, stdin: IO[str] | None) -> None:
        self.stdin = stdin
        self.stdin_used = False
        self.result: dict[str, Any] = {}

    def read_stdin(self) -> str:
        if self.stdin is None:
            raise ArgsError("stdin is not supported")
        if self.stdin_used:
            raise ArgsError("stdin already consumed")
        self.stdin_used = True
        return self.stdin.read()

    def merge_json(self, text: str, source: str) -> None:
        try:
            parsed = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            raise ArgsError(f"failed to parse JSON from {source}: {exc.msg}") from None
        if not isinstance(parsed, dict):
            raise ArgsError(f"JSON from {source} must be an object")
        self.result.update(parsed)

    def add(self, raw: str) -> None:
        if raw == "":
            return
        key, sep, value = raw.partition("=")
        if not sep:
            if raw == "-":
                self.merge_json(self.read_stdin(), "stdin")
                return
            if raw.startswith("@"):
                self.merge_json(read_file(raw[1:]), "file")
                return
            raise ArgsError("format must be key=value")
        if value.startswith("@"):
            value = read_file(value[1:])
        elif value.startswith("\\@"):
            value = value[1:]
        elif value == "-":
            value = self.read_stdin()
        if key in self.result:
            existing = self.result[key]
            items = list(existing) if isinstance(existing, list) else [existing]
            items.append(value)
            self.result[key] = items
        else:
            self.result[key] = value


def read_file(name: str) -> str:
    """Contents of ``name``; the error names the file, never its contents."""
    try:
        return Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise ArgsError(f"error reading file: {exc.strerror or exc}: {name}") from None


def parse_kv_args(args: Iterable[str], stdin: IO[str] | None = None) -> dict[str, Any]:
    """Parse ``key=value`` arguments (with ``@file``, ``-`` and repeated keys) into a map."""
    builder = _Builder(stdin)
    for raw in args:
        builder.add(raw)
    return builder.result


def split_csv(values: Iterable[str]) -> list[str]:
    """Flatten repeated, comma-separated flag values, dropping empty items."""
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return out
