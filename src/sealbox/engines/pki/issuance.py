"""From a role and a request to a certificate profile (issue, sign, sign-verbatim).

Mirrors openbao builtin/logical/pki/cert_util.go ``generateCreationBundle``: the common name
and SANs come from the request (or, for sign, from the CSR when ``use_csr_common_name`` /
``use_csr_sans``), the CN joins the SANs unless ``exclude_cn_from_sans``, every name is checked
against the role (engines/pki/constraints.py), the subject takes the role's O/OU/C/... and the
extensions its key usages and flags.
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from sealbox.engines.pki import constraints
from sealbox.engines.pki.builder import Profile as CertProfile
from sealbox.engines.pki.builder import SANs, SubjectFields, URLs, ext_key_usage_oids
from sealbox.engines.pki.constraints import is_hostname
from sealbox.engines.pki.csr import csr_common_name, csr_sans
from sealbox.engines.pki.issuers import Signer
from sealbox.engines.pki.roles import Role
from sealbox.engines.pki.validity import TTLPolicy, compute
from sealbox.errors import FieldValidationError, InvalidRequest
from sealbox.framework import BackendConfig, FieldData, FieldSchema, FieldType

_S, _B, _L, _D = (
    FieldType.STRING,
    FieldType.BOOL,
    FieldType.COMMA_STRING_LIST,
    FieldType.DURATION,
)

ISSUE_FIELDS: dict[str, FieldSchema] = {
    "common_name": FieldSchema(_S, "The requested common name."),
    "alt_names": FieldSchema(_L, "DNS or email subject alternative names."),
    "ip_sans": FieldSchema(_L, "IP subject alternative names."),
    "uri_sans": FieldSchema(_L, "URI subject alternative names."),
    "other_sans": FieldSchema(_L, "otherName SANs (not supported: must be empty)."),
    "ttl": FieldSchema(_D, "Requested validity."),
    "not_after": FieldSchema(_S, "Fixed notAfter, RFC 3339 UTC."),
    "format": FieldSchema(_S, "pem, der or pem_bundle.", default="pem"),
    "private_key_format": FieldSchema(_S, "der (as format) or pkcs8.", default="der"),
    "exclude_cn_from_sans": FieldSchema(_B, "Keep the common name out of the SANs."),
    "remove_roots_from_chain": FieldSchema(_B, "Leave self-signed roots out of ca_chain."),
    "serial_number": FieldSchema(_S, "Subject serialNumber attribute."),
    "user_ids": FieldSchema(_L, "Subject UID values (not supported: must be empty)."),
}

_FLAG_EKUS = (
    ("server_flag", ExtendedKeyUsageOID.SERVER_AUTH),
    ("client_flag", ExtendedKeyUsageOID.CLIENT_AUTH),
    ("code_signing_flag", ExtendedKeyUsageOID.CODE_SIGNING),
    ("email_protection_flag", ExtendedKeyUsageOID.EMAIL_PROTECTION),
)


def split_names(names: list[str]) -> tuple[list[str], list[str]]:
    """alt_names split into DNS names and email addresses."""
    dns = [n for n in names if "@" not in n]
    return dns, [n for n in names if "@" in n]


def role_subject(role: Role, common_name: str, serial_number: str) -> SubjectFields:
    return SubjectFields(
        common_name=common_name,
        country=list(role["country"]),
        province=list(role["province"]),
        locality=list(role["locality"]),
        street_address=list(role["street_address"]),
        postal_code=list(role["postal_code"]),
        organization=list(role["organization"]),
        ou=list(role["ou"]),
        serial_number=serial_number,
    )


def _add_cn(sans: SANs, common_name: str) -> None:
    if not common_name:
        return
    if "@" in common_name:
        if common_name not in sans.emails:
            sans.emails.insert(0, common_name)
    elif is_hostname(common_name.removeprefix("*.")) and common_name not in sans.dns:
        sans.dns.insert(0, common_name)


def requested_names(
    role: Role, d: FieldData, csr: x509.CertificateSigningRequest | None
) -> tuple[str, SANs]:
    """The checked common name and SANs of a role-based request."""
    common_name = d.get("common_name")
    if csr is not None and role["use_csr_common_name"]:
        common_name = csr_common_name(csr) or common_name
    if csr is not None and role["use_csr_sans"]:
        sans = csr_sans(csr)
    else:
        dns, emails = split_names(d.get("alt_names"))
        sans = SANs(dns, emails, constraints.parse_ips(d.get("ip_sans")), list(d.get("uri_sans")))
    if d.get("other_sans") or d.get("user_ids"):
        raise InvalidRequest("other_sans and user_ids are not supported by this server")
    if not common_name and role["require_cn"]:
        raise InvalidRequest(
            "the common_name field is required, or must be provided in a CSR with "
            '"use_csr_common_name" set to true, unless "require_cn" is set to false'
        )
    constraints.check_common_name(role, common_name)
    constraints.check_dns_sans(role, [*sans.dns, *sans.emails])
    constraints.check_ip_sans(role, sans.ips)
    constraints.check_uri_sans(role, sans.uris)
    constraints.check_serial_number(role, d.get("serial_number"))
    if not d.get("exclude_cn_from_sans"):
        _add_cn(sans, common_name)
    return common_name, sans


def check_ttl(ttl: int) -> None:
    """compat: OpenBao's framework refuses a negative TypeDurationSecond with this message."""
    if ttl < 0:
        raise FieldValidationError(
            'Field validation failed: error converting input for field "ttl": cannot '
            f"provide negative value '{ttl}'"
        )


def role_ekus(role: Role) -> list[x509.ObjectIdentifier]:
    flags = [oid for name, oid in _FLAG_EKUS if role[name]]
    extra = ext_key_usage_oids(list(role["ext_key_usage"]), list(role["ext_key_usage_oids"]))
    return list(dict.fromkeys([*flags, *extra]))


def effective_urls(signer: Signer, mount_urls: URLs) -> URLs:
    """The issuer's own AIA/CDP settings when it has any, else the mount's config/urls."""
    entry = signer.entry
    if entry.issuing_certificates or entry.crl_distribution_points or entry.ocsp_servers:
        return URLs(
            list(entry.issuing_certificates),
            list(entry.crl_distribution_points),
            list(entry.ocsp_servers),
        )
    return mount_urls


def role_profile(
    role: Role,
    d: FieldData,
    *,
    now: datetime,
    signer: Signer,
    mount: BackendConfig,
    urls: URLs,
    csr: x509.CertificateSigningRequest | None = None,
) -> CertProfile:
    """The full profile of a role-issued leaf; raises InvalidRequest on any violation."""
    check_ttl(d.get("ttl"))
    common_name, sans = requested_names(role, d, csr)
    policy = TTLPolicy(
        ttl=d.get("ttl"),
        not_after=d.get("not_after") or role["not_after"],
        role_ttl=role["ttl"],
        role_max_ttl=role["max_ttl"],
        mount_default=mount.default_lease_ttl,
        mount_max=mount.max_lease_ttl,
        not_before_duration=role["not_before_duration"],
    )
    validity = compute(
        now, policy, signer.cert.not_valid_after_utc, signer.entry.leaf_not_after_behavior
    )
    return CertProfile(
        subject=role_subject(role, common_name, d.get("serial_number")).name(),
        not_before=validity.not_before,
        not_after=validity.not_after,
        sans=sans,
        key_usage=list(role["key_usage"]),
        ext_key_usage=role_ekus(role),
        basic_constraints_non_ca=role["basic_constraints_valid_for_non_ca"],
        policy_identifiers=list(role["policy_identifiers"]),
        urls=effective_urls(signer, urls),
        signature_bits=role["signature_bits"],
        use_pss=role["use_pss"],
        warnings=validity.warnings,
    )
