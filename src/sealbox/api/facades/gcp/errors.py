"""Errors of the GCP door, rendered as ``google.rpc.Status`` JSON with the matching HTTP code.

google-api-core's REST transport maps errors by HTTP status only, gcloud prints ``status`` and
``message``; both must be right. Core errors (``sealbox.errors``) are translated by class; a
denied call never says whether the resource exists (GCP's "(or it may not exist)").
"""

from __future__ import annotations

from typing import ClassVar

import orjson

from sealbox.errors import (
    AlreadyExists as CoreAlreadyExists,
)
from sealbox.errors import (
    CheckAndSetMismatch,
    InvalidRequest,
    RateLimited,
    SealboxError,
    Sealed,
)
from sealbox.errors import (
    NotFound as CoreNotFound,
)
from sealbox.errors import (
    PermissionDenied as CorePermissionDenied,
)


class GcpError(Exception):
    """One ``google.rpc.Status``: canonical code name, HTTP status and a safe message."""

    status: ClassVar[str] = "INTERNAL"
    http: ClassVar[int] = 500
    grpc_code: ClassVar[int] = 13

    def __init__(self, message: str = "Internal error encountered.") -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(GcpError):
    status, http, grpc_code = "INVALID_ARGUMENT", 400, 3


class FailedPrecondition(GcpError):
    status, http, grpc_code = "FAILED_PRECONDITION", 400, 9


class Unauthenticated(GcpError):
    status, http, grpc_code = "UNAUTHENTICATED", 401, 16


class PermissionDenied(GcpError):
    status, http, grpc_code = "PERMISSION_DENIED", 403, 7


class NotFound(GcpError):
    status, http, grpc_code = "NOT_FOUND", 404, 5


class AlreadyExists(GcpError):
    status, http, grpc_code = "ALREADY_EXISTS", 409, 6


class Aborted(GcpError):
    status, http, grpc_code = "ABORTED", 409, 10


class ResourceExhausted(GcpError):
    status, http, grpc_code = "RESOURCE_EXHAUSTED", 429, 8


class Unimplemented(GcpError):
    status, http, grpc_code = "UNIMPLEMENTED", 501, 12


class Unavailable(GcpError):
    status, http, grpc_code = "UNAVAILABLE", 503, 14


def denied(permission: str, resource: str) -> PermissionDenied:
    """GCP's wording, which never reveals whether ``resource`` exists."""
    if not permission:
        return PermissionDenied(
            f"Permission denied on resource '{resource}' (or it may not exist)."
        )
    return PermissionDenied(
        f"Permission '{permission}' denied for resource '{resource}' (or it may not exist)."
    )


def gcp_error_of(err: SealboxError, permission: str = "", resource: str = "") -> GcpError:
    """The GCP error a core error stands for (messages are the core's public ones)."""
    if isinstance(err, CorePermissionDenied):
        return (
            denied(permission, resource) if permission else PermissionDenied("Permission denied.")
        )
    if isinstance(err, CoreNotFound):
        return NotFound(f"Resource [{resource}] not found." if resource else "Not found.")
    if isinstance(err, CheckAndSetMismatch):
        return Aborted("The resource was changed concurrently; try again.")
    if isinstance(err, CoreAlreadyExists):
        return AlreadyExists(err.public_message or "Already exists.")
    if isinstance(err, InvalidRequest):
        return InvalidArgument(err.public_message or "Invalid argument.")
    if isinstance(err, RateLimited):
        return ResourceExhausted("Quota exceeded.")
    if isinstance(err, Sealed):
        return Unavailable("The service is currently unavailable (sealed).")
    return GcpError()


def error_body(err: GcpError) -> bytes:
    return orjson.dumps({"error": {"code": err.http, "message": err.message, "status": err.status}})
