"""The handlers entities and groups share: both are read and deleted by id or by name
(``identity/<kind>/id/:id``, ``identity/<kind>/name/:name``) and listed by name."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, Protocol, TypeVar

from sealbox.framework import FieldData
from sealbox.logical import Request, Response


class _Named(Protocol):
    id: str
    name: str


T = TypeVar("T", bound=_Named)


class ByIdOrName(ABC, Generic[T]):
    """Read, delete and name-list handlers over ``_get``, ``_named``, ``_remove`` and
    ``_all``; subclasses give the read shape in ``read``."""

    @abstractmethod
    def read(self, item: T) -> Response:
        """The read shape of ``item``."""

    @abstractmethod
    def _get(self, item_id: str) -> T | None: ...

    @abstractmethod
    def _named(self, name: str) -> T | None: ...

    @abstractmethod
    async def _remove(self, item_id: str) -> None: ...

    @abstractmethod
    def _all(self) -> list[T]: ...

    async def read_by_id(self, req: Request, d: FieldData) -> Response | None:
        """GET .../id/:id."""
        del req
        item = self._get(d.get("id"))
        return None if item is None else self.read(item)

    async def read_by_name(self, req: Request, d: FieldData) -> Response | None:
        """GET .../name/:name."""
        del req
        item = self._named(d.get("name"))
        return None if item is None else self.read(item)

    async def delete_by_id(self, req: Request, d: FieldData) -> None:
        """DELETE .../id/:id (unknown ids are fine)."""
        del req
        await self._remove(d.get("id"))

    async def delete_by_name(self, req: Request, d: FieldData) -> None:
        """DELETE .../name/:name."""
        del req
        item = self._named(d.get("name"))
        if item is not None:
            await self._remove(item.id)

    async def list_names(self, req: Request, d: FieldData) -> Response | None:
        """LIST .../name."""
        del req, d
        names = sorted(item.name for item in self._all())
        return Response(data={"keys": names}) if names else None
