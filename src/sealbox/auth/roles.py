"""Roles of a login method that keeps them as dataclasses: their storage and CRUD paths.

The JWT/OIDC and Kubernetes methods store their roles the same way (JSON under ``role/``,
names case-insensitive, token settings encoded by ``TokenSettings``) and serve the same
``role/`` and ``role/:name`` paths; only the role type and how a write builds a role differ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import orjson

from sealbox.framework import FieldData, FieldSchema, Path
from sealbox.framework.path import segment
from sealbox.framework.tokenutil import TokenSettings
from sealbox.logical import Operation, Request, Response, Storage

_PREFIX = "role/"


class Role(Protocol):
    """A role dataclass: a name, token settings, and its read shape."""

    __dataclass_fields__: ClassVar[dict[str, Any]]
    name: str
    token: TokenSettings

    def to_wire(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=Role)


class RoleStore(Generic[R]):
    """Roles of one mount, stored as JSON under ``role/<lower-cased name>``."""

    def __init__(self, storage: Storage, role_type: Callable[..., R]) -> None:
        self._storage = storage
        self._role_type = role_type

    async def get(self, name: str) -> R | None:
        """The role ``name``."""
        blob = await self._storage.get(_PREFIX + name.lower())
        if blob is None:
            return None
        raw = orjson.loads(blob)
        raw["token"] = TokenSettings.from_json(raw["token"])
        return self._role_type(**raw)

    async def put(self, role: R) -> None:
        """Store ``role``."""
        raw = asdict(role)
        raw["token"] = role.token.to_json()
        await self._storage.put(_PREFIX + role.name.lower(), orjson.dumps(raw))

    async def delete(self, name: str) -> None:
        """Delete the role ``name``."""
        await self._storage.delete(_PREFIX + name.lower())

    async def names(self) -> list[str]:
        """Every role name, sorted."""
        return sorted(await self._storage.list(_PREFIX))


def role_paths(
    store: RoleStore[R],
    fields: Mapping[str, FieldSchema],
    updated: Callable[[R | None, str, FieldData], R],
    synopsis: str = "Manage roles.",
) -> list[Path]:
    """``LIST role/`` and ``role/:name`` (read, create, update, delete) over ``store``."""

    async def role_exists(req: Request, d: FieldData) -> bool:
        del req
        return await store.get(d.get("name")) is not None

    async def list_roles(req: Request, d: FieldData) -> Response | None:
        del req, d
        names = await store.names()
        return Response(data={"keys": names}) if names else None

    async def read_role(req: Request, d: FieldData) -> Response | None:
        del req
        role = await store.get(d.get("name"))
        return None if role is None else Response(data=role.to_wire())

    async def write_role(req: Request, d: FieldData) -> None:
        del req
        name = d.get("name")
        await store.put(updated(await store.get(name), name, d))

    async def delete_role(req: Request, d: FieldData) -> None:
        del req
        await store.delete(d.get("name"))

    ops = Operation
    return [
        Path("role/?", {}, {ops.LIST: list_roles}, synopsis="List roles."),
        Path(
            "role/" + segment("name"),
            fields,
            {
                ops.READ: read_role,
                ops.CREATE: write_role,
                ops.UPDATE: write_role,
                ops.DELETE: delete_role,
            },
            existence_check=role_exists,
            synopsis=synopsis,
        ),
    ]
