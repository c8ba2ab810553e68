"""In-process calls of the door's operations as one identity (what rotation functions use).

A built-in rotation function speaks to Secrets Manager the way AWS's Lambda templates do
(DescribeSecret, GetSecretValue, PutSecretValue, UpdateSecretVersionStage); here those calls
skip HTTP and SigV4 but not the rest: shapes, IAM and the core's ACLs and audit all apply.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sealbox.api.facades.aws.context import Call, DoorConfig
from sealbox.api.facades.aws.credentials import Identity
from sealbox.api.facades.aws.kvclient import CoreDoor, KVClient
from sealbox.api.facades.aws.shapes import validate

if TYPE_CHECKING:
    from sealbox.api.facades.aws.app import Handler


class DoorClient:
    """``client.call("GetSecretValue", {...})`` as ``identity``; raises AwsError."""

    def __init__(
        self,
        core: CoreDoor,
        config: DoorConfig,
        operations: dict[str, Handler],
        identity: Identity,
        region: str,
    ) -> None:
        self._core = core
        self._config = config
        self._operations = operations
        self.identity = identity
        self.region = region
        self.api: Any = None

    async def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        validate(operation, params)
        kv = KVClient(self._core, self._config.mount, self.identity.token, "")
        call = Call(operation, params, self.identity, self.region, "", kv, self._config)
        call.started = time.time()
        call.api = self.api
        return await self._operations[operation](call)
