"""sys/seal, sys/rotate (keyring), sys/key-status.

Mirrors OpenBao's logical_system.go: rotate adds a barrier key term (older terms still
decrypt), key-status reports the active term.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.framework import FieldData, Path
from sealbox.goformat import rfc3339_nano
from sealbox.logical import Operation, Request, Response

if TYPE_CHECKING:
    from sealbox.core.system.views import SystemView


def paths(system: SystemView) -> list[Path]:
    """Key management paths."""

    async def seal(req: Request, d: FieldData) -> Response | None:
        del req, d
        await system.sealer.seal()
        return None

    async def rotate(req: Request, d: FieldData) -> Response | None:
        del req, d
        await system.keyring.rotate()
        return None

    async def key_status(req: Request, d: FieldData) -> Response:
        del req, d
        status = system.keyring.key_status()
        return Response(
            data={
                "term": status.term,
                "install_time": rfc3339_nano(status.install_time),
                "encryptions": status.encryptions,
            },
        )

    return [
        Path("seal", {}, {Operation.UPDATE: seal}, synopsis="Seal the server."),
        Path(
            "rotate(/keyring)?",
            {},
            {Operation.UPDATE: rotate},
            synopsis="Add a new barrier key term.",
        ),
        Path(
            "key-status", {}, {Operation.READ: key_status}, synopsis="The active barrier key term."
        ),
    ]
