"""The one place a PKI answer leaves the Vault JSON envelope.

pki/ca, pki/crl, pki/ocsp and friends answer bare DER or PEM with their own media type
(OpenBao sets ``logical.HTTPContentType``/``HTTPRawBody``); a Response carries such a file as
its ``document``. Every PKI handler goes through these two functions.
"""

from __future__ import annotations

from sealbox.logical import Document, Response

DER_CERT = "application/pkix-cert"
PEM_CHAIN = "application/pem-certificate-chain"
DER_CRL = "application/pkix-crl"
PEM_FILE = "application/x-pem-file"
OCSP_RESPONSE = "application/ocsp-response"


def raw_body(body: bytes, media_type: str, *, status: int = 0) -> Response:
    """An answer that is the file ``body`` of type ``media_type``, no envelope.

    ``status`` marks a body that reports a failure (an unsuccessful OCSP answer).
    """
    return Response(document=Document(media_type, body, status))


def nothing() -> Response:
    """No file to send (a mount without a CA yet): OpenBao answers 204 with no body."""
    return Response()
