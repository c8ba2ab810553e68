"""The ``token`` auth method: Vault's ``auth/token/*`` API over the core's token store.

Mirrors OpenBao's internal/vault/token_store.go paths; storage and TTL rules live in
``sealbox.core.tokens``.
"""

from __future__ import annotations

from sealbox.auth.token.backend import TokenAuthMethod, token_factory

__all__ = ["TokenAuthMethod", "token_factory"]
