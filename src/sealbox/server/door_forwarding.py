"""The AWS and GCP doors on an HA standby: reads here, everything else at the active's Vault API.

The doors listen on ports of their own and talk to the Core only through ``handle(Request)``
(their ``CoreDoor``). The lock row names the active's Vault API address, not its doors', so
a standby's door cannot forward its HTTP request as the Vault listener does; it forwards the
*core requests* instead. ``HADoorCore`` is what a door gets on an HA node:

- on the active (or without HA): ``Core.handle``;
- on a performance standby, a pure read (standby_reads.py: a KV read or list, no wrapping, a
  token without a use count): ``Core.handle`` after ``read_barrier``, so the door's reads have
  the same bound as the Vault API's (never older than an acknowledged write);
- otherwise the request is sent to the active's Vault API over HTTP, on the keep-alive
  connections of server/upstream.py as the Vault listener forwards (method, ``/v1/`` path,
  JSON body or query, the caller's token, ``X-Vault-Wrap-TTL``) and the envelope turned back
  into a ``Response`` (``data``, ``auth``, ``warnings``, ``wrap_info`` kept; a lease's
  ``secret`` is not rebuilt: the doors issue none) or into the error class of its status,
  with its messages, so the door renders it as it would on the active. No active known: 503.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlencode

import orjson

from sealbox.core.core import Core
from sealbox.errors import (
    CheckAndSetMismatch,
    InternalError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    RateLimited,
    SealboxError,
    UnsupportedOperation,
)
from sealbox.logical import Operation, Request, Response
from sealbox.logical.response import Auth, WrapInfo
from sealbox.server.standby_reads import pure_read, usable_here
from sealbox.server.upstream import Upstream, UpstreamUnavailable
from sealbox.storage.postgresql import FencedWrite

log = logging.getLogger("sealbox.server.door_forwarding")

_METHODS = {
    Operation.READ: "GET",
    Operation.LIST: "LIST",
    Operation.CREATE: "POST",
    Operation.UPDATE: "POST",
    Operation.DELETE: "DELETE",
    Operation.PATCH: "PATCH",
}
_ERRORS: dict[int, type[SealboxError]] = {
    400: InvalidRequest,
    403: PermissionDenied,
    404: NotFound,
    405: UnsupportedOperation,
    429: RateLimited,
}
_CAS_PREFIX = "check-and-set parameter"
_TIMEOUT = 60.0


class ActiveUnavailable(SealboxError):
    """No active node to send a door's request to (retryable)."""

    status = 503
    default_message = "no active node is available; try again shortly"


class HADoorCore:
    """``CoreDoor`` for the AWS and GCP doors of an HA node."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._upstream = Upstream(_TIMEOUT)

    async def handle(self, req: Request) -> Response:
        """Answer ``req`` here when this node may, else at the active node."""
        ha = self._core.ha
        if ha is None or ha.active or not ha.running:
            return await self._core.handle(req)
        if await self._readable_here(req):
            try:
                return await self._core.handle(req)
            except FencedWrite:
                pass  # the read needed a write after all: the active answers it
        return await self._forward(req)

    async def close(self) -> None:
        """Close the forwarding client's connections."""
        await self._upstream.close()

    async def _readable_here(self, req: Request) -> bool:
        ha = self._core.ha
        if ha is None or req.operation not in (Operation.READ, Operation.LIST) or req.wrap_ttl:
            return False
        if not ha.performance_standby or not await ha.read_barrier():
            return False
        listing = req.operation is Operation.LIST
        path = req.path + ("/" if listing and not req.path.endswith("/") else "")
        return pure_read(self._core, path, listing=listing) and await usable_here(
            self._core, req.client_token
        )

    async def _forward(self, req: Request) -> Response:
        ha = self._core.ha
        if ha is None:
            raise ActiveUnavailable
        leader = ha.leader
        if leader is None or leader.identity == ha.lock.identity:  # unknown, or stale
            leader = await ha.current_leader()
        if leader is None or leader.identity == ha.lock.identity:
            raise ActiveUnavailable
        method = _METHODS.get(req.operation)
        if method is None:
            raise UnsupportedOperation("")
        headers = [("x-vault-token", req.client_token)] if req.client_token else []
        if req.wrap_ttl:
            headers.append(("x-vault-wrap-ttl", f"{req.wrap_ttl}s"))
        target = "/v1/" + quote(req.path, safe="/")
        body = b""
        if method in ("GET", "LIST"):
            if req.data:
                target += "?" + urlencode({k: str(v) for k, v in req.data.items()})
        else:
            body = orjson.dumps(req.data)
            kind = "merge-patch+json" if method == "PATCH" else "json"
            headers.append(("content-type", f"application/{kind}"))
        try:
            status, _headers, answer = await self._upstream.request(
                leader.target.rstrip("/"), method, target, headers, body
            )
        except UpstreamUnavailable as err:
            log.warning("a door's request to the active failed (%s)", type(err).__name__)
            ha.leader = None  # ask the database again next time
            raise ActiveUnavailable from err
        return _response(status, answer)


def _response(status: int, raw: bytes) -> Response:
    """The Vault envelope as a ``Response``, or its error raised."""
    body: Any = orjson.loads(raw) if raw else {}
    if not isinstance(body, dict):
        raise InternalError
    if status >= 400:
        messages = [str(m) for m in body.get("errors") or []]
        message = messages[0] if messages else ""
        kind = _ERRORS.get(status, InternalError)
        if kind is InvalidRequest and message.startswith(_CAS_PREFIX):
            kind = CheckAndSetMismatch
        data = body.get("data") if isinstance(body.get("data"), dict) else None
        if status >= 500:
            raise ActiveUnavailable if status == 503 else InternalError
        raise kind(message or None, data=data, warnings=body.get("warnings") or None)
    enveloped = "request_id" in body
    data = body.get("data") if enveloped else (body or None)
    auth = body.get("auth") if enveloped else None
    wrap = body.get("wrap_info") if enveloped else None
    return Response(
        data=data if isinstance(data, dict) else None,
        auth=_auth(auth) if isinstance(auth, dict) else None,
        wrap_info=_wrap(wrap) if isinstance(wrap, dict) else None,
        warnings=[str(w) for w in body.get("warnings") or []],
    )


def _auth(raw: dict[str, Any]) -> Auth:
    return Auth(
        client_token=str(raw.get("client_token", "")),
        accessor=str(raw.get("accessor", "")),
        policies=list(raw.get("policies") or []),
        token_policies=list(raw.get("token_policies") or []),
        identity_policies=list(raw.get("identity_policies") or []),
        metadata=raw.get("metadata"),
        lease_duration=int(raw.get("lease_duration") or 0),
        renewable=bool(raw.get("renewable")),
        entity_id=str(raw.get("entity_id", "")),
        token_type=str(raw.get("token_type", "service")),
        orphan=bool(raw.get("orphan")),
        num_uses=int(raw.get("num_uses") or 0),
    )


def _wrap(raw: dict[str, Any]) -> WrapInfo:
    return WrapInfo(
        token=str(raw.get("token", "")),
        accessor=str(raw.get("accessor", "")),
        ttl=int(raw.get("ttl") or 0),
        creation_path=str(raw.get("creation_path", "")),
    )
