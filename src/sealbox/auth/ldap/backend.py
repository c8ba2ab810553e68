"""The ``ldap`` auth method: users log in with their directory password; groups bring policies.

Mirrors OpenBao's builtin/credential/ldap (path_login.go, path_users.go, path_groups.go): a login
binds to the directory as the user; the token gets the user's own policies (``users/:name``),
the policies of every LDAP group the directory reports and of every local group listed on the
user (``groups/:name``), plus the config's ``token_*`` settings. LDAP group names become the
login's group aliases, so external identity groups can map them. Wrong passwords are 400
``ldap operation failed: failed to bind as user`` and count toward the lockout. Renewal looks
the groups up again and refuses when the policies changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from sealbox.auth.ldap.config import CONFIG_FIELDS, LDAPConfig, load_config, save_config
from sealbox.auth.ldap.directory import Directory
from sealbox.auth.lockout import Lockout, LockoutPolicy
from sealbox.errors import InternalError, InvalidCredentials, InvalidRequest, PermissionDenied
from sealbox.framework import (
    Backend,
    BackendConfig,
    FieldData,
    FieldSchema,
    FieldType,
    Handler,
    Path,
)
from sealbox.framework.tokenutil import address_allowed, sanitize_policies
from sealbox.logical import Alias, Auth, Operation, Request, Response, Storage

_NAME = r"(?P<name>.+)"
_L = FieldType.COMMA_STRING_LIST
_USER_FIELDS = {
    "name": FieldSchema(FieldType.STRING, "Name of the LDAP user."),
    "groups": FieldSchema(_L, "Local groups the user belongs to."),
    "policies": FieldSchema(_L, "Policies of the user."),
}
_GROUP_FIELDS = {
    "name": FieldSchema(FieldType.STRING, "Name of the LDAP group."),
    "policies": FieldSchema(_L, "Policies of the group's members."),
}
_LOGIN = {
    "username": FieldSchema(FieldType.STRING, "Name of the user."),
    "password": FieldSchema(FieldType.STRING, "The user's directory password."),
}


@dataclass(slots=True)
class Mapping:
    """A ``users/:name`` or ``groups/:name`` entry."""

    policies: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


class MappingStore:
    """Local users or groups of one mount, under ``prefix``."""

    def __init__(self, storage: Storage, prefix: str) -> None:
        self._storage, self._prefix = storage, prefix

    async def get(self, name: str) -> Mapping | None:
        """The entry ``name``."""
        blob = await self._storage.get(self._prefix + name)
        return None if blob is None else Mapping(**orjson.loads(blob))

    async def put(self, name: str, entry: Mapping) -> None:
        """Store ``entry``."""
        await self._storage.put(
            self._prefix + name, orjson.dumps({"policies": entry.policies, "groups": entry.groups})
        )

    async def delete(self, name: str) -> None:
        """Delete ``name``."""
        await self._storage.delete(self._prefix + name)

    async def names(self) -> list[str]:
        """Every name, sorted."""
        return sorted(await self._storage.list(self._prefix))


class LDAPAuthMethod(Backend):
    """Directory-password logins with group-mapped policies."""

    backend_type = "ldap"
    unauthenticated_paths = ("login/*",)

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        self.users = MappingStore(config.storage, "user/")
        self.groups = MappingStore(config.storage, "group/")
        self.lockout = Lockout(lambda: LockoutPolicy.from_config(config.user_lockout))
        ops = Operation
        self.paths = [
            Path(
                "config",
                CONFIG_FIELDS,
                {ops.READ: self.read_config, ops.UPDATE: self.write_config},
                synopsis="Configure the directory.",
            ),
            Path("users/?", {}, {ops.LIST: self._lister(self.users)}, synopsis="List users."),
            Path(
                "users/" + _NAME,
                _USER_FIELDS,
                self._crud(self.users, with_groups=True),
                synopsis="Manage users.",
            ),
            Path("groups/?", {}, {ops.LIST: self._lister(self.groups)}, synopsis="List groups."),
            Path(
                "groups/" + _NAME,
                _GROUP_FIELDS,
                self._crud(self.groups, with_groups=False),
                synopsis="Manage groups.",
            ),
            Path(
                "login/" + r"(?P<username>.+)", _LOGIN, {ops.UPDATE: self.login}, synopsis="Log in."
            ),
        ]

    def _key(self, config: LDAPConfig | None, name: str) -> str:
        return name if config is not None and config.case_sensitive_names else name.lower()

    # ---- config, users, groups -----------------------------------------------------

    async def read_config(self, req: Request, d: FieldData) -> Response | None:
        """GET /auth/ldap/config."""
        del d
        config = await load_config(req.view)
        return None if config is None else Response(data=config.to_wire())

    async def write_config(self, req: Request, d: FieldData) -> None:
        """POST /auth/ldap/config."""
        current = await load_config(req.view) or LDAPConfig()
        await save_config(req.view, current.updated(d))

    def _lister(self, store: MappingStore) -> Handler:
        async def list_entries(req: Request, d: FieldData) -> Response | None:
            del req, d
            names = await store.names()
            return Response(data={"keys": names}) if names else None

        return list_entries

    def _crud(self, store: MappingStore, *, with_groups: bool) -> dict[Operation, Handler]:
        async def read(req: Request, d: FieldData) -> Response | None:
            key = self._key(await load_config(req.view), d.get("name"))
            entry = await store.get(key)
            if entry is None:
                return None
            data: dict[str, object] = {"policies": entry.policies}
            if with_groups:
                data["groups"] = entry.groups
            return Response(data=data)

        async def write(req: Request, d: FieldData) -> None:
            key = self._key(await load_config(req.view), d.get("name"))
            entry = await store.get(key) or Mapping()
            if d.supplied("policies"):
                entry.policies = sanitize_policies(d.get("policies"))
            if with_groups and d.supplied("groups"):
                entry.groups = [g.strip() for g in d.get("groups") if g.strip()]
            await store.put(key, entry)

        async def delete(req: Request, d: FieldData) -> None:
            await store.delete(self._key(await load_config(req.view), d.get("name")))

        return {
            Operation.READ: read,
            Operation.CREATE: write,
            Operation.UPDATE: write,
            Operation.DELETE: delete,
        }

    # ---- login ---------------------------------------------------------------------

    async def _policies(
        self, config: LDAPConfig, username: str, ldap_groups: list[str]
    ) -> list[str]:
        user = await self.users.get(self._key(config, username)) or Mapping()
        policies = set(user.policies) | set(config.token.token_policies)
        for group in {*ldap_groups, *user.groups}:
            entry = await self.groups.get(self._key(config, group))
            if entry is not None:
                policies.update(entry.policies)
        return sorted(policies)

    async def login(self, req: Request, d: FieldData) -> Response:
        """POST /auth/ldap/login/:username {password}."""
        config = await load_config(req.view)
        if config is None:
            raise InternalError("ldap backend not configured")
        username = d.get("username")
        name = self._key(config, username)
        if self.lockout.locked(name):
            raise PermissionDenied()
        if not address_allowed(req.client_address, config.token.token_bound_cidrs):
            raise PermissionDenied()
        try:
            ldap_groups = await Directory(config).login(username, d.get("password"))
        except InvalidCredentials:
            self.lockout.failed(name)
            raise
        self.lockout.succeeded(name)
        policies = await self._policies(config, username, ldap_groups)
        auth = config.token.apply(
            Auth(
                metadata={"username": username},
                display_name=username,
                alias=Alias(name=username),
                group_aliases=[Alias(name=g) for g in ldap_groups],
            )
        )
        auth.policies = policies
        auth.token_policies = list(policies)
        response = Response(auth=auth)
        if config.groupdn and not ldap_groups:
            response.warnings.append(
                f"no LDAP groups found in groupDN {config.groupdn!r}; only policies from locally-defined groups available"
            )
        return response

    async def renew_auth(self, req: Request, auth: Auth) -> Auth:
        """Look the user's groups up again; refuse when the policies changed."""
        config = await load_config(req.view)
        username = (auth.metadata or {}).get("username", "")
        if config is None or not username:
            raise InvalidRequest("ldap backend not configured")
        policies = await self._policies(config, username, await Directory(config).groups(username))
        if set(policies) - {"default"} != set(auth.token_policies) - {"default"}:
            raise InvalidRequest("policies have changed, not renewing")
        return config.token.renewal()


def ldap_factory(config: BackendConfig) -> Backend:
    """Build an LDAP auth mount (registered in ``core/plugins.py``)."""
    return LDAPAuthMethod(config)
