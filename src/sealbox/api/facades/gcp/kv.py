"""The door's only way to secrets: Vault requests on one KV v2 mount through ``Core.handle``.

Every call carries the caller's sealbox token (the bearer token) and address, so the mount's
ACLs apply and the audit log records it like any other request. The idea is the AWS door's
``kvclient.py`` (the ``extra/`` route: record plus one version's data in one request, and
atomic changes guarded by the version they were computed from), written for this door.

Capabilities a token needs on the mount (``secret/`` below), by method:

==========================================================  ===================================
secrets.get, versions.get/list/access, getIamPolicy          ``read`` on ``secret/extra/<s>``
secrets.list                                                  ``list`` on ``secret/extra/``
secrets.create                                                ``create`` on ``secret/extra/<s>``
patch, addVersion, enable, disable, setIamPolicy              ``update`` on ``secret/extra/<s>``
versions.destroy                                              the above and ``update`` on
                                                              ``secret/destroy/<s>``
secrets.delete                                                ``delete`` on ``secret/metadata/<s>``
==========================================================  ===================================
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sealbox.api.facades.gcp.errors import Aborted, GcpError, gcp_error_of
from sealbox.api.facades.gcp.model import SecretView, view_of
from sealbox.errors import CheckAndSetMismatch, NotFound, SealboxError
from sealbox.logical import Operation, Request, Response

_RETRIES = 8


class CoreDoor(Protocol):
    """The part of the Core the door uses."""

    async def handle(self, req: Request) -> Response: ...


def now_ns() -> int:
    return time.time_ns()


class KVClient:
    """One caller's view of the door's KV v2 mount, for one resource and permission."""

    __slots__ = ("_address", "_core", "_mount", "_token", "permission", "resource")

    def __init__(self, core: CoreDoor, mount: str, token: str, address: str) -> None:
        self._core = core
        self._mount = mount
        self._token = token
        self._address = address
        self.permission = ""
        self.resource = ""

    def _error(self, err: SealboxError) -> GcpError:
        return gcp_error_of(err, self.permission, self.resource)

    async def _handle(self, operation: Operation, path: str, data: dict[str, Any]) -> Response:
        req = Request(
            operation=operation,
            path=self._mount + path,
            data=data,
            client_token=self._token,
            client_address=self._address,
        )
        return await self._core.handle(req)

    async def read(self, key: str, data_version: int = 0) -> tuple[SecretView, Any] | None:
        """The key's view and (if asked and live) one version's data; None when absent.

        ``data_version`` -1 asks for the current version's data; the data returned is that
        of ``view.kv_version`` then, else of ``data_version``.
        """
        found = await self.read_record(key, data_version)
        if found is None:
            return None
        return view_of(found[0], now_ns()), found[1]

    async def read_record(
        self, key: str, data_version: int = 0
    ) -> tuple[dict[str, Any], Any] | None:
        """``read`` without the view: the raw ``extra/`` record (``model.view_of``'s input)."""
        query = {"data_version": data_version} if data_version else {}
        try:
            response = await self._handle(Operation.READ, "extra/" + key, query)
        except NotFound:
            return None
        except SealboxError as err:
            raise self._error(err) from err
        body = response.data or {}
        record: dict[str, Any] = body["record"]
        wanted = int(record.get("current_version", 0)) if data_version == -1 else data_version
        data = body.get("data") if wanted and body.get("data_version") == wanted else None
        return record, data

    async def write(self, key: str, change: dict[str, Any]) -> SecretView:
        """Apply one ``extra/`` change; CheckAndSetMismatch propagates (for ``mutate``)."""
        try:
            response = await self._handle(Operation.UPDATE, "extra/" + key, change)
        except CheckAndSetMismatch:
            raise
        except SealboxError as err:
            raise self._error(err) from err
        return view_of((response.data or {})["record"], now_ns())

    async def mutate(
        self, change_of: Callable[[], Awaitable[tuple[str, dict[str, Any]]]]
    ) -> SecretView:
        """Compute (key, change) from fresh state and write it, again if another writer won."""
        for _ in range(_RETRIES):
            key, change = await change_of()
            try:
                return await self.write(key, change)
            except CheckAndSetMismatch:
                continue
        raise Aborted("The secret is being changed concurrently; try again.")

    async def list_all(self, prefix: str) -> list[SecretView]:
        """Every key below ``prefix`` (recursively), as views."""
        try:
            response = await self._handle(Operation.LIST, "extra/" + prefix, {})
        except NotFound:
            return []
        except SealboxError as err:
            raise self._error(err) from err
        info = (response.data or {}).get("key_info") or {}
        now = now_ns()
        return [view_of(record, now) for record in info.values()]

    async def call(self, operation: Operation, path: str, data: dict[str, Any]) -> None:
        """Any other KV route (destroy/, undelete/, metadata/) on the mount."""
        try:
            await self._handle(operation, path, data)
        except SealboxError as err:
            raise self._error(err) from err

    async def core_call(
        self, operation: Operation, path: str, data: dict[str, Any], *, raw_errors: bool = False
    ) -> Response:
        """A request on any path (not only the mount); ``raw_errors`` lets a check-and-set
        mismatch through as it is."""
        req = Request(
            operation=operation,
            path=path,
            data=data,
            client_token=self._token,
            client_address=self._address,
        )
        try:
            return await self._core.handle(req)
        except SealboxError as err:
            if raw_errors and isinstance(err, CheckAndSetMismatch):
                raise
            raise self._error(err) from err

    async def capabilities(self, paths: list[str]) -> dict[str, list[str]]:
        """The caller's capabilities on these mount-relative paths (``sys/capabilities-self``)."""
        full = await self.capabilities_of([self._mount + p for p in paths])
        return {p: full.get(self._mount + p, []) for p in paths}

    async def capabilities_of(self, full: list[str]) -> dict[str, list[str]]:
        """The caller's capabilities on these paths (relative to the API root)."""
        try:
            response = await self._core.handle(
                Request(
                    operation=Operation.UPDATE,
                    path="sys/capabilities-self",
                    data={"paths": full},
                    client_token=self._token,
                    client_address=self._address,
                )
            )
        except SealboxError as err:
            raise self._error(err) from err
        data = response.data or {}
        return {p: list(data.get(p) or []) for p in full}
