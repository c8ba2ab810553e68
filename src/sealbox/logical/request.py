"""Transport-free request: what every door turns its protocol into."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sealbox.logical.storage import Storage


class Operation(StrEnum):
    """Logical operations, named as Vault names them (sdk/logical/request.go)."""

    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    PATCH = "patch"
    DELETE = "delete"
    LIST = "list"
    HELP = "help"


@dataclass(frozen=True, slots=True)
class Request:
    """One request through the core pipeline.

    ``path`` is relative to the API root (no ``/v1/``); once routed, ``path`` is relative to
    the mount and ``mount_point`` holds the mount path. ``storage`` is the mount's view and
    ``token_entry`` the caller's token; both are filled in by the core.
    """

    operation: Operation
    path: str
    data: dict[str, Any] = field(default_factory=dict)
    client_token: str = ""
    client_address: str = ""
    wrap_ttl: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    request_id: str = ""
    mount_point: str = ""
    mount_type: str = ""
    mount_accessor: str = ""
    storage: Storage | None = field(default=None, repr=False, compare=False)
    token_entry: Any = field(default=None, repr=False, compare=False)
    client_cert_pem: str = field(default="", repr=False)
    # Set by the core once the ACL granted sudo on this path (root tokens always have it).
    sudo: bool = False

    def __repr__(self) -> str:
        return f"Request(operation={self.operation.value!r}, path={self.path!r})"

    def evolve(self, **changes: Any) -> Request:
        """A copy with ``changes``: ``dataclasses.replace`` without its per-call introspection,
        which showed up at 20 µs per request in profiles of the read path. The copy's slots
        are filled through their descriptors (what the frozen ``__init__`` does field by
        field through ``object.__setattr__``, at about half the cost: every request is
        evolved at least once)."""
        if not changes.keys() <= _FIELD_SET:
            raise TypeError(f"Request has no field {sorted(changes.keys() - _FIELD_SET)}")
        copy = object.__new__(Request)
        for name, put, get in _SLOTS:
            put(copy, changes[name] if name in changes else get(self))
        return copy

    @property
    def view(self) -> Storage:
        """The mount's storage view; raises if the request was not routed."""
        if self.storage is None:
            raise RuntimeError("request has not been routed to a mount")
        return self.storage


_FIELD_NAMES = tuple(f.name for f in fields(Request))
_FIELD_SET = frozenset(_FIELD_NAMES)
#: (name, slot setter, slot getter) per field: the member descriptors a slotted class has.
_SLOTS = tuple(
    (name, Request.__dict__[name].__set__, Request.__dict__[name].__get__) for name in _FIELD_NAMES
)
