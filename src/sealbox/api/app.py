"""The Vault-compatible HTTP API as a plain ASGI application.

Translates HTTP into a ``Request`` for the Core and the ``Response`` back into Vault's JSON
(OpenBao internal/http/handler.go and logical.go): token headers, LIST and ``?list=true``,
``X-Vault-Wrap-TTL``, the 32 MiB body limit, merge-patch content type for PATCH, Go's
path-cleaning redirect, and errors as ``{"errors": [...]}`` with Content-Type exactly
``application/json``. Nothing secret is logged: unexpected failures log the exception type
and stack frames only, never messages or request data.
"""

from __future__ import annotations

import base64
import logging
import os
import posixpath
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson

from sealbox.api.envelope import headers as response_headers
from sealbox.api.envelope import render
from sealbox.api.errors import error_bytes
from sealbox.api.sys_raw import RAW_HANDLERS
from sealbox.core.core import Core
from sealbox.errors import (
    FieldValidationError,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    SealboxError,
    UnsupportedMediaType,
    UnsupportedOperation,
)
from sealbox.goformat import GO_FALSE, GO_TRUE, parse_duration
from sealbox.logical import Operation, Request, Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_BODY = 32 * 1024 * 1024
log = logging.getLogger("sealbox.api")

_JSON_HEADERS = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
_NO_BODY_HEADERS = [(b"cache-control", b"no-store")]
_METHODS = {
    "GET": Operation.READ,
    "POST": Operation.UPDATE,
    "PUT": Operation.UPDATE,
    "DELETE": Operation.DELETE,
    "LIST": Operation.LIST,
    "PATCH": Operation.PATCH,
}


@dataclass(frozen=True, slots=True)
class HTTPRequest:
    """One parsed HTTP request, whichever transport read it (server/http.py or ASGI)."""

    method: str
    raw_path: str  # as sent, percent-encoding intact, without the query
    path: str  # percent-decoded
    query_string: bytes
    headers: dict[str, str]  # lower-cased names
    body: bytes = field(repr=False)
    client: str = ""
    client_cert_pem: str = field(default="", repr=False)


class VaultAPI:
    """Serves ``/v1/...`` from one Core: ``respond`` for sealbox's HTTP server, ASGI for tests."""

    def __init__(self, core: Core, max_body: int = MAX_BODY) -> None:
        self.core = core
        self.max_body = max_body

    async def respond(self, request: HTTPRequest) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Status, headers and body for one request; never raises."""
        method = request.method
        try:
            status, body, extra = await self._dispatch(request)
        except SealboxError as err:
            status, body, extra = err.status, error_bytes(err), []
        except Exception as err:  # noqa: BLE001 - the renderer is the last line of defence
            _log_internal(err, method, request.path)
            status, body, extra = 500, b'{"errors":["internal error"]}', []
        return status, _response_headers(status, body, extra), b"" if method == "HEAD" else body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._asgi_http(scope, receive, send)
        elif kind == "lifespan":
            await _lifespan(receive, send)

    async def _asgi_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        try:
            body = await _read_body(receive, self.max_body, headers)
        except SealboxError as err:
            status, body = err.status, error_bytes(err)
            out = _response_headers(status, body, [])
        else:
            raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
            request = HTTPRequest(
                method=scope["method"],
                raw_path=raw_path.decode("latin-1").split("?", 1)[0],
                path=scope["path"],
                query_string=scope.get("query_string", b""),
                headers=headers,
                body=body,
                client=(scope.get("client") or ("", 0))[0],
            )
            status, out, body = await self.respond(request)
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": body})

    async def _dispatch(self, http: HTTPRequest) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        method, headers, body = http.method, http.headers, http.body
        cleaned = _clean(http.raw_path)
        if cleaned != http.raw_path:
            # compat: Go's ServeMux redirects unclean paths (307) to the cleaned one.
            raw_query = http.query_string
            target = cleaned + ("?" + raw_query.decode("latin-1") if raw_query else "")
            return 307, b"", [(b"location", target.encode("latin-1"))]
        path = http.path
        if not path.startswith("/v1/"):
            raise NotFound()
        api_path = path[4:]
        if any(part in ("..", ".") for part in api_path.split("/")):
            raise InvalidRequest("relative paths not supported")

        query_string = http.query_string
        query = (
            dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
            if query_string
            else {}
        )

        raw_handler = RAW_HANDLERS.get(api_path.rstrip("/"))
        if raw_handler is not None:
            status, payload = await raw_handler(self.core, method, _parse_json(body), query)
            return status, orjson.dumps(payload), []
        if api_path.rstrip("/") == "sys/seal" and method in ("PUT", "POST") and self.core.sealed:
            # compat: sealing a sealed node is a no-op answered 204 (http/sys_seal.go,
            # SealWithRequest returns early when already sealed)
            return 204, b"", []

        if method == "HEAD" and api_path.endswith("acme/new-nonce"):
            # compat: OpenBao answers HEAD only on ACME new-nonce (RFC 8555 7.2), 405 elsewhere;
            # it reads like GET and respond() drops the body.
            operation = Operation.READ
        else:
            operation = _operation(method, query, headers)
        if operation is Operation.LIST and not api_path.endswith("/"):
            # compat: Vault's HTTP layer lists prefixes, so it appends the slash.
            api_path += "/"
        if method in ("GET", "LIST"):
            data: dict[str, Any] = {k: v for k, v in query.items() if k not in ("list", "help")}
        elif headers.get("content-type", "").split(";")[0].strip() == "application/ocsp-request":
            # compat: OpenBao hands DER OCSP requests to pki unparsed (http/logical.go)
            data = {"ocsp_request": base64.b64encode(body).decode("ascii")}
        else:
            data = _parse_json(body)
        request = Request(
            operation=operation,
            path=api_path,
            data=data,
            client_token=_token(headers),
            client_address=http.client,
            client_cert_pem=http.client_cert_pem,
            wrap_ttl=_wrap_ttl(headers),
            request_id=_request_id(),
        )
        try:
            response = await self.core.handle(request)
        except SealboxError as err:
            if err.data is None and not err.warnings:
                raise
            # compat: some Vault errors carry an envelope (a deleted KV v2 version's metadata,
            # a warning about the unversioned KV API) instead of {"errors": [...]}.
            answer = Response(data=err.data, warnings=err.warnings)
            status, payload, _ = render(answer, request.request_id, status=err.status)
            return status, payload, []
        status, payload, media_type = render(
            response, request.request_id, path=api_path, operation=operation
        )
        extra = [(b"content-type", media_type.encode())] if media_type else []
        return status, payload, extra + response_headers(response)


def _response_headers(
    status: int, body: bytes, extra: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    typed = any(name == b"content-type" for name, _ in extra)
    json_body = (body or status >= 400) and not typed
    headers = (_JSON_HEADERS if json_body else _NO_BODY_HEADERS) + extra
    if status >= 300 or body:
        headers = [*headers, (b"content-length", str(len(body)).encode())]
    return headers


def _request_id() -> str:
    """A random UUID-formatted id, without uuid4's object construction on the hot path."""
    raw = os.urandom(16).hex()
    return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-{raw[16:20]}-{raw[20:]}"


def _clean(path: str) -> str:
    """Go's path.Clean for URL paths, keeping a trailing slash."""
    if "//" not in path and "/." not in path:
        return path
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    if path.endswith("/") and cleaned != "/":
        cleaned += "/"
    return cleaned


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


async def _read_body(receive: Receive, limit: int, headers: dict[str, str]) -> bytes:
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge()
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _parse_json(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as err:
        if "UTF-8" in err.msg:
            raise InvalidRequest(
                "failed to decode JSON input: request body is not valid UTF-8"
            ) from err
        raise InvalidRequest(f"failed to decode JSON input: {err.msg}") from err
    if data is None:
        # compat: Go decodes a JSON null into an empty map (`vault write -f` sends null).
        return {}
    if not isinstance(data, dict):
        raise InvalidRequest("failed to decode JSON input: expected a JSON object")
    return data


def _operation(method: str, query: dict[str, str], headers: dict[str, str]) -> Operation:
    # compat: any non-empty help value asks for help (handler.go wrapHelpHandler)
    if query.get("help"):
        return Operation.HELP
    # compat: list is parsed with Go's strconv.ParseBool ("True" from requests included);
    # anything else is a 400 (logical.go buildLogicalRequestNoAuth)
    list_value = query.get("list", "") if method == "GET" else ""
    if list_value in GO_TRUE:
        return Operation.LIST
    if list_value and list_value not in GO_FALSE:
        raise InvalidRequest(f"invalid list value {list_value!r}")
    operation = _METHODS.get(method)
    if operation is None and method == "OPTIONS":
        # compat: without CORS, OpenBao maps OPTIONS to an internal operation it refuses.
        raise InvalidRequest("cannot handle internal-only request operation")
    if operation is None:
        raise UnsupportedOperation("")
    if operation is Operation.PATCH:
        content_type = headers.get("content-type", "")
        if not content_type.split(";")[0].strip():
            # compat: Go's mime.ParseMediaType("") fails first (handler.go parseJSONRequest).
            raise InvalidRequest("mime: no media type")
        if content_type.split(";")[0].strip() != "application/merge-patch+json":
            raise UnsupportedMediaType(
                "PATCH requires Content-Type of application/merge-patch+json, provided "
                + (content_type or "none")
            )
    return operation


def _token(headers: dict[str, str]) -> str:
    token = headers.get("x-vault-token", "")
    if token:
        return token
    authorization = headers.get("authorization", "")
    # compat: OpenBao takes the token only from the exact "Bearer " prefix (handler.go).
    if authorization.startswith("Bearer "):
        return authorization[7:].strip()
    return ""


def _wrap_ttl(headers: dict[str, str]) -> int:
    value = headers.get("x-vault-wrap-ttl")
    if not value:
        return 0
    # compat: OpenBao's messages (http/handler.go parseRequestWrapTTL / logical.go)
    try:
        ttl = parse_duration(value)
    except ValueError as err:
        raise FieldValidationError(
            f'error parsing X-Vault-Wrap-TTL header: time: invalid duration "{value}"'
        ) from err
    if ttl < 0:
        raise FieldValidationError(
            "error parsing X-Vault-Wrap-TTL header: requested wrap ttl cannot be negative"
        )
    return ttl


def _log_internal(err: BaseException, method: str, path: str) -> None:
    # Only the type and the frames: exception messages can quote request data.
    frames = "".join(traceback.format_tb(err.__traceback__))
    log.error("internal error on %s %s: %s\n%s", method, path, type(err).__name__, frames)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
