"""The token store: salted-hash storage of tokens, accessors, parent trees, roles and TTLs.

Mirrors OpenBao's internal/vault/token_store.go; the HTTP face is ``sealbox.auth.token``.
"""

from __future__ import annotations

from sealbox.core.tokens.entry import (
    ACCESSOR_LENGTH,
    REVOCATION_PENDING,
    TOKEN_PREFIX,
    TokenEntry,
    new_accessor,
    new_token_id,
)
from sealbox.core.tokens.roles import RoleStore, TokenRole
from sealbox.core.tokens.store import RevokeHook, TokenStore
from sealbox.core.tokens.ttl import TTLLimits, calculate_ttl
from sealbox.core.tokens.wire import token_auth, token_lookup_data

__all__ = [
    "ACCESSOR_LENGTH",
    "REVOCATION_PENDING",
    "TOKEN_PREFIX",
    "RevokeHook",
    "RoleStore",
    "TTLLimits",
    "TokenEntry",
    "TokenRole",
    "TokenStore",
    "calculate_ttl",
    "new_accessor",
    "new_token_id",
    "token_auth",
    "token_lookup_data",
]
