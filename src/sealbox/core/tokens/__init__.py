"""The token store: salted-hash storage of tokens, accessors, parent trees, roles and TTLs.

Mirrors OpenBao's internal/vault/token_store.go; the records it keeps and the view it offers
backends are in ``sealbox.logical.tokens``; the HTTP face is ``sealbox.auth.token``.
"""

from __future__ import annotations

from sealbox.core.tokens.entry import ACCESSOR_LENGTH, TOKEN_PREFIX, new_accessor, new_token_id
from sealbox.core.tokens.roles import RoleStore
from sealbox.core.tokens.store import RenewHook, RenewTerms, RevokeHook, TokenStore
from sealbox.core.tokens.ttl import TTLLimits, calculate_ttl

__all__ = [
    "ACCESSOR_LENGTH",
    "TOKEN_PREFIX",
    "RenewHook",
    "RenewTerms",
    "RevokeHook",
    "RoleStore",
    "TTLLimits",
    "TokenStore",
    "calculate_ttl",
    "new_accessor",
    "new_token_id",
]
