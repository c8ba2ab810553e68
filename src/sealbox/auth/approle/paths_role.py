"""``role/:role_name`` (and its per-field sub-paths) and ``role/:role_name/role-id``.

Mirrors OpenBao's approle path_role.go: a role needs ``bind_secret_id`` or some CIDR bound
("at least one constraint should be enabled on the role"); a new role gets a random UUID role
ID unless one is given; role IDs are unique across the mount; reads show the ``token_*``
fields plus ``bind_secret_id``, ``local_secret_ids``, ``secret_id_bound_cidrs``,
``secret_id_num_uses`` and ``secret_id_ttl`` (and ``policies``/``period`` while the
deprecated names are in use).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sealbox.auth.approle.store import AppRoleStore, Role
from sealbox.errors import InternalError, InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import segment
from sealbox.framework.tokenutil import TokenSettings, parse_cidrs, token_fields
from sealbox.logical import Operation, Request, Response

ROLE_NAME = segment("role_name")
_NAME = {"role_name": FieldSchema(FieldType.STRING, "Name of the role.")}
_ROLE_SPECIFIC = {
    "bind_secret_id": FieldSchema(FieldType.BOOL, "Require a secret ID to log in.", default=True),
    "secret_id_bound_cidrs": FieldSchema(FieldType.COMMA_STRING_LIST, "Where secret IDs work."),
    "bound_cidr_list": FieldSchema(
        FieldType.COMMA_STRING_LIST, "Deprecated: secret_id_bound_cidrs."
    ),
    "secret_id_num_uses": FieldSchema(FieldType.INT, "Uses of each secret ID (0 = unlimited)."),
    "secret_id_ttl": FieldSchema(FieldType.DURATION, "Lifetime of each secret ID (0 = forever)."),
    "local_secret_ids": FieldSchema(FieldType.BOOL, "Secret IDs local to this cluster."),
    "role_id": FieldSchema(FieldType.STRING, "Role ID to use (default: a random UUID)."),
}
ROLE_FIELDS: dict[str, FieldSchema] = {
    **_NAME,
    **_ROLE_SPECIFIC,
    **token_fields(deprecated=("policies", "period")),
}


def role_wire(role: Role) -> dict[str, Any]:
    """``GET role/:role_name``."""
    data: dict[str, Any] = {
        "bind_secret_id": role.bind_secret_id,
        "local_secret_ids": role.local_secret_ids,
        # compat: null, not [], when unset (a nil slice in OpenBao)
        "secret_id_bound_cidrs": list(role.secret_id_bound_cidrs) or None,
        "secret_id_num_uses": role.secret_id_num_uses,
        "secret_id_ttl": role.secret_id_ttl,
    }
    data.update(role.token.to_wire())
    return data


def _check(role: Role) -> None:
    if role.secret_id_num_uses < 0:
        raise InvalidRequest("secret_id_num_uses cannot be negative")
    if role.secret_id_ttl < 0:
        raise InvalidRequest("secret_id_ttl cannot be negative")
    if (
        not role.bind_secret_id
        and not role.secret_id_bound_cidrs
        and not role.token.token_bound_cidrs
    ):
        # compat: OpenBao answers 500 (path_role.go returns a plain error)
        raise InternalError("at least one constraint should be enabled on the role")


def _apply_role_fields(role: Role, d: FieldData) -> None:
    if d.supplied("bind_secret_id"):
        role.bind_secret_id = d.get("bind_secret_id")
    if d.supplied("secret_id_bound_cidrs") and d.supplied("bound_cidr_list"):
        raise InvalidRequest('cannot specify both "secret_id_bound_cidrs" and "bound_cidr_list"')
    for name in ("secret_id_bound_cidrs", "bound_cidr_list"):
        if d.supplied(name):
            role.secret_id_bound_cidrs = parse_cidrs(d.get(name))
    for name in ("secret_id_num_uses", "secret_id_ttl", "local_secret_ids"):
        if d.supplied(name):
            setattr(role, name, d.get(name))


class RoleHandlers:
    """Role CRUD over one AppRoleStore."""

    def __init__(self, store: AppRoleStore) -> None:
        self.store = store

    async def required_role(self, d: FieldData) -> Role:
        """The role named in the URL; 400 ``role "x" does not exist`` otherwise."""
        role = await self.store.role(d.get("role_name"))
        if role is None:
            raise InvalidRequest(f'role "{d.get("role_name")}" does not exist')
        return role

    async def role_exists(self, req: Request, d: FieldData) -> bool:
        """Existence check: create vs update capability."""
        del req
        return await self.store.role(d.get("role_name")) is not None

    async def list_roles(self, req: Request, d: FieldData) -> Response | None:
        """LIST /auth/approle/role."""
        del req, d
        names = await self.store.role_names()
        return Response(data={"keys": names}) if names else None

    async def read_role(self, req: Request, d: FieldData) -> Response | None:
        """GET /auth/approle/role/:role_name."""
        del req
        role = await self.store.role(d.get("role_name"))
        return None if role is None else Response(data=role_wire(role))

    async def write_role(self, req: Request, d: FieldData) -> None:
        """POST /auth/approle/role/:role_name. Create or update a role."""
        del req
        existing = await self.store.role(d.get("role_name"))
        previous_id = existing.role_id if existing is not None else ""
        role = existing or Role(name=d.get("role_name"), role_id="")
        _apply_role_fields(role, d)
        role.token = role.token.updated(d)
        await self._set_role_id(role, d.get("role_id") if d.supplied("role_id") else "")
        _check(role)
        await self.store.save_role(role, previous_id)

    async def _set_role_id(self, role: Role, requested: str) -> None:
        if requested:
            if requested != role.role_id and await self.store.role_id_taken(requested):
                raise InvalidRequest("role_id already in use")
            role.role_id = requested
        elif not role.role_id:
            role.role_id = str(uuid.uuid4())

    async def delete_role(self, req: Request, d: FieldData) -> None:
        """DELETE /auth/approle/role/:role_name (and its secret IDs)."""
        del req
        role = await self.store.role(d.get("role_name"))
        if role is not None:
            await self.store.delete_role(role)

    async def read_role_id(self, req: Request, d: FieldData) -> Response | None:
        """GET /auth/approle/role/:role_name/role-id."""
        del req
        role = await self.store.role(d.get("role_name"))
        return None if role is None else Response(data={"role_id": role.role_id})

    async def write_role_id(self, req: Request, d: FieldData) -> None:
        """POST /auth/approle/role/:role_name/role-id. Set a custom role ID."""
        del req
        role = await self.required_role(d)
        previous = role.role_id
        if not d.get("role_id"):
            raise InvalidRequest("missing role_id")
        await self._set_role_id(role, d.get("role_id"))
        await self.store.save_role(role, previous)


# Per-field sub-paths (path_role.go): url name -> (field name, how to read it).
_FIELD_PATHS: dict[str, tuple[str, Callable[[Role], Any]]] = {
    "policies": ("token_policies", lambda r: list(r.token.token_policies)),
    "secret-id-num-uses": ("secret_id_num_uses", lambda r: r.secret_id_num_uses),
    "secret-id-ttl": ("secret_id_ttl", lambda r: r.secret_id_ttl),
    "token-ttl": ("token_ttl", lambda r: r.token.token_ttl),
    "token-max-ttl": ("token_max_ttl", lambda r: r.token.token_max_ttl),
    "token-num-uses": ("token_num_uses", lambda r: r.token.token_num_uses),
    "bind-secret-id": ("bind_secret_id", lambda r: r.bind_secret_id),
    "secret-id-bound-cidrs": ("secret_id_bound_cidrs", lambda r: list(r.secret_id_bound_cidrs)),
    "token-bound-cidrs": ("token_bound_cidrs", lambda r: list(r.token.token_bound_cidrs)),
    "period": ("token_period", lambda r: r.token.token_period),
}


def _field_path(h: RoleHandlers, url: str, field_name: str, getter: Callable[[Role], Any]) -> Path:
    schema = {**_NAME, field_name: ROLE_FIELDS[field_name]}
    legacy = {"policies": "policies", "period": "period"}.get(url)
    if legacy:
        schema[legacy] = ROLE_FIELDS[legacy]

    async def read(req: Request, d: FieldData) -> Response | None:
        del req
        role = await h.store.role(d.get("role_name"))
        if role is None:
            return None
        data = {field_name: getter(role)}
        if legacy:
            data[legacy] = getter(role)
        return Response(data=data)

    async def write(req: Request, d: FieldData) -> None:
        del req
        role = await h.required_role(d)
        _apply_role_fields(role, d)
        role.token = role.token.updated(d)
        _check(role)
        await h.store.save_role(role)

    async def reset(req: Request, d: FieldData) -> None:
        del req
        role = await h.required_role(d)
        if field_name.startswith("token_"):
            defaults = TokenSettings()
            role.token = TokenSettings.from_json(
                {**role.token.to_json(), field_name: getattr(defaults, field_name)}
            )
        else:
            setattr(role, field_name, getattr(Role(name="", role_id=""), field_name))
        _check(role)
        await h.store.save_role(role)

    return Path(
        "role/" + ROLE_NAME + "/" + url,
        schema,
        {Operation.READ: read, Operation.UPDATE: write, Operation.DELETE: reset},
        synopsis=f"Read, set or reset the role's {field_name}.",
    )


def role_paths(store: AppRoleStore) -> tuple[RoleHandlers, list[Path]]:
    """Routes of roles and role IDs (the handlers are shared with the secret-ID routes)."""
    h = RoleHandlers(store)
    paths = [
        Path("role/?", {}, {Operation.LIST: h.list_roles}, synopsis="List roles."),
        Path(
            "role/" + ROLE_NAME,
            ROLE_FIELDS,
            {
                Operation.READ: h.read_role,
                Operation.CREATE: h.write_role,
                Operation.UPDATE: h.write_role,
                Operation.DELETE: h.delete_role,
            },
            existence_check=h.role_exists,
            synopsis="Create, read, update or delete a role.",
        ),
        Path(
            "role/" + ROLE_NAME + "/role-id",
            {**_NAME, "role_id": ROLE_FIELDS["role_id"]},
            {Operation.READ: h.read_role_id, Operation.UPDATE: h.write_role_id},
            synopsis="Read or set the role ID of a role.",
        ),
    ]
    paths += [_field_path(h, url, name, get) for url, (name, get) in _FIELD_PATHS.items()]
    return h, paths
