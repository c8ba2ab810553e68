"""How certificates and keys appear in answers: ``format`` and ``private_key_format``.

OpenBao's ``format``: "pem" (default), "der" (base64 of DER) or "pem_bundle" (the private key,
when there is one, then the certificate, then the issuing CA, in one PEM string);
``private_key_format`` "der" (the same encoding as ``format``; PKCS#1/SEC1) or "pkcs8".
"""

from __future__ import annotations

import base64

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from sealbox.engines.pki.keys import PrivateKey, describe, private_pem
from sealbox.errors import InvalidRequest

FORMATS = ("pem", "der", "pem_bundle")


def check_formats(fmt: str, key_format: str) -> None:
    """400 for an unknown format; compat: OpenBao takes any other private_key_format than
    "pkcs8" as the default, so that one is not checked."""
    del key_format
    if fmt not in FORMATS:
        raise InvalidRequest('the "format" path parameter must be "pem", "der", or "pem_bundle"')


def encode_cert(cert: x509.Certificate, fmt: str) -> str:
    """One certificate in ``fmt`` (pem_bundle encodes like pem here)."""
    if fmt == "der":
        return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii").rstrip("\n")


def encode_pem_text(pem: str, fmt: str) -> str:
    """A stored PEM certificate in ``fmt``."""
    if fmt != "der":
        return pem
    return encode_cert(x509.load_pem_x509_certificate(pem.encode("ascii")), fmt)


def encode_key(key: PrivateKey, fmt: str, key_format: str) -> str:
    """The private key as ``format``/``private_key_format`` ask."""
    if key_format == "pkcs8":
        encoding = serialization.Encoding.DER if fmt == "der" else serialization.Encoding.PEM
        raw = key.private_bytes(
            encoding, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        if fmt == "der":
            return base64.b64encode(raw).decode("ascii")
        return raw.decode("ascii").rstrip("\n")
    if fmt == "der":
        kind = describe(key).key_type
        private_format = (
            serialization.PrivateFormat.PKCS8
            if kind == "ed25519"
            else serialization.PrivateFormat.TraditionalOpenSSL
        )
        raw = key.private_bytes(
            serialization.Encoding.DER, private_format, serialization.NoEncryption()
        )
        return base64.b64encode(raw).decode("ascii")
    return private_pem(key)


def bundle(parts: list[str]) -> str:
    """PEM blocks joined as a pem_bundle."""
    return "\n".join(p.rstrip("\n") for p in parts if p)
