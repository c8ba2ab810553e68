"""Role constraints on requested names: common name, DNS/email SANs, IP SANs and URI SANs.

Mirrors openbao builtin/logical/pki/cert_util.go ``validateNames``: a name passes when the
role allows any name, when it is localhost and localhost is allowed, or when one of
``allowed_domains`` admits it as a bare domain, a subdomain or a glob. Wildcards (``*.x``) need
``allow_wildcard_certificates``; with ``enforce_hostnames`` every name (the domain part of an
email) must be a valid host name. Failures raise InvalidRequest (400) naming the bad value.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from collections.abc import Iterable

from sealbox.engines.pki.roles import Role
from sealbox.errors import InvalidRequest

_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def is_hostname(name: str) -> bool:
    """RFC 1123 host name (trailing dot tolerated, IDNA encoded first)."""
    try:
        ascii_name = name.encode("idna").decode("ascii") if name else ""
    except UnicodeError:
        return False
    ascii_name = ascii_name.rstrip(".")
    if not ascii_name or len(ascii_name) > 253:
        return False
    return all(_LABEL.match(label) for label in ascii_name.split("."))


def _strip_wildcard(name: str, role: Role) -> tuple[str | None, bool]:
    """(the name without its wildcard label, was there one); None when it may not be used."""
    if "*" not in name:
        return name, False
    first, _, rest = name.partition(".")
    if not role["allow_wildcard_certificates"] or "*" in rest or not rest or first != "*":
        # compat: OpenBao refuses these as names the role does not allow
        return None, True
    return rest, True


def _domain_admits(role: Role, domain: str, name: str, email_domain: str, wildcard: bool) -> bool:
    if role["allow_bare_domains"] and (name == domain or email_domain == domain) and not wildcard:
        return True
    if role["allow_subdomains"] and (name.endswith("." + domain) or (wildcard and name == domain)):
        return True
    return bool(role["allow_glob_domains"] and "*" in domain and fnmatch.fnmatchcase(name, domain))


def name_allowed(role: Role, name: str) -> bool:
    """Whether ``role`` admits the DNS name or email ``name``."""
    email_domain = ""
    sanitized = name
    if "@" in name:
        _, _, email_domain = name.rpartition("@")
        sanitized = email_domain
    stripped, wildcard = _strip_wildcard(sanitized, role)
    if stripped is None:
        return False
    sanitized = stripped
    if role["enforce_hostnames"] and not is_hostname(sanitized):
        return False
    if role["allow_any_name"]:
        return True
    if role["allow_localhost"] and sanitized in ("localhost", "localdomain"):
        return True
    # A wildcard name matches against its base: "*.a.internal" is a subdomain of "internal".
    candidate = sanitized if wildcard or email_domain else name
    for domain in role["allowed_domains"]:
        if _domain_admits(role, domain, candidate, email_domain, wildcard):
            return True
    return False


def check_common_name(role: Role, common_name: str) -> None:
    """The CN rule: cn_validations decides how it is parsed, the role whether it is allowed."""
    checks = role["cn_validations"]
    if "disabled" in checks or not common_name:
        return
    looks_email = "@" in common_name
    if (looks_email and "email" not in checks) or (not looks_email and "hostname" not in checks):
        raise InvalidRequest(f"common name {common_name} not allowed by this role")
    if not name_allowed(role, common_name):
        raise InvalidRequest(f"common name {common_name} not allowed by this role")


def check_dns_sans(role: Role, names: Iterable[str]) -> None:
    """Every DNS or email SAN must pass ``name_allowed``."""
    for name in names:
        if not name_allowed(role, name):
            raise InvalidRequest(f"subject alternate name {name} not allowed by this role")


def parse_ips(values: Iterable[str]) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """IP SAN strings as addresses; a bad one is a 400."""
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_address(value.strip()))
        except ValueError as err:
            raise InvalidRequest(f'the value "{value}" is not a valid IP address') from err
    return out


def check_ip_sans(role: Role, ips: list[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> None:
    """IP SANs need allow_ip_sans, and must fall inside allowed_ip_sans_cidr when it is set."""
    if not ips:
        return
    if not role["allow_ip_sans"]:
        # compat: OpenBao's wording (cert_util.go generateCreationBundle)
        raise InvalidRequest(
            "IP Subject Alternative Names are not allowed in this role, but was provided via "
            "the API"
        )
    cidrs = [ipaddress.ip_network(c, strict=False) for c in role["allowed_ip_sans_cidr"]]
    for ip in ips:
        if cidrs and not any(ip.version == c.version and ip in c for c in cidrs):
            raise InvalidRequest(f'the IP address "{ip}" is not allowed in this role')


def check_uri_sans(role: Role, uris: Iterable[str]) -> None:
    """URI SANs must each match one glob of allowed_uri_sans."""
    uris = list(uris)
    if not uris:
        return
    allowed = role["allowed_uri_sans"]
    if not allowed:
        raise InvalidRequest(
            "URI Subject Alternative Names are not allowed in this role, but were provided "
            "via the API"
        )
    for uri in uris:
        if not any(fnmatch.fnmatchcase(uri, pattern) for pattern in allowed):
            raise InvalidRequest(
                "URI Subject Alternative Names were provided via the API which are not "
                "valid for this role"
            )


def check_serial_number(role: Role, serial_number: str) -> None:
    """A subject serialNumber must match one glob of allowed_serial_numbers."""
    if serial_number and not any(
        fnmatch.fnmatchcase(serial_number, glob) for glob in role["allowed_serial_numbers"]
    ):
        raise InvalidRequest(f"serial_number {serial_number} not allowed by this role")
