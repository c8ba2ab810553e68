"""The door's only way to secrets: Vault requests on one KV v2 mount through ``Core.handle``.

Every call carries the caller's sealbox token and address, so the mount's ACLs apply and the
audit log records it like any other request. Reads use the mount's ``extra/`` route (facade
metadata plus, in the same request, the AWSCURRENT data); writes send one atomic change guarded
by the KV version they were computed from; a lost race is retried by ``mutate``.

The capabilities a key's token needs on the mount (``secret/`` below), by operation:

====================================================  =========================================
GetSecretValue, DescribeSecret, ListSecretVersionIds,  ``read`` on ``secret/extra/<name>``
GetResourcePolicy, BatchGetSecretValue (ids)
ListSecrets, BatchGetSecretValue (filters)             ``list`` on ``secret/extra/``
CreateSecret                                           ``create`` on ``secret/extra/<name>``
every other change (PutSecretValue, UpdateSecret,      ``update`` on ``secret/extra/<name>``
tags, policies, stages, rotation, DeleteSecret with
a window, RestoreSecret)
DeleteSecret with ForceDeleteWithoutRecovery           ``delete`` on ``secret/metadata/<name>``
====================================================  =========================================
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sealbox.api.facades.aws.errors import InvalidRequestError, aws_error_of
from sealbox.api.facades.aws.model import POINTER, SecretView, view_of
from sealbox.errors import CheckAndSetMismatch, NotFound, SealboxError
from sealbox.logical import Operation, Request, Response

_RETRIES = 8


class CoreDoor(Protocol):
    """The part of the Core the door uses."""

    async def handle(self, req: Request) -> Response: ...


def _request_id() -> str:
    raw = os.urandom(16).hex()
    return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-{raw[16:20]}-{raw[20:]}"


class KVClient:
    """One caller's view of the door's KV v2 mount."""

    __slots__ = ("_address", "_core", "_mount", "_token", "request_id")

    def __init__(
        self, core: CoreDoor, mount: str, token: str, address: str, request_id: str = ""
    ) -> None:
        self._core = core
        self._mount = mount
        self._token = token
        self._address = address
        self.request_id = request_id or _request_id()

    async def _handle(self, operation: Operation, path: str, data: dict[str, Any]) -> Response:
        req = Request(
            operation=operation,
            path=self._mount + path,
            data=data,
            client_token=self._token,
            client_address=self._address,
            request_id=self.request_id,
        )
        return await self._core.handle(req)

    async def read(self, name: str, *, with_data: bool = True) -> tuple[SecretView, Any] | None:
        """The secret's view and its AWSCURRENT data (None when asked not to / absent)."""
        query = {"data_pointer": POINTER} if with_data else {}
        try:
            response = await self._handle(Operation.READ, "extra/" + name, query)
        except NotFound:
            return None
        except SealboxError as err:
            raise aws_error_of(err) from err
        body = response.data or {}
        view = view_of(body["record"])
        data = None
        if with_data:
            current = view.by_stage("AWSCURRENT")
            if current is not None and body.get("data_version") == current.number:
                data = body.get("data")
        return view, data

    async def read_data(self, name: str, number: int) -> Any:
        """One version's data (None when it is gone)."""
        try:
            response = await self._handle(Operation.READ, "extra/" + name, {"data_version": number})
        except NotFound:
            return None
        except SealboxError as err:
            raise aws_error_of(err) from err
        return (response.data or {}).get("data")

    async def write(self, name: str, change: dict[str, Any]) -> dict[str, Any]:
        """Apply one change (``extra/`` write body); CheckAndSetMismatch propagates."""
        try:
            response = await self._handle(Operation.UPDATE, "extra/" + name, change)
        except CheckAndSetMismatch:
            raise
        except SealboxError as err:
            raise aws_error_of(err) from err
        return response.data or {}

    async def list_all(self) -> list[SecretView]:
        """Every key of the mount, as views."""
        try:
            response = await self._handle(Operation.LIST, "extra/", {})
        except NotFound:
            return []
        except SealboxError as err:
            raise aws_error_of(err) from err
        info = (response.data or {}).get("key_info") or {}
        return [view_of(record) for record in info.values()]

    async def delete(self, name: str) -> None:
        """Remove the key and all its versions (ForceDeleteWithoutRecovery)."""
        try:
            await self._handle(Operation.DELETE, "metadata/" + name, {})
        except SealboxError as err:
            raise aws_error_of(err) from err

    async def mutate(
        self, change_of: Callable[[], Awaitable[tuple[str, dict[str, Any]] | None]]
    ) -> dict[str, Any]:
        """Compute (key, change) from fresh state and write it, again if another writer won.

        ``change_of`` returns None when nothing needs writing (an idempotent retry).
        """
        for _ in range(_RETRIES):
            planned = await change_of()
            if planned is None:
                return {}
            try:
                return await self.write(*planned)
            except CheckAndSetMismatch:
                continue
        raise InvalidRequestError("The secret is being changed concurrently; try again.")
