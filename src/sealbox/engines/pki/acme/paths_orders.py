"""ACME orders, authorizations, challenges, finalize, certificate download and revocation.

Mirrors OpenBao's path_acme_order.go, path_acme_authorizations.go, path_acme_challenges.go and
path_acme_revoke.go: ``new-order`` (identifiers dns and ip; notBefore/notAfter are refused
with ``malformed``, as OpenBao does; the directory's role must allow every name, else
``rejectedIdentifier``), ``order/<id>`` (POST-as-GET), ``account/<id>/orders``,
``authorization/<id>``, ``challenge/<authz>/<type>`` (a ``{}`` POST starts validation in the
background and answers ``processing``), ``order/<id>/finalize`` (engines/pki/acme/issue.py),
``order/<id>/cert`` (``application/pem-certificate-chain``: leaf, issuer, rest of the chain) and
``revoke-cert`` (signed by the account that ordered the certificate or by the certificate's own
key; reason 0 only; the CRL is rebuilt). Another account's order or authorization is answered
as one that does not exist (``malformed``), as OpenBao does.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from cryptography import x509

from sealbox.engines.pki import constraints
from sealbox.engines.pki.acme import accounts, issue, jws, orders
from sealbox.engines.pki.acme.orders import Authorization, Identifier, Order
from sealbox.engines.pki.acme.paths import PREFIXES
from sealbox.engines.pki.acme.problems import AcmeProblem, malformed, unauthorized
from sealbox.engines.pki.acme.protocol import (
    JWS_FIELDS,
    AcmeProtocol,
    Scope,
    Signed,
    handler,
    json_answer,
)
from sealbox.engines.pki.acme.validation import Job
from sealbox.engines.pki.names import name as segment
from sealbox.engines.pki.revocation import ExpiredCertificate, revoke
from sealbox.engines.pki.roles import Role
from sealbox.engines.pki.store import PKIStore, format_serial
from sealbox.errors import SealboxError
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Document, Link, Operation, Request, Response

_S = FieldType.STRING
_ID = "(?P<{}>[0-9a-f-]+)"
_ORDER_FIELDS = {**JWS_FIELDS, "order_id": FieldSchema(_S, "The order id.")}
_AUTHZ_FIELDS = {**JWS_FIELDS, "auth_id": FieldSchema(_S, "The authorization id.")}
_CHALL_FIELDS = {**_AUTHZ_FIELDS, "challenge_type": FieldSchema(_S, "http-01 or dns-01.")}
_ACCOUNT_FIELDS = {**JWS_FIELDS, "account_id": FieldSchema(_S, "The account id.")}
# Bounds the work (and storage) one request can cause; OpenBao sets none.
MAX_IDENTIFIERS = 100


def parse_identifiers(payload: dict[str, Any]) -> list[Identifier]:
    raw = payload.get("identifiers")
    if not isinstance(raw, list) or not raw:
        raise malformed("identifiers must be a non-empty list")
    if len(raw) > MAX_IDENTIFIERS:
        raise AcmeProblem("rejectedIdentifier", f"at most {MAX_IDENTIFIERS} identifiers per order")
    out: list[Identifier] = []
    for item in raw:
        if not isinstance(item, dict):
            raise malformed("each identifier must be an object")
        kind, value = item.get("type"), item.get("value")
        if not isinstance(value, str) or not value:
            raise malformed("identifier value must be a non-empty string")
        if kind == "ip":
            try:
                value = str(ipaddress.ip_address(value))
            except ValueError as err:
                raise malformed(f"identifier {value!r} is not an IP address") from err
        elif kind == "dns":
            value = value.lower().rstrip(".")
            bare = value.removeprefix("*.")
            if not constraints.is_hostname(bare) or "*" in bare:
                raise malformed(f"identifier {value!r} is not a DNS name")
            try:
                ipaddress.ip_address(bare)
            except ValueError:
                pass
            else:
                raise malformed(f"DNS identifier {value!r} is an IP address")
        else:
            raise AcmeProblem("unsupportedIdentifier", f"unsupported identifier type {kind!r}")
        if Identifier(str(kind), value) not in out:
            out.append(Identifier(str(kind), value))
    return out


def check_role_allows(role: Role | None, identifiers: list[Identifier], name: str) -> None:
    if role is None:
        return
    for identifier in identifiers:
        if identifier.type == "dns" and not constraints.name_allowed(role, identifier.value):
            raise AcmeProblem(
                "rejectedIdentifier",
                f"role ({name}) will not issue certificate for name {identifier.value}",
            )
        if identifier.type == "ip" and not role["allow_ip_sans"]:
            raise AcmeProblem(
                "rejectedIdentifier",
                f"role ({name}) does not allow IP sans, so cannot issue certificate for "
                f"{identifier.value}",
            )


class OrderPaths:
    """Handlers of orders, authorizations, challenges, finalize, cert and revoke-cert."""

    def __init__(self, proto: AcmeProtocol) -> None:
        self.proto = proto
        self.ctx = proto.ctx

    def paths(self) -> list[Path]:
        return [p for prefix in PREFIXES for p in self._acme(prefix + "acme/")]

    def _acme(self, acme: str) -> list[Path]:
        order = acme + "order/" + _ID.format("order_id")
        specs: list[tuple[str, dict[str, FieldSchema], Any, str]] = [
            (acme + "new-order", JWS_FIELDS, self.new_order, "Apply for a certificate."),
            (order, _ORDER_FIELDS, self.get_order, "An ACME order (POST-as-GET)."),
            (order + "/finalize", _ORDER_FIELDS, self.finalize, "Finalize an order with a CSR."),
            (order + "/cert", _ORDER_FIELDS, self.certificate, "The order's certificate chain."),
            (
                acme + "account/" + segment("account_id") + "/orders",
                _ACCOUNT_FIELDS,
                self.list_orders,
                "The account's orders.",
            ),
            (
                acme + "authorization/" + _ID.format("auth_id"),
                _AUTHZ_FIELDS,
                self.authorization,
                "An ACME authorization.",
            ),
            (
                acme + "challenge/" + _ID.format("auth_id") + "/(?P<challenge_type>[a-z0-9-]+)",
                _CHALL_FIELDS,
                self.challenge,
                "An ACME challenge; POST {} to have it validated.",
            ),
            (acme + "revoke-cert", JWS_FIELDS, self.revoke_cert, "Revoke a certificate."),
        ]
        return [
            Path(pattern, fields=fields, operations={Operation.UPDATE: fn}, synopsis=synopsis)
            for pattern, fields, fn, synopsis in specs
        ]

    # answers

    def _order_answer(self, scope: Scope, order: Order, **extra: Any) -> Response:
        url = f"{scope.base}/order/{order.id}"
        body: dict[str, Any] = {
            "status": order.status,
            "expires": order.expires,
            "identifiers": [i.to_wire() for i in order.identifiers],
            "authorizations": [f"{scope.base}/authorization/{a}" for a in order.authorization_ids],
            "finalize": f"{url}/finalize",
        }
        if order.status == "valid":
            body["certificate"] = f"{url}/cert"
        if order.error:
            body["error"] = order.error
        return json_answer(body, location=url, **extra)

    def _challenge_wire(
        self, scope: Scope, authz: Authorization, c: orders.Challenge
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": c.type,
            "url": f"{scope.base}/challenge/{authz.id}/{c.type}",
            "status": c.status,
            "token": c.token,
        }
        if c.validated:
            body["validated"] = c.validated
        if c.error:
            body["error"] = c.error
        return body

    async def _own_order(self, req: Request, order_id: str, signed: Signed) -> Order:
        order = await orders.load_order(self.ctx.store(req), order_id)
        account = signed.account
        if order is None or account is None or order.account_id != account.id:
            # compat: OpenBao answers another account's order as one that does not exist
            raise malformed("order does not exist")
        if order.directory != signed.scope.directory:
            # finalized under the role (and issuer) it was ordered under, nowhere else
            raise malformed("order does not exist in this directory")
        status = await orders.current_status(self.ctx.store(req), order, self.ctx.clock())
        order.status = status
        return order

    # handlers

    @handler
    async def new_order(self, req: Request, d: FieldData) -> Response:
        signed, account = await self.proto.with_account(req, d, "new-order")
        payload = signed.payload
        if not isinstance(payload, dict):
            raise malformed("new-order payload must be an object")
        identifiers = parse_identifiers(payload)
        if payload.get("notBefore") is not None or payload.get("notAfter") is not None:
            # compat: OpenBao refuses them (path_acme_order.go acmeNewOrderHandler)
            raise malformed("NotBefore and NotAfter are not supported")
        store = self.ctx.store(req)
        role = await signed.scope.role(store)
        check_role_allows(role, identifiers, signed.scope.role_name or "")
        order, authzs = orders.new_order(
            account.id, identifiers, self.ctx.clock(), signed.scope.directory
        )
        for authz in authzs:
            await orders.save_authz(store, authz)
        await orders.save_order(store, order)
        await accounts.track_order(store, account.id, order.id)
        return self._order_answer(signed.scope, order, created=True)

    @handler
    async def get_order(self, req: Request, d: FieldData) -> Response:
        order_id = str(d.raw.get("order_id", ""))
        signed, _account = await self.proto.with_account(req, d, f"order/{order_id}")
        order = await self._own_order(req, order_id, signed)
        return self._order_answer(signed.scope, order)

    @handler
    async def list_orders(self, req: Request, d: FieldData) -> Response:
        account_id = str(d.raw.get("account_id", ""))
        signed, account = await self.proto.with_account(req, d, f"account/{account_id}/orders")
        if account.id != account_id:
            raise unauthorized("these are another account's orders")
        store = self.ctx.store(req)
        urls = []
        for order_id in await accounts.order_ids(store, account.id):
            order = await orders.load_order(store, order_id)
            if order is None:
                continue
            # RFC 8555 7.1.2.1: invalid orders SHOULD NOT be listed
            if await orders.current_status(store, order, self.ctx.clock()) != "invalid":
                urls.append(f"{signed.scope.base}/order/{order_id}")
        return json_answer({"orders": urls})

    @handler
    async def authorization(self, req: Request, d: FieldData) -> Response:
        authz_id = str(d.raw.get("auth_id", ""))
        signed, account = await self.proto.with_account(req, d, f"authorization/{authz_id}")
        store = self.ctx.store(req)
        authz = await self._own_authz(req, authz_id, account)
        if isinstance(signed.payload, dict) and signed.payload.get("status") == "deactivated":
            authz.status = "deactivated"
            await orders.save_authz(store, authz)
        elif signed.payload not in (None, {}):
            raise malformed("an authorization takes POST-as-GET or status deactivated")
        else:
            self._resume(signed, account, authz, store)
        body: dict[str, Any] = {
            "identifier": authz.identifier.to_wire(),
            "status": orders.authz_status(authz, self.ctx.clock()),
            "expires": authz.expires,
            "challenges": [self._challenge_wire(signed.scope, authz, c) for c in authz.challenges],
        }
        if authz.wildcard:
            body["wildcard"] = True
        return json_answer(body)

    def _resume(
        self, signed: Signed, account: accounts.Account, authz: Authorization, store: PKIStore
    ) -> None:
        """Validate the authorization's processing challenge unless this node already is."""
        processing = [c for c in authz.challenges if c.status == "processing"]
        if not processing or self.proto.validator.running(authz.id):
            return
        config = signed.scope.config
        self.proto.validator.start(
            Job(
                store,
                authz.id,
                processing[0].type,
                jws.thumbprint(account.jwk),
                config.http_01_port,
                config.dns_resolver,
            )
        )

    async def _own_authz(
        self, req: Request, authz_id: str, account: accounts.Account
    ) -> Authorization:
        authz = await orders.load_authz(self.ctx.store(req), authz_id)
        if authz is None or authz.account_id != account.id:
            raise malformed("authorization does not exist")
        return authz

    @handler
    async def challenge(self, req: Request, d: FieldData) -> Response:
        authz_id, kind = str(d.raw.get("auth_id", "")), str(d.raw.get("challenge_type", ""))
        signed, account = await self.proto.with_account(req, d, f"challenge/{authz_id}/{kind}")
        store = self.ctx.store(req)
        authz = await self._own_authz(req, authz_id, account)
        found = authz.challenge(kind)
        if found is None:
            raise malformed(f"unknown challenge of type {kind!r} in authorization")
        if signed.payload is not None:
            if signed.payload != {}:
                raise malformed("a challenge response must be the empty object {}")
            if found.status == "pending" and authz.status == "pending":
                found.status = "processing"
                await orders.save_authz(store, authz)
        self._resume(signed, account, authz, store)
        up = Link(f"{signed.scope.base}/authorization/{authz.id}", "up")
        return json_answer(self._challenge_wire(signed.scope, authz, found), links=(up,))

    @handler
    async def finalize(self, req: Request, d: FieldData) -> Response:
        order_id = str(d.raw.get("order_id", ""))
        signed, account = await self.proto.with_account(req, d, f"order/{order_id}/finalize")
        csr = issue.parse_finalize_csr(signed.payload)
        store = self.ctx.store(req)
        role = issue.acme_role(await signed.scope.role(store), signed.scope.config)
        async with self.proto.finalize_lock:  # one finalize per order gets past "ready"
            order = await self._own_order(req, order_id, signed)
            if order.status != "ready":
                raise AcmeProblem(
                    "orderNotReady", f"order is status {order.status}, needs to be ready", 403
                )
            issue.check_csr_matches(csr, order)
            issue.check_not_account_key(csr, jws.public_key(account.jwk))
            order.status = "processing"
            await orders.save_order(store, order)
        try:
            cert, signer = await issue.issue(self.ctx, store, csr, role, signed.scope.issuer_ref)
        except AcmeProblem as problem:
            order.status, order.error = (
                "invalid",
                {
                    "type": "urn:ietf:params:acme:error:" + problem.kind,
                    "detail": problem.detail,
                },
            )
            await orders.save_order(store, order)
            raise
        serial = format_serial(cert.serial_number)
        await accounts.track_cert(store, account.id, serial)
        order.status, order.serial, order.issuer_id = "valid", serial, signer.entry.id
        await orders.save_order(store, order)
        return self._order_answer(signed.scope, order)

    @handler
    async def certificate(self, req: Request, d: FieldData) -> Response:
        order_id = str(d.raw.get("order_id", ""))
        signed, _account = await self.proto.with_account(req, d, f"order/{order_id}/cert")
        order = await self._own_order(req, order_id, signed)
        store = self.ctx.store(req)
        if order.status != "valid":
            raise AcmeProblem("orderNotReady", f"order is status {order.status}, not valid", 403)
        entry = await store.cert(order.serial)
        issuer = await store.issuer(order.issuer_id)
        if entry is None or issuer is None:
            raise AcmeProblem("serverInternal", "the order's certificate is no longer stored", 500)
        pems = [entry.certificate, issuer.certificate]
        pems += [c for c in issuer.ca_chain if c != issuer.certificate]
        chain = "".join(p if p.endswith("\n") else p + "\n" for p in pems)
        document = Document("application/pem-certificate-chain", chain.encode("ascii"))
        return Response(document=document, no_store=True)

    @handler
    async def revoke_cert(self, req: Request, d: FieldData) -> Response:
        signed = await self.proto.verified(req, d, "revoke-cert", allow_jwk=True)
        payload = signed.payload
        if not isinstance(payload, dict) or not isinstance(payload.get("certificate"), str):
            raise malformed("revoke-cert needs the certificate (base64url DER)")
        try:
            cert = x509.load_der_x509_certificate(jws.b64decode(payload["certificate"]))
        except ValueError as err:
            raise malformed("the certificate could not be parsed") from err
        reason = payload.get("reason", 0)
        if reason not in (0, None) or isinstance(reason, bool):
            # compat: OpenBao supports only "unspecified"
            raise AcmeProblem("badRevocationReason", "only reason 0 (unspecified) is supported")
        store = self.ctx.store(req)
        serial = format_serial(cert.serial_number)
        entry = await store.cert(serial)
        stored = x509.load_pem_x509_certificate(entry.certificate.encode()) if entry else None
        if stored is None or stored != cert:
            raise malformed("this certificate was not issued by this mount")
        if await store.revoked(serial) is not None:
            raise AcmeProblem("alreadyRevoked", "the certificate is already revoked")
        if signed.account is None:
            if not issue.same_public_key(cert.public_key(), jws.public_key(signed.jwk)):
                raise malformed("unable to revoke certificate: the JWS key is not its key")
        elif not await accounts.issued(store, signed.account.id, serial):
            # compat: OpenBao answers malformed (path_acme_revoke.go acmeRevocationByAccount)
            raise malformed("unable to revoke certificate: this account did not order it")
        try:
            await revoke(self.ctx, store, serial)
        except ExpiredCertificate as err:
            raise malformed("refusing to revoke an expired certificate") from err
        except SealboxError as err:
            raise malformed(f"the certificate cannot be revoked: {err}") from err
        # RFC 8555 7.6: 200 (clients check for exactly that), nothing to say
        return json_answer({})
