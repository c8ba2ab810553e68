"""Response wrapping: a response replaced by a single-use token that can fetch it once.

Mirrors OpenBao's wrapping.go: the wrapping token carries only the ``response-wrapping``
policy, lives for the wrap TTL, and the original response is kept in that token's cubbyhole
at ``response``, so revoking the token (on unwrap or expiry) destroys the response too.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import orjson

from sealbox.core.mount_table import MountTable
from sealbox.core.tokens import TokenStore
from sealbox.errors import InvalidRequest
from sealbox.goformat import rfc3339_nano
from sealbox.logical import Auth, Request, Response, Secret, StorageView, WrapInfo

WRAPPING_POLICY = "response-wrapping"
_INVALID = "wrapping token is not valid or does not exist"


class Wrapper:
    """Creates and redeems wrapping tokens over the token store and the cubbyhole mount."""

    def __init__(self, tokens: TokenStore, mounts: MountTable) -> None:
        self._tokens = tokens
        self._mounts = mounts

    def _cubbyhole(self) -> StorageView:
        view = self._mounts.view_at("cubbyhole/")
        if view is None:
            raise InvalidRequest("cubbyhole is not mounted")
        return view

    async def wrap(self, req: Request, response: Response, ttl: int, path: str) -> Response:
        """Store ``response`` behind a new wrapping token and return the wrap info."""
        del req
        token, entry = await self._tokens.create(
            policies=[WRAPPING_POLICY],
            ttl=ttl,
            num_uses=1,
            parent=None,
            orphan=True,
            renewable=False,
            path=path,
            display_name="",
        )
        payload = {
            "data": response.data,
            "warnings": response.warnings,
            "auth": asdict(response.auth) if response.auth else None,
            "secret": asdict(response.secret) if response.secret else None,
        }
        await self._cubbyhole().put(f"{entry.cubbyhole_id}/response", orjson.dumps(payload))
        info = WrapInfo(
            token=token,
            accessor=entry.accessor,
            ttl=ttl,
            creation_time=rfc3339_nano(entry.creation_time),
            creation_path=path,
            wrapped_accessor=response.auth.accessor if response.auth else "",
        )
        return Response(wrap_info=info)

    async def _lookup(self, token: str) -> Any:
        entry = await self._tokens.lookup(token) if token else None
        if entry is None or list(entry.policies) != [WRAPPING_POLICY]:
            raise InvalidRequest(_INVALID)
        return entry

    async def lookup(self, token: str) -> dict[str, Any]:
        """``sys/wrapping/lookup``: what a wrapping token holds, without redeeming it."""
        entry = await self._lookup(token)
        return {
            "creation_path": entry.path,
            "creation_time": rfc3339_nano(entry.creation_time),
            "creation_ttl": entry.ttl,
        }

    async def unwrap(self, token: str) -> Response:
        """Redeem a wrapping token once: return the original response, revoke the token."""
        entry = await self._lookup(token)
        stored = await self._cubbyhole().get(f"{entry.cubbyhole_id}/response")
        await self._tokens.revoke(token)
        if stored is None:
            raise InvalidRequest(_INVALID)
        payload = orjson.loads(stored)
        return Response(
            data=payload["data"],
            warnings=payload["warnings"] or [],
            auth=Auth(**payload["auth"]) if payload["auth"] else None,
            secret=Secret(**payload["secret"]) if payload["secret"] else None,
        )

    async def rewrap(self, req: Request, token: str) -> Response:
        """A new wrapping token for the same response; the old one stops working."""
        entry = await self._lookup(token)
        original = await self.unwrap(token)
        return await self.wrap(req, original, entry.ttl, entry.path)
