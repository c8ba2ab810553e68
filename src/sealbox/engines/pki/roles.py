"""PKI roles: the declared fields, their defaults and the stored record.

Mirrors openbao builtin/logical/pki/path_roles.go. A POST replaces the whole role (unsent
fields take their defaults); the read answers every field below, names and JSON types as
OpenBao's. Enforced when issuing (engines/pki/constraints.py, engines/pki/issuance.py): the
domain flags, IP/URI SAN rules, key type and size, TTLs, subject fields, key usages, flags,
``no_store``, ``generate_lease``, ``require_cn``, ``use_csr_*``, ``signature_bits``,
``use_pss``, ``policy_identifiers``, ``basic_constraints_valid_for_non_ca``,
``not_before_duration``, ``not_after``, ``cn_validations``, ``allowed_serial_numbers`` and
``issuer_ref``. Kept and shown without effect (identity templating and other-name SANs are not
part of sealbox yet; requests with other_sans or user_ids are refused, so nothing these would
allow can be asked for): ``allow_token_displayname``, ``allow_globs_in_identity_templates``,
``allowed_*_template``, ``allowed_other_sans``, ``allowed_user_ids``, ``not_*_bound``. A fixed
``not_before`` is refused rather than ignored.
"""

from __future__ import annotations

from typing import Any

from sealbox.engines.pki.keys import key_spec
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType

S, B, N, D, L = (
    FieldType.STRING,
    FieldType.BOOL,
    FieldType.INT,
    FieldType.DURATION,
    FieldType.COMMA_STRING_LIST,
)

# name -> (type, default, description)
_SPEC: dict[str, tuple[FieldType, Any, str]] = {
    "allow_any_name": (B, False, "Allow any common name and DNS SAN."),
    "allow_bare_domains": (B, False, "Allow the allowed_domains themselves as names."),
    "allow_glob_domains": (B, False, "Treat '*' in allowed_domains as a glob."),
    "allow_globs_in_identity_templates": (B, False, "Kept for compatibility; no effect."),
    "allow_ip_sans": (B, True, "Allow IP subject alternative names."),
    "allow_localhost": (B, True, "Allow 'localhost' as a name."),
    "allow_subdomains": (B, False, "Allow subdomains of allowed_domains."),
    "allow_token_displayname": (B, False, "Kept for compatibility; no effect."),
    "allow_wildcard_certificates": (B, True, "Allow wildcard names such as *.example.com."),
    "allowed_domains": (L, None, "Domains this role may issue for."),
    "allowed_domains_template": (B, False, "Kept for compatibility; no effect."),
    "allowed_ip_sans_cidr": (L, None, "CIDRs IP SANs must fall in (empty: any)."),
    "allowed_other_sans": (L, None, "Kept for compatibility; no effect."),
    "allowed_serial_numbers": (L, None, "Globs the subject serialNumber must match."),
    "allowed_uri_sans": (L, None, "Globs URI SANs must match (empty: none allowed)."),
    "allowed_uri_sans_template": (B, False, "Kept for compatibility; no effect."),
    "allowed_user_ids": (L, None, "Kept for compatibility; no effect."),
    "basic_constraints_valid_for_non_ca": (B, False, "Add CA:FALSE basic constraints."),
    "client_flag": (B, True, "Add the clientAuth extended key usage."),
    "cn_validations": (L, None, "How the common name is checked: email, hostname, disabled."),
    "code_signing_flag": (B, False, "Add the codeSigning extended key usage."),
    "country": (L, None, "Subject C values."),
    "email_protection_flag": (B, False, "Add the emailProtection extended key usage."),
    "enforce_hostnames": (B, True, "Names must be valid host names."),
    "ext_key_usage": (L, None, "Extended key usages by name (ServerAuth, ClientAuth, ...)."),
    "ext_key_usage_oids": (L, None, "Extended key usages by OID."),
    "generate_lease": (B, False, "Attach a lease to issued certificates."),
    "issuer_ref": (S, "default", "Issuer that signs for this role."),
    "key_bits": (N, 0, "Key size (0: the type's default)."),
    "key_type": (S, "rsa", "rsa, ec, ed25519 or any."),
    "key_usage": (
        L,
        ["DigitalSignature", "KeyAgreement", "KeyEncipherment"],
        "Key usages by name (DigitalSignature, KeyEncipherment, ...).",
    ),
    "locality": (L, None, "Subject L values."),
    "max_ttl": (D, 0, "Longest validity; 0: the mount's max lease TTL."),
    "no_store": (B, False, "Do not store issued certificates (they cannot be revoked)."),
    "not_after": (S, "", "Fixed notAfter (RFC 3339 UTC) for every certificate."),
    "not_after_bound": (S, "permit", "Kept for compatibility; no effect."),
    "not_before": (S, "", "A fixed notBefore (not supported: must be empty)."),
    "not_before_bound": (S, "permit", "Kept for compatibility; no effect."),
    "not_before_duration": (D, 30, "Back-dating of notBefore."),
    "organization": (L, None, "Subject O values."),
    "ou": (L, None, "Subject OU values."),
    "policy_identifiers": (L, None, "Certificate policy OIDs."),
    "postal_code": (L, None, "Subject postalCode values."),
    "province": (L, None, "Subject ST values."),
    "require_cn": (B, True, "A common name is required."),
    "server_flag": (B, True, "Add the serverAuth extended key usage."),
    "signature_bits": (N, 0, "Signature hash size (0: by key)."),
    "street_address": (L, None, "Subject street values."),
    "ttl": (D, 0, "Default validity; 0: the mount's default lease TTL."),
    "use_csr_common_name": (B, True, "sign: take the common name from the CSR."),
    "use_csr_sans": (B, True, "sign: take the SANs from the CSR."),
    "use_pss": (B, False, "Sign with RSA-PSS."),
}

ROLE_FIELDS: dict[str, FieldSchema] = {
    name: FieldSchema(kind, desc, default=default) for name, (kind, default, desc) in _SPEC.items()
}
ROLE_FIELDS["name"] = FieldSchema(S, "Name of the role.", required=True)

Role = dict[str, Any]


def role_from_fields(d: FieldData, base: Role | None = None) -> tuple[Role, list[str]]:
    """A complete, validated role record from a write (a patch of ``base`` when given), and
    the warnings to answer with."""
    if base is None:
        role: Role = {name: d.get(name) for name in _SPEC}
        if not d.supplied("cn_validations"):
            role["cn_validations"] = ["email", "hostname"]
    else:
        role = {name: d.get(name) if d.supplied(name) else base[name] for name in _SPEC}
    spec = key_spec(role["key_type"], role["key_bits"], allow_any=True)
    role["key_bits"] = spec.key_bits
    if role["signature_bits"] not in (0, 256, 384, 512):
        raise InvalidRequest(f"unsupported signature_bits: {role['signature_bits']}")
    if role["max_ttl"] and role["ttl"] > role["max_ttl"]:
        raise InvalidRequest('"ttl" value must be less than "max_ttl" value')
    for check in role["cn_validations"]:
        if check not in ("email", "hostname", "disabled"):
            raise InvalidRequest(f"unknown cn_validations value: {check}")
    warnings = []
    if role["no_store"] and role["generate_lease"]:
        # compat: OpenBao's rule and warning (path_roles.go pathRoleCreate)
        role["generate_lease"] = False
        warnings.append(
            "mutually exclusive values no_store=true and generate_lease=true were both "
            "specified; no_store=true takes priority"
        )
    if role["not_before"]:
        raise InvalidRequest("a fixed not_before is not supported by this server")
    if role["issuer_ref"] == "":
        role["issuer_ref"] = "default"
    return role, warnings


def role_wire(role: Role) -> dict[str, Any]:
    """The read answer: every declared field, lists as lists, durations in seconds."""
    out: dict[str, Any] = {}
    for name, (kind, default, _desc) in _SPEC.items():
        value = role.get(name, default)
        if value is None and kind is L:
            value = []
        out[name] = value
    return out
