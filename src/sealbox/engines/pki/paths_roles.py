"""``roles/`` and ``roles/<name>``: create, read, list and delete PKI roles.

Mirrors openbao builtin/logical/pki/path_roles.go: a write answers 200 with the role (as a
read does), PATCH changes only what it sends, a missing role reads as 404 (a patch of it is a 400), LIST
answers the names.
"""

from __future__ import annotations

from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.names import name as segment
from sealbox.engines.pki.roles import ROLE_FIELDS, Role, role_from_fields, role_wire
from sealbox.engines.pki.store import PKIStore
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, Path
from sealbox.logical import Operation, Request, Response


async def load_role(store: PKIStore, name: str) -> Role:
    """The stored role with defaults for fields added since it was written; 400 if unknown."""
    raw = await store.role_raw(name)
    if raw is None:
        raise InvalidRequest(f"unknown role: {name}")
    return role_wire(raw)


class RolePaths:
    """Handlers of the role endpoints."""

    def __init__(self, ctx: PKIContext) -> None:
        self.ctx = ctx

    def paths(self) -> list[Path]:
        return [
            Path(
                "roles/?",
                operations={Operation.LIST: self.list_roles},
                synopsis="List the existing roles in this backend.",
            ),
            Path(
                "roles/" + segment("name"),
                fields=ROLE_FIELDS,
                operations={
                    Operation.READ: self.read_role,
                    Operation.UPDATE: self.write_role,
                    Operation.PATCH: self.patch_role,
                    Operation.DELETE: self.delete_role,
                },
                existence_check=self.role_exists,
                synopsis="Manage the roles that can be created with this backend.",
            ),
        ]

    async def role_exists(self, req: Request, d: FieldData) -> bool:
        return await self.ctx.store(req).role_raw(d.get("name")) is not None

    async def list_roles(self, req: Request, d: FieldData) -> Response:
        """LIST /:mount/roles."""
        del d
        return Response(data={"keys": await self.ctx.store(req).role_names()})

    async def read_role(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/roles/:name."""
        raw = await self.ctx.store(req).role_raw(d.get("name"))
        return None if raw is None else Response(data=role_wire(raw))

    async def write_role(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/roles/:name. Replaces the role; answers it."""
        role, warnings = role_from_fields(d)
        await self.ctx.store(req).put_role_raw(d.get("name"), role)
        return Response(data=role_wire(role), warnings=warnings)

    async def patch_role(self, req: Request, d: FieldData) -> Response:
        """PATCH /:mount/roles/:name. Changes only the supplied fields."""
        store = self.ctx.store(req)
        raw = await store.role_raw(d.get("name"))
        if raw is None:
            # compat: OpenBao's message (path_roles.go pathRolePatch)
            raise InvalidRequest("Unable to fetch role entry to patch")
        role, warnings = role_from_fields(d, role_wire(raw))
        await store.put_role_raw(d.get("name"), role)
        return Response(data=role_wire(role), warnings=warnings)

    async def delete_role(self, req: Request, d: FieldData) -> None:
        """DELETE /:mount/roles/:name."""
        await self.ctx.store(req).delete_role(d.get("name"))
