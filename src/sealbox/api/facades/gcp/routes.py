"""REST v1 URLs onto methods: ``/v1/projects/{p}[/locations/{l}]/secrets/...[:verb]``.

A URL parses into the parent, the secret and version it names, a custom verb and the HTTP
method; the tables below pick the method and the IAM permission it needs (``authz.py``
evaluates it, PERMISSION_DENIED messages name it; testIamPermissions needs none).
Project-level URLs are Cloud Resource Manager's ``projects.get``/``getIamPolicy``/
``setIamPolicy``/``testIamPermissions`` and Secret Manager's ``locations.list``/``get``.
Anything else is NOT_FOUND for an unknown path and UNIMPLEMENTED (501) for a known resource
with an unknown method or verb.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sealbox.api.facades.gcp import ops_iam, ops_project, ops_secrets, ops_versions
from sealbox.api.facades.gcp.context import Call
from sealbox.api.facades.gcp.errors import InvalidArgument, NotFound, Unimplemented
from sealbox.api.facades.gcp.names import Parent, SecretName, parent_of, secret_id

Handler = Callable[[Call], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Route:
    """A parsed URL: what it names and the method chosen for it."""

    method: str
    handler: Handler
    permission: str
    parent: Parent
    secret: SecretName | None
    version: str


# (shape, http method, verb) -> (method name, handler, permission)
_TABLE: dict[tuple[str, str, str], tuple[str, Handler, str]] = {
    ("secrets", "GET", ""): ("ListSecrets", ops_secrets.list_secrets, "secretmanager.secrets.list"),
    ("secrets", "POST", ""): (
        "CreateSecret",
        ops_secrets.create_secret,
        "secretmanager.secrets.create",
    ),
    ("secret", "GET", ""): ("GetSecret", ops_secrets.get_secret, "secretmanager.secrets.get"),
    ("secret", "PATCH", ""): (
        "UpdateSecret",
        ops_secrets.patch_secret,
        "secretmanager.secrets.update",
    ),
    ("secret", "DELETE", ""): (
        "DeleteSecret",
        ops_secrets.delete_secret,
        "secretmanager.secrets.delete",
    ),
    ("secret", "POST", "addVersion"): (
        "AddSecretVersion",
        ops_versions.add_version,
        "secretmanager.versions.add",
    ),
    ("secret", "GET", "getIamPolicy"): (
        "GetIamPolicy",
        ops_iam.get_iam_policy,
        "secretmanager.secrets.getIamPolicy",
    ),
    ("secret", "POST", "getIamPolicy"): (
        "GetIamPolicy",
        ops_iam.get_iam_policy,
        "secretmanager.secrets.getIamPolicy",
    ),
    ("secret", "POST", "setIamPolicy"): (
        "SetIamPolicy",
        ops_iam.set_iam_policy,
        "secretmanager.secrets.setIamPolicy",
    ),
    ("secret", "POST", "testIamPermissions"): (
        "TestIamPermissions",
        ops_iam.test_iam_permissions,
        "",
    ),
    ("versions", "GET", ""): (
        "ListSecretVersions",
        ops_versions.list_versions,
        "secretmanager.versions.list",
    ),
    ("version", "GET", ""): (
        "GetSecretVersion",
        ops_versions.get_version,
        "secretmanager.versions.get",
    ),
    ("version", "GET", "access"): (
        "AccessSecretVersion",
        ops_versions.access_version,
        "secretmanager.versions.access",
    ),
    ("version", "POST", "enable"): (
        "EnableSecretVersion",
        ops_versions.enable_version,
        "secretmanager.versions.enable",
    ),
    ("version", "POST", "disable"): (
        "DisableSecretVersion",
        ops_versions.disable_version,
        "secretmanager.versions.disable",
    ),
    ("version", "POST", "destroy"): (
        "DestroySecretVersion",
        ops_versions.destroy_version,
        "secretmanager.versions.destroy",
    ),
}

_PROJECT_TABLE: dict[tuple[str, str, str], tuple[str, Handler, str]] = {
    ("project", "GET", ""): (
        "GetProject",
        ops_project.get_project,
        "resourcemanager.projects.get",
    ),
    ("project", "POST", "getIamPolicy"): (
        "GetProjectIamPolicy",
        ops_project.get_iam_policy,
        "resourcemanager.projects.getIamPolicy",
    ),
    ("project", "GET", "getIamPolicy"): (
        "GetProjectIamPolicy",
        ops_project.get_iam_policy,
        "resourcemanager.projects.getIamPolicy",
    ),
    ("project", "POST", "setIamPolicy"): (
        "SetProjectIamPolicy",
        ops_project.set_iam_policy,
        "resourcemanager.projects.setIamPolicy",
    ),
    ("project", "POST", "testIamPermissions"): (
        "TestProjectIamPermissions",
        ops_project.test_iam_permissions,
        "",
    ),
    ("locations", "GET", ""): (
        "ListLocations",
        ops_project.list_locations,
        "secretmanager.locations.list",
    ),
    ("location", "GET", ""): (
        "GetLocation",
        ops_project.get_location,
        "secretmanager.locations.get",
    ),
}


_CACHE: dict[tuple[str, str], Route] = {}
_CACHE_SIZE = 4096


def route(http_method: str, path: str) -> Route:
    """The route of ``/v1/...`` (percent-decoded path); parsed routes are remembered (a
    route depends on nothing but its method and path; the hot path asks for the same ones)."""
    key = (http_method, path)
    found = _CACHE.get(key)
    if found is None:
        found = _parse(http_method, path)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = found
    return found


def _parse(http_method: str, path: str) -> Route:
    if not path.startswith("/v1/"):
        raise NotFound(f"The requested URL {path} was not found on this server.")
    rest = path[4:].rstrip("/")
    verb = ""
    last_slash = rest.rfind("/")
    colon = rest.find(":", last_slash + 1)
    if colon >= 0:
        rest, verb = rest[:colon], rest[colon + 1 :]
    segments = rest.split("/")
    try:
        index = segments.index("secrets")
    except ValueError:
        return _project_route(http_method, path, segments, verb)
    parent = parent_of(segments[:index])
    tail = segments[index + 1 :]
    secret, version, shape = None, "", "secrets"
    if tail:
        secret = SecretName(parent, secret_id(tail[0]))
        shape = "secret"
    if len(tail) >= 2:
        if tail[1] != "versions" or len(tail) > 3:
            raise NotFound(f"The requested URL {path} was not found on this server.")
        shape = "versions"
        if len(tail) == 3:
            if not tail[2]:
                raise InvalidArgument("Invalid version [].")
            version, shape = tail[2], "version"
    found = _TABLE.get((shape, http_method, verb))
    if found is None:
        raise Unimplemented(f"Method {http_method} {path} is not implemented.")
    method, handler, permission = found
    return Route(method, handler, permission, parent, secret, version)


def _project_route(http_method: str, path: str, segments: list[str], verb: str) -> Route:
    """``projects/{p}[:verb]``, ``projects/{p}/locations[/{l}]``."""
    if len(segments) < 2 or segments[0] != "projects" or len(segments) > 4:
        raise NotFound(f"The requested URL {path} was not found on this server.")
    parent = parent_of(segments[:2])
    shape = "project"
    location = ""
    if len(segments) >= 3:
        if segments[2] != "locations":
            raise NotFound(f"The requested URL {path} was not found on this server.")
        shape = "locations"
        if len(segments) == 4:
            location, shape = segments[3], "location"
            parent_of(segments)  # validates the location id
    found = _PROJECT_TABLE.get((shape, http_method, verb))
    if found is None:
        raise Unimplemented(f"Method {http_method} {path} is not implemented.")
    method, handler, permission = found
    return Route(method, handler, permission, parent, None, location)
