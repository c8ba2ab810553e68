"""The GCP door's HTTP application: Secret Manager REST v1 JSON in and out.

Authentication: ``Authorization: Bearer <token>``, a sealbox token (what dev mode prints for
``CLOUDSDK_AUTH_ACCESS_TOKEN``, or what the door's ``/token`` endpoint answers for a
service-account key) or a self-signed JWT made from a key file (``principal.py``). Authorization
is the union of the token's ACL and IAM bindings of its members (``authz.py``). No token is
UNAUTHENTICATED (401); a token the core does not know is UNAUTHENTICATED too (checked with
``auth/token/lookup-self`` after the core refused a call); a valid token allowed neither way
is PERMISSION_DENIED in GCP's words, which never reveal whether the secret exists. Unexpected
failures log the exception type only.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import orjson

from sealbox.api.app import HTTPRequest
from sealbox.api.facades.gcp import token_endpoint
from sealbox.api.facades.gcp.authz import Authorizer, CallPermissions
from sealbox.api.facades.gcp.context import Call, DoorConfig
from sealbox.api.facades.gcp.errors import (
    GcpError,
    InvalidArgument,
    PermissionDenied,
    Unauthenticated,
    denied,
    error_body,
)
from sealbox.api.facades.gcp.kv import CoreDoor, KVClient
from sealbox.api.facades.gcp.ops_versions import Accessed, access_payload
from sealbox.api.facades.gcp.principal import Principals
from sealbox.api.facades.gcp.routes import Route, route
from sealbox.api.facades.gcp.sweep import door_token, sweep
from sealbox.errors import SealboxError
from sealbox.logical import Operation, Request

log = logging.getLogger("sealbox.gcp")

_JSON = (b"content-type", b"application/json; charset=UTF-8")
_CHALLENGE = (b"www-authenticate", b'Bearer realm="https://accounts.google.com/"')
MAX_BODY = 1024 * 1024
T = TypeVar("T")


class GcpAPI:
    """Serves Secret Manager REST v1 from one Core (``respond`` as for VaultAPI)."""

    def __init__(self, core: CoreDoor, config: DoorConfig | None = None) -> None:
        self.core = core
        self.config = config or DoorConfig()
        self.max_body = MAX_BODY
        #: The gRPC server started beside this app (``server.start_grpc``), kept alive here.
        self.grpc_server: Any = None
        config = self.config
        self.principals = Principals(core, config.auth_mount, lambda: door_token(config))
        self.authz = Authorizer(core, config, self.principals, lambda: door_token(config))

    async def respond(self, request: HTTPRequest) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Status, headers and body for one request; never raises."""
        headers = [_JSON]
        try:
            if request.path == token_endpoint.PATH and request.method == "POST":
                status, body = await token_endpoint.grant(
                    self.principals, request.body, request.client
                )
                headers.append((b"cache-control", b"no-store"))
            else:
                status, body = 200, orjson.dumps(await self._dispatch(request))
        except GcpError as err:
            status, body = err.http, error_body(err)
            if isinstance(err, Unauthenticated):
                headers.append(_CHALLENGE)
        except Exception as err:  # noqa: BLE001 - the renderer is the last line of defence
            log.error(
                "internal error in the GCP door: %s\n%s",
                type(err).__name__,
                "".join(traceback.format_tb(err.__traceback__)),
            )
            failure = GcpError()
            status, body = failure.http, error_body(failure)
        headers.append((b"content-length", str(len(body)).encode()))
        return status, headers, body

    async def _dispatch(self, http: HTTPRequest) -> dict[str, Any]:
        token = bearer(http.headers.get("authorization", ""))
        query = dict(parse_qsl(http.query_string.decode("latin-1"), keep_blank_values=True))
        body = _body(http.body) if http.method in ("POST", "PATCH") else {}
        return await self.call(http.method, http.path, query, body, token, http.client)

    async def call(
        self,
        http_method: str,
        path: str,
        query: dict[str, str],
        body: dict[str, Any],
        token: str,
        address: str,
    ) -> dict[str, Any]:
        """One method, as its REST form names it (the gRPC server translates into this)."""
        found = route(http_method, path)
        return await self._run(found, found.handler, query, body, token, address)

    async def access(self, name: str, token: str, address: str) -> Accessed:
        """AccessSecretVersion of ``name`` with the payload as bytes: the gRPC server's hot
        path, which would otherwise base64 the payload into JSON only to decode it again."""
        found = route("GET", f"/v1/{name}:access")
        return await self._run(found, access_payload, {}, {}, token, address)

    async def _run(
        self,
        found: Route,
        handler: Callable[[Call], Awaitable[T]],
        query: dict[str, str],
        body: dict[str, Any],
        token: str,
        address: str,
    ) -> T:
        try:
            return await self._call(found, handler, query, body, token, address)
        except Unauthenticated:
            self.principals.forget(token)  # a revoked exchanged token: the next call logs in
            raise

    async def _call(
        self,
        found: Route,
        handler: Callable[[Call], Awaitable[T]],
        query: dict[str, str],
        body: dict[str, Any],
        token: str,
        address: str,
    ) -> T:
        if not self.config.owns(found.parent.project):
            resource = found.secret.render(found.parent.project) if found.secret else ""
            raise denied(found.permission, resource or f"projects/{found.parent.project}")
        token = await self.principals.token_of(token, address)
        principal = await self.principals.resolve(token, address)
        resource = _resource(found, self.config.project_number)
        kv_token = await self.authz.kv_token(
            principal, found.permission, found.secret, resource, address
        )
        kv = KVClient(self.core, self.config.mount, kv_token, address)
        kv.permission = found.permission
        kv.resource = resource
        call = Call(
            found.method, self.config, kv, found.parent, query, body, found.secret, found.version
        )
        call.iam = CallPermissions(self.authz, principal, address)
        try:
            return await handler(call)
        except PermissionDenied:
            if kv_token != token:
                log.error("the GCP door's own token may not do what IAM granted (see authz.py)")
            if not await self._known(token, address):
                raise Unauthenticated(
                    "Request had invalid authentication credentials. Expected OAuth 2 access "
                    "token, login cookie or other valid authentication credential."
                ) from None
            raise

    async def _known(self, token: str, address: str) -> bool:
        """Whether the core knows ``token`` (asked only after it refused a call)."""
        try:
            await self.core.handle(
                Request(
                    operation=Operation.READ,
                    path="auth/token/lookup-self",
                    client_token=token,
                    client_address=address,
                )
            )
        except SealboxError:
            return False
        return True

    async def periodic(self) -> None:
        """Scheduled version destructions (the server calls this every minute)."""
        await sweep(self.core, self.config)


def bearer(header: str) -> str:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential."
        )
    return token.strip()


def _body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise InvalidArgument("Invalid JSON payload received.") from err
    if not isinstance(body, dict):
        raise InvalidArgument("Invalid JSON payload received: expected an object.")
    return body


def _resource(found: Route, project: str) -> str:
    if found.secret is None:
        if found.method == "GetLocation":
            return f"projects/{project}/locations/{found.version}"
        return found.parent.render(project)
    name = found.secret.render(project)
    return f"{name}/versions/{found.version}" if found.version else name
