"""``root/sign-self-issued`` (sudo): re-sign a self-issued CA certificate with this mount's
issuer, keeping its subject, key, serial, validity and extensions (a cross-signature).

Mirrors openbao builtin/logical/pki/path_root.go ``pathIssuerSignSelfIssued``: the
certificate must be self-issued (issuer equals subject) and a CA; only its issuer name, AKI
and signature change. Answers ``certificate`` and ``issuing_ca``.
"""

from __future__ import annotations

from cryptography import x509

from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.issuers import ISSUING, cert_pem, signer_for
from sealbox.engines.pki.keys import signature_hash
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

_FIELDS = {
    "certificate": FieldSchema(FieldType.STRING, "PEM of the self-issued CA certificate."),
    "issuer_ref": FieldSchema(FieldType.STRING, "Issuer that signs.", default="default"),
}


def _parse(pem: str) -> x509.Certificate:
    try:
        cert = x509.load_pem_x509_certificate(pem.encode("ascii", "replace"))
    except ValueError as err:
        raise InvalidRequest("error parsing certificate") from err
    if cert.issuer != cert.subject:
        raise InvalidRequest("given certificate is not self-issued")
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise InvalidRequest("given certificate is not a CA certificate")
    return cert


class SelfIssuedPaths:
    """Handler of root/sign-self-issued."""

    def __init__(self, ctx: PKIContext) -> None:
        self.ctx = ctx

    def paths(self) -> list[Path]:
        return [
            Path(
                "root/sign-self-issued",
                fields=_FIELDS,
                operations={Operation.UPDATE: self.sign_self_issued},
                synopsis="Signs another CA's self-issued certificate.",
            )
        ]

    async def sign_self_issued(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/root/sign-self-issued."""
        cert = _parse(d.get("certificate"))
        signer = await signer_for(
            self.ctx.store(req), self.ctx.signers, d.get("issuer_ref"), ISSUING
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(cert.subject)
            .issuer_name(signer.cert.subject)
            .public_key(cert.public_key())
            .serial_number(cert.serial_number)
            .not_valid_before(cert.not_valid_before_utc)
            .not_valid_after(cert.not_valid_after_utc)
        )
        for ext in cert.extensions:
            if not isinstance(ext.value, x509.AuthorityKeyIdentifier):
                builder = builder.add_extension(ext.value, ext.critical)
        try:
            ski = signer.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
        except x509.ExtensionNotFound:
            aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.key.public_key())
        signed = builder.add_extension(aki, critical=False).sign(
            signer.key, signature_hash(signer.key)
        )
        return Response(
            data={"certificate": cert_pem(signed), "issuing_ca": signer.entry.certificate}
        )
