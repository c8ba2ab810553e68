"""Random identifiers of the token store: tokens and accessors.

Tokens are ``hvs.`` plus 24 base62 characters (28 in all, like Vault 1.10+ service tokens);
accessors are 24 base62 characters. The stored record is ``sealbox.logical.tokens.TokenEntry``.
"""

from __future__ import annotations

import secrets
import string

TOKEN_PREFIX = "hvs."
_TOKEN_BODY_LENGTH = 24
ACCESSOR_LENGTH = 24
_BASE62 = string.ascii_letters + string.digits


def random_base62(length: int) -> str:
    """``length`` characters from [A-Za-z0-9], chosen with ``secrets``."""
    return "".join(secrets.choice(_BASE62) for _ in range(length))


def new_token_id() -> str:
    """A fresh 28-character service token: ``hvs.`` + 24 random base62 characters."""
    return TOKEN_PREFIX + random_base62(_TOKEN_BODY_LENGTH)


def new_accessor() -> str:
    """A fresh 24-character accessor."""
    return random_base62(ACCESSOR_LENGTH)
