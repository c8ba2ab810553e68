"""The ``token`` auth method: Vault's ``auth/token/*`` API over the core's token store.

Mirrors OpenBao's internal/vault/token_store.go paths; storage and TTL rules live in the
core's token store, which this backend sees only through ``TokenContext``.
"""

from __future__ import annotations

from sealbox.auth.token.backend import TokenAuthMethod
from sealbox.auth.token.context import TokenContext

__all__ = ["TokenAuthMethod", "TokenContext"]
