"""Statement handling shared by the SQL plugins: splitting on ``;`` and ``{{placeholders}}``.

OpenBao splits each statement string on ``;`` and runs the parts one by one (dbutil /
strutil.ParseArbitraryStringSlice), filling ``{{name}}``, ``{{username}}``, ``{{password}}``
and ``{{expiration}}`` literally (a generated password is alphanumeric plus ``-``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def split_statements(statements: Sequence[str]) -> list[str]:
    """Every statement on its own (empty parts dropped)."""
    return [part.strip() for text in statements for part in text.split(";") if part.strip()]


def fill(statement: str, values: dict[str, str]) -> str:
    """Replace ``{{key}}`` (inner spaces allowed) by its value; unknown keys stay."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), statement)


def redact(message: str, *secrets: str) -> str:
    """``message`` with every given secret replaced by ``[password]``."""
    for secret in secrets:
        if secret:
            message = message.replace(secret, "[password]")
    return message.strip()
