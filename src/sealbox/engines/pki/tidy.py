"""Tidy: drop expired certificates and revocations once past a safety buffer, then rebuild
the CRLs (openbao builtin/logical/pki/path_tidy.go).

``tidy_cert_store`` removes stored certificates that expired more than ``safety_buffer`` ago;
``tidy_revoked_certs`` removes their revocation entries too (an expired certificate need not be
on a CRL). Issuers' own certificates are never removed. The run is recorded for tidy-status.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.crl import rebuild_all
from sealbox.engines.pki.store import TIDY_STATUS, PKIStore
from sealbox.goformat import rfc3339_nano


@dataclass(frozen=True, slots=True)
class TidyRequest:
    """What one tidy run does."""

    tidy_cert_store: bool = False
    tidy_revoked_certs: bool = False
    safety_buffer: int = 259200


async def run_tidy(ctx: PKIContext, store: PKIStore, request: TidyRequest) -> dict[str, Any]:
    """Tidy now; returns (and stores) the status record."""
    started = ctx.clock()
    cutoff = started.timestamp() - request.safety_buffer
    issuer_serials = set()
    for issuer_id in await store.issuer_ids():
        entry = await store.issuer(issuer_id)
        if entry is not None:
            issuer_serials.add(entry.serial_number)
    certs_deleted = revoked_deleted = 0
    if request.tidy_cert_store:
        for serial in await store.cert_serials():
            cert = await store.cert(serial)
            if cert is not None and cert.not_after < cutoff and serial not in issuer_serials:
                await store.delete_cert(serial)
                certs_deleted += 1
    if request.tidy_revoked_certs:
        for serial in await store.revoked_serials():
            revoked = await store.revoked(serial)
            if revoked is not None and revoked.not_after < cutoff:
                await store.delete_revoked(serial)
                await store.delete_cert(serial)
                revoked_deleted += 1
        await rebuild_all(ctx, store)
    status = {
        **asdict(request),
        "state": "Finished",
        "error": None,
        "time_started": rfc3339_nano(started),
        "time_finished": rfc3339_nano(ctx.clock()),
        "cert_store_deleted_count": certs_deleted,
        "revoked_cert_deleted_count": revoked_deleted,
        "current_cert_store_count": len(await store.cert_serials()),
        "current_revoked_cert_count": len(await store.revoked_serials()),
    }
    await store.put_json(TIDY_STATUS, status)
    return status


async def tidy_status(store: PKIStore) -> dict[str, Any]:
    """The last run's record, or the idle state."""
    stored = await store.get_json(TIDY_STATUS)
    if stored is not None:
        return stored
    return {
        **asdict(TidyRequest()),
        "state": "Inactive",
        "error": None,
        "time_started": None,
        "time_finished": None,
        "cert_store_deleted_count": 0,
        "revoked_cert_deleted_count": 0,
        "current_cert_store_count": None,
        "current_revoked_cert_count": None,
    }
