"""One error hierarchy for every door.

Each class carries its HTTP status as class data and a ``public_message`` that is safe to show
to a client: it never contains secret material. Renderers (``api/errors.py``, later the AWS and
GCP facades) turn these into bytes; nothing else does.

::

    SealboxError                 500
    ├─ InvalidRequest            400
    │  ├─ InvalidCredentials     400
    │  ├─ FieldValidationError   400
    │  ├─ CheckAndSetMismatch    400
    │  └─ AlreadyExists          400
    ├─ PermissionDenied          403
    ├─ NotFound                  404
    │  └─ UnsupportedPath        404
    ├─ UnsupportedOperation      405
    ├─ PayloadTooLarge           413
    ├─ UnsupportedMediaType      415
    ├─ RateLimited               429
    ├─ NotInitialized            501
    ├─ UpstreamError             502
    ├─ Sealed                    503
    └─ InternalError             500
"""

from __future__ import annotations

from typing import Any, ClassVar


class SealboxError(Exception):
    """Base of every error sealbox raises on purpose."""

    status: ClassVar[int] = 500
    default_message: ClassVar[str] = "internal error"

    def __init__(
        self,
        message: str | None = None,
        *,
        data: dict[str, Any] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self.public_message = self.default_message if message is None else message
        # Some Vault errors carry a body: a deleted KV v2 version's metadata, or only warnings
        # (a KV v2 request to a path of the unversioned API).
        self.data = data
        self.warnings = warnings or []
        super().__init__(self.public_message)

    @property
    def messages(self) -> list[str]:
        """The ``errors`` array of the Vault envelope."""
        return [self.public_message] if self.public_message else []


class InvalidRequest(SealboxError):
    status = 400
    default_message = "invalid request"


class InvalidCredentials(InvalidRequest):
    """A login with a wrong password, secret or signature (Vault's ErrInvalidCredentials).

    The auth method's lockout counts these; the message never says which part was wrong.
    """

    default_message = "invalid credentials"


class FieldValidationError(InvalidRequest):
    default_message = "field validation failed"


class CheckAndSetMismatch(InvalidRequest):
    default_message = "check-and-set parameter did not match the current version"


class AlreadyExists(InvalidRequest):
    default_message = "already exists"


class PermissionDenied(SealboxError):
    status = 403
    default_message = "permission denied"


class NotFound(SealboxError):
    status = 404
    default_message = ""


class UnsupportedPath(NotFound):
    default_message = "unsupported path"


class UnsupportedOperation(SealboxError):
    status = 405
    default_message = "unsupported operation"


class PayloadTooLarge(SealboxError):
    status = 413
    default_message = "http: request body too large"


class UnsupportedMediaType(SealboxError):
    status = 415
    default_message = "unsupported media type"


class RateLimited(SealboxError):
    status = 429
    default_message = "rate limit exceeded"


class NotInitialized(SealboxError):
    status = 501
    default_message = "Vault is not initialized"


class UpstreamError(SealboxError):
    status = 502
    default_message = "upstream error"


class Sealed(SealboxError):
    status = 503
    default_message = "Vault is sealed"


class InternalError(SealboxError):
    status = 500
    default_message = "internal error"


class IntegrityError(InternalError):
    """A stored value failed authentication (tampered, moved, or unknown key term)."""

    default_message = "internal error"
