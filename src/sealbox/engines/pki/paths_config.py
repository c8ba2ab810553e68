"""``config/urls`` and ``config/crl``: a write changes only the supplied fields; reads always
answer (defaults when never written). OpenBao answers both writes with the new config (200).
"""

from __future__ import annotations

from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.settings import (
    CRLConfig,
    read_crl_config,
    read_urls,
    write_crl_config,
    write_urls,
)
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

_L, _B, _S = FieldType.COMMA_STRING_LIST, FieldType.BOOL, FieldType.STRING
_URL_FIELDS = {
    "issuing_certificates": FieldSchema(_L, "CA Issuers URLs (AIA)."),
    "crl_distribution_points": FieldSchema(_L, "CRL distribution points (CDP)."),
    "ocsp_servers": FieldSchema(_L, "OCSP responder URLs (AIA)."),
    "delta_crl_distribution_points": FieldSchema(_L, "Delta CRL URLs."),
    "enable_templating": FieldSchema(_B, "URL templating (not supported)."),
}
_CRL_FIELDS = {
    name: FieldSchema(_B if isinstance(default, bool) else _S, f"CRL setting {name}.")
    for name, default in CRLConfig().to_wire().items()
}


class ConfigPaths:
    """Handlers of the mount configuration endpoints."""

    def __init__(self, ctx: PKIContext) -> None:
        self.ctx = ctx

    def paths(self) -> list[Path]:
        return [
            Path(
                "config/urls",
                fields=_URL_FIELDS,
                operations={Operation.READ: self.read_urls, Operation.UPDATE: self.write_urls},
                synopsis="Set the URLs for the issuing CA, CRL distribution points, and OCSP servers.",
            ),
            Path(
                "config/crl",
                fields=_CRL_FIELDS,
                operations={Operation.READ: self.read_crl, Operation.UPDATE: self.write_crl},
                synopsis="Configure the CRL expiration.",
            ),
        ]

    async def read_urls(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/config/urls."""
        del d
        return Response(data=(await read_urls(self.ctx.store(req))).to_wire())

    async def write_urls(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/config/urls."""
        store = self.ctx.store(req)
        config = await read_urls(store)
        for name in _URL_FIELDS:
            if d.supplied(name):
                setattr(config, name, d.get(name))
        await write_urls(store, config)
        return Response(data=config.to_wire())

    async def read_crl(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/config/crl."""
        del d
        return Response(data=(await read_crl_config(self.ctx.store(req))).to_wire())

    async def write_crl(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/config/crl."""
        store = self.ctx.store(req)
        config = await read_crl_config(store)
        for name in _CRL_FIELDS:
            if d.supplied(name):
                setattr(config, name, d.get(name))
        await write_crl_config(store, config)
        return Response(data=config.to_wire())
