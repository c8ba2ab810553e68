"""The token settings every auth method's users and roles carry (``token_*`` fields).

Mirrors OpenBao's sdk/helper/tokenutil: ``token_ttl``, ``token_max_ttl``, ``token_policies``,
``token_bound_cidrs``, ``token_explicit_max_ttl``, ``token_no_default_policy``,
``token_num_uses``, ``token_period`` and ``token_type``, with the deprecated spellings
(``policies``, ``ttl``, ``max_ttl``, ``period``, ``bound_cidrs``) still accepted: sending the
old name sets both, sending both sets only the new one (``tokenutil.UpgradeValue``). A read shows the new
names always and an old one only while it is in use, as OpenBao does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from sealbox.errors import InvalidRequest
from sealbox.framework.fields import FieldData, FieldSchema, FieldType
from sealbox.logical import Auth

# (new name, deprecated name) pairs upgraded like tokenutil.UpgradeValue.
_UPGRADES = (
    ("token_policies", "policies"),
    ("token_ttl", "ttl"),
    ("token_max_ttl", "max_ttl"),
    ("token_period", "period"),
    ("token_bound_cidrs", "bound_cidrs"),
)
_TOKEN_TYPES = {
    "": "default",
    "default": "default",
    "default-service": "default",
    "service": "service",
}


def token_fields(*, deprecated: Iterable[str] = ()) -> dict[str, FieldSchema]:
    """The ``token_*`` field schema, plus the deprecated aliases an auth method still takes."""
    lists, durations = FieldType.COMMA_STRING_LIST, FieldType.DURATION
    schema = {
        "token_policies": FieldSchema(lists, "Policies of tokens issued by this login."),
        "token_ttl": FieldSchema(durations, "Initial TTL of issued tokens."),
        "token_max_ttl": FieldSchema(durations, "Longest a token may be renewed to."),
        "token_period": FieldSchema(durations, "Make tokens periodic with this period."),
        "token_explicit_max_ttl": FieldSchema(durations, "Hard cap, even for periodic tokens."),
        "token_bound_cidrs": FieldSchema(lists, "Addresses allowed to log in and use tokens."),
        "token_no_default_policy": FieldSchema(FieldType.BOOL, "Leave out the default policy."),
        "token_num_uses": FieldSchema(FieldType.INT, "Uses per token; 0 means unlimited."),
        "token_type": FieldSchema(FieldType.STRING, "service or default-service."),
        "token_strictly_bind_ip": FieldSchema(FieldType.BOOL, "Bind tokens to the login's IP."),
    }
    kinds = {"policies": lists, "bound_cidrs": lists}
    for name in deprecated:
        schema[name] = FieldSchema(kinds.get(name, durations), f"Deprecated: use token_{name}.")
    return schema


def sanitize_policies(names: Iterable[str]) -> list[str]:
    """Trimmed, lower-cased, deduplicated and sorted (policyutil.SanitizePolicies)."""
    return sorted({n.strip().lower() for n in names if n.strip()})


def parse_cidrs(values: Iterable[str]) -> list[str]:
    """Validated IPs or CIDR blocks, printed as OpenBao prints them (bare IP for /32)."""
    out: list[str] = []
    for value in values:
        try:
            network = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError as err:
            raise InvalidRequest(f'failed to parse "{value.strip()}" as an IP or CIDR') from err
        single = network.num_addresses == 1
        out.append(str(network.network_address) if single else str(network))
    return out


def address_allowed(address: str, cidrs: Iterable[str]) -> bool:
    """Whether ``address`` is in one of ``cidrs`` (no list means anywhere)."""
    blocks = list(cidrs)
    if not blocks:
        return True
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(block, strict=False) for block in blocks)


@dataclass(frozen=True, slots=True)
class TokenSettings:
    """One user's or role's token settings, as stored (durations in seconds)."""

    token_policies: tuple[str, ...] = ()
    token_ttl: int = 0
    token_max_ttl: int = 0
    token_period: int = 0
    token_explicit_max_ttl: int = 0
    token_bound_cidrs: tuple[str, ...] = ()
    token_no_default_policy: bool = False
    token_num_uses: int = 0
    token_type: str = "default"
    token_strictly_bind_ip: bool = False
    # Which deprecated names are in use, so a read can show them (OpenBao keeps both fields).
    legacy: tuple[str, ...] = field(default=())

    def updated(self, d: FieldData) -> TokenSettings:
        """A copy with what the caller supplied in ``d``; raises InvalidRequest on bad values."""
        changes: dict[str, Any] = {}
        legacy = set(self.legacy)
        for new, old in _UPGRADES:
            old_given = old in d.schema and d.supplied(old)
            if old_given and d.supplied(new):
                # compat: with both given OpenBao takes the new one and leaves the old as it
                # was (tokenutil.UpgradeValue matches neither of its cases).
                changes[new] = d.get(new)
            elif old_given:
                changes[new] = d.get(old)
                legacy.add(old)
            elif d.supplied(new):
                changes[new] = d.get(new)
                legacy.discard(old)
        for name in (
            "token_explicit_max_ttl",
            "token_no_default_policy",
            "token_num_uses",
            "token_strictly_bind_ip",
        ):
            if d.supplied(name):
                changes[name] = d.get(name)
        if d.supplied("token_type"):
            kind = d.get("token_type").strip().lower()
            if kind in ("batch", "default-batch"):
                raise InvalidRequest("batch tokens are not supported yet")
            if kind not in _TOKEN_TYPES:
                raise InvalidRequest(f"invalid 'token_type' value {kind!r}")
            changes["token_type"] = _TOKEN_TYPES[kind]
        if "token_policies" in changes:
            changes["token_policies"] = tuple(sanitize_policies(changes["token_policies"]))
        if "token_bound_cidrs" in changes:
            changes["token_bound_cidrs"] = tuple(parse_cidrs(changes["token_bound_cidrs"]))
        result = replace(self, legacy=tuple(sorted(legacy)), **changes)
        result.validate()
        return result

    def validate(self) -> None:
        """OpenBao's ParseTokenFields checks."""
        for name in ("token_ttl", "token_max_ttl", "token_period", "token_explicit_max_ttl"):
            if getattr(self, name) < 0:
                raise InvalidRequest(f'"{name}" cannot be negative')
        if self.token_num_uses < 0:
            raise InvalidRequest("'token_num_uses' cannot be negative")
        if self.token_max_ttl and self.token_ttl > self.token_max_ttl:
            raise InvalidRequest("'token_ttl' cannot be greater than 'token_max_ttl'")

    def to_wire(self) -> dict[str, Any]:
        """The read shape (tokenutil.PopulateTokenData plus the legacy names in use)."""
        data: dict[str, Any] = {
            "token_bound_cidrs": list(self.token_bound_cidrs),
            "token_explicit_max_ttl": self.token_explicit_max_ttl,
            "token_max_ttl": self.token_max_ttl,
            "token_no_default_policy": self.token_no_default_policy,
            "token_num_uses": self.token_num_uses,
            "token_period": self.token_period,
            "token_policies": list(self.token_policies),
            "token_strictly_bind_ip": self.token_strictly_bind_ip,
            "token_ttl": self.token_ttl,
            "token_type": self.token_type,
        }
        for new, old in _UPGRADES:
            if old in self.legacy:
                data[old] = data[new]
        return data

    def renewal(self) -> Auth:
        """The terms a renewed login token gets: these settings' TTLs and period, as now stored."""
        return Auth(
            ttl=self.token_ttl,
            max_ttl=self.token_max_ttl,
            period=self.token_period,
            explicit_max_ttl=self.token_explicit_max_ttl,
        )

    def apply(self, auth: Auth) -> Auth:
        """Fill the token half of a login's ``auth`` (tokenutil.PopulateTokenAuth)."""
        auth.policies = list(self.token_policies)
        auth.token_policies = list(self.token_policies)
        auth.ttl = self.token_ttl
        auth.max_ttl = self.token_max_ttl
        auth.period = self.token_period
        auth.explicit_max_ttl = self.token_explicit_max_ttl
        auth.num_uses = self.token_num_uses
        auth.no_default_policy = self.token_no_default_policy
        auth.bound_cidrs = list(self.token_bound_cidrs)
        auth.renewable = True
        return auth

    def to_json(self) -> dict[str, Any]:
        """The storage form."""
        raw = asdict(self)
        for key in ("token_policies", "token_bound_cidrs", "legacy"):
            raw[key] = list(raw[key])
        return raw

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> TokenSettings:
        """Decode ``to_json``'s output (unknown keys ignored)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        for key in ("token_policies", "token_bound_cidrs", "legacy"):
            values[key] = tuple(values.get(key) or ())
        return cls(**values)


def renew_terms(settings: TokenSettings, auth: Auth) -> Auth:
    """Approve a renewal if the policies did not change; the terms come from ``settings``.

    compat: OpenBao's userpass/approle pathLoginRenew refuse with "policies have changed,
    not renewing" when the user's or role's policies differ from the token's.
    """
    # compat: policyutil.EquivalentPolicies ignores "default" on both sides.
    mine = set(sanitize_policies(settings.token_policies)) - {"default"}
    theirs = set(sanitize_policies(auth.token_policies)) - {"default"}
    if mine != theirs:
        raise InvalidRequest("policies have changed, not renewing")
    return settings.renewal()
