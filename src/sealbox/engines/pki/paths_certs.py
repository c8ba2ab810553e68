"""Reading certificates and CRLs, revoking: ``certs``, ``cert/<serial>``, ``ca``,
``ca/pem``, ``ca_chain``, ``crl``, ``crl/pem``, ``crl/rotate``, ``revoke``, and the
per-issuer ``issuer/<ref>/{pem,der,json,crl...}`` forms.

Mirrors openbao builtin/logical/pki/path_fetch.go and path_revoke.go. The raw endpoints answer
DER or PEM bodies with OpenBao's content types (engines/pki/raw.py); ``cert/ca``, ``cert/crl``
and ``cert/<serial>`` answer JSON ``{certificate, revocation_time, revocation_time_rfc3339}``.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from sealbox.engines.pki import raw
from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.crl import crl_pem, current_crl, rebuild_all
from sealbox.engines.pki.issuers import resolve_issuer
from sealbox.engines.pki.names import name as segment
from sealbox.engines.pki.revocation import (
    ExpiredCertificate,
    normalize_serial,
    revocation_wire,
    revoke,
)
from sealbox.engines.pki.store import IssuerEntry, PKIStore, format_serial
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

_SERIAL = {"serial": FieldSchema(FieldType.STRING, "Colon- or dash-separated hex serial.")}
_REF = {"issuer_ref": FieldSchema(FieldType.STRING, "Issuer id or name.")}
_REVOKE = {
    "serial_number": FieldSchema(FieldType.STRING, "Serial of the certificate to revoke."),
    "certificate": FieldSchema(FieldType.STRING, "PEM of the certificate to revoke."),
}


def _der(pem: str) -> bytes:
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    return cert.public_bytes(serialization.Encoding.DER)


def _pem_bytes(pem: str) -> bytes:
    return (pem.rstrip("\n") + "\n").encode("ascii")


class CertPaths:
    """Handlers of the fetch and revoke endpoints."""

    def __init__(self, ctx: PKIContext) -> None:
        self.ctx = ctx

    def paths(self) -> list[Path]:
        ref = "issuer/" + segment("issuer_ref")
        read = Operation.READ
        return [
            Path(
                "certs/?",
                operations={Operation.LIST: self.list_certs},
                synopsis="Fetch a list of all issued certificates.",
            ),
            Path(
                "certs/revoked/?",
                operations={Operation.LIST: self.list_revoked},
                synopsis="List all revoked serial numbers.",
            ),
            Path(
                "cert/ca",
                operations={read: self.read_ca_json},
                synopsis="Fetch the default issuer's certificate.",
            ),
            Path(
                "cert/ca_chain",
                operations={read: self.read_chain_json},
                synopsis="Fetch the default issuer's CA chain.",
            ),
            Path(
                "cert/crl",
                operations={read: self.read_crl_json},
                synopsis="Fetch the default issuer's CRL.",
            ),
            Path(
                "cert/(?P<serial>[0-9A-Fa-f:-]+)/raw",
                fields=_SERIAL,
                operations={read: self.read_cert_der},
                synopsis="Fetch a certificate by serial (DER); 'ca' is the default issuer.",
            ),
            Path(
                "cert/(?P<serial>[0-9A-Fa-f:-]+)/raw/pem",
                fields=_SERIAL,
                operations={read: self.read_cert_pem},
                synopsis="Fetch a certificate by serial (PEM); 'ca' is the default issuer.",
            ),
            Path(
                "cert/" + "(?P<serial>[0-9A-Fa-f:-]+)",
                fields=_SERIAL,
                operations={read: self.read_cert},
                synopsis="Fetch a certificate by serial.",
            ),
            Path(
                "ca",
                operations={read: self.read_ca_der},
                synopsis="Fetch the default issuer's certificate (DER).",
            ),
            Path(
                "ca/pem",
                operations={read: self.read_ca_pem},
                synopsis="Fetch the default issuer's certificate (PEM).",
            ),
            Path(
                "ca_chain",
                operations={read: self.read_chain_pem},
                synopsis="Fetch the default issuer's CA chain (PEM).",
            ),
            Path(
                "crl",
                operations={read: self.read_crl_der},
                synopsis="Fetch the default issuer's CRL (DER).",
            ),
            Path(
                "crl/pem",
                operations={read: self.read_crl_pem},
                synopsis="Fetch the default issuer's CRL (PEM).",
            ),
            Path(
                "crl/rotate",
                operations={read: self.rotate_crl},
                synopsis="Force a rebuild of the CRLs.",
            ),
            Path(
                "revoke",
                fields=_REVOKE,
                operations={Operation.UPDATE: self.revoke_cert},
                synopsis="Revoke a certificate by serial number.",
            ),
            Path(
                ref + "/(?P<fmt>pem|der|json)",
                fields={**_REF, "fmt": FieldSchema()},
                operations={read: self.read_issuer_cert},
                synopsis="Fetch an issuer's certificate.",
            ),
            Path(
                ref + "/crl",
                fields={**_REF, "fmt": FieldSchema()},
                operations={read: self.read_issuer_crl},
                synopsis="Fetch an issuer's CRL.",
            ),
            Path(
                ref + "/crl/(?P<fmt>pem|der)",
                fields={**_REF, "fmt": FieldSchema()},
                operations={read: self.read_issuer_crl},
                synopsis="Fetch an issuer's CRL.",
            ),
        ]

    async def _default(self, req: Request) -> tuple[PKIStore, IssuerEntry]:
        store = self.ctx.store(req)
        return store, await resolve_issuer(store, "default")

    async def _default_or_none(self, req: Request) -> tuple[PKIStore, IssuerEntry | None]:
        """For the raw fetches: no default issuer is an empty 204, as OpenBao answers."""
        store = self.ctx.store(req)
        default = await store.default_issuer_id()
        return store, (await store.issuer(default) if default else None)

    async def list_certs(self, req: Request, d: FieldData) -> Response:
        """LIST /:mount/certs."""
        del d
        return Response(data={"keys": await self.ctx.store(req).cert_serials()})

    async def list_revoked(self, req: Request, d: FieldData) -> Response:
        """LIST /:mount/certs/revoked."""
        del d
        return Response(data={"keys": await self.ctx.store(req).revoked_serials()})

    async def read_cert(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/cert/:serial."""
        store = self.ctx.store(req)
        serial = normalize_serial(d.get("serial"))
        cert = await store.cert(serial)
        revoked = await store.revoked(serial)
        if cert is None and revoked is None:
            return None
        data: dict[str, Any] = {
            "certificate": cert.certificate if cert else revoked.certificate,  # type: ignore[union-attr]
            "revocation_time": 0,
            "revocation_time_rfc3339": "",
        }
        if revoked is not None:
            wire = revocation_wire(revoked)
            data["revocation_time"] = wire["revocation_time"]
            data["revocation_time_rfc3339"] = wire["revocation_time_rfc3339"]
            data["issuer_id"] = revoked.issuer_id
        return Response(data=data)

    async def _cert_pem(self, req: Request, d: FieldData) -> str | None:
        """The PEM of ``serial`` ("ca": the default issuer's certificate, "" when there is
        none yet), or None for a serial the mount does not hold."""
        store, issuer = await self._default_or_none(req)
        if d.get("serial") == "ca":
            return "" if issuer is None else issuer.certificate
        cert = await store.cert(normalize_serial(d.get("serial")))
        return cert.certificate if cert is not None and cert.certificate else None

    async def read_cert_der(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/cert/:serial/raw (unauthenticated)."""
        pem = await self._cert_pem(req, d)
        if not pem:
            return None if pem is None else raw.nothing()
        return raw.raw_body(_der(pem), raw.DER_CERT)

    async def read_cert_pem(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/cert/:serial/raw/pem (unauthenticated)."""
        pem = await self._cert_pem(req, d)
        if not pem:
            return None if pem is None else raw.nothing()
        return raw.raw_body(_pem_bytes(pem), raw.PEM_CHAIN)

    async def read_ca_json(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/cert/ca."""
        del d
        _, issuer = await self._default(req)
        return Response(data=_cert_json(issuer.certificate))

    async def read_chain_json(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/cert/ca_chain."""
        del d
        _, issuer = await self._default(req)
        data = _cert_json("\n".join(issuer.ca_chain))
        data["ca_chain"] = "\n".join(issuer.ca_chain)
        return Response(data=data)

    async def read_crl_json(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/cert/crl."""
        del d
        store, issuer = await self._default(req)
        pem = crl_pem(await current_crl(self.ctx, store, issuer)).rstrip("\n")
        return Response(data=_cert_json(pem))

    async def read_ca_der(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/ca (unauthenticated)."""
        del d
        _, issuer = await self._default_or_none(req)
        if issuer is None:
            return raw.nothing()
        return raw.raw_body(_der(issuer.certificate), raw.DER_CERT)

    async def read_ca_pem(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/ca/pem (unauthenticated)."""
        del d
        _, issuer = await self._default_or_none(req)
        if issuer is None:
            return raw.nothing()
        return raw.raw_body(_pem_bytes(issuer.certificate), raw.PEM_CHAIN)

    async def read_chain_pem(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/ca_chain (unauthenticated). compat: OpenBao labels it pkix-cert."""
        del d
        _, issuer = await self._default_or_none(req)
        if issuer is None:
            return raw.nothing()
        return raw.raw_body(_pem_bytes("\n".join(issuer.ca_chain)), raw.DER_CERT)

    async def read_crl_der(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/crl (unauthenticated)."""
        del d
        store, issuer = await self._default_or_none(req)
        if issuer is None:
            return raw.nothing()
        return raw.raw_body(await current_crl(self.ctx, store, issuer), raw.DER_CRL)

    async def read_crl_pem(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/crl/pem (unauthenticated)."""
        del d
        store, issuer = await self._default_or_none(req)
        if issuer is None:
            return raw.nothing()
        der = await current_crl(self.ctx, store, issuer)
        return raw.raw_body(crl_pem(der).encode("ascii"), raw.PEM_FILE)

    async def rotate_crl(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/crl/rotate."""
        del d
        await rebuild_all(self.ctx, self.ctx.store(req))
        return Response(data={"success": True})

    async def revoke_cert(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/revoke."""
        serial = d.get("serial_number")
        if not serial and d.get("certificate"):
            try:
                cert = x509.load_pem_x509_certificate(d.get("certificate").encode("ascii"))
            except ValueError as err:
                raise InvalidRequest("certificate could not be parsed") from err
            serial = format_serial(cert.serial_number)
        if not serial:
            raise InvalidRequest("The serial number or certificate to revoke must be provided.")
        try:
            entry = await revoke(self.ctx, self.ctx.store(req), serial)
        except ExpiredCertificate as expired:
            return Response(warnings=[expired.warning])
        return Response(data=revocation_wire(entry))

    async def read_issuer_cert(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/issuer/:ref/{pem,der,json}."""
        issuer = await resolve_issuer(self.ctx.store(req), d.get("issuer_ref"))
        fmt = d.get("fmt")
        if fmt == "der":
            return raw.raw_body(_der(issuer.certificate), raw.DER_CERT)
        if fmt == "pem":
            return raw.raw_body(_pem_bytes(issuer.certificate), raw.PEM_CHAIN)
        return Response(
            data={
                "certificate": issuer.certificate,
                "ca_chain": list(issuer.ca_chain),
                "issuer_id": issuer.id,
                "issuer_name": issuer.name,
            }
        )

    async def read_issuer_crl(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/issuer/:ref/crl[/pem|/der]."""
        store = self.ctx.store(req)
        issuer = await resolve_issuer(store, d.get("issuer_ref"))
        der = await current_crl(self.ctx, store, issuer)
        fmt = d.get("fmt")
        if fmt == "der":
            return raw.raw_body(der, raw.DER_CRL)
        if fmt == "pem":
            return raw.raw_body(crl_pem(der).encode("ascii"), raw.PEM_FILE)
        return Response(data={"crl": crl_pem(der).rstrip("\n")})


def _cert_json(pem: str) -> dict[str, Any]:
    return {"certificate": pem, "revocation_time": 0, "revocation_time_rfc3339": ""}
