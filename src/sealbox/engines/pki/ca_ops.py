"""Adding CAs to a mount: new keys, new issuers, the default issuer and chain upkeep.

Mirrors openbao builtin/logical/pki/storage.go ``importIssuer``/``importKey``: names are
unique within the mount, the first issuer becomes the default, an imported certificate is
matched to a stored key by public key, and every issuer's ca_chain is rebuilt afterwards.
"""

from __future__ import annotations

import re
from typing import Any

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


def new_key_entry(private: keys.PrivateKey, name: str) -> KeyEntry:
    """A record for a key not stored yet."""
    return KeyEntry(new_id(), name, keys.describe(private).key_type, keys.private_pem(private))


async def store_key(store: PKIStore, private: keys.PrivateKey, name: str) -> KeyEntry:
    entry = new_key_entry(private, name)
    await store.put_key(entry)
    return entry


async def add_issuer(
    ctx: PKIContext,
    store: PKIStore,
    cert: x509.Certificate,
    key: KeyEntry | str,
    name: str,
) -> IssuerEntry:
    """Store a new issuer for ``cert``, the certificate itself and (when ``key`` is a new
    record rather than a stored key's id) its key, in one transaction; default if first."""
    async with ctx.issuers_lock:
        pem = cert_pem(cert)
        serial = format_serial(cert.serial_number)
        key_id = key if isinstance(key, str) else key.id
        entry = IssuerEntry(new_id(), name, key_id, pem, [pem], serial)
        expiration = int(cert.not_valid_after_utc.timestamp())
        ops = [store.issuer_op(entry), store.cert_op(CertEntry(serial, pem, entry.id, expiration))]
        if not isinstance(key, str):
            ops.append(store.key_op(key))
        if not await store.default_issuer_id():
            ops.append(store.default_op(entry.id))
        await store.put_many(ops)
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


_PEM_KEY = re.compile(
    r"-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----.*?-----END \1-----", re.DOTALL
)


def parse_keys(text: str) -> list[keys.PrivateKey]:
    """Every private key PEM block in ``text``; 400 for one that does not load."""
    found = []
    for match in _PEM_KEY.finditer(text):
        try:
            found.append(keys.load_private_pem(match.group(0)))
        except (ValueError, TypeError) as err:
            raise InvalidRequest("a private key in the bundle could not be parsed") from err
    return found


async def import_bundle(
    ctx: PKIContext,
    store: PKIStore,
    certs: list[x509.Certificate],
    private_keys: list[keys.PrivateKey],
    *,
    need_key: bool,
) -> dict[str, Any]:
    """Import keys and CA certificates (OpenBao's import answer); nothing is written when
    ``need_key`` and no certificate would end up with a key."""
    known: dict[bytes, str] = {}
    for key_id in await store.key_ids():
        stored = await store.key(key_id)
        if stored is not None:
            known[_public_der(keys.load_private_pem(stored.private_key).public_key())] = key_id
    new_keys = {}
    existing_keys: list[str] = []
    for private in private_keys:
        der = _public_der(private.public_key())
        if der in known:
            existing_keys.append(known[der])
        elif der not in new_keys:
            new_keys[der] = private
    plans = []
    for cert in certs:
        der = _public_der(cert.public_key())  # type: ignore[arg-type]
        has_key = der in known or der in new_keys
        plans.append((cert, der, has_key, await existing_issuer(store, cert)))
    if need_key and not any(has_key for _, _, has_key, _ in plans):
        raise InvalidRequest(
            "none of the provided certificates match a private key held by this mount"
        )
    imported_keys = []
    for der, private in new_keys.items():
        known[der] = (await store_key(store, private, "")).id
        imported_keys.append(known[der])
    imported: list[str] = []
    existing: list[str] = []
    mapping: dict[str, str] = {}
    for cert, der, _, found in plans:
        if found is not None:
            existing.append(found.id)
            mapping[found.id] = found.key_id
            continue
        entry = await add_issuer(ctx, store, cert, known.get(der, ""), "")
        imported.append(entry.id)
        mapping[entry.id] = entry.key_id
    return {
        "imported_issuers": imported or None,
        "imported_keys": imported_keys or None,
        "existing_issuers": existing or None,
        "existing_keys": existing_keys or None,
        "mapping": mapping,
    }
