"""The AWS door's HTTP application: AWS JSON 1.1 in, AWS JSON 1.1 out.

``POST /`` with ``X-Amz-Target: secretsmanager.<Operation>``: check SigV4 and resolve the caller
(``credentials.py``), parse the body (``SerializationException``), check the shape
(``shapes.py``), run the operation (``ops_*``) and answer 200 with only populated members, or
``{"__type", "message"}`` with 400 (5xx only for real faults, which botocore retries). Every
answer carries ``x-amzn-RequestId``, the id the core's audit entries of the call carry too.
Unexpected failures log the exception type only, never request data.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import orjson

from sealbox.api.app import HTTPRequest
from sealbox.api.facades.aws import ops_meta, ops_rotation, ops_secrets, ops_values, sigv4
from sealbox.api.facades.aws.context import Call, DoorConfig
from sealbox.api.facades.aws.credentials import Credentials
from sealbox.api.facades.aws.errors import (
    AwsError,
    InternalServiceError,
    Serialization,
    UnknownOperation,
    aws_error_of,
    error_body,
)
from sealbox.api.facades.aws.kvclient import CoreDoor, KVClient
from sealbox.api.facades.aws.shapes import validate
from sealbox.errors import SealboxError

log = logging.getLogger("sealbox.aws")

Handler = Callable[[Call], Awaitable[dict[str, Any]]]
OPERATIONS: dict[str, Handler] = {
    "CreateSecret": ops_secrets.create_secret,
    "DescribeSecret": ops_secrets.describe_secret,
    "UpdateSecret": ops_secrets.update_secret,
    "ListSecrets": ops_secrets.list_secrets,
    "DeleteSecret": ops_secrets.delete_secret,
    "RestoreSecret": ops_secrets.restore_secret,
    "GetSecretValue": ops_values.get_secret_value,
    "PutSecretValue": ops_values.put_secret_value,
    "BatchGetSecretValue": ops_values.batch_get_secret_value,
    "ListSecretVersionIds": ops_values.list_secret_version_ids,
    "UpdateSecretVersionStage": ops_values.update_secret_version_stage,
    "TagResource": ops_meta.tag_resource,
    "UntagResource": ops_meta.untag_resource,
    "GetResourcePolicy": ops_meta.get_resource_policy,
    "PutResourcePolicy": ops_meta.put_resource_policy,
    "DeleteResourcePolicy": ops_meta.delete_resource_policy,
    "ValidateResourcePolicy": ops_meta.validate_resource_policy,
    "GetRandomPassword": ops_meta.get_random_password,
    "RotateSecret": ops_rotation.rotate_secret,
    "CancelRotateSecret": ops_rotation.cancel_rotate_secret,
    "ReplicateSecretToRegions": ops_meta.replication,
    "RemoveRegionsFromReplication": ops_meta.replication,
    "StopReplicationToReplica": ops_meta.replication,
}
_TARGET_PREFIX = "secretsmanager."
_CONTENT_TYPE = (b"content-type", b"application/x-amz-json-1.1")
MAX_BODY = 1024 * 1024


class AwsAPI:
    """Serves the Secrets Manager protocol from one Core (``respond`` as for VaultAPI)."""

    def __init__(self, core: CoreDoor, config: DoorConfig | None = None) -> None:
        self.core = core
        self.config = config or DoorConfig()
        self.credentials = Credentials(core, self.config.auth_mount, self.config.door_token)
        self.max_body = MAX_BODY
        self.rotations = ops_rotation.Rotations(self)

    async def respond(self, request: HTTPRequest) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Status, headers and body for one request; never raises."""
        request_id = _request_id()
        try:
            status, body = await self._dispatch(request, request_id)
        except AwsError as err:
            status, body = err.status, error_body(err)
        except SealboxError as err:
            aws = aws_error_of(err)
            status, body = aws.status, error_body(aws)
        except Exception as err:  # noqa: BLE001 - the renderer is the last line of defence
            log.error(
                "internal error in the AWS door: %s\n%s",
                type(err).__name__,
                "".join(traceback.format_tb(err.__traceback__)),
            )
            aws = InternalServiceError()
            status, body = aws.status, error_body(aws)
        headers = [
            _CONTENT_TYPE,
            (b"x-amzn-requestid", request_id.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        return status, headers, body

    async def _dispatch(self, http: HTTPRequest, request_id: str) -> tuple[int, bytes]:
        now = datetime.now(UTC)
        query = http.query_string.decode("latin-1")
        claim = sigv4.parse(http.method, http.raw_path, query, http.headers, http.body, now)
        identity = await self.credentials.identify(claim, http.client)
        target = http.headers.get("x-amz-target", "")
        operation = target[len(_TARGET_PREFIX) :] if target.startswith(_TARGET_PREFIX) else ""
        handler = OPERATIONS.get(operation) if http.method == "POST" else None
        if handler is None:
            raise UnknownOperation()
        try:
            params = orjson.loads(http.body) if http.body.strip() else {}
        except orjson.JSONDecodeError as err:
            raise Serialization("Start of structure or map found where not expected.") from err
        if not isinstance(params, dict):
            raise Serialization("Start of structure or map found where not expected.")
        validate(operation, params)
        kv = KVClient(self.core, self.config.mount, identity.token, http.client, request_id)
        call = Call(operation, params, identity, claim.region, http.client, kv, self.config)
        call.started = time.time()
        call.api = self
        result = await handler(call)
        return 200, orjson.dumps(result)

    async def periodic(self) -> None:
        """Scheduled rotations (the server calls this every minute)."""
        await self.rotations.run_due()


def _request_id() -> str:
    import os

    raw = os.urandom(16).hex()
    return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-{raw[16:20]}-{raw[20:]}"
