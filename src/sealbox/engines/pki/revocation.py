"""Revoking certificates: by serial (pki/revoke) and when a lease ends (revoke_lease).

Mirrors openbao builtin/logical/pki/crl_util.go ``revokeCert``: an unknown serial is a 400
naming it; revoking twice answers the first revocation again; an issuer cannot be revoked
through pki/revoke; an expired certificate is left off the CRL (a warning, no error) unless
config/crl ``allow_expired_cert_revocation`` is set. The issuer's CRL is rebuilt right after the revocation is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.crl import build_crl, can_sign_crls
from sealbox.engines.pki.settings import read_crl_config
from sealbox.engines.pki.store import PKIStore, RevokedEntry
from sealbox.errors import InvalidRequest
from sealbox.goformat import rfc3339_nano


def normalize_serial(serial: str) -> str:
    """Colon-separated lowercase hex, whatever separators the caller used."""
    return serial.strip().lower().replace("-", ":")


def revocation_wire(entry: RevokedEntry) -> dict[str, Any]:
    moment = datetime.fromtimestamp(entry.revocation_time, UTC)
    return {
        "revocation_time": int(entry.revocation_time),
        "revocation_time_rfc3339": rfc3339_nano(moment),
        "state": "revoked",
    }


class ExpiredCertificate(Exception):
    """The certificate already expired and config/crl does not allow revoking it."""

    def __init__(self, serial: str) -> None:
        super().__init__(serial)
        # compat: OpenBao's warning (crl_util.go revokeCert)
        self.warning = (
            f"certificate with serial {serial} already expired; refusing to add to CRL. "
            "Enable 'AllowExpiredCertRevocation' to allow revoking expired certificates."
        )


async def revoke(ctx: PKIContext, store: PKIStore, serial: str) -> RevokedEntry:
    """Revoke the stored certificate ``serial`` and rebuild its issuer's CRL."""
    serial = normalize_serial(serial)
    existing = await store.revoked(serial)
    if existing is not None:
        return existing
    cert = await store.cert(serial)
    if cert is None:
        raise InvalidRequest(f"certificate with serial {serial} not found.")
    expired = cert.not_after and cert.not_after < ctx.clock().timestamp()
    if expired and not (await read_crl_config(store)).allow_expired_cert_revocation:
        raise ExpiredCertificate(serial)
    for issuer_id in await store.issuer_ids():
        issuer = await store.issuer(issuer_id)
        if issuer is not None and issuer.serial_number == serial:
            raise InvalidRequest(f"adding issuer (id: {issuer.id}) to its own CRL is not allowed")
    entry = RevokedEntry(
        serial_number=serial,
        revocation_time=ctx.clock().timestamp(),
        issuer_id=cert.issuer_id,
        certificate=cert.certificate,
        not_after=cert.not_after,
    )
    await store.put_revoked(entry)
    issuer = await store.issuer(cert.issuer_id)
    if issuer is not None and can_sign_crls(issuer):
        await build_crl(ctx, store, issuer)
    return entry
