"""Certificate revocation lists, one per issuer (RFC 5280 section 5).

Each issuer's CRL lists the revoked certificates it signed, carries a CRL number that grows by
one per rebuild and the issuer's AKI, and is valid for config/crl ``expiry`` (72 h). It is
rebuilt when a certificate is revoked, on crl/rotate and after a tidy; reads serve the stored
one (built on first read). With ``disable`` set the CRL is still served, empty, as OpenBao does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.issuers import CRL_SIGNING, signer_for
from sealbox.engines.pki.keys import signature_hash
from sealbox.engines.pki.settings import read_crl_config
from sealbox.engines.pki.store import IssuerEntry, PKIStore


def _aki(cert: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    try:
        ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
    except x509.ExtensionNotFound:
        return x509.AuthorityKeyIdentifier.from_issuer_public_key(cert.public_key())  # type: ignore[arg-type]


def can_sign_crls(issuer: IssuerEntry) -> bool:
    """Whether ``issuer`` holds a key and may sign CRLs."""
    return bool(issuer.key_id) and CRL_SIGNING in issuer.usage.split(",")


async def build_crl(ctx: PKIContext, store: PKIStore, issuer: IssuerEntry) -> bytes:
    """Sign a new CRL for ``issuer`` from the revocations on record and store it."""
    async with ctx.crl_lock:
        signer = await signer_for(store, ctx.signers, issuer.id, CRL_SIGNING)
        config = await read_crl_config(store)
        previous = await store.crl(issuer.id)
        number = 1 if previous is None else previous[1] + 1
        now = ctx.clock().astimezone(UTC).replace(microsecond=0)
        revoked: list[x509.RevokedCertificate] = []
        if not config.disable:
            index = await store.revocation_index(issuer.id)
            revoked = [
                x509.RevokedCertificateBuilder()
                .serial_number(int(serial.replace(":", ""), 16))
                .revocation_date(datetime.fromtimestamp(int(moment), UTC))
                .build()
                for serial, moment in sorted(index.items())
            ]
        # The constructor takes the whole list: add_revoked_certificate copies it per call.
        builder = x509.CertificateRevocationListBuilder(
            issuer_name=signer.cert.subject,
            last_update=now,
            next_update=now + timedelta(seconds=config.expiry_seconds),
            extensions=[
                x509.Extension(x509.AuthorityKeyIdentifier.oid, False, _aki(signer.cert)),
                x509.Extension(x509.CRLNumber.oid, False, x509.CRLNumber(number)),
            ],
            revoked_certificates=revoked,
        )
        crl = builder.sign(signer.key, signature_hash(signer.key))
        der = crl.public_bytes(serialization.Encoding.DER)
        await store.put_crl(issuer.id, der, number)
        return der


async def current_crl(ctx: PKIContext, store: PKIStore, issuer: IssuerEntry) -> bytes:
    """The stored CRL of ``issuer``, built when there is none yet."""
    stored = await store.crl(issuer.id)
    if stored is not None:
        return stored[0]
    return await build_crl(ctx, store, issuer)


async def rebuild_all(ctx: PKIContext, store: PKIStore) -> None:
    """Rebuild the CRL of every issuer that holds a key."""
    for issuer_id in await store.issuer_ids():
        issuer = await store.issuer(issuer_id)
        if issuer is not None and can_sign_crls(issuer):
            await build_crl(ctx, store, issuer)


def crl_pem(der: bytes) -> str:
    crl = x509.load_der_x509_crl(der)
    return crl.public_bytes(serialization.Encoding.PEM).decode("ascii")
