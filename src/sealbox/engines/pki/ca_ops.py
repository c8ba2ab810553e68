"""Adding CAs to a mount: new keys, new issuers, the default issuer and chain upkeep.

Mirrors openbao builtin/logical/pki/storage.go ``importIssuer``/``importKey``: names are
unique within the mount, the first issuer becomes the default, an imported certificate is
matched to a stored key by public key, and every issuer's ca_chain is rebuilt afterwards.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from sealbox.engines.pki import keys
from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.issuers import cert_pem, load_cert, new_id, rebuild_chains
from sealbox.engines.pki.store import CertEntry, IssuerEntry, KeyEntry, PKIStore, format_serial
from sealbox.errors import InvalidRequest


def _public_der(key: keys.PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


async def check_names(store: PKIStore, issuer_name: str, key_name: str) -> None:
    """400 when a requested issuer or key name is taken (or reserved)."""
    for name in (issuer_name, key_name):
        if name == "default":
            raise InvalidRequest('reserved name "default" cannot be used')
    if issuer_name:
        for issuer_id in await store.issuer_ids():
            entry = await store.issuer(issuer_id)
            if entry is not None and entry.name == issuer_name:
                raise InvalidRequest("issuer name already in use")
    if key_name:
        for key_id in await store.key_ids():
            key = await store.key(key_id)
            if key is not None and key.name == key_name:
                raise InvalidRequest("key name already in use")


async def store_key(store: PKIStore, private: keys.PrivateKey, name: str) -> KeyEntry:
    entry = KeyEntry(new_id(), name, keys.describe(private).key_type, keys.private_pem(private))
    await store.put_key(entry)
    return entry


async def find_key_for(store: PKIStore, cert: x509.Certificate) -> str:
    """The id of the stored key matching ``cert``'s public key, or ""."""
    wanted = _public_der(cert.public_key())  # type: ignore[arg-type]
    for key_id in await store.key_ids():
        entry = await store.key(key_id)
        if entry is None:
            continue
        if _public_der(keys.load_private_pem(entry.private_key).public_key()) == wanted:
            return key_id
    return ""


async def add_issuer(
    ctx: PKIContext, store: PKIStore, cert: x509.Certificate, key_id: str, name: str
) -> IssuerEntry:
    """Store a new issuer for ``cert`` (and the certificate itself); default if first."""
    async with ctx.issuers_lock:
        pem = cert_pem(cert)
        serial = format_serial(cert.serial_number)
        entry = IssuerEntry(new_id(), name, key_id, pem, [pem], serial)
        await store.put_issuer(entry)
        expiration = int(cert.not_valid_after_utc.timestamp())
        await store.put_cert(CertEntry(serial, pem, entry.id, expiration))
        if not await store.default_issuer_id():
            await store.set_default_issuer(entry.id)
        await rebuild_chains(store)
        fresh = await store.issuer(entry.id)
        return fresh or entry


async def existing_issuer(store: PKIStore, cert: x509.Certificate) -> IssuerEntry | None:
    """The issuer already holding exactly ``cert``, if any."""
    pem = cert_pem(cert)
    for issuer_id in await store.issuer_ids():
        entry = await store.issuer(issuer_id)
        if entry is not None and load_cert(entry.certificate) == load_cert(pem):
            return entry
    return None


def parse_bundle(text: str) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle; 400 for none or garbage."""
    try:
        certs = x509.load_pem_x509_certificates(text.encode("ascii", "replace"))
    except ValueError as err:
        raise InvalidRequest("no data found in PEM block") from err
    if not certs:
        raise InvalidRequest("no data found in PEM block")
    return certs
