"""``config/acme``: whether ACME is on for the mount and what it may issue (OpenBao's fields).

ACME is off until enabled (``bao server -dev`` answers a disabled mount's ``acme/directory``
404). Stored fields and defaults follow ``bao read pki/config/acme``; ``eab_policy`` is enforced
on new-account (engines/pki/acme/eab.py). ``default_directory_policy`` is ``sign-verbatim``,
``forbid`` or ``role:<name>``.

sealbox extension: ``http_01_port`` (default 80), the port http-01 validation connects to.
OpenBao always uses 80; a CA on a private network whose web servers answer challenges
elsewhere, or a test that cannot bind 80, sets it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sealbox.engines.pki.acme.dns import resolver_address
from sealbox.engines.pki.store import PKIStore
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType

CONFIG_ACME = "config/acme"
EAB_POLICIES = ("not-required", "new-account-required", "always-required")
_L, _B, _S, _N = FieldType.COMMA_STRING_LIST, FieldType.BOOL, FieldType.STRING, FieldType.INT
FIELDS = {
    "enabled": FieldSchema(_B, "Serve ACME on this mount."),
    "allowed_issuers": FieldSchema(_L, "Issuers ACME may sign with."),
    "allowed_roles": FieldSchema(_L, "Roles ACME may issue under."),
    "allow_role_ext_key_usage": FieldSchema(_B, "Keep a role's extended key usages."),
    "default_directory_policy": FieldSchema(_S, "What acme/ without a role issues under."),
    "dns_resolver": FieldSchema(_S, "host[:port] of the resolver for dns-01."),
    "eab_policy": FieldSchema(_S, "External account binding: " + ", ".join(EAB_POLICIES)),
    "http_01_port": FieldSchema(_N, "Port http-01 validation connects to (sealbox; 80)."),
}


@dataclass(slots=True)
class AcmeConfig:
    """The stored ``config/acme``."""

    enabled: bool = False
    allowed_issuers: list[str] = field(default_factory=lambda: ["*"])
    allowed_roles: list[str] = field(default_factory=lambda: ["*"])
    allow_role_ext_key_usage: bool = False
    default_directory_policy: str = "sign-verbatim"
    dns_resolver: str = ""
    eab_policy: str = "not-required"
    http_01_port: int = 80

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


async def read(store: PKIStore) -> AcmeConfig:
    raw = await store.get_json(CONFIG_ACME)
    return AcmeConfig() if raw is None else AcmeConfig(**raw)


def default_role(config: AcmeConfig) -> str | None:
    """The role ``acme/`` issues under: None for sign-verbatim; NotFound-worthy "" for forbid."""
    policy = config.default_directory_policy
    if policy == "sign-verbatim":
        return None
    if policy == "forbid":
        return ""
    return policy.removeprefix("role:")


async def update(store: PKIStore, d: FieldData) -> AcmeConfig:
    """Change only the supplied fields; validate before anything is written."""
    config = await read(store)
    for name in FIELDS:
        value, supplied = d.get_ok(name)
        if supplied:
            setattr(config, name, value)
    if config.eab_policy not in EAB_POLICIES:
        raise InvalidRequest(f"invalid eab_policy {config.eab_policy!r}")
    policy = config.default_directory_policy
    if policy not in ("sign-verbatim", "forbid") and not (
        policy.startswith("role:") and len(policy) > len("role:")
    ):
        raise InvalidRequest(f"invalid default_directory_policy {policy!r}")
    if config.dns_resolver:
        try:
            _host, port = resolver_address(config.dns_resolver)
        except ValueError as err:
            raise InvalidRequest(f"invalid dns_resolver {config.dns_resolver!r}") from err
        if not 1 <= port <= 65535:
            raise InvalidRequest(f"invalid dns_resolver {config.dns_resolver!r}")
    if not 1 <= config.http_01_port <= 65535:
        raise InvalidRequest("http_01_port must be between 1 and 65535")
    await store.put_json(CONFIG_ACME, config.to_wire())
    return config
