"""Who is calling: the bearer token, as a sealbox token, and the GCP members it stands for.

A bearer token is either a sealbox token (what dev mode prints, or the ``access_token`` the
door's token endpoint answers for a service-account key), or a self-signed JWT that
google-auth makes from a key file (``always_use_jwt_access``, what the client libraries
prefer): three base64url parts whose header names a key. Such a JWT is exchanged through
``auth/<gcpsa>/login`` for a sealbox token of the key's account, kept until shortly before the
JWT or the token ends (per JWT, in memory).

The caller's token is looked up with ``auth/token/lookup-self`` (as the caller, so the audit log
records it) and its entity read with the door's own token (``identity/entity/id/*`` and
``identity/group/id/*``, read). Its members are:

- ``serviceAccount:<email>`` for each of the entity's aliases on a ``gcpsa`` mount;
- ``user:<entity name>`` (name an entity by its email to bind it as a user);
- the members listed in the entity's metadata ``gcp_member`` (comma-separated, full member
  strings such as ``user:alice@example.com`` or ``serviceAccount:ci@p.iam.gserviceaccount.com``);
- ``domain:<d>`` for each of those ``user:`` members whose email is in domain ``d``;
- ``group:<group name>`` for each group it belongs to (directly or inherited);
- ``allAuthenticatedUsers`` and ``allUsers`` for every valid token.

A disabled entity has no members at all (IAM grants it nothing; its ACL still applies).

A token without an entity is just ``allUsers``/``allAuthenticatedUsers``; a root token is the
project's owner. Lookups are kept ``CACHE_SECONDS`` per token and per entity, so group changes
reach the door within that time; revocation is seen at once (see ``authz.py``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sealbox.api.facades.gcp.errors import Unauthenticated
from sealbox.api.facades.gcp.kv import CoreDoor
from sealbox.errors import InvalidRequest, NotFound, PermissionDenied, SealboxError
from sealbox.logical import Operation, Request

log = logging.getLogger("sealbox.gcp")
CACHE_SECONDS = 30.0
_MARGIN = 60.0
_MAX = 4096
EVERYONE = frozenset({"allUsers", "allAuthenticatedUsers"})
_MEMBER_KEY = "gcp_member"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: the sealbox token it acts as, whether it is root, and its GCP members."""

    token: str = field(repr=False)
    root: bool
    entity_id: str
    members: frozenset[str]
    #: False when the token could not be looked up (it may still pass the core's ACL).
    known: bool = True


@dataclass(slots=True)
class _Cached:
    value: Any
    until: float  # monotonic


def looks_like_jwt(bearer: str) -> bool:
    return bearer.startswith("eyJ") and bearer.count(".") == 2


class Principals:
    """Resolves bearer tokens to principals, with short-lived caches."""

    def __init__(self, core: CoreDoor, auth_mount: str, door_token: Callable[[], str]) -> None:
        self._core = core
        self._login_path = auth_mount + "login"
        self._door_token = door_token
        self._jwts: dict[str, _Cached] = {}
        self._tokens: dict[str, _Cached] = {}
        self._entities: dict[str, _Cached] = {}

    async def token_of(self, bearer: str, address: str) -> str:
        """The sealbox token a bearer token stands for (a self-signed JWT is exchanged)."""
        if not looks_like_jwt(bearer):
            return bearer
        digest = hashlib.sha256(bearer.encode()).hexdigest()
        now = time.monotonic()
        hit = self._jwts.get(digest)
        if hit is not None and hit.until > now:
            return str(hit.value)
        token, lifetime = await self.login(bearer, address)
        _put(self._jwts, digest, _Cached(token, now + max(lifetime - _MARGIN, 1.0)))
        return token

    def forget(self, bearer: str) -> None:
        """Drop what a bearer JWT was exchanged for (its token was refused: log in again)."""
        if looks_like_jwt(bearer):
            self._jwts.pop(hashlib.sha256(bearer.encode()).hexdigest(), None)

    async def login(self, assertion: str, address: str) -> tuple[str, float]:
        """A sealbox token for a JWT signed by a service-account key, and how long it lasts."""
        req = Request(
            operation=Operation.UPDATE,
            path=self._login_path,
            data={"assertion": assertion},
            client_address=address,
        )
        try:
            response = await self._core.handle(req)
        except (InvalidRequest, NotFound, PermissionDenied) as err:
            raise Unauthenticated(
                "Request had invalid authentication credentials: the JWT is not signed by a "
                "known service-account key."
            ) from err
        auth = response.auth
        if auth is None or not auth.client_token:
            raise Unauthenticated("The service-account login issued no token.")
        expires = float((response.data or {}).get("expires") or 0) - time.time()
        lifetime = min(float(auth.lease_duration or 3600), expires if expires > 0 else 3600.0)
        return auth.client_token, lifetime

    async def resolve(self, token: str, address: str) -> Principal:
        """The principal of a sealbox token (cached a short while)."""
        now = time.monotonic()
        hit = self._tokens.get(token)
        if hit is not None and hit.until > now:
            return hit.value  # type: ignore[no-any-return]
        found = await self.lookup(token, address)
        if found is None:
            return Principal(token, False, "", frozenset(), known=False)
        principal, ttl = found
        until = now + (min(CACHE_SECONDS, ttl) if ttl > 0 else CACHE_SECONDS)
        _put(self._tokens, token, _Cached(principal, until))
        return principal

    async def lookup(self, token: str, address: str) -> tuple[Principal, float] | None:
        """A fresh ``lookup-self`` of ``token``: its principal and remaining TTL (0 = none)."""
        req = Request(
            operation=Operation.READ,
            path="auth/token/lookup-self",
            client_token=token,
            client_address=address,
        )
        try:
            data = (await self._core.handle(req)).data or {}
        except SealboxError:
            return None
        policies = list(data.get("policies") or [])
        entity_id = str(data.get("entity_id") or "")
        members = await self._members(entity_id, address) if entity_id else EVERYONE
        principal = Principal(token, "root" in policies, entity_id, members)
        return principal, float(data.get("ttl") or 0)

    async def _members(self, entity_id: str, address: str) -> frozenset[str]:
        now = time.monotonic()
        hit = self._entities.get(entity_id)
        if hit is not None and hit.until > now:
            return hit.value  # type: ignore[no-any-return]
        members = set(EVERYONE)
        entity = await self._read("identity/entity/id/" + entity_id, address)
        if entity is not None and entity.get("disabled"):
            members = set()  # a disabled entity is granted nothing by IAM
        elif entity is not None:
            members |= _entity_members(entity)
            for group_id in entity.get("group_ids") or []:
                group = await self._read("identity/group/id/" + str(group_id), address)
                if group is not None and group.get("name"):
                    members.add("group:" + str(group["name"]))
        frozen = frozenset(members)
        _put(self._entities, entity_id, _Cached(frozen, now + CACHE_SECONDS))
        return frozen

    async def _read(self, path: str, address: str) -> dict[str, Any] | None:
        """A read as the door; None (and a log line) when it cannot (IAM then grants less)."""
        req = Request(
            operation=Operation.READ,
            path=path,
            client_token=self._door_token(),
            client_address=address,
        )
        try:
            return (await self._core.handle(req)).data or {}
        except NotFound:
            return None
        except SealboxError as err:
            log.warning("the GCP door cannot read %s (%s)", path, type(err).__name__)
            return None


def _entity_members(entity: dict[str, Any]) -> set[str]:
    members: set[str] = set()
    name = str(entity.get("name") or "")
    if name:
        members.add("user:" + name)
    for alias in entity.get("aliases") or []:
        if alias.get("mount_type") == "gcpsa" and alias.get("name"):
            members.add("serviceAccount:" + str(alias["name"]))
    metadata = entity.get("metadata") or {}
    for member in str(metadata.get(_MEMBER_KEY) or "").split(","):
        if ":" in member.strip():
            members.add(member.strip())
    for member in list(members):
        kind, _, email = member.partition(":")
        if kind == "user" and "@" in email:
            members.add("domain:" + email.rpartition("@")[2])
    return members


def _put(cache: dict[str, _Cached], key: str, value: _Cached) -> None:
    if len(cache) >= _MAX:
        cache.clear()
    cache[key] = value
