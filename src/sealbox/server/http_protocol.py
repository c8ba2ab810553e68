"""uvicorn's httptools protocol, taught Vault's ``LIST`` HTTP method.

llhttp (under httptools) only knows the registered HTTP methods and answers anything else with
``400 Invalid HTTP request``; Vault clients (hvac, the Go api package, curl -X LIST) send
``LIST``. When a request starts with ``LIST `` at a message boundary, the request line is
handed to the parser as ``PROPFIND`` (a method llhttp knows and Vault never uses) and the ASGI
scope gets ``LIST`` back. A LIST pipelined behind another request in the same read still gets
the parser's 400; no Vault client pipelines.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_LIST = b"LIST "
_STAND_IN = b"PROPFIND "


class VaultHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that accepts the ``LIST`` method."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._at_boundary = True
        self._listing = False

    def data_received(self, data: bytes) -> None:
        if self._at_boundary and data[: len(_LIST)] == _LIST:
            # compat: Vault's Go server accepts any method token; LIST is its list verb.
            data = _STAND_IN + data[len(_LIST) :]
            self._listing = True
        super().data_received(data)

    def on_message_begin(self) -> None:
        self._at_boundary = False
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        if self._listing:
            self._listing = False
            self.scope["method"] = "LIST"

    def on_message_complete(self) -> None:
        self._at_boundary = True
        super().on_message_complete()
