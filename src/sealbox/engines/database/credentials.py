"""Generated passwords for database users whose connection names no password policy.

OpenBao's default password policy for the database engine: 20 characters from
``a-z A-Z 0-9 -`` with at least one lowercase, one uppercase, one digit and one ``-``
(sdk/helper/random DefaultStringGenerator), drawn with ``secrets``. User names come from
``username_template.py``.
"""

from __future__ import annotations

import secrets
import string

_LOWER, _UPPER, _DIGITS = string.ascii_lowercase, string.ascii_uppercase, string.digits
_ALPHABET = _LOWER + _UPPER + _DIGITS + "-"
_PASSWORD_LENGTH = 20


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
