"""Lookup, renew and revoke, by token, by accessor and for the caller itself.

Mirrors OpenBao's token_store.go handlers and their observed errors (``bao`` 2.x):
lookup of an unknown token is 403 ``bad token``; an unknown accessor is 400
``invalid accessor``; renew of an unknown token is 400 ``token not found`` and of a
non-renewable one 400 ``lease is not renewable``; revoke of an unknown token is a silent 204,
revoke-orphan of one is 400 ``token to revoke not found`` and needs root or sudo;
revoke-accessor of an unknown accessor answers 200 with a warning. A missing ``token`` is
400 ``missing token ID``, except for lookup, where it means the caller's own token.
"""

from __future__ import annotations

from sealbox.auth.token.context import TokenContext, caller
from sealbox.auth.token.wire import token_auth, token_lookup_data
from sealbox.errors import InvalidRequest, PermissionDenied
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.goformat import human_duration
from sealbox.logical import Operation, Request, Response
from sealbox.logical.tokens import TokenEntry

_TOKEN = {"token": FieldSchema(FieldType.STRING, "Token to act on.")}
_ACCESSOR = {"accessor": FieldSchema(FieldType.STRING, "Accessor of the token to act on.")}
_INCREMENT = {"increment": FieldSchema(FieldType.DURATION, "Requested TTL extension.")}


def _required_token(d: FieldData) -> str:
    token: str = d.get("token").strip()
    if not token:
        raise InvalidRequest("missing token ID")
    return token


def _renew_warnings(entry: TokenEntry, increment: int) -> list[str]:
    if entry.period or increment <= entry.lease_ttl:
        return []
    return [
        f'TTL of "{human_duration(increment)}" exceeded the effective max_ttl of '
        f'"{human_duration(entry.lease_ttl)}"; TTL value is capped accordingly'
    ]


class TokenHandlers:
    """Handlers for the token operations over one TokenContext."""

    def __init__(self, ctx: TokenContext) -> None:
        self.ctx = ctx

    async def _lookup_response(self, entry: TokenEntry, token: str | None) -> Response:
        data = token_lookup_data(entry, token, now=self.ctx.store.now())
        identity = await self.ctx.identity_policies(entry)
        if identity:
            # compat: OpenBao shows these two only when the entity brings policies
            data["identity_policies"] = identity
            data["external_namespace_policies"] = {}
        return Response(data=data)

    async def lookup(self, req: Request, d: FieldData) -> Response:
        """POST /auth/token/lookup. Look up a token (the caller's own when none is given)."""
        token = d.get("token").strip()
        if not token:
            return await self.lookup_self(req, d)
        entry = await self.ctx.store.lookup(token)
        if entry is None:
            raise PermissionDenied("bad token")
        return await self._lookup_response(entry, token)

    async def lookup_self(self, req: Request, d: FieldData) -> Response:
        """GET /auth/token/lookup-self. Look up the caller's token."""
        del d
        return await self._lookup_response(caller(req), req.client_token)

    async def lookup_accessor(self, req: Request, d: FieldData) -> Response:
        """POST /auth/token/lookup-accessor. Look up a token by accessor (``id`` is "")."""
        del req
        entry = await self.ctx.store.lookup_accessor(d.get("accessor").strip())
        if entry is None:
            raise InvalidRequest("invalid accessor")
        return await self._lookup_response(entry, None)

    async def renew(self, req: Request, d: FieldData) -> Response:
        """POST /auth/token/renew. Renew a token."""
        del req
        token = _required_token(d)
        entry = await self.ctx.store.lookup(token)
        if entry is None:
            raise InvalidRequest("token not found")
        return await self._renew(entry, token, d.get("increment"))

    async def renew_self(self, req: Request, d: FieldData) -> Response:
        """POST /auth/token/renew-self. Renew the caller's token."""
        return await self._renew(caller(req), req.client_token, d.get("increment"))

    async def renew_accessor(self, req: Request, d: FieldData) -> Response:
        """POST /auth/token/renew-accessor. Renew a token by accessor."""
        del req
        entry = await self.ctx.store.lookup_accessor(d.get("accessor").strip())
        if entry is None:
            raise InvalidRequest("invalid accessor")
        return await self._renew(entry, "", d.get("increment"))

    async def _renew(self, entry: TokenEntry, token: str, increment: int) -> Response:
        renewed = await self.ctx.store.renew(entry, increment)
        return Response(
            auth=token_auth(renewed, token), warnings=_renew_warnings(renewed, increment)
        )

    async def revoke(self, req: Request, d: FieldData) -> None:
        """POST /auth/token/revoke. Revoke a token and its children."""
        del req
        await self.ctx.store.revoke(_required_token(d))

    async def revoke_self(self, req: Request, d: FieldData) -> None:
        """POST /auth/token/revoke-self. Revoke the caller's token and its children."""
        del d
        await self.ctx.store.revoke(caller(req))

    async def revoke_orphan(self, req: Request, d: FieldData) -> None:
        """POST /auth/token/revoke-orphan. Revoke a token; its children become orphans."""
        token = _required_token(d)
        if not self.ctx.is_sudo(req):
            raise InvalidRequest("root or sudo privileges required to revoke and orphan")
        entry = await self.ctx.store.lookup(token)
        if entry is None or not await self.ctx.store.revoke_orphan(entry):
            raise InvalidRequest("token to revoke not found")

    async def revoke_accessor(self, req: Request, d: FieldData) -> Response | None:
        """POST /auth/token/revoke-accessor. Revoke a token and its children by accessor."""
        del req
        if not d.get("accessor").strip():
            # compat: OpenBao answers 400 "missing accessor" (token_store.go)
            raise InvalidRequest("missing accessor")
        if not await self.ctx.store.revoke_accessor(d.get("accessor").strip()):
            return Response(warnings=["No token found with this accessor"])
        return None


def token_paths(ctx: TokenContext) -> list[Path]:
    """The lookup, renew and revoke routes."""
    h = TokenHandlers(ctx)
    update = Operation.UPDATE
    return [
        Path(
            "lookup",
            fields=_TOKEN,
            # compat: GET lookup?token=X looks X up (OpenBao reads the query parameter).
            operations={Operation.READ: h.lookup, update: h.lookup},
            synopsis="Look up a token.",
        ),
        Path("lookup-accessor", _ACCESSOR, {update: h.lookup_accessor}, synopsis="By accessor."),
        Path(
            "lookup-self",
            _TOKEN,
            {Operation.READ: h.lookup_self, update: h.lookup_self},
            synopsis="Look up the caller's token.",
        ),
        Path("renew", {**_TOKEN, **_INCREMENT}, {update: h.renew}, synopsis="Renew a token."),
        Path("renew-self", _INCREMENT, {update: h.renew_self}, synopsis="Renew the caller."),
        Path(
            "renew-accessor",
            {**_ACCESSOR, **_INCREMENT},
            {update: h.renew_accessor},
            synopsis="Renew a token by accessor.",
        ),
        Path("revoke", _TOKEN, {update: h.revoke}, synopsis="Revoke a token and its children."),
        Path("revoke-self", {}, {update: h.revoke_self}, synopsis="Revoke the caller's token."),
        Path(
            "revoke-orphan",
            _TOKEN,
            {update: h.revoke_orphan},
            synopsis="Revoke a token, orphaning its children.",
        ),
        Path(
            "revoke-accessor",
            _ACCESSOR,
            {update: h.revoke_accessor},
            synopsis="Revoke a token by accessor.",
        ),
    ]
