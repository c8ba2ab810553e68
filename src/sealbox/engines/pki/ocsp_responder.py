"""The OCSP responder (RFC 6960) behind ``pki/ocsp``: DER request in, signed DER answer out.

Mirrors openbao builtin/logical/pki/path_ocsp.go: the request's CertID names the issuer by
the hashes of its subject and public key; an issuer this mount does not hold (or a disabled
responder) is answered ``unauthorized``, an unparsable request ``malformedRequest``. Those
answers carry their DER body with HTTP 400 (malformed) and 401 (unauthorized), as
``bao server -dev`` does (checked: garbage POST -> 400, ``ocsp_disable`` -> 401, each with the
3-byte unsuccessful OCSPResponse); success is 200. The answer is signed by the issuer itself (no delegated
responder), is valid for config/crl ``ocsp_expiry`` (12 h) and echoes the request's nonce.
Divergence, on purpose: a serial this mount never stored is ``unknown`` (OpenBao says
``good`` for any serial it has not revoked); RFC 6960 reserves ``good`` for certificates the
responder knows.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509 import ocsp

from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.issuers import OCSP_SIGNING, Signer, signer_for
from sealbox.engines.pki.keys import signature_hash
from sealbox.engines.pki.settings import read_crl_config
from sealbox.engines.pki.store import PKIStore, format_serial

# compat: OpenBao's OcspMalformedResponse / OcspUnauthorizedResponse HTTP statuses.
MALFORMED_STATUS = 400
UNAUTHORIZED_STATUS = 401


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> tuple[bytes, int]:
    body = ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(
        serialization.Encoding.DER
    )
    code = MALFORMED_STATUS
    if status is ocsp.OCSPResponseStatus.UNAUTHORIZED:
        code = UNAUTHORIZED_STATUS
    return body, code


def _key_bits(cert: x509.Certificate) -> bytes:
    """The subjectPublicKey BIT STRING contents that the CertID key hash covers."""
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b""


def _matches(request: ocsp.OCSPRequest, cert: x509.Certificate) -> bool:
    name = request.hash_algorithm.name
    try:
        name_hash = hashlib.new(name, cert.subject.public_bytes()).digest()
        key_hash = hashlib.new(name, _key_bits(cert)).digest()
    except ValueError:
        return False
    return name_hash == request.issuer_name_hash and key_hash == request.issuer_key_hash


async def _find_signer(
    ctx: PKIContext, store: PKIStore, request: ocsp.OCSPRequest
) -> Signer | None:
    for issuer_id in await store.issuer_ids():
        entry = await store.issuer(issuer_id)
        if entry is None or not entry.key_id or OCSP_SIGNING not in entry.usage.split(","):
            continue
        signer = await signer_for(store, ctx.signers, entry.id, OCSP_SIGNING)
        if _matches(request, signer.cert):
            return signer
    return None


async def respond(ctx: PKIContext, store: PKIStore, der: bytes) -> tuple[bytes, int]:
    """The OCSP answer to one DER request and its failure status (0 when successful)."""
    try:
        request = ocsp.load_der_ocsp_request(der)
    except ValueError:
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    config = await read_crl_config(store)
    signer = None if config.ocsp_disable else await _find_signer(ctx, store, request)
    if signer is None:
        return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    serial = format_serial(request.serial_number)
    revoked = await store.revoked(serial)
    stored = await store.cert(serial)
    now = ctx.clock().astimezone(UTC).replace(microsecond=0)
    status, revoked_at = ocsp.OCSPCertStatus.UNKNOWN, None
    if revoked is not None and revoked.issuer_id == signer.entry.id:
        status = ocsp.OCSPCertStatus.REVOKED
        revoked_at = datetime.fromtimestamp(int(revoked.revocation_time), UTC)
    elif stored is not None and stored.issuer_id == signer.entry.id:
        status = ocsp.OCSPCertStatus.GOOD
    builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
        issuer_name_hash=request.issuer_name_hash,
        issuer_key_hash=request.issuer_key_hash,
        serial_number=request.serial_number,
        algorithm=_hash_for(request.hash_algorithm),
        cert_status=status,
        this_update=now,
        next_update=now + timedelta(seconds=config.ocsp_expiry_seconds),
        revocation_time=revoked_at,
        revocation_reason=None,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, signer.cert)
    for ext in request.extensions:
        if isinstance(ext.value, x509.OCSPNonce):
            builder = builder.add_extension(ext.value, critical=False)
    response = builder.sign(signer.key, signature_hash(signer.key))
    return response.public_bytes(serialization.Encoding.DER), 0


def _hash_for(algorithm: hashes.HashAlgorithm) -> hashes.HashAlgorithm:
    """The CertID hash to answer with: the request's own (SHA-1 unless it chose another)."""
    return {
        "sha256": hashes.SHA256(),
        "sha384": hashes.SHA384(),
        "sha512": hashes.SHA512(),
    }.get(algorithm.name, hashes.SHA1())  # noqa: S303 - RFC 6960 CertIDs default to SHA-1
