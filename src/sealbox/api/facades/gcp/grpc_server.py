"""``google.cloud.secretmanager.v1.SecretManagerService`` over gRPC, onto the REST methods.

The Python client's default transport is gRPC. Each RPC is translated into the REST form of
the same method (``GcpAPI.call``: URL, query, JSON body) and its JSON answer parsed back into
the response message, so both transports share one implementation. AccessSecretVersion, the
call applications make all the time, goes through ``GcpAPI.access`` instead: the same route,
authorization and KV read, with the payload kept as bytes from the read to the response. The
message classes are the ones google-cloud-secret-manager ships (and googleapis-common-protos'
IAM messages); none are generated or hand-encoded here, so this module needs the ``grpc``
extra installed.

Authentication is the ``authorization: Bearer <sealbox token>`` metadata google-auth attaches
to every call; errors map onto gRPC status codes of the same names. With TLS (the listener's
certificate) the client needs only ``client_options={"api_endpoint": "host:port"}``, its
credentials and the CA in ``GRPC_DEFAULT_SSL_ROOTS_FILE_PATH``; without TLS (dev mode) the
server takes local (loopback) credentials and the client a channel made with
``grpc.local_channel_credentials()`` composed with ``grpc.access_token_call_credentials``.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import grpc  # type: ignore[import-untyped]
from google.cloud.location import locations_pb2  # type: ignore[import-untyped]
from google.cloud.secretmanager_v1.types import resources, service
from google.iam.v1 import iam_policy_pb2, policy_pb2  # type: ignore[import-untyped]
from google.protobuf import empty_pb2, json_format  # type: ignore[import-untyped]

from sealbox.api.facades.gcp.app import GcpAPI, bearer
from sealbox.api.facades.gcp.errors import GcpError, Unauthenticated

SERVICE = "google.cloud.secretmanager.v1.SecretManagerService"
Rest = tuple[str, str, dict[str, str], dict[str, Any]]
Translate = Callable[[dict[str, Any]], Rest]


def _paged(msg: dict[str, Any], path: str) -> Rest:
    query = {
        k: str(msg[j])
        for k, j in (("pageSize", "pageSize"), ("pageToken", "pageToken"), ("filter", "filter"))
        if msg.get(j)
    }
    return "GET", path, query, {}


def _etag_body(msg: dict[str, Any]) -> dict[str, Any]:
    return {"etag": msg["etag"]} if msg.get("etag") else {}


# RPC name -> (request class, response class, translation into the REST form)
_RPCS: dict[str, tuple[Any, Any, Translate]] = {
    "ListSecrets": (
        service.ListSecretsRequest.pb(),
        service.ListSecretsResponse.pb(),
        lambda m: _paged(m, f"/v1/{m.get('parent', '')}/secrets"),
    ),
    "CreateSecret": (
        service.CreateSecretRequest.pb(),
        resources.Secret.pb(),
        lambda m: (
            "POST",
            f"/v1/{m.get('parent', '')}/secrets",
            {"secretId": m.get("secretId", "")},
            m.get("secret") or {},
        ),
    ),
    "AddSecretVersion": (
        service.AddSecretVersionRequest.pb(),
        resources.SecretVersion.pb(),
        lambda m: (
            "POST",
            f"/v1/{m.get('parent', '')}:addVersion",
            {},
            {"payload": m.get("payload") or {}},
        ),
    ),
    "GetSecret": (
        service.GetSecretRequest.pb(),
        resources.Secret.pb(),
        lambda m: ("GET", f"/v1/{m.get('name', '')}", {}, {}),
    ),
    "UpdateSecret": (
        service.UpdateSecretRequest.pb(),
        resources.Secret.pb(),
        lambda m: (
            "PATCH",
            f"/v1/{(m.get('secret') or {}).get('name', '')}",
            {"updateMask": str(m.get("updateMask", ""))},
            m.get("secret") or {},
        ),
    ),
    "DeleteSecret": (
        service.DeleteSecretRequest.pb(),
        empty_pb2.Empty,
        lambda m: ("DELETE", f"/v1/{m.get('name', '')}", _etag_body(m), {}),
    ),
    "ListSecretVersions": (
        service.ListSecretVersionsRequest.pb(),
        service.ListSecretVersionsResponse.pb(),
        lambda m: _paged(m, f"/v1/{m.get('parent', '')}/versions"),
    ),
    "GetSecretVersion": (
        service.GetSecretVersionRequest.pb(),
        resources.SecretVersion.pb(),
        lambda m: ("GET", f"/v1/{m.get('name', '')}", {}, {}),
    ),
    "AccessSecretVersion": (
        service.AccessSecretVersionRequest.pb(),
        service.AccessSecretVersionResponse.pb(),
        lambda m: ("GET", f"/v1/{m.get('name', '')}:access", {}, {}),
    ),
    "DisableSecretVersion": (
        service.DisableSecretVersionRequest.pb(),
        resources.SecretVersion.pb(),
        lambda m: ("POST", f"/v1/{m.get('name', '')}:disable", {}, _etag_body(m)),
    ),
    "EnableSecretVersion": (
        service.EnableSecretVersionRequest.pb(),
        resources.SecretVersion.pb(),
        lambda m: ("POST", f"/v1/{m.get('name', '')}:enable", {}, _etag_body(m)),
    ),
    "DestroySecretVersion": (
        service.DestroySecretVersionRequest.pb(),
        resources.SecretVersion.pb(),
        lambda m: ("POST", f"/v1/{m.get('name', '')}:destroy", {}, _etag_body(m)),
    ),
    "SetIamPolicy": (
        iam_policy_pb2.SetIamPolicyRequest,
        policy_pb2.Policy,
        lambda m: ("POST", f"/v1/{m.get('resource', '')}:setIamPolicy", {}, m),
    ),
    "GetIamPolicy": (
        iam_policy_pb2.GetIamPolicyRequest,
        policy_pb2.Policy,
        lambda m: ("GET", f"/v1/{m.get('resource', '')}:getIamPolicy", {}, {}),
    ),
    "TestIamPermissions": (
        iam_policy_pb2.TestIamPermissionsRequest,
        iam_policy_pb2.TestIamPermissionsResponse,
        lambda m: ("POST", f"/v1/{m.get('resource', '')}:testIamPermissions", {}, m),
    ),
}


def _to_dict(request: Any) -> dict[str, Any]:
    return dict(json_format.MessageToDict(request))


def _from_dict(answer: dict[str, Any], response_type: Any) -> Any:
    return json_format.ParseDict(answer, response_type(), ignore_unknown_fields=True)


#: The client's ``list_locations``/``get_location`` (google.cloud.location.Locations).
LOCATIONS = "google.cloud.location.Locations"
_LOCATION_RPCS: dict[str, tuple[Any, Any, Translate]] = {
    "ListLocations": (
        locations_pb2.ListLocationsRequest,
        locations_pb2.ListLocationsResponse,
        lambda m: _paged(m, f"/v1/{m.get('name', '')}/locations"),
    ),
    "GetLocation": (
        locations_pb2.GetLocationRequest,
        locations_pb2.Location,
        lambda m: ("GET", f"/v1/{m.get('name', '')}", {}, {}),
    ),
}


def _handler(
    api: GcpAPI, name: str, translate: Translate, response_type: Any
) -> Callable[..., Awaitable[Any]]:
    if name == "AccessSecretVersion":
        return _access_handler(api, response_type)

    async def handle(request: Any, context: Any) -> Any:
        try:
            token = _bearer(context)
            method, path, query, body = translate(_to_dict(request))
            answer = await api.call(method, path, query, body, token, _peer(context))
        except GcpError as err:
            await _abort(context, err)
        return _from_dict(answer, response_type)

    return handle


def _access_handler(api: GcpAPI, response_type: Any) -> Callable[..., Awaitable[Any]]:
    """AccessSecretVersion, the hot path: the payload goes from the KV read into the
    response message as bytes, with no JSON form in between."""

    async def handle(request: Any, context: Any) -> Any:
        try:
            accessed = await api.access(request.name, _bearer(context), _peer(context))
        except GcpError as err:
            await _abort(context, err)
        payload = {"data": accessed.data, "data_crc32c": accessed.crc32c}
        return response_type(name=accessed.name, payload=payload)  # a dict: no copy

    return handle


def _bearer(context: Any) -> str:
    """The bearer token of the call's ``authorization`` metadata (UNAUTHENTICATED if none)."""
    header = ""
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            header = value  # the last one, as a dict of the metadata would keep
    return bearer(str(header))


async def _abort(context: Any, err: GcpError) -> None:
    code = getattr(grpc.StatusCode, err.status, grpc.StatusCode.INTERNAL)
    if isinstance(err, Unauthenticated):
        code = grpc.StatusCode.UNAUTHENTICATED
    await context.abort(code, err.message)


def _peer(context: Any) -> str:
    return _peer_address(str(context.peer() or ""))


@functools.lru_cache(maxsize=1024)
def _peer_address(peer: str) -> str:
    """``ipv4:127.0.0.1:5555`` / ``ipv6:[::1]:5555`` -> the address (for audit entries)."""
    kind, _, rest = peer.partition(":")
    if kind not in ("ipv4", "ipv6"):
        return ""
    host = rest.rsplit(":", 1)[0]
    host = host.strip("[]")
    return host.removeprefix("::ffff:")


def _table(api: GcpAPI, service: str, rpcs: dict[str, tuple[Any, Any, Translate]]) -> Any:
    methods = {
        name: grpc.unary_unary_rpc_method_handler(
            _handler(api, name, translate, response_type),
            request_deserializer=request_type.FromString,
            response_serializer=response_type.SerializeToString,
        )
        for name, (request_type, response_type, translate) in rpcs.items()
    }
    return grpc.method_handlers_generic_handler(service, methods)


def generic_handlers(api: GcpAPI) -> tuple[Any, ...]:
    """The method tables (Secret Manager, and the Locations mixin) for a grpc.aio server."""
    return (_table(api, SERVICE, _RPCS), _table(api, LOCATIONS, _LOCATION_RPCS))


async def start(api: GcpAPI, address: str, cert_file: str = "", key_file: str = "") -> Any:
    """Serve the door over gRPC on ``address``: TLS with a certificate, else loopback only."""
    server = grpc.aio.server()
    server.add_generic_rpc_handlers(generic_handlers(api))
    if cert_file:
        with open(key_file, "rb") as key, open(cert_file, "rb") as cert:
            credentials = grpc.ssl_server_credentials([(key.read(), cert.read())])
        server.add_secure_port(address, credentials)
    else:
        local = grpc.local_server_credentials(grpc.LocalConnectionType.LOCAL_TCP)
        server.add_secure_port(address, local)
    await server.start()
    return server
