"""The fields and the profile of a CA certificate request (root/generate, intermediate CSRs,
root/sign-intermediate), as openbao builtin/logical/pki/fields.go ``addCACommonFields`` and
``addCAKeyGenerationFields`` declare them.
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509

from sealbox.engines.pki import constraints
from sealbox.engines.pki.builder import Profile as CertProfile
from sealbox.engines.pki.builder import SANs, SubjectFields, URLs
from sealbox.engines.pki.issuance import ISSUE_FIELDS, _add_cn, check_ttl, split_names
from sealbox.engines.pki.validity import TTLPolicy, compute
from sealbox.errors import InvalidRequest
from sealbox.framework import BackendConfig, FieldData, FieldSchema, FieldType

_S, _I, _L, _D, _B = (
    FieldType.STRING,
    FieldType.INT,
    FieldType.COMMA_STRING_LIST,
    FieldType.DURATION,
    FieldType.BOOL,
)

SUBJECT_FIELDS = (
    "country",
    "province",
    "locality",
    "street_address",
    "postal_code",
    "organization",
    "ou",
)

CA_FIELDS: dict[str, FieldSchema] = {
    **{
        k: ISSUE_FIELDS[k]
        for k in (
            "common_name",
            "alt_names",
            "ip_sans",
            "uri_sans",
            "other_sans",
            "ttl",
            "not_after",
            "format",
            "private_key_format",
            "exclude_cn_from_sans",
            "serial_number",
        )
    },
    **{name: FieldSchema(_L, f"Subject {name} values.") for name in SUBJECT_FIELDS},
    "max_path_length": FieldSchema(_I, "Path length constraint; -1: none.", default=-1),
    "permitted_dns_domains": FieldSchema(_L, "Name constraints: permitted DNS domains."),
    "not_before_duration": FieldSchema(_D, "Back-dating of notBefore.", default=30),
    "signature_bits": FieldSchema(_I, "Signature hash size."),
    "use_pss": FieldSchema(_B, "Sign with RSA-PSS."),
    "issuer_name": FieldSchema(_S, "Name for the new issuer."),
}

KEY_FIELDS: dict[str, FieldSchema] = {
    "key_type": FieldSchema(_S, "rsa, ec or ed25519.", default="rsa"),
    "key_bits": FieldSchema(_I, "Key size (0: the type's default)."),
    "key_name": FieldSchema(_S, "Name for the new key."),
    "key_ref": FieldSchema(_S, "Existing key (for the 'existing' type).", default="default"),
    "exported": FieldSchema(_S, "internal, exported or existing."),
}


def export_mode(value: str) -> str:
    """The ``exported`` path parameter; kms is not available."""
    if value not in ("internal", "exported", "existing"):
        raise InvalidRequest(
            'the "exported" path parameter must be "internal", "existing", exported" or "kms"'
        )
    return value


def subject(d: FieldData, common_name: str) -> SubjectFields:
    values = {name: list(d.get(name)) for name in SUBJECT_FIELDS}
    return SubjectFields(common_name=common_name, serial_number=d.get("serial_number"), **values)


def ca_sans(d: FieldData, common_name: str) -> SANs:
    dns, emails = split_names(d.get("alt_names"))
    sans = SANs(dns, emails, constraints.parse_ips(d.get("ip_sans")), list(d.get("uri_sans")))
    if not d.get("exclude_cn_from_sans"):
        _add_cn(sans, common_name)
    return sans


def ca_profile(
    d: FieldData,
    *,
    now: datetime,
    mount: BackendConfig,
    urls: URLs,
    ca_not_after: datetime | None = None,
    name: x509.Name | None = None,
    sans: SANs | None = None,
    common_name: str | None = None,
) -> CertProfile:
    """A CA certificate profile; ``name``/``sans`` override the request's (use_csr_values)."""
    check_ttl(d.get("ttl"))
    policy = TTLPolicy(
        ttl=d.get("ttl"),
        not_after=d.get("not_after"),
        mount_default=mount.default_lease_ttl,
        mount_max=mount.max_lease_ttl,
        not_before_duration=d.get("not_before_duration"),
    )
    validity = compute(now, policy, ca_not_after)
    if common_name is None:
        common_name = d.get("common_name")
    return CertProfile(
        subject=name if name is not None else subject(d, common_name).name(),
        not_before=validity.not_before,
        not_after=validity.not_after,
        sans=sans if sans is not None else ca_sans(d, common_name),
        is_ca=True,
        max_path_length=d.get("max_path_length"),
        permitted_dns_domains=list(d.get("permitted_dns_domains")),
        urls=urls,
        signature_bits=d.get("signature_bits"),
        use_pss=d.get("use_pss"),
        warnings=validity.warnings,
    )
