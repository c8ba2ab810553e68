"""ACME endpoints on a PKI mount and ``config/cluster`` (the mount's public URL).

Vault serves ACME under ``acme/``, ``roles/<role>/acme/``, ``issuer/<ref>/acme/`` and
``issuer/<ref>/roles/<role>/acme/``; every URL it hands out is absolute, built from
``config/cluster`` ``path`` (e.g. ``https://host:8200/v1/pki``), so that must be set first.
"""

from __future__ import annotations

from typing import Any

import orjson

from sealbox.engines.pki.acme import accounts, jws
from sealbox.engines.pki.acme import config as acme_config
from sealbox.engines.pki.acme.nonces import NonceStore
from sealbox.engines.pki.acme.problems import AcmeProblem, malformed, problem_response
from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.names import name as segment
from sealbox.engines.pki.store import PKIStore
from sealbox.errors import InvalidRequest, NotFound
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Document, Link, Operation, Request, Response

CONFIG_CLUSTER = "config/cluster"
# The unauthenticated endpoints under each acme/ prefix (the JWS is their authentication).
ACME_ENDPOINTS = ("directory", "new-nonce", "new-account")
_PREFIXES = (
    "",
    "roles/" + segment("role") + "/",
    "issuer/" + segment("issuer_ref") + "/",
    "issuer/" + segment("issuer_ref") + "/roles/" + segment("role") + "/",
)
_S = FieldType.STRING
_JWS_FIELDS = {
    "role": FieldSchema(_S, "The role ACME issues under."),
    "issuer_ref": FieldSchema(_S, "The issuer ACME signs with."),
    "protected": FieldSchema(_S, "JWS protected header."),
    "payload": FieldSchema(_S, "JWS payload."),
    "signature": FieldSchema(_S, "JWS signature."),
}
_CLUSTER_FIELDS = {
    "path": FieldSchema(_S, "This mount's public URL, e.g. https://host:8200/v1/pki."),
    "aia_path": FieldSchema(_S, "The URL for AIA templating (stored, not used yet)."),
}


def _json(body: dict[str, Any], nonce: str, **extra: Any) -> Response:
    document = Document("application/json", orjson.dumps(body))
    return Response(document=document, nonce=nonce, no_store=True, **extra)


class AcmePaths:
    """Handlers of the ACME protocol and of config/cluster."""

    def __init__(self, ctx: PKIContext) -> None:
        self.ctx = ctx
        self.nonces = NonceStore()

    def paths(self) -> list[Path]:
        return [
            self._cluster(),
            Path(
                "config/acme",
                fields=acme_config.FIELDS,
                operations={Operation.READ: self.read_acme, Operation.UPDATE: self.write_acme},
                synopsis="Turn ACME on and say what it may issue.",
            ),
            *(p for prefix in _PREFIXES for p in self._acme(prefix)),
        ]

    async def read_acme(self, req: Request, _d: FieldData) -> Response:
        return Response(data=(await acme_config.read(self.ctx.store(req))).to_wire())

    async def write_acme(self, req: Request, d: FieldData) -> Response:
        return Response(data=(await acme_config.update(self.ctx.store(req), d)).to_wire())

    def _cluster(self) -> Path:
        return Path(
            "config/cluster",
            fields=_CLUSTER_FIELDS,
            operations={
                Operation.READ: self.read_cluster,
                Operation.UPDATE: self.write_cluster,
            },
            synopsis="The mount's public URL, used for ACME URLs.",
        )

    def _acme(self, prefix: str) -> list[Path]:
        return [
            Path(
                prefix + "acme/directory",
                fields=_JWS_FIELDS,
                operations={Operation.READ: self.directory},
                synopsis="ACME directory (RFC 8555 7.1.1).",
            ),
            Path(
                prefix + "acme/new-nonce",
                fields=_JWS_FIELDS,
                operations={Operation.READ: self.new_nonce, Operation.UPDATE: self.new_nonce},
                synopsis="A fresh ACME replay nonce (RFC 8555 7.2).",
            ),
            Path(
                prefix + "acme/new-account",
                fields=_JWS_FIELDS,
                operations={Operation.UPDATE: self.new_account},
                synopsis="Register or look up an ACME account (RFC 8555 7.3).",
            ),
        ]

    async def read_cluster(self, req: Request, _d: FieldData) -> Response:
        raw = await self.ctx.store(req).get_json(CONFIG_CLUSTER) or {}
        return Response(data={"path": raw.get("path", ""), "aia_path": raw.get("aia_path", "")})

    async def write_cluster(self, req: Request, d: FieldData) -> Response:
        store = self.ctx.store(req)
        current = await store.get_json(CONFIG_CLUSTER) or {}
        for name in ("path", "aia_path"):
            value = d.raw.get(name)
            if value is None:
                continue
            if not isinstance(value, str) or (
                value and not value.startswith(("http://", "https://"))
            ):
                raise InvalidRequest(f"{name} must be an http:// or https:// URL")
            current[name] = value.rstrip("/")
        await store.put_json(CONFIG_CLUSTER, current)
        return await self.read_cluster(req, d)

    async def _base(self, store: PKIStore, d: FieldData) -> str:
        if not (await acme_config.read(store)).enabled:
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
        return f"{path}/{prefix}acme"

    async def directory(self, req: Request, d: FieldData) -> Response:
        try:
            base = await self._base(self.ctx.store(req), d)
        except AcmeProblem as problem:
            return problem_response(problem, self.nonces.issue())
        body = {
            "newNonce": f"{base}/new-nonce",
            "newAccount": f"{base}/new-account",
            "newOrder": f"{base}/new-order",
            "revokeCert": f"{base}/revoke-cert",
            "keyChange": f"{base}/key-change",
            "meta": {"externalAccountRequired": False},
        }
        return Response(document=Document("application/json", orjson.dumps(body)), no_store=True)

    async def new_nonce(self, req: Request, d: FieldData) -> Response:
        # RFC 8555 7.2: 200 for HEAD, 204 for GET; both carry the nonce and the directory link.
        base = ""
        try:
            base = await self._base(self.ctx.store(req), d)
        except AcmeProblem as problem:
            return problem_response(problem, self.nonces.issue())
        return Response(
            nonce=self.nonces.issue(),
            no_store=True,
            links=(Link(f"{base}/directory", "index"),),
        )

    async def _verified(
        self, req: Request, d: FieldData, endpoint: str
    ) -> tuple[str, jws.SignedRequest]:
        store = self.ctx.store(req)
        base = await self._base(store, d)
        header, signing_input, signature, payload = jws.parse(d.raw)
        alg, nonce = jws.check_header(header, f"{base}/{endpoint}")
        if not self.nonces.consume(nonce):
            raise AcmeProblem("badNonce", "the nonce is unknown, used or expired")
        jwk = header.get("jwk")
        kid = header.get("kid", "")
        if jwk is None:
            account_id = str(kid).rsplit("/", 1)[-1]
            account = await accounts.load(store, account_id)
            if account is None or kid != f"{base}/account/{account_id}":
                raise AcmeProblem("accountDoesNotExist", "no account for this kid")
            key_jwk = account.jwk
        else:
            key_jwk = jwk
        jws.verify_signature(jws.public_key(key_jwk), alg, signing_input, signature)
        try:
            body = orjson.loads(payload) if payload else None
        except orjson.JSONDecodeError as err:
            raise malformed("payload is not JSON") from err
        return base, jws.SignedRequest(header, body, jwk, str(kid))

    async def new_account(self, req: Request, d: FieldData) -> Response:
        try:
            return await self._new_account(req, d)
        except AcmeProblem as problem:
            return problem_response(problem, self.nonces.issue())

    async def _new_account(self, req: Request, d: FieldData) -> Response:
        base, signed = await self._verified(req, d, "new-account")
        if signed.jwk is None:
            raise malformed("new-account must be signed with jwk, not kid")
        payload = signed.payload if isinstance(signed.payload, dict) else None
        if payload is None:
            raise malformed("new-account payload must be an object")
        store = self.ctx.store(req)
        account_id = jws.thumbprint(signed.jwk)
        url = f"{base}/account/{account_id}"
        existing = await accounts.load(store, account_id)
        if existing is not None:
            return _json(existing.to_wire(f"{url}/orders"), self.nonces.issue(), location=url)
        if payload.get("onlyReturnExisting") is True:
            raise AcmeProblem("accountDoesNotExist", "no account exists for this key")
        if payload.get("termsOfServiceAgreed") not in (None, True, False):
            raise malformed("termsOfServiceAgreed must be a boolean")
        contact = payload.get("contact", [])
        if not isinstance(contact, list) or not all(isinstance(c, str) for c in contact):
            raise malformed("contact must be a list of URLs")
        for item in contact:
            if not item.startswith("mailto:"):
                raise AcmeProblem("unsupportedContact", f"unsupported contact {item!r}")
        account = accounts.Account(
            id=account_id,
            jwk=dict(signed.jwk),
            contact=list(contact),
            created=self.ctx.clock().isoformat(),
        )
        await accounts.save(store, account)
        return _json(
            account.to_wire(f"{url}/orders"), self.nonces.issue(), location=url, created=True
        )
