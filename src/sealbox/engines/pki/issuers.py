"""Issuers: resolving references, loading signing material, building chains.

An issuer reference is an issuer id, an issuer name, or "default" (openbao
builtin/logical/pki/storage.go ``resolveIssuerReference``); an issuer signs only for the usages
it lists (issuing-certificates, crl-signing, ocsp-signing; a revoked issuer loses the first). Parsed certificates and keys are
cached per issuer, keyed by the stored PEMs themselves, so every request still reads storage
(another node's change is seen at once) but parses nothing when nothing changed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from sealbox.engines.pki.keys import PrivateKey, load_private_pem
from sealbox.engines.pki.store import IssuerEntry, KeyEntry, PKIStore
from sealbox.errors import InvalidRequest


def new_id() -> str:
    """Issuer and key ids are UUIDs, as in OpenBao."""
    return str(uuid.uuid4())


def cert_pem(cert: x509.Certificate) -> str:
    """PEM without the trailing newline (how OpenBao answers certificates)."""
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii").rstrip("\n")


def load_cert(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


@dataclass(frozen=True, slots=True)
class Signer:
    """An issuer ready to sign: its record, parsed certificate and private key."""

    entry: IssuerEntry
    cert: x509.Certificate
    key: PrivateKey


class SignerCache:
    """Parsed issuer material, reused while the stored PEMs stay the same."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, str, x509.Certificate, PrivateKey]] = {}

    def load(self, entry: IssuerEntry, key: KeyEntry) -> Signer:
        hit = self._cache.get(entry.id)
        if hit is not None and hit[0] == entry.certificate and hit[1] == key.private_key:
            return Signer(entry, hit[2], hit[3])
        cert, private = load_cert(entry.certificate), load_private_pem(key.private_key)
        self._cache[entry.id] = (entry.certificate, key.private_key, cert, private)
        return Signer(entry, cert, private)


async def resolve_issuer(store: PKIStore, ref: str) -> IssuerEntry:
    """The issuer ``ref`` names; 400 when there is none (OpenBao answers 500 here)."""
    ref = ref or "default"
    if ref == "default":
        default = await store.default_issuer_id()
        entry = await store.issuer(default) if default else None
        if entry is None:
            raise InvalidRequest("no default issuer currently configured")
        return entry
    entry = await store.issuer(ref)
    if entry is not None:
        return entry
    for issuer_id in await store.issuer_ids():
        candidate = await store.issuer(issuer_id)
        if candidate is not None and candidate.name == ref:
            return candidate
    raise InvalidRequest(f"unable to find PKI issuer for reference: {ref}")


async def resolve_key(store: PKIStore, ref: str) -> KeyEntry:
    """The key ``ref`` names (id, name, or "default": the default issuer's key)."""
    if ref in ("", "default"):
        issuer = await resolve_issuer(store, "default")
        ref = issuer.key_id
    entry = await store.key(ref)
    if entry is not None:
        return entry
    for key_id in await store.key_ids():
        candidate = await store.key(key_id)
        if candidate is not None and candidate.name == ref:
            return candidate
    raise InvalidRequest(f"unable to find PKI key for reference: {ref}")


ISSUING, CRL_SIGNING, OCSP_SIGNING = "issuing-certificates", "crl-signing", "ocsp-signing"


async def signer_for(store: PKIStore, cache: SignerCache, ref: str, usage: str) -> Signer:
    """The issuer ``ref`` with its key, ready to sign for ``usage`` (one of its ``usage``)."""
    entry = await resolve_issuer(store, ref)
    allowed = entry.usage.split(",")
    if usage not in allowed:
        raise InvalidRequest(
            f"error while attempting to use issuer {entry.id}: requested usage {usage} for "
            f"issuer [id:{entry.id}] but only had usage {entry.usage}"
        )
    key = await store.key(entry.key_id) if entry.key_id else None
    if key is None:
        raise InvalidRequest(f"issuer {entry.id} has no private key and cannot sign")
    return cache.load(entry, key)


def issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """Whether ``parent``'s key signed ``child``."""
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def build_chain(cert: x509.Certificate, pool: list[x509.Certificate]) -> list[str]:
    """``cert`` followed by its issuers found in ``pool``, up to a self-signed root."""
    chain = [cert]
    current = cert
    while current.issuer != current.subject and len(chain) < 16:
        parent = next(
            (p for p in pool if p.subject == current.issuer and issued_by(current, p)), None
        )
        if parent is None or parent in chain:
            break
        chain.append(parent)
        current = parent
    return [cert_pem(c) for c in chain]


async def rebuild_chains(store: PKIStore) -> None:
    """Recompute every issuer's ca_chain from the issuers the mount holds."""
    entries = [e for i in await store.issuer_ids() if (e := await store.issuer(i)) is not None]
    pool = [load_cert(e.certificate) for e in entries]
    for entry, cert in zip(entries, pool, strict=True):
        chain = build_chain(cert, pool)
        if chain != entry.ca_chain:
            entry.ca_chain = chain
            await store.put_issuer(entry)
