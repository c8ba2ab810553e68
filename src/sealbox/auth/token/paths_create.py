"""``auth/token/create``, ``create-orphan`` and ``create/:role``.

Mirrors OpenBao's ``handleCreateCommon`` (internal/vault/token_store.go): sudo/root is needed
for ``id``, ``no_parent`` and ``period``; policies follow ``policies.select_policies``; a role
decides orphan-ness, renewability, period, explicit max TTL and the path suffix; the display
name becomes ``token-<name>`` with characters outside ``[A-Za-z0-9-]`` replaced by ``-``.
Only service tokens exist here: ``type=batch`` is refused with 400 (not supported yet).
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

from sealbox.auth.token.context import TokenContext, caller
from sealbox.auth.token.policies import PolicyRequest, select_policies
from sealbox.auth.token.wire import token_auth
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import segment
from sealbox.goformat import human_duration
from sealbox.logical import Operation, Request, Response
from sealbox.logical.tokens import TokenEntry, TokenRole

_DISPLAY_SANITIZE = re.compile(r"[^a-zA-Z0-9-]")

CREATE_FIELDS: dict[str, FieldSchema] = {
    "id": FieldSchema(FieldType.STRING, "Token value to use (root or sudo only)."),
    "role_name": FieldSchema(FieldType.STRING, "Role to create the token from."),
    "policies": FieldSchema(FieldType.STRING_LIST, "Policies of the token."),
    "meta": FieldSchema(FieldType.KV_PAIRS, "Arbitrary key=value metadata."),
    "no_parent": FieldSchema(FieldType.BOOL, "Create an orphan token (root or sudo only)."),
    "no_default_policy": FieldSchema(FieldType.BOOL, "Do not attach the default policy."),
    "renewable": FieldSchema(FieldType.BOOL, "Whether the token can be renewed.", default=True),
    "ttl": FieldSchema(FieldType.DURATION, "Initial TTL."),
    "lease": FieldSchema(FieldType.DURATION, "Deprecated alias of ttl."),
    "type": FieldSchema(FieldType.STRING, "Token type: service (batch is not supported)."),
    "explicit_max_ttl": FieldSchema(FieldType.DURATION, "Hard limit on the token's life."),
    "display_name": FieldSchema(FieldType.STRING, "Name shown in lookups and audit logs."),
    "num_uses": FieldSchema(FieldType.INT, "Number of uses; 0 means unlimited."),
    "period": FieldSchema(FieldType.DURATION, "Renewal period (root or sudo only)."),
    "entity_alias": FieldSchema(FieldType.STRING, "Entity alias the token belongs to (roles)."),
}


def display_name(requested: str) -> str:
    """OpenBao's ``token-<name>`` display name."""
    if not requested:
        return "token"
    return _DISPLAY_SANITIZE.sub("-", "token-" + requested).removesuffix("-")


def _check_type(requested: str, role: TokenRole | None) -> None:
    kind = requested or ("" if role is None else role.token_type)
    if kind in ("", "service", "default", "default-service"):
        return
    if kind in ("batch", "default-batch"):
        raise InvalidRequest("batch tokens are not supported yet")
    raise InvalidRequest("invalid 'token_type' value")


def _durations(d: FieldData) -> tuple[int, int, int]:
    ttl = d.get("ttl") or d.get("lease")
    explicit_max = d.get("explicit_max_ttl")
    period = d.get("period")
    if ttl < 0:
        raise InvalidRequest("ttl must be positive")
    if explicit_max < 0:
        raise InvalidRequest("explicit_max_ttl must be positive")
    if period < 0:
        raise InvalidRequest("period must be positive")
    return ttl, explicit_max, period


def _ttl_warnings(ttl: int, period: int, granted: int) -> list[str]:
    if period > granted:
        return [
            f'period of "{human_duration(period)}" exceeded the effective max_ttl of '
            f'"{human_duration(granted)}"; period value is capped accordingly'
        ]
    if not period and ttl > granted > 0:
        return [
            f'TTL of "{human_duration(ttl)}" exceeded the effective max_ttl of '
            f'"{human_duration(granted)}"; TTL value is capped accordingly'
        ]
    return []


class CreateHandlers:
    """The create handlers over one TokenContext."""

    def __init__(self, ctx: TokenContext) -> None:
        self.ctx = ctx

    async def create(self, req: Request, d: FieldData) -> Response:
        """POST /auth/token/create. Create a child token (orphan with no_parent)."""
        return await self._create(req, d, orphan_path=False, role_name="")

    async def create_orphan(self, req: Request, d: FieldData) -> Response:
        """POST /auth/token/create-orphan. Create a token without a parent."""
        return await self._create(req, d, orphan_path=True, role_name="")

    async def create_with_role(self, req: Request, d: FieldData) -> Response:
        """POST /auth/token/create/:role_name. Create a token from a role."""
        return await self._create(req, d, orphan_path=False, role_name=d.get("role_name"))

    async def _create(
        self, req: Request, d: FieldData, *, orphan_path: bool, role_name: str
    ) -> Response:
        parent = caller(req)
        store = self.ctx.store
        role = await store.roles.read(role_name) if role_name else None
        if role_name and role is None:
            raise InvalidRequest(f"unknown role {role_name}")
        _check_type(d.get("type"), role)
        is_sudo = self.ctx.is_sudo(req)
        token_id: str | None = d.get("id") if d.supplied("id") and d.get("id") else None
        if token_id is not None and not is_sudo:
            raise InvalidRequest("root or sudo privileges required to specify token id")
        orphan = self._orphan(d, role, orphan_path=orphan_path, is_sudo=is_sudo)
        entity_id = await self._entity(d.get("entity_alias").strip(), role, parent, orphan=orphan)
        ttl, explicit_max, period = _durations(d)
        if period and not is_sudo:
            raise InvalidRequest("root or sudo privileges required to create periodic token")
        policies = select_policies(
            parent,
            role,
            PolicyRequest(tuple(d.get("policies")), d.get("no_default_policy"), is_sudo),
        )
        renewable = bool(d.get("renewable")) and (role is None or role.renewable)
        num_uses = d.get("num_uses")
        if role is not None:
            # compat: the role's token_num_uses caps the request's (token_store.go)
            if role.token_num_uses and (not num_uses or role.token_num_uses < num_uses):
                num_uses = role.token_num_uses
            period = role.token_period or period
            if role.token_explicit_max_ttl and (
                not explicit_max or role.token_explicit_max_ttl < explicit_max
            ):
                explicit_max = role.token_explicit_max_ttl
        token, entry = await store.create(
            policies=policies,
            ttl=ttl,
            explicit_max_ttl=explicit_max,
            period=period,
            num_uses=num_uses,
            meta=d.get("meta") or None,
            display_name=display_name(d.get("display_name")),
            renewable=renewable,
            parent=parent,
            orphan=orphan,
            path=self._token_path(req, role),
            role=role.name if role is not None else "",
            token_id=token_id,
            entity_id=entity_id,
        )
        # compat: OpenBao warns about each policy that does not exist (token_store.go).
        missing = await self.ctx.missing_policies(list(entry.policies))
        return Response(
            auth=token_auth(entry, token),
            warnings=_ttl_warnings(ttl, period, entry.ttl)
            + [f'Policy "{name}" does not exist' for name in missing],
        )

    async def _entity(
        self, alias: str, role: TokenRole | None, parent: TokenEntry, *, orphan: bool
    ) -> str:
        """The new token's entity: the role-allowed ``entity_alias``'s, else the parent's.

        compat: OpenBao's handleCreateCommon: a child inherits its parent's entity, an orphan
        does not; ``entity_alias`` needs a role whose ``allowed_entity_aliases`` (globs,
        case-insensitive) allow it, and creates the entity and alias on the token mount.
        """
        if not alias:
            return "" if orphan else parent.entity_id
        if role is None:
            raise InvalidRequest("'entity_alias' is only allowed in combination with token role")
        if not any(fnmatchcase(alias.lower(), p.lower()) for p in role.allowed_entity_aliases):
            raise InvalidRequest("invalid 'entity_alias' value")
        return await self.ctx.entity_for_alias(alias)

    @staticmethod
    def _orphan(d: FieldData, role: TokenRole | None, *, orphan_path: bool, is_sudo: bool) -> bool:
        if role is not None:
            return role.orphan
        if orphan_path:
            return True
        if d.get("no_parent"):
            if not is_sudo:
                raise InvalidRequest("root or sudo privileges required to create orphan token")
            return True
        return False

    @staticmethod
    def _token_path(req: Request, role: TokenRole | None) -> str:
        mount = req.mount_point or "auth/token/"
        if role is None:
            return mount + req.path
        path = f"{mount}create/{role.name}"
        return f"{path}/{role.path_suffix}" if role.path_suffix else path


# compat: role_name is only the URL segment of create/:role_name; in the body of create or
# create-orphan OpenBao ignores it with an "unrecognized parameters" warning (token_store.go)
_FIELDS_WITHOUT_ROLE = {k: v for k, v in CREATE_FIELDS.items() if k != "role_name"}


def create_paths(ctx: TokenContext) -> list[Path]:
    """The three create routes (create-orphan and create/:role before the bare create)."""
    handlers = CreateHandlers(ctx)
    return [
        Path(
            "create-orphan",
            fields=_FIELDS_WITHOUT_ROLE,
            operations={Operation.UPDATE: handlers.create_orphan},
            synopsis="Create an orphan token.",
        ),
        Path(
            "create/" + segment("role_name"),
            fields=CREATE_FIELDS,
            operations={Operation.UPDATE: handlers.create_with_role},
            synopsis="Create a token from a role.",
        ),
        Path(
            "create",
            fields=_FIELDS_WITHOUT_ROLE,
            operations={Operation.UPDATE: handlers.create},
            synopsis="Create a token.",
        ),
    ]
