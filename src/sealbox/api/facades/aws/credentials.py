"""Who signed a request: SigV4 claims checked against ``auth/sigv4`` through the core.

The first request of an access key for a given day and region goes to ``auth/sigv4/verify``
(an unauthenticated route: the signature is the credential), which answers the sealbox token the
key acts as, its IAM policies and that scope's signing key. For ``CACHE_SECONDS`` afterwards
the door checks further signatures of the same scope itself (one HMAC, no storage read), so a
deleted key stops working within that time. Secrets are never logged; the cache holds only
derived signing keys and tokens, in memory.
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
from sealbox.logical import Operation, Request

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

    def principal_arn(self, account: str) -> str:
        if self.kind == "session":
            return f"arn:aws:sts::{account}:federated-user/{self.name}"
        return f"arn:aws:iam::{account}:user/{self.name}"


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
        self._verify_path = auth_mount + "verify"
        self._door_token = door_token
        self._cache: dict[tuple[str, str, str, str], _Entry] = {}

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
        req = Request(
            operation=Operation.UPDATE,
            path=self._verify_path,
            data={
                "access_key_id": claim.access_key_id,
                "date": claim.date,
                "region": claim.region,
                "string_to_sign": claim.string_to_sign,
                "signature": claim.signature,
                "session_token": claim.session_token,
            },
            client_address=address,
            client_token=self._door_token(),
        )
        try:
            response = await self._core.handle(req)
        except Sealed as err:
            raise ServiceUnavailable() from err
        except SignatureMismatch as err:
            raise InvalidSignature() from err
        except PermissionDenied as err:  # the door's own token may not verify: misconfigured
            log.error("the AWS door's token cannot use %s (set token_file)", self._verify_path)
            raise InternalServiceError() from err
        except NotFound as err:  # unknown key, or no sigv4 mount
            raise UnrecognizedClient() from err
        except SealboxError as err:
            raise InternalServiceError() from err
        data = response.data or {}
        identity = Identity(
            access_key_id=claim.access_key_id,
            name=str(data.get("name", "")),
            kind=str(data.get("kind", "user")),
            token=str(data.get("client_token", "")),
            policies=tuple(json.loads(p) for p in data.get("iam_policy") or []),
            expires=float(data.get("expires") or 0),
        )
        return _Entry(identity, bytes.fromhex(str(data["signing_key"])), now)
