"""Transport-free response: data, optional lease (Secret), auth, wrap info or a document."""

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
    # The most the lease may live from its issue, renewals included (0: the mount's max).
    max_ttl: int = 0


@dataclass(slots=True)
class Alias:
    """Who logged in, as the auth method names them (Vault's ``logical.Alias``).

    The core turns it into an entity alias keyed by (mount accessor, ``name``).
    """

    name: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Auth:
    """A token issued by a login or token create.

    A login handler fills the request half (``display_name``, ``ttl``, ``max_ttl``, ``period``,
    ``explicit_max_ttl``, ``no_default_policy``, ``bound_cidrs``, ``alias``, ``group_aliases``)
    and leaves ``client_token`` empty; the core then issues the token and fills the rest.
    """

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
    display_name: str = ""
    ttl: int = 0
    max_ttl: int = 0
    period: int = 0
    explicit_max_ttl: int = 0
    no_default_policy: bool = False
    bound_cidrs: list[str] = field(default_factory=list)
    alias: Alias | None = None
    group_aliases: list[Alias] = field(default_factory=list)


@dataclass(slots=True)
class WrapInfo:
    """What a wrapped response carries instead of its data."""

    token: str = field(default="", repr=False)
    accessor: str = ""
    ttl: int = 0
    creation_time: str = ""
    creation_path: str = ""
    wrapped_accessor: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    """A response that is a document of its own rather than data: a DER certificate, a CRL, an
    OCSP response. Doors that can carry it send ``content`` as it is, labelled ``media_type``.

    ``status`` is set when the document itself reports a failure (an OCSP ``malformedRequest``,
    an ACME problem document): the status of the matching ``sealbox.errors`` class, so a door
    can signal the failure while still sending the body. 0 means success.
    """

    media_type: str
    content: bytes = field(repr=False)
    status: int = 0


@dataclass(frozen=True, slots=True)
class Link:
    """A typed link from the answer to a related resource (RFC 8288: ``target``, ``relation``).

    ACME names an account's orders, a certificate's alternate chains and the directory this way.
    """

    target: str
    relation: str


@dataclass(slots=True)
class Response:
    """The result of handling a Request; it says nothing of any transport.

    ``accepted`` marks an operation that was started and goes on in the background (token
    tidy, lease tidy). ``document`` replaces ``data`` for answers that are files of their own.
    ``created``, ``location``, ``links``, ``nonce`` and ``no_store`` are protocol metadata
    (ACME needs them) that a door renders its own way (HTTP: 201, headers).
    How a door shows a Response (Vault's envelope, which sys paths Vault answers without it,
    AWS or GCP JSON) is that door's business.
    """

    data: dict[str, Any] | None = None
    secret: Secret | None = None
    auth: Auth | None = None
    wrap_info: WrapInfo | None = None
    warnings: list[str] = field(default_factory=list)
    accepted: bool = False
    document: Document | None = None
    # A new resource was made (an ACME account, order): doors report creation, not plain success.
    created: bool = False
    # Where the resource this answer describes lives (an absolute URL or mount-relative path).
    location: str = ""
    links: tuple[Link, ...] = ()
    # A single-use anti-replay token the client must send with its next request (RFC 8555 6.5).
    nonce: str = ""
    # The answer must not be cached (a fresh nonce, per-client state).
    no_store: bool = False

    def __repr__(self) -> str:
        keys = sorted(self.data) if self.data else []
        return f"Response(keys={keys!r})"
