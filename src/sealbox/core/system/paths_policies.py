"""sys/policies/acl, the legacy sys/policy, backed by the PolicyStore.

Mirrors OpenBao's logical_system.go policy handlers; a read returns exactly ``name`` and
``policy`` (hvac asserts those two keys).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.logical import Operation, Request, Response

if TYPE_CHECKING:
    from sealbox.core.system.views import SystemView

_FIELDS = {
    "name": FieldSchema(FieldType.STRING, "Policy name."),
    "policy": FieldSchema(FieldType.STRING, "Policy document (HCL or JSON)."),
    "rules": FieldSchema(FieldType.STRING, "Legacy alias of policy."),
}


def paths(system: SystemView) -> list[Path]:
    """Policy CRUD paths."""
    store = system.policies

    async def list_acl(req: Request, d: FieldData) -> Response:
        del req, d
        return Response(data={"keys": await store.names()})

    async def list_legacy(req: Request, d: FieldData) -> Response:
        del req, d
        names = await store.names()
        return Response(data={"keys": names, "policies": names})

    def make_read(legacy: bool) -> object:
        async def read(req: Request, d: FieldData) -> Response | None:
            del req
            name = d.get("name").lower()
            text = "" if name == "root" else await store.raw(name)
            if text is None:
                return None
            key = "rules" if legacy else "policy"
            return Response(data={"name": name, key: text})

        return read

    async def write(req: Request, d: FieldData) -> Response | None:
        del req
        name = d.get("name").lower()
        text = d.get("policy") or d.get("rules")
        if not text:
            raise InvalidRequest("'policy' parameter not supplied or empty")
        await store.put(name, text)
        if d.supplied("rules"):
            # compat: OpenBao answers 200 with this warning (logical_system.go handlePolicySet).
            return Response(warnings=["'rules' is deprecated, please use 'policy' instead"])
        return None

    async def delete(req: Request, d: FieldData) -> Response | None:
        del req
        await store.delete(d.get("name"))
        return None

    return [
        Path(
            "policies/acl/?",
            {},
            {Operation.LIST: list_acl, Operation.READ: list_acl},
            synopsis="List ACL policies.",
        ),
        Path(
            f"policies/acl/{match_all('name')}",
            _FIELDS,
            {
                Operation.READ: make_read(False),  # type: ignore[dict-item]
                Operation.UPDATE: write,
                Operation.DELETE: delete,
            },
            synopsis="Read, write or delete an ACL policy.",
        ),
        Path(
            "policy/?",
            {},
            {Operation.READ: list_legacy, Operation.LIST: list_legacy},
            synopsis="List policies (legacy).",
        ),
        Path(
            f"policy/{match_all('name')}",
            _FIELDS,
            {
                Operation.READ: make_read(True),  # type: ignore[dict-item]
                Operation.UPDATE: write,
                Operation.DELETE: delete,
            },
            synopsis="Read, write or delete a policy (legacy).",
        ),
    ]
