"""ACME directory, nonces and accounts on a PKI mount; ``config/cluster``, ``config/acme``, EAB.

Vault serves ACME under ``acme/``, ``roles/<role>/acme/``, ``issuer/<ref>/acme/`` and
``issuer/<ref>/roles/<role>/acme/``; every URL it hands out is absolute, built from
``config/cluster`` ``path`` (e.g. ``https://host:8200/v1/pki``), so that must be set first.
Accounts (RFC 8555 7.3): new-account (jwk-signed; EAB per ``eab_policy``), ``account/<id>``
(POST-as-GET, contact update, ``status: deactivated``, after which every request of the
account is ``unauthorized``), key-change (7.3.5). ``<dir>acme/new-eab``, ``eab/`` and
``eab/<id>`` are operator endpoints (token-authenticated), as in OpenBao.
Orders and revocation are in paths_orders.py.
"""

from __future__ import annotations

from typing import Any

import orjson

from sealbox.engines.pki.acme import accounts, eab, jws
from sealbox.engines.pki.acme import config as acme_config
from sealbox.engines.pki.acme.problems import AcmeProblem, malformed, problem_response
from sealbox.engines.pki.acme.protocol import (
    CONFIG_CLUSTER,
    JWS_FIELDS,
    AcmeProtocol,
    Signed,
    handler,
    json_answer,
)
from sealbox.engines.pki.names import name as segment
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Document, Operation, Request, Response

# The ACME endpoints under each acme/ prefix that are served without a token (the JWS is
# their authentication); "+" is one path segment.
ACME_ENDPOINTS = (
    "directory",
    "new-nonce",
    "new-account",
    "account/+",
    "account/+/orders",
    "key-change",
    "new-order",
    "order/+",
    "order/+/finalize",
    "order/+/cert",
    "authorization/+",
    "challenge/+/+",
    "revoke-cert",
)
PREFIXES = (
    "",
    "roles/" + segment("role") + "/",
    "issuer/" + segment("issuer_ref") + "/",
    "issuer/" + segment("issuer_ref") + "/roles/" + segment("role") + "/",
)
_S = FieldType.STRING
_CLUSTER_FIELDS = {
    "path": FieldSchema(_S, "This mount's public URL, e.g. https://host:8200/v1/pki."),
    "aia_path": FieldSchema(_S, "The URL for AIA templating (stored, not used yet)."),
}
_ACCOUNT_FIELDS = {**JWS_FIELDS, "account_id": FieldSchema(_S, "The account id.")}
_EAB_FIELDS = {"key_id": FieldSchema(_S, "EAB key identifier.")}
_EAB_DIR_FIELDS = {k: JWS_FIELDS[k] for k in ("role", "issuer_ref")}


def _contacts(payload: dict[str, Any]) -> list[str] | None:
    if "contact" not in payload:
        return None
    contact = payload["contact"]
    if not isinstance(contact, list) or not all(isinstance(c, str) for c in contact):
        raise malformed("contact must be a list of URLs")
    for item in contact:
        if not item.startswith("mailto:"):
            raise AcmeProblem("unsupportedContact", f"unsupported contact {item!r}")
    return list(contact)


class AcmePaths:
    """Handlers of the ACME directory, nonces, accounts, EAB and of config/cluster."""

    def __init__(self, proto: AcmeProtocol) -> None:
        self.proto = proto
        self.ctx = proto.ctx

    def paths(self) -> list[Path]:
        return [
            self._cluster(),
            Path(
                "config/acme",
                fields=acme_config.FIELDS,
                operations={Operation.READ: self.read_acme, Operation.UPDATE: self.write_acme},
                synopsis="Turn ACME on and say what it may issue.",
            ),
            Path(
                "eab/?",
                fields={},
                operations={Operation.LIST: self.list_eab},
                synopsis="External account binding keys not used yet.",
            ),
            Path(
                "eab/" + segment("key_id"),
                fields=_EAB_FIELDS,
                operations={Operation.DELETE: self.delete_eab},
                synopsis="Delete an unused external account binding key.",
            ),
            *(p for prefix in PREFIXES for p in self._acme(prefix)),
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
        acme = prefix + "acme/"
        return [
            Path(
                acme + "directory",
                fields=JWS_FIELDS,
                operations={Operation.READ: self.directory},
                synopsis="ACME directory (RFC 8555 7.1.1).",
            ),
            Path(
                acme + "new-nonce",
                fields=JWS_FIELDS,
                operations={Operation.READ: self.new_nonce, Operation.UPDATE: self.new_nonce},
                synopsis="A fresh ACME replay nonce (RFC 8555 7.2).",
            ),
            Path(
                acme + "new-account",
                fields=JWS_FIELDS,
                operations={Operation.UPDATE: self.new_account},
                synopsis="Register or look up an ACME account (RFC 8555 7.3).",
            ),
            Path(
                acme + "account/" + segment("account_id"),
                fields=_ACCOUNT_FIELDS,
                operations={Operation.UPDATE: self.update_account},
                synopsis="Read, update or deactivate an ACME account (RFC 8555 7.3.2, 7.3.6).",
            ),
            Path(
                acme + "key-change",
                fields=JWS_FIELDS,
                operations={Operation.UPDATE: self.key_change},
                synopsis="Move an ACME account to a new key (RFC 8555 7.3.5).",
            ),
            Path(
                acme + "new-eab",
                fields=_EAB_DIR_FIELDS,
                operations={Operation.UPDATE: self.new_eab},
                synopsis="Make a single-use external account binding key for this directory.",
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

    async def directory(self, req: Request, d: FieldData) -> Response:
        try:
            scope = await self.proto.scope(self.ctx.store(req), d)
        except AcmeProblem as problem:
            return problem_response(problem, self.proto.nonces.issue())
        base = scope.base
        body = {
            "newNonce": f"{base}/new-nonce",
            "newAccount": f"{base}/new-account",
            "newOrder": f"{base}/new-order",
            "revokeCert": f"{base}/revoke-cert",
            "keyChange": f"{base}/key-change",
            "meta": {"externalAccountRequired": scope.config.eab_policy != "not-required"},
        }
        return Response(document=Document("application/json", orjson.dumps(body)), no_store=True)

    async def new_nonce(self, req: Request, d: FieldData) -> Response:
        # RFC 8555 7.2: 200 for HEAD, 204 for GET; both carry the nonce and the directory link.
        try:
            scope = await self.proto.scope(self.ctx.store(req), d)
        except AcmeProblem as problem:
            return problem_response(problem, self.proto.nonces.issue())
        return Response(
            nonce=self.proto.nonces.issue(), no_store=True, links=self.proto.directory_link(scope)
        )

    def _account_answer(self, signed: Signed, account: accounts.Account, **extra: Any) -> Response:
        url = f"{signed.scope.base}/account/{account.id}"
        return json_answer(account.to_wire(f"{url}/orders"), location=url, **extra)

    @handler
    async def new_account(self, req: Request, d: FieldData) -> Response:
        signed = await self.proto.verified(req, d, "new-account", allow_jwk=True)
        if signed.account is not None:
            raise malformed("new-account must be signed with jwk, not kid")
        payload = signed.payload if isinstance(signed.payload, dict) else None
        if payload is None:
            raise malformed("new-account payload must be an object")
        store = self.ctx.store(req)
        policy = signed.scope.config.eab_policy
        existing = await accounts.find_by_key(store, signed.jwk)
        if existing is not None:
            eab.enforce_existing(policy, existing)
            return self._account_answer(signed, existing)
        if payload.get("onlyReturnExisting") is True:
            raise AcmeProblem("accountDoesNotExist", "no account exists for this key")
        if payload.get("termsOfServiceAgreed") not in (None, True, False):
            raise malformed("termsOfServiceAgreed must be a boolean")
        contact = _contacts(payload) or []
        binding = payload.get("externalAccountBinding")
        eab_id = ""
        if binding is not None:
            url = f"{signed.scope.base}/new-account"
            eab_id = await eab.bind(store, binding, signed.jwk, url, signed.scope.directory)
        eab.enforce_new(policy, eab_id)
        account = accounts.Account(
            id=accounts.new_id(),
            jwk=signed.jwk,
            contact=contact,
            created=self.ctx.clock().isoformat(),
            eab_id=eab_id,
        )
        await accounts.save(store, account)
        return self._account_answer(signed, account, created=True)

    @handler
    async def update_account(self, req: Request, d: FieldData) -> Response:
        account_id = str(d.raw.get("account_id", ""))
        signed, account = await self.proto.with_account(req, d, f"account/{account_id}")
        if account.id != account_id:
            raise AcmeProblem("unauthorized", "this is not the signer's account", 403)
        payload = signed.payload
        if payload is not None and not isinstance(payload, dict):
            raise malformed("the account update must be an object")
        payload = payload or {}
        if "externalAccountBinding" in payload:
            raise malformed("an account's external binding cannot be changed")
        contact = _contacts(payload)
        status = payload.get("status")
        if status not in (None, "valid", "deactivated"):
            raise malformed(f"an account cannot be set to status {status!r}")
        changed = False
        if contact is not None and contact != account.contact:
            account.contact, changed = contact, True
        if status == "deactivated":
            account.status, changed = "deactivated", True
        if changed:
            await accounts.save(self.ctx.store(req), account)
        return self._account_answer(signed, account)

    @handler
    async def key_change(self, req: Request, d: FieldData) -> Response:
        signed, account = await self.proto.with_account(req, d, "key-change")
        inner = signed.payload
        if not isinstance(inner, dict):
            raise malformed("key-change carries a JWS signed by the new key")
        header, signing_input, signature, payload = jws.parse(inner)
        new_jwk = header.get("jwk")
        if not isinstance(new_jwk, dict) or "kid" in header:
            raise malformed("the inner JWS must carry the new key as jwk")
        if header.get("url") != signed.header.get("url"):
            raise malformed("the inner JWS url must be the key-change URL")
        if "nonce" in header:
            raise malformed("the inner JWS must not carry a nonce")
        alg = header.get("alg")
        if alg not in ("ES256", "RS256"):
            raise AcmeProblem("badSignatureAlgorithm", f"unsupported alg {alg!r}")
        jws.verify_signature(jws.public_key(new_jwk), str(alg), signing_input, signature)
        try:
            body = orjson.loads(payload)
        except orjson.JSONDecodeError as err:
            raise malformed("the inner payload is not JSON") from err
        account_url = f"{signed.scope.base}/account/{account.id}"
        if not isinstance(body, dict) or body.get("account") != account_url:
            raise malformed("the inner payload must name this account")
        old = body.get("oldKey")
        if not isinstance(old, dict) or jws.thumbprint(old) != jws.thumbprint(account.jwk):
            raise malformed("oldKey is not the account's current key")
        store = self.ctx.store(req)
        holder = await accounts.find_by_key(store, new_jwk)
        if holder is not None:
            answer = problem_response(
                AcmeProblem("conflict", "another account already uses the new key", 409),
                self.proto.nonces.issue(),
            )
            answer.location = f"{signed.scope.base}/account/{holder.id}"
            return answer
        await accounts.change_key(store, account, new_jwk)
        return self._account_answer(signed, account)

    async def new_eab(self, req: Request, d: FieldData) -> Response:
        """POST <dir>acme/new-eab (token-authenticated): a single-use EAB key."""
        try:
            scope = await self.proto.scope(self.ctx.store(req), d)
        except AcmeProblem as problem:
            raise InvalidRequest(problem.detail) from problem
        created = await eab.create(
            self.ctx.store(req),
            scope.directory,
            self.ctx.clock().replace(microsecond=0).isoformat(),
        )
        return Response(data=created)

    async def list_eab(self, req: Request, _d: FieldData) -> Response:
        keys, info = await eab.listing(self.ctx.store(req))
        return Response(data={"keys": keys, "key_info": info})

    async def delete_eab(self, req: Request, d: FieldData) -> Response | None:
        if not await eab.delete(self.ctx.store(req), str(d.raw.get("key_id", ""))):
            return Response(warnings=[f"No key id found with id: {d.raw.get('key_id')}"])
        return None
