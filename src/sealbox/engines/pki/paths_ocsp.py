"""``ocsp`` (POST, DER body) and ``ocsp/<base64 request>`` (GET): the OCSP responder routes.

RFC 6960 appendix A: GET carries the base64 DER request in the URL, POST the DER itself with
Content-Type application/ocsp-request. The HTTP layer hands a POSTed DER request over as the
base64 field ``ocsp_request`` (compat: OpenBao passes such bodies through unparsed, http/
logical.go ``isOcspRequest``), so both routes end in engines/pki/ocsp_responder.py.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from sealbox.engines.pki import raw
from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.ocsp_responder import respond
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

_FIELDS = {"req": FieldSchema(FieldType.STRING, "Base64 DER OCSP request (GET form).")}
_POST = {"ocsp_request": FieldSchema(FieldType.STRING, "Base64 DER OCSP request (POST body).")}


def _decode(text: str) -> bytes:
    cleaned = unquote(text).strip()
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=False)
    except (binascii.Error, ValueError):
        return b""


class OCSPPaths:
    """Handlers of the OCSP responder."""

    def __init__(self, ctx: PKIContext) -> None:
        self.ctx = ctx

    def paths(self) -> list[Path]:
        return [
            Path(
                "ocsp",
                fields=_POST,
                operations={Operation.UPDATE: self.ocsp_post},
                synopsis="Query a certificate's revocation status through OCSP (POST).",
            ),
            Path(
                "ocsp/(?P<req>.+)",
                fields=_FIELDS,
                operations={Operation.READ: self.ocsp_get},
                synopsis="Query a certificate's revocation status through OCSP (GET).",
            ),
        ]

    async def _answer(self, req: Request, der: bytes) -> Response:
        answer, failure = await respond(self.ctx, self.ctx.store(req), der)
        return raw.raw_body(answer, raw.OCSP_RESPONSE, status=failure)

    async def ocsp_post(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/ocsp (unauthenticated)."""
        return await self._answer(req, _decode(d.get("ocsp_request")))

    async def ocsp_get(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/ocsp/:request (unauthenticated)."""
        return await self._answer(req, _decode(d.get("req")))
