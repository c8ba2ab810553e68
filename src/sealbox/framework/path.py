"""A Path: one route pattern of a backend with its fields, handlers and help.

Mirrors sdk/framework/path.go: the pattern is an anchored regex whose named groups become
fields (URL captures override body fields), ``operations`` maps each supported Operation to an
async handler, and ``existence_check`` lets the core choose between the *create* and *update*
ACL capabilities for a write.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from sealbox.framework.fields import FieldData, FieldSchema
from sealbox.logical import Operation, Request, Response

Handler = Callable[[Request, FieldData], Awaitable[Response | None]]
ExistenceCheck = Callable[[Request, FieldData], Awaitable[bool]]


def match_all(name: str) -> str:
    """A named group matching the rest of the path (Vault's ``framework.MatchAllRegex``)."""
    return f"(?P<{name}>.*)"


def segment(name: str) -> str:
    """A named group matching one path segment (Vault's ``framework.GenericNameRegex``)."""
    return f"(?P<{name}>\\w(([\\w.@-]*)?[\\w@-])?)"


@dataclass(slots=True)
class Path:
    """One route of a backend."""

    pattern: str
    fields: Mapping[str, FieldSchema] = field(default_factory=dict)
    operations: Mapping[Operation, Handler] = field(default_factory=dict)
    existence_check: ExistenceCheck | None = None
    synopsis: str = ""
    description: str = ""
    takes_arbitrary_input: bool = False
    regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.regex = re.compile(f"^{self.pattern}$")
        for group in self.regex.groupindex:
            if group not in self.fields:
                raise ValueError(f"path {self.pattern!r}: capture {group!r} has no field")

    def handler_for(self, operation: Operation) -> Handler | None:
        """The handler for ``operation``; a write without its own create/update uses the other."""
        handler = self.operations.get(operation)
        if handler is None and operation is Operation.CREATE:
            handler = self.operations.get(Operation.UPDATE)
        elif handler is None and operation is Operation.UPDATE:
            handler = self.operations.get(Operation.CREATE)
        return handler
