"""What the ``auth/token/`` handlers need from the core: the token store and a sudo check.

The core passes itself as ``BackendConfig.system``; it exposes the store as ``token_store`` (or
``tokens``) and ``is_sudo(req)``. Root tokens are always sudo, as in OpenBao
(``SudoPrivilege`` in internal/vault/dynamic_system_view.go).
"""

from __future__ import annotations

from typing import Any

from sealbox.core.tokens import TokenEntry, TokenStore
from sealbox.errors import InternalError, InvalidRequest
from sealbox.logical import Request


class TokenContext:
    """Access to the core services, resolved lazily (the core may finish setup later)."""

    __slots__ = ("_system",)

    def __init__(self, system: Any) -> None:
        self._system = system

    @property
    def store(self) -> TokenStore:
        """The core's token store."""
        store = getattr(self._system, "token_store", None) or getattr(self._system, "tokens", None)
        if not isinstance(store, TokenStore):
            raise InternalError("token store is not available")
        return store

    async def missing_policies(self, names: list[str] | tuple[str, ...]) -> list[str]:
        """Which of ``names`` are not stored policies (root is built in)."""
        policies = getattr(self._system, "policies", None)
        get = getattr(policies, "get", None)
        if not callable(get):
            return []
        return [name for name in names if name != "root" and await get(name) is None]

    def is_sudo(self, req: Request) -> bool:
        """Whether the caller has root or sudo on this path."""
        entry = req.token_entry
        if isinstance(entry, TokenEntry) and entry.is_root:
            return True
        check = getattr(self._system, "is_sudo", None)
        return bool(check(req)) if callable(check) else False


def caller(req: Request) -> TokenEntry:
    """The calling token's entry (the core always sets it on authenticated paths)."""
    entry = req.token_entry
    if not isinstance(entry, TokenEntry):
        raise InvalidRequest("parent token lookup failed: no parent found")
    return entry
