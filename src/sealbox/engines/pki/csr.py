"""Certificate signing requests: parsing, signature check and the key rules of a role.

OpenBao's messages (cert_util.go ``signCert``/``parseCSR``): an empty CSR is '"csr" is
empty', a non-PEM one "csr contains no data"; a role's key_type must match unless it is "any"; RSA under 2048 bits is
refused whatever the role; a key smaller than the role's key_bits is refused.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from sealbox.engines.pki.builder import SANs
from sealbox.engines.pki.keys import PublicKey, describe
from sealbox.errors import InvalidRequest


def parse_csr(pem: str) -> x509.CertificateSigningRequest:
    """A CSR whose self-signature verifies; 400 otherwise."""
    text = (pem or "").strip()
    if not text:
        raise InvalidRequest('"csr" is empty')
    if "-----BEGIN" not in text:
        raise InvalidRequest("csr contains no data")
    try:
        csr = x509.load_pem_x509_csr(text.encode("ascii", "replace"))
    except ValueError as err:
        raise InvalidRequest("certificate request could not be parsed") from err
    try:
        valid = csr.is_signature_valid
    except Exception as err:
        raise InvalidRequest("certificate request uses an unsupported key type") from err
    if not valid:
        raise InvalidRequest("request signature invalid")
    return csr


def csr_public_key(csr: x509.CertificateSigningRequest) -> PublicKey:
    """The CSR's key if it is RSA, EC or Ed25519."""
    try:
        key = csr.public_key()
    except Exception as err:
        raise InvalidRequest("certificate request uses an unsupported key type") from err
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
        raise InvalidRequest("certificate request uses an unsupported key type")
    return key


def check_csr_key(key: PublicKey, role_key_type: str, role_key_bits: int) -> None:
    """Apply the role's key rules to a CSR's key."""
    spec = describe(key)
    if role_key_type not in ("", "any") and spec.key_type != role_key_type:
        raise InvalidRequest(f"role requires keys of type {role_key_type}")
    if spec.key_type == "rsa" and spec.key_bits < 2048:
        raise InvalidRequest("RSA keys < 2048 bits are unsafe and not supported")
    if role_key_type in ("", "any"):
        return
    if role_key_bits and spec.key_bits < role_key_bits:
        raise InvalidRequest(
            f"role requires a minimum of a {role_key_bits}-bit key, but CSR's key is "
            f"{spec.key_bits} bits"
        )


def csr_common_name(csr: x509.CertificateSigningRequest) -> str:
    values = csr.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(values[0].value) if values else ""


def csr_sans(csr: x509.CertificateSigningRequest) -> SANs:
    """The SANs the CSR asks for (from its extensionRequest)."""
    try:
        ext = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return SANs()
    return SANs(
        dns=ext.get_values_for_type(x509.DNSName),
        emails=ext.get_values_for_type(x509.RFC822Name),
        ips=list(ext.get_values_for_type(x509.IPAddress)),  # type: ignore[arg-type]
        uris=ext.get_values_for_type(x509.UniformResourceIdentifier),
    )
