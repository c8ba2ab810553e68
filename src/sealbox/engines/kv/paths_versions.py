"""KV v2 ``delete/<path>``, ``undelete/<path>`` and ``destroy/<path>``: act on listed versions.

Mirrors openbao internal/builtin/logical/kv/path_delete.go, path_undelete.go and
path_destroy.go: each takes ``versions`` (a list or "1,2"), answers 204, and silently skips
versions that do not exist (or are already destroyed); an unknown key is not an error.
"""

from __future__ import annotations

from collections.abc import Callable

from sealbox.engines.kv.store import KVStore
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.logical import Operation, Request

StoreFor = Callable[[Request], KVStore]

_FIELDS = {
    "path": FieldSchema(FieldType.STRING, "Location of the secret."),
    "versions": FieldSchema(FieldType.INT_LIST, "The versions to act on."),
}


def _versions(d: FieldData, message: str) -> list[int]:
    versions: list[int] = d.get("versions")
    if not versions:
        raise InvalidRequest(message)
    return versions


class VersionPaths:
    """Handlers of ``delete/``, ``undelete/`` and ``destroy/``."""

    def __init__(self, store_for: StoreFor) -> None:
        self._store_for = store_for

    def paths(self) -> list[Path]:
        return [
            Path(
                "delete/" + match_all("path"),
                fields=_FIELDS,
                operations={Operation.UPDATE: self.delete_versions},
                synopsis="Marks one or more versions as deleted in the KV store.",
            ),
            Path(
                "undelete/" + match_all("path"),
                fields=_FIELDS,
                operations={Operation.UPDATE: self.undelete_versions},
                synopsis="Undeletes one or more versions from the KV store.",
            ),
            Path(
                "destroy/" + match_all("path"),
                fields=_FIELDS,
                operations={Operation.UPDATE: self.destroy_versions},
                synopsis="Permanently removes one or more versions in the KV store.",
            ),
        ]

    async def delete_versions(self, req: Request, d: FieldData) -> None:
        """POST /:mount/delete/:path. Soft-delete the listed versions."""
        versions = _versions(d, "No version number provided")
        await self._store_for(req).delete_versions(d.get("path"), versions)

    async def undelete_versions(self, req: Request, d: FieldData) -> None:
        """POST /:mount/undelete/:path. Restore soft-deleted versions."""
        versions = _versions(d, "No version number provided")
        await self._store_for(req).undelete_versions(d.get("path"), versions)

    async def destroy_versions(self, req: Request, d: FieldData) -> None:
        """POST /:mount/destroy/:path. Remove the data of the listed versions for good."""
        # compat: this endpoint's message is lower-case in OpenBao.
        versions = _versions(d, "no version number provided")
        await self._store_for(req).destroy_versions(d.get("path"), versions)
