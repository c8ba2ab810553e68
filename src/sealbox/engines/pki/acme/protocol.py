"""What every ACME endpoint shares: the directory a request came in by, JWS checks, nonces.

A request's *scope* is its directory: the prefix (``""``, ``roles/<r>/``, ``issuer/<i>/``,
``issuer/<i>/roles/<r>/``) and so the role and issuer it issues under, checked against
``config/acme`` (enabled, allowed_roles, allowed_issuers, default_directory_policy). Every URL
handed out is absolute, from ``config/cluster`` ``path``.

``verified`` checks a POST's flattened JWS: the url, a fresh nonce (``badNonce`` otherwise),
the key (inline jwk, or the kid's account, which must be ``valid``), the signature. Every
answer, errors too, carries a new nonce: ``handler`` turns AcmeProblem into a problem document.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from sealbox.engines.pki.acme import accounts, eab, jws
from sealbox.engines.pki.acme import config as acme_config
from sealbox.engines.pki.acme.nonces import NonceStore
from sealbox.engines.pki.acme.problems import AcmeProblem, malformed, problem_response
from sealbox.engines.pki.acme.validation import Validator
from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.paths_roles import load_role
from sealbox.engines.pki.roles import Role
from sealbox.engines.pki.store import PKIStore
from sealbox.errors import InvalidRequest, NotFound
from sealbox.framework import FieldData, FieldSchema, FieldType
from sealbox.logical import Document, Link, Request, Response

CONFIG_CLUSTER = "config/cluster"
_S = FieldType.STRING
JWS_FIELDS = {
    "role": FieldSchema(_S, "The role ACME issues under."),
    "issuer_ref": FieldSchema(_S, "The issuer ACME signs with."),
    "protected": FieldSchema(_S, "JWS protected header."),
    "payload": FieldSchema(_S, "JWS payload."),
    "signature": FieldSchema(_S, "JWS signature."),
}


@dataclass(frozen=True, slots=True)
class Scope:
    """The directory a request came in by."""

    base: str  # absolute URL of <prefix>acme
    directory: str  # mount-relative: "acme/", "roles/web/acme/", ...
    role_name: str | None  # None: sign-verbatim
    issuer_ref: str
    config: acme_config.AcmeConfig

    async def role(self, store: PKIStore) -> Role | None:
        if self.role_name is None:
            return None
        try:
            return await load_role(store, self.role_name)
        except InvalidRequest as err:
            raise AcmeProblem("serverInternal", f"unknown role {self.role_name!r}", 500) from err


@dataclass(frozen=True, slots=True)
class Signed:
    """A verified request: its payload (None for POST-as-GET) and who signed it."""

    scope: Scope
    header: dict[str, Any]
    payload: Any
    jwk: dict[str, Any]  # the key that signed
    account: accounts.Account | None  # None when signed by an inline jwk


def _allowed(allowed: list[str], name: str) -> bool:
    return "*" in allowed or name in allowed


def json_answer(body: dict[str, Any], **extra: Any) -> Response:
    return Response(
        document=Document("application/json", orjson.dumps(body)), no_store=True, **extra
    )


Handler = Callable[[Any, Request, FieldData], Awaitable[Response]]


def handler(fn: Handler) -> Handler:
    """An ACME endpoint: problems become problem documents; every answer gets a new nonce."""

    @functools.wraps(fn)
    async def wrapped(self: Any, req: Request, d: FieldData) -> Response:
        proto: AcmeProtocol = self.proto
        try:
            response = await fn(self, req, d)
        except AcmeProblem as problem:
            return problem_response(problem, proto.nonces.issue())
        response.nonce = response.nonce or proto.nonces.issue()
        return response

    return wrapped


class AcmeProtocol:
    """The per-mount ACME state: nonces and the challenge validator."""

    def __init__(self, ctx: PKIContext) -> None:
        self.ctx = ctx
        self.nonces = NonceStore()
        self.validator = Validator(ctx.clock)
        # Serialises finalize's ready -> processing step in this process.
        self.finalize_lock = asyncio.Lock()

    async def scope(self, store: PKIStore, d: FieldData) -> Scope:
        config = await acme_config.read(store)
        if not config.enabled:
            # compat: bao answers every ACME path of a mount without config/acme enabled 404
            raise NotFound("")
        issuer, role = d.raw.get("issuer_ref"), d.raw.get("role")
        prefix = (f"issuer/{issuer}/" if issuer else "") + (f"roles/{role}/" if role else "")
        raw = await store.get_json(CONFIG_CLUSTER) or {}
        path = raw.get("path", "")
        if not path:
            raise AcmeProblem(
                "serverInternal", "ACME needs config/cluster path set to this mount's URL", 500
            )
        if issuer and not _allowed(config.allowed_issuers, str(issuer)):
            raise AcmeProblem("unauthorized", f"issuer {issuer!r} is not allowed for ACME", 403)
        role_name: str | None
        if role:
            role_name = str(role)
            if not _allowed(config.allowed_roles, role_name):
                raise AcmeProblem(
                    "unauthorized", f"role {role_name!r} is not allowed for ACME", 403
                )
            if await store.role_raw(role_name) is None:
                raise AcmeProblem("malformed", f"unknown role {role_name!r}", 400)
        else:
            role_name = acme_config.default_role(config)
            if role_name == "":
                raise AcmeProblem(
                    "unauthorized", "default_directory_policy forbids this directory", 403
                )
        return Scope(f"{path}/{prefix}acme", prefix + "acme/", role_name, str(issuer or ""), config)

    async def verified(
        self, req: Request, d: FieldData, endpoint: str, *, allow_jwk: bool = False
    ) -> Signed:
        store = self.ctx.store(req)
        scope = await self.scope(store, d)
        header, signing_input, signature, payload = jws.parse(d.raw)
        alg, nonce = jws.check_header(header, f"{scope.base}/{endpoint}")
        if not self.nonces.consume(nonce):
            raise AcmeProblem("badNonce", "the nonce is unknown, used or expired")
        account = None
        if "jwk" in header:
            if not allow_jwk:
                raise malformed("this request must be signed with kid, not jwk")
            key_jwk = header["jwk"]
        else:
            kid = str(header.get("kid", ""))
            account_id = kid.rsplit("/", 1)[-1]
            account = await accounts.load(store, account_id)
            if account is None or kid != f"{scope.base}/account/{account_id}":
                raise AcmeProblem("accountDoesNotExist", "no account for this kid")
            key_jwk = account.jwk
        jws.verify_signature(jws.public_key(key_jwk), alg, signing_input, signature)
        if account is not None:
            if account.status != "valid":
                raise AcmeProblem("unauthorized", f"the account is {account.status}", 403)
            eab.enforce_existing(scope.config.eab_policy, account)
        try:
            body = orjson.loads(payload) if payload else None
        except orjson.JSONDecodeError as err:
            raise malformed("payload is not JSON") from err
        return Signed(scope, header, body, dict(key_jwk), account)

    async def with_account(
        self, req: Request, d: FieldData, endpoint: str
    ) -> tuple[Signed, accounts.Account]:
        signed = await self.verified(req, d, endpoint)
        if signed.account is None:  # verified refuses jwk unless allowed; kept for the type
            raise malformed("this request must be signed with kid")
        return signed, signed.account

    def directory_link(self, scope: Scope) -> tuple[Link, ...]:
        return (Link(f"{scope.base}/directory", "index"),)
