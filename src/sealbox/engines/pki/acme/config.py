"""``config/acme``: whether ACME is on for the mount and what it may issue (OpenBao's fields).

ACME is off until enabled (``bao server -dev`` answers a disabled mount's ``acme/directory``
404). Stored fields and defaults follow ``bao read pki/config/acme``; ``eab_policy`` is kept and
validated, but external account binding itself is not enforced yet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sealbox.engines.pki.store import PKIStore
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType

CONFIG_ACME = "config/acme"
EAB_POLICIES = ("not-required", "new-account-required", "always-required")
_L, _B, _S = FieldType.COMMA_STRING_LIST, FieldType.BOOL, FieldType.STRING
FIELDS = {
    "enabled": FieldSchema(_B, "Serve ACME on this mount."),
    "allowed_issuers": FieldSchema(_L, "Issuers ACME may sign with."),
    "allowed_roles": FieldSchema(_L, "Roles ACME may issue under."),
    "allow_role_ext_key_usage": FieldSchema(_B, "Keep a role's extended key usages."),
    "default_directory_policy": FieldSchema(_S, "What acme/ without a role issues under."),
    "dns_resolver": FieldSchema(_S, "host:port of the resolver for dns-01 (unused yet)."),
    "eab_policy": FieldSchema(_S, "External account binding: " + ", ".join(EAB_POLICIES)),
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

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


async def read(store: PKIStore) -> AcmeConfig:
    raw = await store.get_json(CONFIG_ACME)
    return AcmeConfig() if raw is None else AcmeConfig(**raw)


async def update(store: PKIStore, d: FieldData) -> AcmeConfig:
    """Change only the supplied fields; validate before anything is written."""
    config = await read(store)
    for name in FIELDS:
        value, supplied = d.get_ok(name)
        if supplied:
            setattr(config, name, value)
    if config.eab_policy not in EAB_POLICIES:
        raise InvalidRequest(f"invalid eab_policy {config.eab_policy!r}")
    await store.put_json(CONFIG_ACME, config.to_wire())
    return config
