"""Token roles CRUD, the accessor listing and tidy.

Mirrors OpenBao's ``pathRoleList``/``pathRoles``, ``handleListAccessors`` (a root path, so
the core demands sudo) and ``handleTidy`` (202 with a warning) in token_store.go. A role write
replaces only the fields sent (OpenBao updates an existing role in place); the legacy
``period``/``explicit_max_ttl`` keys are accepted as aliases of ``token_period``/
``token_explicit_max_ttl``; ``path_suffix`` must match ``\\w[\\w-.]+\\w``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from sealbox.auth.token.context import TokenContext
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import segment
from sealbox.logical import Operation, Request, Response
from sealbox.logical.tokens import TokenRole

_SUFFIX = re.compile(r"\w[\w.-]+\w")
_LISTS = (
    "allowed_policies",
    "disallowed_policies",
    "allowed_policies_glob",
    "disallowed_policies_glob",
    "allowed_entity_aliases",
)
_ALIASES = (("token_period", "period"), ("token_explicit_max_ttl", "explicit_max_ttl"))

ROLE_FIELDS: dict[str, FieldSchema] = {
    "role_name": FieldSchema(FieldType.STRING, "Name of the role.", required=True),
    **{
        name: FieldSchema(FieldType.COMMA_STRING_LIST, f"Role {name.replace('_', ' ')}.")
        for name in _LISTS
    },
    "orphan": FieldSchema(FieldType.BOOL, "Tokens from this role are orphans."),
    "renewable": FieldSchema(FieldType.BOOL, "Tokens from this role can be renewed."),
    "path_suffix": FieldSchema(FieldType.STRING, "Suffix appended to the token path."),
    "token_period": FieldSchema(FieldType.DURATION, "Period of the tokens."),
    "period": FieldSchema(FieldType.DURATION, "Deprecated alias of token_period."),
    "token_explicit_max_ttl": FieldSchema(FieldType.DURATION, "Explicit max TTL of the tokens."),
    "explicit_max_ttl": FieldSchema(FieldType.DURATION, "Deprecated alias."),
    "token_no_default_policy": FieldSchema(FieldType.BOOL, "Do not attach default."),
    "token_num_uses": FieldSchema(FieldType.INT, "Uses of tokens from this role (0 = unlimited)."),
    "token_type": FieldSchema(FieldType.STRING, "default-service or service."),
}


def _updates(d: FieldData) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in _LISTS:
        if d.supplied(name):
            changes[name] = tuple(p.strip().lower() for p in d.get(name) if p.strip())
    for name in (
        "orphan",
        "renewable",
        "token_no_default_policy",
        "path_suffix",
        "token_type",
        "token_num_uses",
    ):
        if d.supplied(name):
            changes[name] = d.get(name)
    for name, legacy in _ALIASES:
        if d.supplied(legacy):
            changes[legacy] = d.get(legacy)
        for key in (legacy, name):
            if d.supplied(key):
                changes[name] = d.get(key)
    return changes


def _validate(role: TokenRole) -> None:
    if role.path_suffix and (not _SUFFIX.fullmatch(role.path_suffix) or ".." in role.path_suffix):
        raise InvalidRequest(
            "given role path suffix contains invalid characters; must match \\w[\\w-.]+\\w"
        )
    if role.token_type in ("batch", "default-batch"):
        raise InvalidRequest("batch tokens are not supported yet")
    if role.token_type not in ("default-service", "service", "default"):
        raise InvalidRequest(f"invalid 'token_type' value \"{role.token_type}\"")
    if role.token_period < 0 or role.token_explicit_max_ttl < 0:
        raise InvalidRequest("durations must be positive")
    if role.token_num_uses < 0:
        raise InvalidRequest("token_num_uses cannot be negative")


class RoleHandlers:
    """Role, accessor and tidy handlers over one TokenContext."""

    def __init__(self, ctx: TokenContext) -> None:
        self.ctx = ctx

    async def role_exists(self, req: Request, d: FieldData) -> bool:
        """Existence check: create vs update capability."""
        del req
        return await self.ctx.store.roles.read(d.get("role_name")) is not None

    async def list_roles(self, req: Request, d: FieldData) -> Response | None:
        """LIST /auth/token/roles. Role names (404 when there are none)."""
        del req, d
        names = await self.ctx.store.roles.list()
        return Response(data={"keys": names}) if names else None

    async def read_role(self, req: Request, d: FieldData) -> Response | None:
        """GET /auth/token/roles/:role_name."""
        del req
        role = await self.ctx.store.roles.read(d.get("role_name"))
        return None if role is None else Response(data=role.to_wire())

    async def write_role(self, req: Request, d: FieldData) -> None:
        """POST /auth/token/roles/:role_name. Create or update a role."""
        del req
        # compat: OpenBao keeps token role names case-sensitive (roles/MyRole != roles/myrole).
        name = d.get("role_name")
        existing = await self.ctx.store.roles.read(name)
        role = replace(existing or TokenRole(name=name), **_updates(d))
        _validate(role)
        await self.ctx.store.roles.write(role)

    async def delete_role(self, req: Request, d: FieldData) -> None:
        """DELETE /auth/token/roles/:role_name."""
        del req
        await self.ctx.store.roles.delete(d.get("role_name"))

    async def list_accessors(self, req: Request, d: FieldData) -> Response | None:
        """LIST /auth/token/accessors (sudo). Accessors of every token."""
        del req, d
        accessors = await self.ctx.store.list_accessors()
        return Response(data={"keys": accessors}) if accessors else None

    async def tidy(self, req: Request, d: FieldData) -> Response:
        """POST /auth/token/tidy. Remove expired tokens and dangling index entries."""
        del req, d
        await self.ctx.store.tidy()
        # compat: OpenBao starts tidy in the background and answers 202 with this warning.
        return Response(
            accepted=True,
            warnings=[
                "Tidy operation successfully started. Any information from the operation "
                "will be printed to OpenBao's server logs."
            ],
        )


def role_paths(ctx: TokenContext) -> list[Path]:
    """Routes for roles, accessors and tidy."""
    h = RoleHandlers(ctx)
    return [
        Path("roles/?", {}, {Operation.LIST: h.list_roles}, synopsis="List token roles."),
        Path(
            "roles/" + segment("role_name"),
            fields=ROLE_FIELDS,
            operations={
                Operation.READ: h.read_role,
                Operation.CREATE: h.write_role,
                Operation.UPDATE: h.write_role,
                Operation.DELETE: h.delete_role,
            },
            existence_check=h.role_exists,
            synopsis="Create, read, update and delete token roles.",
        ),
        Path("accessors/?", {}, {Operation.LIST: h.list_accessors}, synopsis="List accessors."),
        Path("tidy", {}, {Operation.UPDATE: h.tidy}, synopsis="Tidy the token store."),
    ]
