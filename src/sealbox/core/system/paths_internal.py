"""sys/internal/specs/openapi: the OpenAPI 3 document of every mounted backend.

Every mounted backend's Paths are rendered under their mount point, so the document always
describes what this server serves (OpenBao internal-specs-openapi.mdx).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.framework import Path
from sealbox.framework.openapi import openapi_document
from sealbox.logical import Operation, Request, Response

if TYPE_CHECKING:
    from sealbox.core.system.views import SystemView
    from sealbox.framework import FieldData


def paths(system: SystemView) -> list[Path]:
    """The OpenAPI path."""

    async def read_spec(req: Request, d: FieldData) -> Response:
        del req, d
        return Response(
            data=openapi_document((r.mount_path, r.backend) for r in system.mounts.router.routes())
        )

    return [
        Path(
            "internal/specs/openapi",
            {},
            {Operation.READ: read_spec},
            synopsis="The OpenAPI document of this server.",
        )
    ]
