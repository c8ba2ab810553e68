"""Certificate construction with pyca cryptography: subjects, extensions, signing.

What OpenBao puts into certificates (sdk/helper/certutil/helpers.go ``createCertificate``),
checked with ``openssl x509 -text`` against its output: leaves carry a critical KeyUsage, an
ExtendedKeyUsage from the role's flags, SKI/AKI, the SANs, AIA (CA Issuers, OCSP) and CDP from
config/urls; CAs carry a critical KeyUsage (certSign, cRLSign) and critical BasicConstraints.
Serial numbers are 159 random bits, as certutil.GenerateSerialNumber makes them.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import (
    AuthorityInformationAccessOID,
    ExtendedKeyUsageOID,
    NameOID,
    ObjectIdentifier,
)

from sealbox.engines.pki.keys import PrivateKey, PublicKey, signature_hash
from sealbox.errors import InvalidRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_KEY_USAGES = {
    "digitalsignature": "digital_signature",
    "contentcommitment": "content_commitment",
    "keyencipherment": "key_encipherment",
    "dataencipherment": "data_encipherment",
    "keyagreement": "key_agreement",
    "certsign": "key_cert_sign",
    "crlsign": "crl_sign",
    "encipheronly": "encipher_only",
    "decipheronly": "decipher_only",
}
_EXT_KEY_USAGES = {
    "serverauth": ExtendedKeyUsageOID.SERVER_AUTH,
    "clientauth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "codesigning": ExtendedKeyUsageOID.CODE_SIGNING,
    "emailprotection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "timestamping": ExtendedKeyUsageOID.TIME_STAMPING,
    "ocspsigning": ExtendedKeyUsageOID.OCSP_SIGNING,
    "any": ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
    "ipsecendsystem": ObjectIdentifier("1.3.6.1.5.5.7.3.5"),
    "ipsectunnel": ObjectIdentifier("1.3.6.1.5.5.7.3.6"),
    "ipsecuser": ObjectIdentifier("1.3.6.1.5.5.7.3.7"),
    "microsoftservergatedcrypto": ObjectIdentifier("1.3.6.1.4.1.311.10.3.3"),
    "netscapeservergatedcrypto": ObjectIdentifier("2.16.840.1.113730.4.1"),
}


_PRINTABLE = re.compile(r"[A-Za-z0-9 '()+,\-./:=?]*")


def new_serial() -> int:
    """A positive random serial below 2**159."""
    return (int.from_bytes(os.urandom(20), "big") >> 1) or 1


@dataclass(slots=True)
class SubjectFields:
    """The subject attributes a role or a CA request may set."""

    common_name: str = ""
    country: list[str] = field(default_factory=list)
    province: list[str] = field(default_factory=list)
    locality: list[str] = field(default_factory=list)
    street_address: list[str] = field(default_factory=list)
    postal_code: list[str] = field(default_factory=list)
    organization: list[str] = field(default_factory=list)
    ou: list[str] = field(default_factory=list)
    serial_number: str = ""

    def name(self) -> x509.Name:
        """The X.509 name, attributes in Go's pkix.Name order; 400 for a value X.509 refuses."""
        pairs: list[tuple[x509.ObjectIdentifier, str]] = []
        for oid, values in (
            (NameOID.COUNTRY_NAME, self.country),
            (NameOID.STATE_OR_PROVINCE_NAME, self.province),
            (NameOID.LOCALITY_NAME, self.locality),
            (NameOID.STREET_ADDRESS, self.street_address),
            (NameOID.POSTAL_CODE, self.postal_code),
            (NameOID.ORGANIZATION_NAME, self.organization),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, self.ou),
        ):
            pairs.extend((oid, v) for v in values)
        if self.common_name:
            pairs.append((NameOID.COMMON_NAME, self.common_name))
        if self.serial_number:
            pairs.append((NameOID.SERIAL_NUMBER, self.serial_number))
        for oid, value in pairs:
            # X.509 encodes these two as PrintableString, which allows only this alphabet.
            if oid in (NameOID.COUNTRY_NAME, NameOID.SERIAL_NUMBER) and not _PRINTABLE.fullmatch(
                value
            ):
                raise InvalidRequest(f"invalid subject: {value!r} is not a printable string")
        try:
            return x509.Name(
                [x509.RelativeDistinguishedName([x509.NameAttribute(o, v)]) for o, v in pairs]
            )
        except ValueError as err:
            raise InvalidRequest(f"invalid subject: {err}") from err


@dataclass(slots=True)
class SANs:
    """Subject alternative names."""

    dns: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    ips: list[IPAddress] = field(default_factory=list)
    uris: list[str] = field(default_factory=list)

    def general_names(self) -> list[x509.GeneralName]:
        """The SANs as X.509 names; 400 naming the first value X.509 cannot carry."""
        names: list[x509.GeneralName] = [x509.IPAddress(ip) for ip in self.ips]
        for kind, values in (
            (x509.DNSName, self.dns),
            (x509.RFC822Name, self.emails),
            (x509.UniformResourceIdentifier, self.uris),
        ):
            for value in values:
                try:
                    names.append(kind(value))
                except ValueError as err:
                    raise InvalidRequest(
                        f"invalid subject alternative name {value!r}: must be ASCII"
                    ) from err
        order: dict[type, int] = {x509.DNSName: 0, x509.RFC822Name: 1, x509.IPAddress: 2}
        return sorted(names, key=lambda n: order.get(type(n), 3))


@dataclass(slots=True)
class URLs:
    """config/urls: written into certificates as AIA and CDP."""

    issuing_certificates: list[str] = field(default_factory=list)
    crl_distribution_points: list[str] = field(default_factory=list)
    ocsp_servers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Profile:
    """Everything that goes into one certificate besides its key and signer."""

    subject: x509.Name
    not_before: datetime
    not_after: datetime
    sans: SANs = field(default_factory=SANs)
    key_usage: list[str] = field(default_factory=list)
    ext_key_usage: list[ObjectIdentifier] = field(default_factory=list)
    is_ca: bool = False
    max_path_length: int = -1
    permitted_dns_domains: list[str] = field(default_factory=list)
    basic_constraints_non_ca: bool = False
    policy_identifiers: list[str] = field(default_factory=list)
    urls: URLs = field(default_factory=URLs)
    signature_bits: int = 0
    use_pss: bool = False
    serial: int = field(default_factory=new_serial)
    # Not part of the certificate: what the caller should be told (e.g. a capped TTL).
    warnings: list[str] = field(default_factory=list)


def key_usage_extension(names: list[str]) -> x509.KeyUsage | None:
    """x509.KeyUsage from Vault's names ("DigitalSignature", case-insensitive)."""
    flags = dict.fromkeys(_KEY_USAGES.values(), False)
    for name in names:
        attr = _KEY_USAGES.get(name.strip().lower().removeprefix("keyusage"))
        if attr is None:
            raise InvalidRequest(f"unknown key usage: {name}")
        flags[attr] = True
    if not any(flags.values()):
        return None
    if not flags["key_agreement"]:
        flags["encipher_only"] = flags["decipher_only"] = False
    return x509.KeyUsage(**flags)


def ext_key_usage_oids(names: list[str], oids: list[str]) -> list[ObjectIdentifier]:
    """OIDs from Vault's EKU names plus raw OIDs, without duplicates."""
    out: list[ObjectIdentifier] = []
    for name in names:
        oid = _EXT_KEY_USAGES.get(name.strip().lower().removeprefix("extkeyusage"))
        if oid is None:
            raise InvalidRequest(f"unknown ext key usage: {name}")
        out.append(oid)
    for raw in oids:
        try:
            out.append(ObjectIdentifier(raw.strip()))
        except ValueError as err:
            raise InvalidRequest(f"invalid ext_key_usage_oids value: {raw}") from err
    return list(dict.fromkeys(out))


def _extensions(
    builder: x509.CertificateBuilder, profile: Profile, public_key: PublicKey
) -> x509.CertificateBuilder:
    if profile.is_ca:
        path_len = None if profile.max_path_length < 0 else profile.max_path_length
        builder = builder.add_extension(x509.BasicConstraints(True, path_len), critical=True)
        usage = key_usage_extension(["CertSign", "CRLSign", *profile.key_usage])
    else:
        if profile.basic_constraints_non_ca:
            builder = builder.add_extension(x509.BasicConstraints(False, None), critical=True)
        usage = key_usage_extension(profile.key_usage)
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    if profile.ext_key_usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(profile.ext_key_usage), False)
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
    names = profile.sans.general_names()
    if names:
        # compat: RFC 5280 makes the SAN critical when the subject is empty.
        builder = builder.add_extension(
            x509.SubjectAlternativeName(names), critical=len(profile.subject) == 0
        )
    return _url_extensions(builder, profile)


def _url_extensions(builder: x509.CertificateBuilder, profile: Profile) -> x509.CertificateBuilder:
    urls = profile.urls
    access = [
        x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(u)
        )
        for u in urls.ocsp_servers
    ] + [
        x509.AccessDescription(
            AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(u)
        )
        for u in urls.issuing_certificates
    ]
    if access:
        builder = builder.add_extension(x509.AuthorityInformationAccess(access), False)
    if urls.crl_distribution_points:
        points = [
            x509.DistributionPoint([x509.UniformResourceIdentifier(u)], None, None, None)
            for u in urls.crl_distribution_points
        ]
        builder = builder.add_extension(x509.CRLDistributionPoints(points), False)
    if profile.permitted_dns_domains:
        permitted = SANs(dns=list(profile.permitted_dns_domains)).general_names()
        constraints = x509.NameConstraints(permitted, None)
        builder = builder.add_extension(constraints, critical=True)
    if profile.policy_identifiers:
        try:
            policies = [
                x509.PolicyInformation(ObjectIdentifier(p.strip()), None)
                for p in profile.policy_identifiers
            ]
        except ValueError as err:
            raise InvalidRequest("invalid policy_identifiers value") from err
        builder = builder.add_extension(x509.CertificatePolicies(policies), False)
    return builder


def sign(
    profile: Profile,
    public_key: PublicKey,
    signer_key: PrivateKey,
    signer_cert: x509.Certificate | None,
) -> x509.Certificate:
    """Build and sign; ``signer_cert`` None means self-signed."""
    issuer_name = profile.subject if signer_cert is None else signer_cert.subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(profile.subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(profile.serial)
        .not_valid_before(profile.not_before)
        .not_valid_after(profile.not_after)
    )
    builder = _extensions(builder, profile, public_key)
    if signer_cert is None:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key())
    else:
        try:
            ski = signer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski.value)
        except x509.ExtensionNotFound:
            aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key())
    builder = builder.add_extension(aki, critical=False)
    pss = None
    if profile.use_pss and isinstance(signer_key, rsa.RSAPrivateKey):
        pss = padding.PSS(padding.MGF1(rsa_hash(profile)), padding.PSS.DIGEST_LENGTH)
    return builder.sign(
        signer_key, signature_hash(signer_key, profile.signature_bits), rsa_padding=pss
    )


def rsa_hash(profile: Profile) -> hashes.HashAlgorithm:
    """The PSS hash: the same one the signature uses."""
    return {384: hashes.SHA384(), 512: hashes.SHA512()}.get(profile.signature_bits, hashes.SHA256())
