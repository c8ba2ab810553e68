"""``auth/ldap/config``: how to reach the directory, find users and read their groups.

Mirrors OpenBao's sdk/helper/ldaputil ConfigEntry with its defaults: ``userattr`` ``cn``,
``userfilter`` ``({{.UserAttr}}={{.Username}})``, ``groupfilter``
``(|(memberUid={{.Username}})(member={{.UserDN}})(uniqueMember={{.UserDN}}))``, ``groupattr``
``cn``, ``deny_null_bind`` true. ``bindpass`` is stored but never read back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType
from sealbox.framework.tokenutil import TokenSettings, token_fields
from sealbox.logical import Storage

_KEY = "config"
_S, _B = FieldType.STRING, FieldType.BOOL
DEFAULT_USER_FILTER = "({{.UserAttr}}={{.Username}})"
DEFAULT_GROUP_FILTER = "(|(memberUid={{.Username}})(member={{.UserDN}})(uniqueMember={{.UserDN}}))"
CONFIG_FIELDS = {
    "url": FieldSchema(_S, "LDAP URL(s), comma-separated: ldap:// or ldaps://."),
    "binddn": FieldSchema(_S, "DN to bind as for searches."),
    "bindpass": FieldSchema(_S, "Password of binddn."),
    "userdn": FieldSchema(_S, "Base DN of users."),
    "userattr": FieldSchema(_S, "Attribute holding the user name.", default="cn"),
    "userfilter": FieldSchema(_S, "Filter finding the user.", default=DEFAULT_USER_FILTER),
    "upndomain": FieldSchema(_S, "Bind as user@upndomain (Active Directory)."),
    "discoverdn": FieldSchema(_B, "Find the user DN by an anonymous or binddn search."),
    "groupdn": FieldSchema(_S, "Base DN of groups."),
    "groupfilter": FieldSchema(
        _S, "Filter finding the user's groups.", default=DEFAULT_GROUP_FILTER
    ),
    "groupattr": FieldSchema(_S, "Attribute naming a group.", default="cn"),
    "starttls": FieldSchema(_B, "Upgrade ldap:// with StartTLS."),
    "insecure_tls": FieldSchema(_B, "Skip certificate verification (not for production)."),
    "certificate": FieldSchema(_S, "PEM CA of the directory's certificate."),
    "deny_null_bind": FieldSchema(_B, "Refuse empty passwords.", default=True),
    "case_sensitive_names": FieldSchema(_B, "Keep user and group name case."),
    "username_as_alias": FieldSchema(_B, "Alias by user name (always, here)."),
    "request_timeout": FieldSchema(FieldType.DURATION, "Timeout of directory calls.", default=90),
    **token_fields(deprecated=()),
}


@dataclass(slots=True)
class LDAPConfig:
    """One mount's directory settings."""

    url: str = "ldap://127.0.0.1"
    binddn: str = ""
    bindpass: str = field(default="", repr=False)
    userdn: str = ""
    userattr: str = "cn"
    userfilter: str = DEFAULT_USER_FILTER
    upndomain: str = ""
    discoverdn: bool = False
    groupdn: str = ""
    groupfilter: str = DEFAULT_GROUP_FILTER
    groupattr: str = "cn"
    starttls: bool = False
    insecure_tls: bool = False
    certificate: str = ""
    deny_null_bind: bool = True
    case_sensitive_names: bool = False
    username_as_alias: bool = False
    request_timeout: int = 90
    token: TokenSettings = field(default_factory=TokenSettings)

    def to_wire(self) -> dict[str, Any]:
        """``GET auth/ldap/config`` (without bindpass)."""
        data = asdict(self)
        del data["bindpass"], data["token"]
        return {**data, **self.token.to_wire()}

    def updated(self, d: FieldData) -> LDAPConfig:
        """A copy with the supplied fields, validated."""
        for name in CONFIG_FIELDS:
            if name in self.__dataclass_fields__ and name != "token" and d.supplied(name):
                setattr(self, name, d.get(name))
        self.token = self.token.updated(d)
        for url in self.url.split(","):
            if not url.strip().startswith(("ldap://", "ldaps://")):
                raise InvalidRequest(f"invalid LDAP URL {url.strip()!r}")
        if self.starttls and self.url.startswith("ldaps://"):
            raise InvalidRequest("starttls cannot be used with ldaps://")
        return self


async def load_config(storage: Storage) -> LDAPConfig | None:
    """The stored config, if any."""
    blob = await storage.get(_KEY)
    if blob is None:
        return None
    raw = orjson.loads(blob)
    raw["token"] = TokenSettings.from_json(raw.get("token") or {})
    return LDAPConfig(**raw)


async def save_config(storage: Storage, config: LDAPConfig) -> None:
    """Store ``config``."""
    raw = asdict(config)
    raw["token"] = config.token.to_json()
    await storage.put(_KEY, orjson.dumps(raw))
