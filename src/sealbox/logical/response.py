"""Transport-free response: data, optional lease (Secret), auth and wrap info."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Secret:
    """A lease attached to a response (dynamic credentials)."""

    lease_id: str = ""
    ttl: int = 0
    renewable: bool = False
    internal_data: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(slots=True)
class Auth:
    """A token issued by a login or token create."""

    client_token: str = field(default="", repr=False)
    accessor: str = ""
    policies: list[str] = field(default_factory=list)
    token_policies: list[str] = field(default_factory=list)
    identity_policies: list[str] = field(default_factory=list)
    metadata: dict[str, str] | None = None
    lease_duration: int = 0
    renewable: bool = False
    entity_id: str = ""
    token_type: str = "service"
    orphan: bool = False
    num_uses: int = 0


@dataclass(slots=True)
class WrapInfo:
    """What a wrapped response carries instead of its data."""

    token: str = field(default="", repr=False)
    accessor: str = ""
    ttl: int = 0
    creation_time: str = ""
    creation_path: str = ""
    wrapped_accessor: str = ""


@dataclass(slots=True)
class Response:
    """The result of handling a Request.

    ``raw`` responses (health, init, seal-status) are sent as-is without the Vault envelope;
    ``status`` overrides the default 200/204. ``top_level`` mirrors ``data`` at the top of the
    envelope for the sys paths where Vault does so.
    """

    data: dict[str, Any] | None = None
    secret: Secret | None = None
    auth: Auth | None = None
    wrap_info: WrapInfo | None = None
    warnings: list[str] = field(default_factory=list)
    status: int = 0
    raw: bool = False
    top_level: bool = False
    content_type: str = ""
    body: bytes | None = field(default=None, repr=False)
    headers: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        keys = sorted(self.data) if self.data else []
        return f"Response(keys={keys!r}, status={self.status})"
