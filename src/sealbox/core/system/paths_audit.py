"""sys/audit and sys/audit-hash, served by the AuditBroker.

OpenBao ≥2.4 refuses API-enabled audit devices after CVE-2025-54997; sealbox keeps the API
(hvac and the Vault CLI use it) but the broker confines file devices to directories the
server configuration allows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.logical import Operation, Request, Response

if TYPE_CHECKING:
    from sealbox.core.system.views import SystemView

_FIELDS = {
    "path": FieldSchema(FieldType.STRING, "Audit device path."),
    "type": FieldSchema(FieldType.STRING, "Device type (file)."),
    "description": FieldSchema(FieldType.STRING, "Description."),
    "options": FieldSchema(FieldType.KV_PAIRS, "Device options (file_path, log_raw, ...)."),
    "local": FieldSchema(FieldType.BOOL, "Not replicated."),
}


def paths(system: SystemView) -> list[Path]:
    """Audit device management paths."""

    async def list_devices(req: Request, d: FieldData) -> Response:
        del req, d
        return Response(data=system.audit.list())

    async def enable(req: Request, d: FieldData) -> Response | None:
        del req
        await system.audit.enable(
            d.get("path"), d.get("type"), d.get("description"), d.get("options"), d.get("local")
        )
        return None

    async def disable(req: Request, d: FieldData) -> Response | None:
        del req
        await system.audit.disable(d.get("path"))
        return None

    async def audit_hash(req: Request, d: FieldData) -> Response:
        del req
        digest = await system.audit.hash(d.get("path"), d.get("input"))
        return Response(data={"hash": digest})

    return [
        Path("audit/?", {}, {Operation.READ: list_devices}, synopsis="List audit devices."),
        Path(
            f"audit/{match_all('path')}",
            _FIELDS,
            {Operation.UPDATE: enable, Operation.DELETE: disable},
            synopsis="Enable or disable an audit device.",
        ),
        Path(
            f"audit-hash/{match_all('path')}",
            {
                "path": FieldSchema(FieldType.STRING, "Audit device path."),
                "input": FieldSchema(FieldType.STRING, "Value to hash."),
            },
            {Operation.UPDATE: audit_hash},
            synopsis="Hash a value as an audit device would.",
        ),
    ]
