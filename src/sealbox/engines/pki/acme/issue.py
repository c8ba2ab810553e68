"""Finalize: the CSR an order brings, checked and signed by the mount's issuing code.

As OpenBao's ``acmeFinalizeOrderHandler``/``issueCertFromCsr``: the CSR (base64url DER) must
ask for exactly the order's identifiers (DNS names and IPs, the common name counted among
them; any other SAN type is ``badCSR``), must not be a CA request nor use the account key; it
is signed under the directory's role (names checked again), or, for a sign-verbatim
directory, under a permissive role. Only the CSR's common name and SANs are taken, not its
other subject fields or extensions. A role that requires a CN gets the first DNS name (or IP)
when the CSR has none. Certificates live at most 90 days and are cut to the issuer's end;
without ``allow_role_ext_key_usage`` their only extended key usage is serverAuth.
Certificates are always stored (revocation needs them), whatever the role's ``no_store``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from datetime import timedelta
from typing import Any

from cryptography import x509

from sealbox.engines.pki.acme.config import AcmeConfig
from sealbox.engines.pki.acme.jws import PublicKey, b64decode
from sealbox.engines.pki.acme.orders import Order
from sealbox.engines.pki.acme.problems import AcmeProblem, malformed
from sealbox.engines.pki.builder import Profile, sign
from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.csr import check_csr_key, csr_common_name, csr_public_key
from sealbox.engines.pki.issuance import ISSUE_FIELDS, role_profile
from sealbox.engines.pki.issuers import ISSUING, Signer, signer_for
from sealbox.engines.pki.output import encode_cert
from sealbox.engines.pki.roles import Role, role_wire
from sealbox.engines.pki.settings import read_urls
from sealbox.engines.pki.store import CertEntry, PKIStore, format_serial
from sealbox.errors import SealboxError
from sealbox.framework import FieldData

MAX_TTL = int(timedelta(days=90).total_seconds())
# The role a sign-verbatim directory signs under: any name, any key, no subject extras.
_VERBATIM: dict[str, Any] = {
    "allow_any_name": True,
    "enforce_hostnames": False,
    "allow_ip_sans": True,
    "allow_wildcard_certificates": True,
    "require_cn": False,
    "key_type": "any",
    "cn_validations": ["disabled"],
    "client_flag": False,
}
_EKU_ONLY_SERVER: dict[str, Any] = {
    "server_flag": True,
    "client_flag": False,
    "code_signing_flag": False,
    "email_protection_flag": False,
    "ext_key_usage": [],
    "ext_key_usage_oids": [],
}

IP = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_finalize_csr(payload: Any) -> x509.CertificateSigningRequest:
    if not isinstance(payload, dict) or not isinstance(payload.get("csr"), str):
        raise malformed("finalize needs a csr (base64url DER)")
    try:
        csr = x509.load_der_x509_csr(b64decode(payload["csr"]))
    except ValueError as err:
        raise malformed("the csr could not be parsed") from err
    if not csr.is_signature_valid:
        raise AcmeProblem("badCSR", "the csr signature is invalid")
    try:
        constraints = csr.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is not None and constraints.ca:
        raise AcmeProblem("badCSR", "refusing a CSR with Basic Constraints CA set to true")
    return csr


def csr_identifiers(csr: x509.CertificateSigningRequest) -> tuple[set[str], set[IP]]:
    """DNS names and IPs the CSR asks for, common name included; badCSR for other SANs."""
    dns: set[str] = set()
    ips: set[IP] = set()
    try:
        sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        sans = x509.SubjectAlternativeName([])
    for name in sans:
        if isinstance(name, x509.DNSName):
            dns.add(name.value.lower())
        elif isinstance(name, x509.IPAddress) and not isinstance(
            name.value, ipaddress.IPv4Network | ipaddress.IPv6Network
        ):
            ips.add(name.value)
        else:
            raise AcmeProblem("badCSR", "the CSR includes unsupported SAN types")
    common_name = csr_common_name(csr)
    if common_name:
        try:
            ips.add(ipaddress.ip_address(common_name))
        except ValueError:
            dns.add(common_name.lower())
    return dns, ips


def check_csr_matches(csr: x509.CertificateSigningRequest, order: Order) -> None:
    dns, ips = csr_identifiers(csr)
    want_dns = {i.value.lower() for i in order.identifiers if i.type == "dns"}
    want_ips = {ipaddress.ip_address(i.value) for i in order.identifiers if i.type == "ip"}
    if dns != want_dns or ips != want_ips:
        raise AcmeProblem(
            "badCSR",
            f"the CSR asks for {sorted(dns) + sorted(map(str, ips))}, the order for "
            f"{sorted(want_dns) + sorted(map(str, want_ips))}",
        )


def same_public_key(a: PublicKey | Any, b: Any) -> bool:
    try:
        return bool(a.public_numbers() == b.public_numbers())
    except AttributeError:
        return False


def check_not_account_key(csr: x509.CertificateSigningRequest, account_key: PublicKey) -> None:
    if same_public_key(csr.public_key(), account_key):
        raise AcmeProblem("badCSR", "the certificate key must not be the account key")


def acme_role(role: Role | None, config: AcmeConfig) -> Role:
    """The role finalize signs under (the directory's, or the permissive sign-verbatim one)."""
    out = dict(role) if role is not None else {**role_wire({}), **_VERBATIM}
    out["use_csr_common_name"] = out["use_csr_sans"] = True
    if not config.allow_role_ext_key_usage:
        out.update(_EKU_ONLY_SERVER)
    return out


def _fallback_cn(csr: x509.CertificateSigningRequest, role: Role) -> str:
    if not role["require_cn"] or csr_common_name(csr):
        return ""
    dns, ips = csr_identifiers(csr)
    wildcards = sorted(n for n in dns if n.startswith("*."))
    return (wildcards or sorted(dns) or sorted(map(str, ips)) or [""])[0]


async def issue(
    ctx: PKIContext,
    store: PKIStore,
    csr: x509.CertificateSigningRequest,
    role: Role,
    issuer_ref: str,
) -> tuple[x509.Certificate, Signer]:
    """Sign ``csr`` under ``role``; the certificate is stored. Refusals are ``badCSR``."""
    try:
        public = csr_public_key(csr)
        check_csr_key(public, role["key_type"], role["key_bits"])
        signer = await signer_for(
            store, ctx.signers, issuer_ref or role["issuer_ref"] or "default", ISSUING
        )
        if signer.entry.leaf_not_after_behavior == "err":
            entry = dataclasses.replace(signer.entry, leaf_not_after_behavior="truncate")
            signer = Signer(entry, signer.cert, signer.key)
        urls = (await read_urls(store)).urls()
        raw: dict[str, Any] = {"common_name": _fallback_cn(csr, role)}
        now = ctx.clock()

        def profile_for(fields: Role) -> Profile:
            return role_profile(
                fields,
                FieldData(raw, ISSUE_FIELDS),
                now=now,
                signer=signer,
                mount=ctx.config,
                urls=urls,
                csr=csr,
            )

        profile = profile_for(role)
        if profile.not_after - now > timedelta(seconds=MAX_TTL):
            raw["ttl"] = MAX_TTL
            profile = profile_for({**role, "not_after": ""})
    except SealboxError as err:
        raise AcmeProblem("badCSR", f"refusing to sign the CSR: {err}") from err
    cert = sign(profile, public, signer.key, signer.cert)
    serial = format_serial(cert.serial_number)
    expiration = int(cert.not_valid_after_utc.timestamp())
    await store.put_cert(CertEntry(serial, encode_cert(cert, "pem"), signer.entry.id, expiration))
    return cert, signer
