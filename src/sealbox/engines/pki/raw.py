"""The one place a PKI answer leaves the Vault JSON envelope.

pki/ca, pki/crl, pki/ocsp and friends answer bare DER or PEM with their own content type
(OpenBao sets ``logical.HTTPContentType``/``HTTPRawBody``). How a Response says "raw body" is
being reshaped by the core (issue 15: HTTP details should not live in Response); every PKI
handler goes through this function, so that change is one line here.
"""

from __future__ import annotations

from sealbox.logical import Response

DER_CERT = "application/pkix-cert"
PEM_CHAIN = "application/pem-certificate-chain"
DER_CRL = "application/pkix-crl"
PEM_FILE = "application/x-pem-file"
OCSP_RESPONSE = "application/ocsp-response"


def raw_body(body: bytes, content_type: str, status: int = 200) -> Response:
    """An answer sent as ``body`` with ``content_type``, no envelope."""
    return Response(body=body, content_type=content_type, status=status, raw=True)
