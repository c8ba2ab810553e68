"""The ``auth/token/`` backend: Vault's token API over the core's TokenStore.

Mirrors OpenBao's token store as a credential backend (internal/vault/token_store.go,
``NewTokenStore`` paths and ``PathsSpecial``): the core mounts it at ``auth/token/`` with a
view of its token store and policy lookups (``TokenContext``). ``accessors`` is a root path,
so the core requires sudo on it. The backend keeps no state of its own.
"""

from __future__ import annotations

from sealbox.auth.token.context import TokenContext
from sealbox.auth.token.paths_create import create_paths
from sealbox.auth.token.paths_roles import role_paths
from sealbox.auth.token.paths_tokens import token_paths
from sealbox.framework import Backend, BackendConfig


class TokenAuthMethod(Backend):
    """The token auth method."""

    backend_type = "token"
    # compat: PathsSpecial.Root of OpenBao's token store ("revoke-orphan/*" is a legacy URL
    # form not served here; the handler checks sudo itself).
    root_paths = ("accessors*",)

    def __init__(self, config: BackendConfig, ctx: TokenContext) -> None:
        super().__init__(config)
        self.paths = [*create_paths(ctx), *token_paths(ctx), *role_paths(ctx)]
