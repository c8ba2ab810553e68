"""``tidy`` (POST, 202 + warning as OpenBao answers) and ``tidy-status`` (GET).

OpenBao runs tidy in the background and answers at once; sealbox runs it before answering
(the cost is one pass over the certificate list) so the status read afterwards is final.
"""

from __future__ import annotations

from sealbox.engines.pki.auto_tidy import read_auto_tidy, write_auto_tidy
from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.tidy import TidyRequest, run_tidy, tidy_status
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

TIDY_WARNING = (
    "Tidy operation successfully started. Any information from the operation will be "
    "printed to OpenBao's server logs."
)
_FIELDS = {
    "tidy_cert_store": FieldSchema(FieldType.BOOL, "Remove expired certificates."),
    "tidy_revoked_certs": FieldSchema(FieldType.BOOL, "Remove expired revocations."),
    "safety_buffer": FieldSchema(FieldType.DURATION, "Grace after expiry.", default=259200),
    "tidy_revoked_cert_issuer_associations": FieldSchema(FieldType.BOOL, "No effect here."),
    "tidy_expired_issuers": FieldSchema(FieldType.BOOL, "Not supported."),
    "pause_duration": FieldSchema(FieldType.STRING, "No effect here."),
}

_AUTO_FIELDS = {
    "enabled": FieldSchema(FieldType.BOOL, "Run tidy periodically."),
    "interval_duration": FieldSchema(FieldType.DURATION, "Time between runs."),
    "tidy_cert_store": _FIELDS["tidy_cert_store"],
    "tidy_revoked_certs": _FIELDS["tidy_revoked_certs"],
    "safety_buffer": _FIELDS["safety_buffer"],
}


class TidyPaths:
    """Handlers of tidy."""

    def __init__(self, ctx: PKIContext) -> None:
        self.ctx = ctx

    def paths(self) -> list[Path]:
        return [
            Path(
                "tidy",
                fields=_FIELDS,
                operations={Operation.UPDATE: self.tidy},
                synopsis="Tidy up the backend by removing expired certificates.",
            ),
            Path(
                "tidy-status",
                operations={Operation.READ: self.read_status},
                synopsis="Returns the status of the last tidy operation.",
            ),
            Path(
                "config/auto-tidy",
                fields=_AUTO_FIELDS,
                operations={Operation.READ: self.read_auto, Operation.UPDATE: self.write_auto},
                synopsis="Modifies the current configuration for automatic tidy execution.",
            ),
        ]

    async def tidy(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/tidy."""
        request = TidyRequest(
            tidy_cert_store=d.get("tidy_cert_store"),
            tidy_revoked_certs=d.get("tidy_revoked_certs"),
            safety_buffer=d.get("safety_buffer"),
        )
        if request.safety_buffer < 1:
            raise InvalidRequest("safety_buffer must be greater than zero")
        if not (request.tidy_cert_store or request.tidy_revoked_certs):
            raise InvalidRequest("at least one tidy operation must be enabled")
        await run_tidy(self.ctx, self.ctx.store(req), request)
        # compat: OpenBao answers 202 with only this warning (path_tidy.go)
        return Response(accepted=True, warnings=[TIDY_WARNING])

    async def read_status(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/tidy-status."""
        del d
        return Response(data=await tidy_status(self.ctx.store(req)))

    async def read_auto(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/config/auto-tidy."""
        del d
        return Response(data=(await read_auto_tidy(self.ctx.store(req))).to_wire())

    async def write_auto(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/config/auto-tidy. Changes only the supplied fields."""
        store = self.ctx.store(req)
        config = await read_auto_tidy(store)
        for name in _AUTO_FIELDS:
            if d.supplied(name):
                setattr(config, name, d.get(name))
        await write_auto_tidy(store, config)
        return Response(data=config.to_wire())
