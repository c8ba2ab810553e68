"""What the ``auth/token/`` handlers get from the core: the token store and policy lookups.

Both are narrow Protocols (``sealbox.logical.tokens``) that the core fills in when it mounts
the backend, so a missing service is an error at mount time, never a silent default. Root
tokens are always sudo, as in OpenBao (``SudoPrivilege`` in
internal/vault/dynamic_system_view.go); otherwise the core's ACL decided ``req.sudo``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sealbox.errors import InvalidRequest
from sealbox.logical import Request
from sealbox.logical.tokens import (
    IdentityPolicyLookup,
    PolicyLookup,
    TokenEntry,
    TokenStoreView,
)


@dataclass(frozen=True, slots=True)
class TokenContext:
    """The core services the token handlers use."""

    store: TokenStoreView
    policies: PolicyLookup
    identity: IdentityPolicyLookup | None = None

    async def entity_for_alias(self, name: str) -> str:
        """The entity of a token-mount alias (``entity_alias`` of token create)."""
        return "" if self.identity is None else await self.identity.entity_for_alias(name)

    async def identity_policies(self, entry: TokenEntry) -> list[str]:
        """The policies ``entry``'s entity brings (empty without identity)."""
        if self.identity is None or not entry.entity_id:
            return []
        return await self.identity.policies_for(entry.entity_id)

    async def missing_policies(self, names: list[str] | tuple[str, ...]) -> list[str]:
        """Which of ``names`` are not stored policies (root is built in)."""
        return [name for name in names if name != "root" and not await self.policies.exists(name)]

    @staticmethod
    def is_sudo(req: Request) -> bool:
        """Whether the caller has root or sudo on this path."""
        entry = req.token_entry
        return req.sudo or (isinstance(entry, TokenEntry) and entry.is_root)


def caller(req: Request) -> TokenEntry:
    """The calling token's entry (the core always sets it on authenticated paths)."""
    entry = req.token_entry
    if not isinstance(entry, TokenEntry):
        raise InvalidRequest("parent token lookup failed: no parent found")
    return entry
