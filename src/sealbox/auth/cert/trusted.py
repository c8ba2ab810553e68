"""Trusted certificates of the ``cert`` auth method, and matching a client certificate to one.

Mirrors OpenBao's builtin/credential/cert (path_certs.go, path_login.go ``verifyCredentials``
and ``matchesConstraints``): a trusted entry holding a CA certificate accepts client
certificates it issued directly, within their validity; an entry holding a leaf accepts exactly
that certificate. Then the entry's constraints apply: ``allowed_common_names``,
``allowed_dns_sans``, ``allowed_email_sans``, ``allowed_uri_sans`` and
``allowed_organizational_units`` (globs; any one match is enough per list) and
``required_extensions`` (``oid:value`` pairs, compared on the DER value as text, ``*`` for any).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID

from sealbox.errors import InvalidRequest
from sealbox.framework.tokenutil import TokenSettings


def load_certificate(pem: str) -> x509.Certificate:
    """A certificate from PEM; 400 when it does not parse."""
    try:
        return x509.load_pem_x509_certificate(pem.strip().encode())
    except ValueError as err:
        raise InvalidRequest("failed to parse certificate") from err


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


_SanType = type[x509.DNSName] | type[x509.RFC822Name] | type[x509.UniformResourceIdentifier]


def _sans(cert: x509.Certificate, kind: _SanType) -> list[str]:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [str(v) for v in names.get_values_for_type(kind)]


def _any_glob(patterns: list[str], values: list[str]) -> bool:
    return not patterns or any(fnmatchcase(v, p) for p in patterns for v in values)


@dataclass(slots=True)
class TrustedCert:
    """One ``certs/:name`` entry."""

    name: str
    certificate: str
    display_name: str = ""
    allowed_common_names: list[str] = field(default_factory=list)
    allowed_dns_sans: list[str] = field(default_factory=list)
    allowed_email_sans: list[str] = field(default_factory=list)
    allowed_uri_sans: list[str] = field(default_factory=list)
    allowed_organizational_units: list[str] = field(default_factory=list)
    required_extensions: list[str] = field(default_factory=list)
    token: TokenSettings = field(default_factory=TokenSettings)

    def trusts(self, client: x509.Certificate, now: datetime) -> bool:
        """Whether this entry vouches for ``client`` (chain or pin, then constraints)."""
        anchor = load_certificate(self.certificate)
        if not client.not_valid_before_utc <= now <= client.not_valid_after_utc:
            return False
        if _is_ca(anchor):
            if client.issuer != anchor.subject:
                return False
            try:
                client.verify_directly_issued_by(anchor)
            except (InvalidSignature, ValueError, TypeError):
                return False
        elif client != anchor:
            return False
        return self.matches(client)

    def matches(self, client: x509.Certificate) -> bool:
        """The entry's name and extension constraints."""
        subject = client.subject
        cn = [str(a.value) for a in subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
        ous = [
            str(a.value) for a in subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
        ]
        checks = [
            _any_glob(self.allowed_common_names, cn),
            _any_glob(self.allowed_dns_sans, _sans(client, x509.DNSName)),
            _any_glob(self.allowed_email_sans, _sans(client, x509.RFC822Name)),
            _any_glob(self.allowed_uri_sans, _sans(client, x509.UniformResourceIdentifier)),
            _any_glob(self.allowed_organizational_units, ous),
        ]
        return all(checks) and self._extensions_ok(client)

    def _extensions_ok(self, client: x509.Certificate) -> bool:
        present = {ext.oid.dotted_string: ext for ext in client.extensions}
        for required in self.required_extensions:
            oid, _, value = required.partition(":")
            ext = present.get(oid.strip())
            if ext is None:
                return False
            raw = getattr(ext.value, "value", b"")
            text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
            if value.strip() not in ("*", "") and not fnmatchcase(text, value.strip()):
                return False
        return True
