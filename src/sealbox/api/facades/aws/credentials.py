"""Who signed a request: SigV4 claims checked against ``auth/sigv4`` through the core.

The first request of an access key for a given day and region goes to ``auth/sigv4/verify``
(an unauthenticated route: the signature is the credential), which answers the sealbox token the
key acts as, its IAM policies and that scope's signing key. For ``CACHE_SECONDS`` afterwards
the door checks further signatures of the same scope itself (one HMAC, no storage read), so a
deleted key stops working within that time. Secrets are never logged; the cache holds only
derived signing keys and tokens, in memory.

Identity-bound keys (and sessions minted from an entity's token): ``verify`` with ``login``
answers a token the core issued for the key's entity; the door keeps it per key until shortly
before it ends. The caller is then that entity: its name makes the principal ARN
(``arn:aws:iam::<account>:user/<entity name>``, what ``aws:PrincipalArn`` and resource
policies' principals match), and its IAM identity policies are the key's inline ones plus the
named ``auth/sigv4/iam-policy/<name>`` documents that the entity's metadata and each of its
groups' (direct or inherited) list in ``aws_iam_policies`` (comma-separated names). These are
read with the door's own token, which therefore needs ``read`` on ``identity/entity/id/*``,
``identity/group/id/*`` and ``auth/sigv4/iam-policy/*``; a failure to read them refuses the
request (InternalServiceError) rather than dropping policies that may deny.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sealbox.api.facades.aws import sigv4
from sealbox.api.facades.aws.errors import (
    ExpiredToken,
    InternalServiceError,
    InvalidSignature,
    ServiceUnavailable,
    UnrecognizedClient,
)
from sealbox.api.facades.aws.kvclient import CoreDoor
from sealbox.errors import InvalidRequest, NotFound, PermissionDenied, SealboxError, Sealed
from sealbox.logical import Operation, Request, Response

CACHE_SECONDS = 60.0
log = logging.getLogger("sealbox.aws")
SignatureMismatch = InvalidRequest  # what auth/sigv4/verify raises for a wrong signature
_MAX_CACHE = 4096


@dataclass(frozen=True, slots=True)
class Identity:
    """The caller: its principal, the token it acts as and its IAM identity policies."""

    access_key_id: str
    name: str
    kind: str
    token: str = field(repr=False)
    policies: tuple[dict[str, Any], ...]
    expires: float
    entity_id: str = ""

    def principal_arn(self, account: str) -> str:
        if self.kind == "session":
            return f"arn:aws:sts::{account}:federated-user/{self.name}"
        return f"arn:aws:iam::{account}:user/{self.name}"


@dataclass(slots=True)
class _Login:
    token: str = field(repr=False)
    entity_id: str
    expires: float  # epoch seconds


#: Log in again this long before a key's token ends.
_RELOGIN_MARGIN = 120.0
_POLICY_KEY = "aws_iam_policies"


@dataclass(slots=True)
class _Entry:
    identity: Identity
    signing_key: bytes = field(repr=False)
    fetched: float


class Credentials:
    """Resolves SigV4 claims to identities, with a short-lived per-scope cache."""

    def __init__(
        self,
        core: CoreDoor,
        auth_mount: str = "auth/sigv4/",
        door_token: Callable[[], str] = lambda: "",
    ) -> None:
        self._core = core
        self._auth_mount = auth_mount
        self._verify_path = auth_mount + "verify"
        self._door_token = door_token
        self._cache: dict[tuple[str, str, str, str], _Entry] = {}
        self._logins: dict[str, _Login] = {}

    async def identify(self, claim: sigv4.SignedRequest, address: str) -> Identity:
        """The identity behind a valid claim; raises the AWS error for an invalid one."""
        scope = (claim.access_key_id, claim.date, claim.region, claim.session_token)
        now = time.monotonic()
        entry = self._cache.get(scope)
        if entry is not None and now - entry.fetched < CACHE_SECONDS:
            if not sigv4.matches(entry.signing_key, claim):
                raise InvalidSignature()
            identity = entry.identity
        else:
            entry = await self._verify(claim, address, now)
            if len(self._cache) >= _MAX_CACHE:
                self._cache.clear()
            self._cache[scope] = entry
            identity = entry.identity
        if identity.expires and identity.expires <= time.time():
            raise ExpiredToken()
        return identity

    async def _verify(self, claim: sigv4.SignedRequest, address: str, now: float) -> _Entry:
        login = self._logins.get(claim.access_key_id)
        wants_login = login is None or login.expires - _RELOGIN_MARGIN <= time.time()
        data: dict[str, Any] = {
            "access_key_id": claim.access_key_id,
            "date": claim.date,
            "region": claim.region,
            "string_to_sign": claim.string_to_sign,
            "signature": claim.signature,
            "session_token": claim.session_token,
            "login": wants_login,
        }
        try:
            response = await self._ask(Operation.UPDATE, self._verify_path, data, address)
        except PermissionDenied as err:
            if not wants_login:
                log.error("the AWS door's token cannot use %s (set token_file)", self._verify_path)
                raise InternalServiceError() from err
            # The signature may be fine and the login refused (a disabled entity): ask again
            # without logging in to tell that from a door token that may not verify.
            data["login"] = False
            try:
                await self._ask(Operation.UPDATE, self._verify_path, data, address)
            except PermissionDenied as again:
                log.error("the AWS door's token cannot use %s (set token_file)", self._verify_path)
                raise InternalServiceError() from again
            raise UnrecognizedClient() from err
        body = response.data or {}
        token, entity_id = str(body.get("client_token", "")), str(body.get("entity_id") or "")
        if body.get("identity_bound"):
            auth = response.auth
            if auth is not None and auth.client_token:
                login = _Login(auth.client_token, auth.entity_id, time.time() + auth.lease_duration)
                self._logins[claim.access_key_id] = login
            if login is None:
                raise InternalServiceError()
            token, entity_id = login.token, login.entity_id
        name = str(body.get("name", ""))
        policies = [json.loads(p) for p in body.get("iam_policy") or []]
        if entity_id:
            entity_name, attached = await self._entity(entity_id, address)
            name = entity_name or name
            policies.extend(attached)
        identity = Identity(
            access_key_id=claim.access_key_id,
            name=name,
            kind=str(body.get("kind", "user")),
            token=token,
            policies=tuple(policies),
            expires=float(body.get("expires") or 0),
            entity_id=entity_id,
        )
        return _Entry(identity, bytes.fromhex(str(body["signing_key"])), now)

    async def _ask(
        self, operation: Operation, path: str, data: dict[str, Any], address: str
    ) -> Response:
        """A request as the door itself; AWS errors for everything but PermissionDenied."""
        req = Request(
            operation=operation,
            path=path,
            data=data,
            client_address=address,
            client_token=self._door_token(),
        )
        try:
            return await self._core.handle(req)
        except Sealed as err:
            raise ServiceUnavailable() from err
        except SignatureMismatch as err:
            raise InvalidSignature() from err
        except PermissionDenied:
            raise
        except NotFound as err:  # unknown key, or no sigv4 mount
            raise UnrecognizedClient() from err
        except SealboxError as err:
            raise InternalServiceError() from err

    async def _read(self, path: str, address: str) -> dict[str, Any] | None:
        """A read as the door (None: not found); refusals fail the request closed."""
        try:
            response = await self._ask(Operation.READ, path, {}, address)
        except UnrecognizedClient:
            return None
        except PermissionDenied as err:
            log.error("the AWS door's token cannot read %s (see credentials.py)", path)
            raise InternalServiceError() from err
        return response.data or {}

    async def _entity(self, entity_id: str, address: str) -> tuple[str, list[dict[str, Any]]]:
        """The entity's name and the named IAM policies its metadata and groups attach."""
        entity = await self._read("identity/entity/id/" + entity_id, address)
        if entity is None:
            return "", []
        if entity.get("disabled"):
            raise UnrecognizedClient()
        names = _names(entity.get("metadata"))
        for group_id in entity.get("group_ids") or []:
            group = await self._read(f"identity/group/id/{group_id}", address)
            if group is not None:
                names.extend(n for n in _names(group.get("metadata")) if n not in names)
        documents: list[dict[str, Any]] = []
        for policy_name in names:
            found = await self._read(self._auth_mount + "iam-policy/" + policy_name, address)
            if found is None:
                log.warning("IAM policy %s is attached but does not exist", policy_name)
                continue
            documents.append(dict(found["document"]))
        return str(entity.get("name") or ""), documents


def _names(metadata: Any) -> list[str]:
    if not isinstance(metadata, dict):
        return []
    raw = str(metadata.get(_POLICY_KEY) or "")
    return [n.strip() for n in raw.split(",") if n.strip()]
