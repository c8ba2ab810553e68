"""Generated usernames and passwords for database users.

* Passwords follow OpenBao's default password policy for the database engine: 20 characters
  from ``a-z A-Z 0-9 -`` with at least one lowercase, one uppercase, one digit and one ``-``
  (sdk/helper/random DefaultStringGenerator), drawn with ``secrets``.
* Usernames follow the PostgreSQL plugin's default template,
  ``v-<display name, 8>-<role, 8>-<20 random>-<unix time>`` truncated to 63 characters
  (PostgreSQL's identifier limit), which gives OpenBao's ``v-token-app-role-...-1796278592``.
"""

from __future__ import annotations

import secrets
import string
import time

_LOWER, _UPPER, _DIGITS = string.ascii_lowercase, string.ascii_uppercase, string.digits
_ALPHABET = _LOWER + _UPPER + _DIGITS + "-"
_PASSWORD_LENGTH = 20
_MAX_PG_IDENTIFIER = 63


def generate_password() -> str:
    """A fresh password meeting the default policy."""
    required = [secrets.choice(_LOWER), secrets.choice(_UPPER), secrets.choice(_DIGITS), "-"]
    rest = [secrets.choice(_ALPHABET) for _ in range(_PASSWORD_LENGTH - len(required))]
    chars = required + rest
    # Fisher-Yates with a CSPRNG, so the required characters land anywhere.
    for i in range(len(chars) - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def generate_username(display_name: str, role: str) -> str:
    """A new, unique-enough user name for ``role`` requested by ``display_name``."""
    rand = "".join(secrets.choice(_LOWER + _UPPER + _DIGITS) for _ in range(20))
    name = f"v-{display_name[:8]}-{role[:8]}-{rand}-{int(time.time())}"
    return name[:_MAX_PG_IDENTIFIER]
