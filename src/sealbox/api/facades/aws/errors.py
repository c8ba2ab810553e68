"""AWS errors as sealbox errors, and their rendering as AWS JSON 1.1 (what botocore parses).

Each class carries the ``__type`` botocore turns into ``Error.Code``. Secrets Manager answers
every client error with HTTP 400 (its "Common Errors" page), so ``status`` is 400 unless AWS
says otherwise; 5xx only for real server faults, because botocore retries those.
``aws_error_of`` maps the core's own errors (raised by ``Core.handle``) to AWS codes.
"""

from __future__ import annotations

from typing import ClassVar

import orjson

from sealbox import errors as core_errors
from sealbox.errors import SealboxError


class AwsError(SealboxError):
    """An error with an AWS ``__type``."""

    status: ClassVar[int] = 400
    aws_type: ClassVar[str] = "InvalidRequestException"


class ResourceNotFound(AwsError):
    aws_type = "ResourceNotFoundException"
    default_message = "Secrets Manager can't find the specified secret."


class InvalidParameter(AwsError):
    aws_type = "InvalidParameterException"
    default_message = "You provided an invalid parameter."


class InvalidRequestError(AwsError):
    aws_type = "InvalidRequestException"
    default_message = "You provided an invalid request."


class ResourceExists(AwsError):
    aws_type = "ResourceExistsException"
    default_message = "The resource already exists."


class AccessDenied(AwsError):
    aws_type = "AccessDeniedException"
    default_message = "Access denied."


class EncryptionFailure(AwsError):
    aws_type = "EncryptionFailure"
    default_message = (
        "Secrets Manager can't encrypt the protected secret text using the provided KMS key. "
        "Check that the KMS key is available, enabled, and not in an invalid state."
    )


class DecryptionFailure(AwsError):
    aws_type = "DecryptionFailure"
    default_message = (
        "Secrets Manager can't decrypt the protected secret text using the provided KMS key."
    )


class Validation(AwsError):
    aws_type = "ValidationException"
    default_message = "1 validation error detected"


class Serialization(AwsError):
    aws_type = "SerializationException"
    default_message = "Failed to parse the request body."


class UnknownOperation(AwsError):
    aws_type = "UnknownOperationException"
    default_message = "Unknown operation."


class MissingToken(AwsError):
    aws_type = "MissingAuthenticationTokenException"
    default_message = "Missing Authentication Token"


class IncompleteSignature(AwsError):
    aws_type = "IncompleteSignatureException"
    default_message = "Incomplete signature."


class UnrecognizedClient(AwsError):
    aws_type = "UnrecognizedClientException"
    default_message = "The security token included in the request is invalid."


class InvalidSignature(AwsError):
    aws_type = "InvalidSignatureException"
    default_message = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."


class ExpiredToken(AwsError):
    aws_type = "ExpiredTokenException"
    default_message = "The security token included in the request is expired"


class InvalidNextToken(AwsError):
    aws_type = "InvalidNextTokenException"
    default_message = "The NextToken value is invalid."


class LimitExceeded(AwsError):
    aws_type = "LimitExceededException"
    default_message = "The request exceeds a quota."


class MalformedPolicy(AwsError):
    aws_type = "MalformedPolicyDocumentException"
    default_message = "The resource policy has syntax errors."


class PublicPolicy(AwsError):
    aws_type = "PublicPolicyException"
    default_message = "The BlockPublicPolicy parameter is set, and the policy grants public access."


class Throttling(AwsError):
    aws_type = "ThrottlingException"
    default_message = "Rate exceeded"


class ServiceUnavailable(AwsError):
    aws_type = "ServiceUnavailable"
    default_message = "The service is unavailable."
    status = 503


class InternalServiceError(AwsError):
    aws_type = "InternalServiceError"
    default_message = "An error occurred on the server side."
    status = 500


# The core's errors, as the AWS door reports them (most specific class first).
_CORE_TO_AWS: tuple[tuple[type[SealboxError], type[AwsError]], ...] = (
    (core_errors.PermissionDenied, AccessDenied),
    (core_errors.NotFound, ResourceNotFound),
    (core_errors.RateLimited, Throttling),
    (core_errors.Sealed, ServiceUnavailable),
    (core_errors.InvalidRequest, InvalidRequestError),
)


def aws_error_of(err: SealboxError) -> AwsError:
    """The AWS error a core error becomes (its message kept only when it is an AwsError)."""
    if isinstance(err, AwsError):
        return err
    for core_class, aws_class in _CORE_TO_AWS:
        if isinstance(err, core_class):
            return aws_class()
    return InternalServiceError()


def error_body(err: AwsError) -> bytes:
    """``{"__type": ..., "message": ...}``: botocore reads both (BaseJSONParser)."""
    return orjson.dumps({"__type": err.aws_type, "message": err.public_message})
