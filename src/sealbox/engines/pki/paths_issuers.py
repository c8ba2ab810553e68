"""``issuers``, ``issuer/<ref>`` and ``config/issuers``.

Mirrors openbao builtin/logical/pki/path_fetch_issuers.go and path_config.go: LIST answers
ids with ``key_info`` (is_default, names, serial), a read answers the issuer's certificate,
chain, key and AIA settings; an update may rename it, change ``leaf_not_after_behavior``,
``usage`` and its own AIA URLs; config/issuers (and root/replace) picks the default.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.crl import build_crl, can_sign_crls
from sealbox.engines.pki.issuers import ISSUING, issued_by, load_cert, resolve_issuer
from sealbox.engines.pki.keys import load_private_pem, signature_algorithm_name
from sealbox.engines.pki.names import name as segment
from sealbox.engines.pki.settings import validate_url
from sealbox.engines.pki.store import IssuerEntry, PKIStore, RevokedEntry
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.goformat import rfc3339_nano
from sealbox.logical import Operation, Request, Response

_S, _L = FieldType.STRING, FieldType.COMMA_STRING_LIST
_ISSUER_FIELDS = {
    "issuer_ref": FieldSchema(_S, "Issuer id or name."),
    "issuer_name": FieldSchema(_S, "New name."),
    "leaf_not_after_behavior": FieldSchema(_S, "err, truncate or permit."),
    "usage": FieldSchema(_L, "Allowed usages."),
    "issuing_certificates": FieldSchema(_L, "This issuer's CA Issuers URLs."),
    "crl_distribution_points": FieldSchema(_L, "This issuer's CRL URLs."),
    "ocsp_servers": FieldSchema(_L, "This issuer's OCSP URLs."),
}
# compat: OpenBao's warnings (path_revoke.go pathRevokeIssuer)
SELF_SIGNED_WARNING = (
    "This issuer is a self-signed (potentially root) certificate. This means it may not be "
    "considered revoked if there is not an external, cross-signed variant of this certificate. "
    "This issuer's serial number will not appear on its own CRL."
)
NO_PARENT_WARNING = (
    "This issuer lacks another parent issuer within the mount. This means it will not appear on "
    "any other CRLs and may not be considered revoked by clients. Consider adding this issuer to "
    "its issuer's CRL as well if it is not self-signed."
)
DEFAULT_WARNING = (
    "This issuer is currently configured as the default issuer for this mount; operations such "
    "as certificate issuance may not work until a new default issuer is selected."
)
_USAGES = {"read-only", "issuing-certificates", "crl-signing", "ocsp-signing"}


async def issuer_wire(store: PKIStore, issuer: IssuerEntry) -> dict[str, Any]:
    algorithm = ""
    key = await store.key(issuer.key_id) if issuer.key_id else None
    if key is not None:
        algorithm = signature_algorithm_name(load_private_pem(key.private_key))
    revocation = {}
    if issuer.revoked:
        moment = datetime.fromtimestamp(issuer.revocation_time, UTC)
        revocation = {
            "revocation_time": int(issuer.revocation_time),
            "revocation_time_rfc3339": rfc3339_nano(moment),
        }
    return {
        **revocation,
        "issuer_id": issuer.id,
        "issuer_name": issuer.name,
        "key_id": issuer.key_id,
        "certificate": issuer.certificate + "\n",
        "ca_chain": [c + "\n" for c in issuer.ca_chain],
        "manual_chain": None,
        "leaf_not_after_behavior": issuer.leaf_not_after_behavior,
        "usage": issuer.usage,
        "revocation_signature_algorithm": algorithm,
        "revoked": issuer.revoked,
        "issuing_certificates": list(issuer.issuing_certificates),
        "crl_distribution_points": list(issuer.crl_distribution_points),
        "delta_crl_distribution_points": [],
        "ocsp_servers": list(issuer.ocsp_servers),
    }


class IssuerPaths:
    """Handlers of the issuer and key endpoints."""

    def __init__(self, ctx: PKIContext) -> None:
        self.ctx = ctx

    def paths(self) -> list[Path]:
        return [
            Path(
                "issuers/?",
                operations={Operation.LIST: self.list_issuers},
                synopsis="List the issuers of this mount.",
            ),
            Path(
                "issuer/" + segment("issuer_ref"),
                fields=_ISSUER_FIELDS,
                operations={
                    Operation.READ: self.read_issuer,
                    Operation.UPDATE: self.update_issuer,
                    Operation.DELETE: self.delete_issuer,
                },
                synopsis="Read, update or delete one issuer.",
            ),
            Path(
                "issuer/" + segment("issuer_ref") + "/revoke",
                fields={"issuer_ref": _ISSUER_FIELDS["issuer_ref"]},
                operations={Operation.UPDATE: self.revoke_issuer},
                synopsis="Revoke an issuer: it stops issuing and goes on its parent's CRL.",
            ),
            Path(
                "root/replace",
                fields={
                    "default": FieldSchema(_S, "Issuer to make the default.", default="next"),
                    "default_follows_latest_issuer": FieldSchema(FieldType.BOOL, "Must be false."),
                },
                operations={Operation.UPDATE: self.write_default},
                synopsis="Set the default issuer (OpenBao's root/replace).",
            ),
            Path(
                "config/issuers",
                fields={
                    "default": FieldSchema(_S, "Issuer id or name to make the default."),
                    "default_follows_latest_issuer": FieldSchema(
                        FieldType.BOOL, "Kept for compatibility; must be false."
                    ),
                },
                operations={
                    Operation.READ: self.read_default,
                    Operation.UPDATE: self.write_default,
                },
                synopsis="Read or set the default issuer.",
            ),
        ]

    async def list_issuers(self, req: Request, d: FieldData) -> Response:
        """LIST /:mount/issuers."""
        del d
        store = self.ctx.store(req)
        default = await store.default_issuer_id()
        ids = await store.issuer_ids()
        info: dict[str, Any] = {}
        for issuer_id in ids:
            entry = await store.issuer(issuer_id)
            if entry is not None:
                info[issuer_id] = {
                    "is_default": issuer_id == default,
                    "issuer_name": entry.name,
                    "key_id": entry.key_id,
                    "serial_number": entry.serial_number,
                }
        return Response(data={"keys": ids, "key_info": info})

    async def read_issuer(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/issuer/:ref."""
        store = self.ctx.store(req)
        return Response(
            data=await issuer_wire(store, await resolve_issuer(store, d.get("issuer_ref")))
        )

    async def update_issuer(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/issuer/:ref. Changes only what is sent."""
        store = self.ctx.store(req)
        async with self.ctx.issuers_lock:
            issuer = await resolve_issuer(store, d.get("issuer_ref"))
            if d.supplied("issuer_name") and d.get("issuer_name") != issuer.name:
                name = d.get("issuer_name")
                for other_id in await store.issuer_ids():
                    other = await store.issuer(other_id)
                    if other is not None and other.id != issuer.id and name and other.name == name:
                        raise InvalidRequest("issuer name already in use")
                if name == "default":
                    raise InvalidRequest('reserved name "default" cannot be used')
                issuer.name = name
            if d.supplied("leaf_not_after_behavior"):
                behavior = d.get("leaf_not_after_behavior")
                if behavior not in ("err", "truncate", "permit"):
                    raise InvalidRequest(
                        f"unknown value for field `leaf_not_after_behavior`: {behavior}"
                    )
                issuer.leaf_not_after_behavior = behavior
            if d.supplied("usage"):
                usages = d.get("usage")
                unknown = [u for u in usages if u not in _USAGES]
                if unknown:
                    raise InvalidRequest(f"unknown usage: {unknown[0]}")
                issuer.usage = ",".join(sorted(set(usages)))
            for name in ("issuing_certificates", "crl_distribution_points", "ocsp_servers"):
                if d.supplied(name):
                    for url in d.get(name):
                        validate_url(url)
                    setattr(issuer, name, list(d.get(name)))
            await store.put_issuer(issuer)
        return Response(data=await issuer_wire(store, issuer))

    async def revoke_issuer(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/issuer/:ref/revoke. Idempotent; answers the issuer as a read does."""
        store = self.ctx.store(req)
        warnings: list[str] = []
        async with self.ctx.issuers_lock:
            issuer = await resolve_issuer(store, d.get("issuer_ref"))
            if not issuer.revoked:
                warnings = await self._revoke(store, issuer)
        return Response(data=await issuer_wire(store, issuer), warnings=warnings)

    async def _revoke(self, store: PKIStore, issuer: IssuerEntry) -> list[str]:
        now = self.ctx.clock().timestamp()
        issuer.revoked, issuer.revocation_time = True, now
        issuer.usage = ",".join(u for u in issuer.usage.split(",") if u != ISSUING)
        await store.put_issuer(issuer)
        cert = load_cert(issuer.certificate)
        warnings = [SELF_SIGNED_WARNING] if cert.issuer == cert.subject else []
        parent = None
        for other_id in await store.issuer_ids():
            other = await store.issuer(other_id)
            if (
                other is not None
                and other.id != issuer.id
                and issued_by(cert, load_cert(other.certificate))
            ):
                parent = other
                break
        if parent is None:
            warnings.append(NO_PARENT_WARNING)
        else:
            expiry = int(cert.not_valid_after_utc.timestamp())
            await store.put_revoked(
                RevokedEntry(issuer.serial_number, now, parent.id, issuer.certificate, expiry)
            )
            if can_sign_crls(parent):
                await build_crl(self.ctx, store, parent)
        if await store.default_issuer_id() == issuer.id:
            warnings.append(DEFAULT_WARNING)
        return warnings

    async def delete_issuer(self, req: Request, d: FieldData) -> Response:
        """DELETE /:mount/issuer/:ref. The key stays (OpenBao keeps it too)."""
        store = self.ctx.store(req)
        async with self.ctx.issuers_lock:
            issuer = await resolve_issuer(store, d.get("issuer_ref"))
            await store.delete_issuer(issuer.id)
            await store.delete_crl(issuer.id)
            warnings = []
            if await store.default_issuer_id() == issuer.id:
                await store.set_default_issuer("")
                warnings.append(
                    f"Deleted issuer {issuer.id} (via issuer_ref {d.get('issuer_ref')}); this was "
                    "configured as the default issuer. Operations without an explicit issuer "
                    "will not work until a new default is configured."
                )
        return Response(warnings=warnings)

    async def read_default(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/config/issuers."""
        del d
        default = await self.ctx.store(req).default_issuer_id()
        return Response(data={"default": default, "default_follows_latest_issuer": False})

    async def write_default(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/config/issuers."""
        if d.get("default_follows_latest_issuer"):
            raise InvalidRequest("default_follows_latest_issuer is not supported by this server")
        store = self.ctx.store(req)
        issuer = await resolve_issuer(store, d.get("default"))
        await store.set_default_issuer(issuer.id)
        return Response(data={"default": issuer.id, "default_follows_latest_issuer": False})
